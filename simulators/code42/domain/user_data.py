"""The provisioned attributes of a user as the admin API shows them (code42-behaviour.md §4.7):
the Incydr risk profile and the console's ``ScimUserDataEntry`` (code42-open-questions.md)."""

from __future__ import annotations

from typing import Any

from simulators.code42.domain.accounts import user_or_404
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx


def _full_name(user: dict[str, Any]) -> str:
    return " ".join(n for n in (user["first_name"], user["last_name"]) if n)


def risk_profile(tx: Tx, ident: str) -> dict[str, Any]:
    user = user_or_404(tx, ident)
    attrs = user["attrs"]
    manager = tables.get_user(tx, uid=attrs["managerUid"]) if attrs.get("managerUid") else None
    return {
        "userId": user["user_uid"], "tenantId": None, "username": user["username"],
        "displayName": _full_name(user) or user["username"], "notes": user["notes"],
        "managerId": attrs.get("managerUid"), "managerUsername": manager["username"] if manager else None,
        "managerDisplayName": _full_name(manager) if manager else None,
        "title": attrs.get("title"), "division": attrs.get("division"), "department": attrs.get("department"),
        "employmentType": attrs.get("employmentType"), "country": attrs.get("country"),
        "region": attrs.get("region"), "locality": attrs.get("locality"), "active": user["active"],
        "deleted": False, "supportUser": False, "startDate": None, "endDate": None, "cloudAliases": [],
    }


def scim_user_data(tx: Tx, ident: str) -> dict[str, Any]:
    """``ScimUserDataEntry`` (code42-open-questions.md)."""
    user = user_or_404(tx, ident)
    attrs = user["attrs"]
    return {"userId": user["user_uid"], "username": user["username"],
            "firstName": user["first_name"], "lastName": user["last_name"],
            "title": attrs.get("title"), "division": attrs.get("division"),
            "department": attrs.get("department"), "employmentType": attrs.get("employmentType"),
            "managerUserId": attrs.get("managerUid"), "locality": attrs.get("locality"),
            "region": attrs.get("region"), "country": attrs.get("country"),
            "externalId": attrs.get("externalId"), "hasScimUserData": user["scim_id"] is not None,
            "lastUpdated": user["modified_at"]}

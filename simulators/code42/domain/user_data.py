"""The provisioned attributes of a user as the admin API shows them (code42-behaviour.md §4.7): the Incydr
actor (``/v1/actors``), the older user risk profile (``/v1/user-risk-profiles``, which incydr marks as
replaced by actors) and the console's ``ScimUserDataEntry`` (code42-open-questions.md).

One actor per Code42 user, ``actorId`` = the userUid, its own parent with no children: the mock has no
second identities to merge into a family. A risk profile's cloud aliases (py42 ``add_cloud_aliases``, at
most two, as py42's ``Py42CloudAliasLimitExceededError`` says) are the actor's alternate names. An actor
and a risk profile are two views of the same person, so their ``notes``, ``startDate`` and ``endDate``
are one stored value (``profile_notes``, ``start_date``, ``end_date``; dates as ``YYYY-MM-DD``), separate
from the console user's own ``notes``. The actor API writes dates as ``"YYYY-MM-DD"``, the risk profile
as ``{year, month, day}`` objects with a ``paths`` query naming what changes (incydr).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from simulators.code42.domain import tenant
from simulators.code42.domain.accounts import user_or_404
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.paging import Paging
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

#: Risk-profile list filters (query names, as incydr sends them) -> the provisioned attribute.
PROFILE_FILTERS = {"manager_id": "managerUid", "title": "title", "division": "division",
                   "department": "department", "employment_type": "employmentType", "country": "country",
                   "region": "region", "locality": "locality"}
UPDATABLE_PATHS = {"startDate": "start_date", "endDate": "end_date", "notes": "profile_notes"}


def _full_name(user: dict[str, Any]) -> str:
    return " ".join(n for n in (user["first_name"], user["last_name"]) if n)


def _manager(tx: Tx, user: dict[str, Any]) -> dict[str, Any] | None:
    uid = user["attrs"].get("managerUid")
    return tables.get_user(tx, uid=uid) if uid else None


def _date_object(text: str | None) -> dict[str, int] | None:
    if not text:
        return None
    day = date.fromisoformat(text)
    return {"year": day.year, "month": day.month, "day": day.day}


# ---------------------------------------------------------------- risk profiles

def profile_json(tx: Tx, user: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    """``RiskProfile`` (incydr ``risk_profiles/models.py``)."""
    attrs, manager = user["attrs"], _manager(tx, user)
    return {
        "userId": user["user_uid"], "tenantId": tenant_id, "username": user["username"],
        "displayName": _full_name(user) or user["username"], "notes": user["profile_notes"],
        "managerId": attrs.get("managerUid"), "managerUsername": manager["username"] if manager else None,
        "managerDisplayName": _full_name(manager) if manager else None,
        "title": attrs.get("title"), "division": attrs.get("division"), "department": attrs.get("department"),
        "employmentType": attrs.get("employmentType"), "country": attrs.get("country"),
        "region": attrs.get("region"), "locality": attrs.get("locality"), "active": user["active"],
        "deleted": False, "supportUser": False, "startDate": _date_object(user["start_date"]),
        "endDate": _date_object(user["end_date"]), "cloudAliases": user["cloud_aliases"],
    }


def risk_profile(tx: Tx, ident: str) -> dict[str, Any]:
    return profile_json(tx, user_or_404(tx, ident), tenant.tenant_uid(tx))


def list_profiles(tx: Tx, filters: dict[str, str], flags: dict[str, bool | None], paging: Paging) -> dict[str, Any]:
    """``RiskProfilesPage``: attribute filters (exact, case-insensitive) and ``active``/``deleted``/
    ``support_user`` flags (no user of the mock is deleted or a support user)."""
    def matches(user: dict[str, Any]) -> bool:
        for name, wanted in filters.items():
            value = user["attrs"].get(PROFILE_FILTERS[name])
            if value is None or str(value).lower() != wanted.lower():
                return False
        return ((flags.get("active") is None or user["active"] == flags["active"])
                and flags.get("deleted") in (None, False) and flags.get("support_user") in (None, False))

    page, total = paging.apply([u for u in tables.list_users(tx) if matches(u)])
    uid = tenant.tenant_uid(tx)
    return {"userRiskProfiles": [profile_json(tx, u, uid) for u in page], "totalCount": total}


def _date_from_object(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        return date(value["year"], value["month"], value["day"]).isoformat()
    except (TypeError, KeyError, ValueError):
        raise AdminError(400, "INVALID_DATE", f"{name} must be {{year, month, day}} of a real date") from None


def update_profile(tx: Tx, ident: str, paths: list[str], body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/user-risk-profiles/{id}?paths=...``: only the named paths change; null clears."""
    unknown = [p for p in paths if p not in UPDATABLE_PATHS]
    if unknown or not paths:
        raise AdminError(400, "INVALID_PATHS", f"paths must name some of {sorted(UPDATABLE_PATHS)}, got {paths!r}")
    user = user_or_404(tx, ident)
    fields: dict[str, Any] = {}
    for path in paths:
        value = body.get(path)
        if path == "notes":
            if value is not None and not isinstance(value, str):
                raise AdminError(400, "INVALID_PARAMETER", "notes must be a string")
            fields["profile_notes"] = value
        else:
            fields[UPDATABLE_PATHS[path]] = _date_from_object(value, path)
    user = tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)
    return profile_json(tx, user, tenant.tenant_uid(tx))


CLOUD_ALIAS_LIMIT = 2  # py42: "Cloud alias limit exceeded. A max of 2 cloud aliases are allowed."
CLOUD_ALIAS_MAX_LENGTH = 50  # py42: "Cloud alias character limit exceeded. Max 50 characters."


def _aliases(body: dict[str, Any], user: dict[str, Any]) -> list[str]:
    aliases = body.get("cloudAliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise AdminError(400, "INVALID_PARAMETER", "cloudAliases must be a list of non-empty strings")
    if body.get("userId") not in (None, user["user_uid"], str(user["user_id"])):
        raise AdminError(400, "INVALID_PARAMETER", "userId in the body must be the user of the path")
    return [a.strip() for a in aliases]


def add_cloud_aliases(tx: Tx, ident: str, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/user-risk-profiles/{id}/add-cloud-aliases {cloudAliases, userId}``; more than the limit is
    400 with the text py42 matches ("Cloud usernames must be less than or equal to")."""
    user = user_or_404(tx, ident)
    wanted = _aliases(body, user)
    if any(len(a) > CLOUD_ALIAS_MAX_LENGTH for a in wanted):
        raise AdminError(400, "INVALID_PARAMETER", f"a cloud alias is at most {CLOUD_ALIAS_MAX_LENGTH} characters")
    aliases = list(user["cloud_aliases"]) + [a for a in wanted if a not in user["cloud_aliases"]]
    if len(aliases) > CLOUD_ALIAS_LIMIT:
        raise AdminError(400, "CLOUD_ALIAS_LIMIT", f"Cloud usernames must be less than or equal to {CLOUD_ALIAS_LIMIT}")
    user = tables.update_user(tx, user["user_id"], isoformat(tx.now), cloud_aliases=aliases)
    return profile_json(tx, user, tenant.tenant_uid(tx))


def delete_cloud_aliases(tx: Tx, ident: str, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/user-risk-profiles/{id}/delete-cloud-aliases``: the named aliases go (unknown ones are none)."""
    user = user_or_404(tx, ident)
    gone = set(_aliases(body, user))
    aliases = [a for a in user["cloud_aliases"] if a not in gone]
    user = tables.update_user(tx, user["user_id"], isoformat(tx.now), cloud_aliases=aliases)
    return profile_json(tx, user, tenant.tenant_uid(tx))


# ---------------------------------------------------------------- actors

def actor_json(tx: Tx, user: dict[str, Any]) -> dict[str, Any]:
    """``Actor`` (incydr ``actors/models.py``)."""
    attrs = user["attrs"]
    aliases = [user["email"]] if user["email"] and user["email"].lower() != user["username"].lower() else []
    aliases += [a for a in user["cloud_aliases"] if a not in aliases]
    return {
        "actorId": user["user_uid"], "name": user["username"], "firstName": user["first_name"],
        "lastName": user["last_name"], "active": user["active"], "alternateNames": aliases,
        "title": attrs.get("title"), "division": attrs.get("division"), "department": attrs.get("department"),
        "employeeType": attrs.get("employmentType"), "managerActorId": attrs.get("managerUid"),
        "country": attrs.get("country"), "region": attrs.get("region"), "locality": attrs.get("locality"),
        "startDate": user["start_date"], "endDate": user["end_date"], "notes": user["profile_notes"],
        "parentActorId": None, "inScope": user["active"],
    }


def search_actors(tx: Tx, starts_with: str | None, ends_with: str | None, active: bool | None,
                  paging: Paging) -> dict[str, Any]:
    """``ActorsPage``: actors whose name starts/ends with the given text (case-insensitive)."""
    def matches(user: dict[str, Any]) -> bool:
        name = user["username"].lower()
        return ((starts_with is None or name.startswith(starts_with.lower()))
                and (ends_with is None or name.endswith(ends_with.lower()))
                and (active is None or user["active"] == active))

    page, _ = paging.apply([u for u in tables.list_users(tx) if matches(u)])
    return {"actors": [actor_json(tx, u) for u in page]}


def _actor_user(tx: Tx, *, actor_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    user = tables.get_user(tx, uid=actor_id) if actor_id is not None else tables.get_user(tx, username=name)
    if user is None:  # incydr turns a 404 into ActorNotFoundError
        raise AdminError(404, "ACTOR_NOT_FOUND", f"no actor {actor_id or name!r}")
    return user


def get_actor(tx: Tx, *, actor_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    """An actor by id or by name; as its own parent it is also what the ``/parent`` routes answer."""
    return actor_json(tx, _actor_user(tx, actor_id=actor_id, name=name))


def actor_family(tx: Tx, *, actor_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    """``ActorFamily{parent, children}``: each actor is its own family's parent, with no children."""
    return {"parent": get_actor(tx, actor_id=actor_id, name=name), "children": []}


def _date_text(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise AdminError(400, "INVALID_DATE", f"{name} must be a date as YYYY-MM-DD")


def update_actor(tx: Tx, actor_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/actors/actor/id/{id} {notes?, startDate?, endDate?}``: only the keys sent change;
    null (or "") clears."""
    user = _actor_user(tx, actor_id=actor_id)
    fields: dict[str, Any] = {}
    if "notes" in body:
        if body["notes"] is not None and not isinstance(body["notes"], str):
            raise AdminError(400, "INVALID_PARAMETER", "notes must be a string")
        fields["profile_notes"] = body["notes"] or None
    for key, column in (("startDate", "start_date"), ("endDate", "end_date")):
        if key in body:
            fields[column] = _date_text(body[key], key)
    if fields:
        user = tables.update_user(tx, user["user_id"], isoformat(tx.now), **fields)
    return actor_json(tx, user)


# ---------------------------------------------------------------- console

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

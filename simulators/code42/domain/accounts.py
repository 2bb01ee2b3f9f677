"""Code42 user accounts as the admin API and the console change them (code42-behaviour.md §4.3).

Seed: "When you manually deactivate users in the Code42 console, there is no delay." so admin
deactivation here is immediate (:mod:`lifecycle`). Console "add user" is a scimgate route: local users
"can only be managed in the console" (seed Considerations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.lifecycle import ActiveLegalHoldError
from simulators.code42.domain.organizations import org_or_400
from simulators.code42.domain.paging import Paging
from simulators.code42.domain.roles import ROLES, role_json, role_or_400
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain

#: ``PUT /api/v1/User`` body fields -> c42_users columns.
_EDITABLE = {"username": "username", "email": "email", "firstName": "first_name", "lastName": "last_name",
             "notes": "notes"}


def user_v1(tx: Tx, user: dict[str, Any]) -> dict[str, Any]:
    """The Incydr ``/v1/users`` shape (spec §1 and §4.3)."""
    org = tables.get_org(tx, org_id=user["org_id"]) or {}
    return {
        "userId": user["user_uid"], "legacyUserId": str(user["user_id"]), "username": user["username"],
        "email": user["email"], "firstName": user["first_name"], "lastName": user["last_name"],
        "notes": user["notes"], "status": "Active" if user["active"] else "Deactivated",
        "active": user["active"], "blocked": user["blocked"], "orgId": org.get("org_guid"),
        "legacyOrgId": str(org.get("org_id")), "orgGuid": org.get("org_guid"), "orgName": org.get("name"),
        "localUser": user["local"], "creationDate": user["created_at"], "modificationDate": user["modified_at"],
        "roles": list(user["roles"]),
    }


def user_or_404(tx: Tx, ident: str) -> dict[str, Any]:
    """The user an admin-API id names (userUid or legacy userId); 404 ``USER_NOT_FOUND`` otherwise."""
    user = tables.resolve_user(tx, ident)
    if user is None:
        raise AdminError(404, "USER_NOT_FOUND", f"no user {ident!r}")
    return user


def list_users(tx: Tx, active: bool | None, blocked: bool | None, username: str | None,
               paging: Paging) -> dict[str, Any]:
    if username is not None:
        found = tables.get_user(tx, username=username)
        users = [found] if found else []
    else:
        users = tables.list_users(tx)
    users = [u for u in users if (active is None or u["active"] == active)
             and (blocked is None or u["blocked"] == blocked)
             and (username is None or u["username"].lower() == username.lower())]
    page, total = paging.apply(users)
    return {"users": [user_v1(tx, u) for u in page], "totalCount": total}


def create_user(domain: Code42Domain, tx: Tx, body: dict[str, Any]) -> dict[str, Any]:
    """Console "add user": ``{username, email, firstName, lastName, orgGuid, roleIds, localUser (default
    true)}``; ``username`` has been checked to be an email address."""
    username = body["username"]
    if tables.get_user(tx, username=username) is not None:
        raise AdminError(500, "USER_DUPLICATE", f"user {username!r} already exists")
    org = tables.resolve_org(tx, body["orgGuid"]) if body.get("orgGuid") else tables.root_org(tx)
    if org is None:
        raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
    roles = body.get("roleIds")
    role_ids = [role_or_400(r) for r in roles] if roles is not None else \
        domain.mapper.org_default_roles(tx, provider_settings.load(tx), org["org_id"])  # type: ignore[arg-type]
    local = body.get("localUser", True) is not False
    user = tables.insert_user(tx, username=username, email=body.get("email"), first_name=body.get("firstName"),
                              last_name=body.get("lastName"), org_id=org["org_id"],
                              source="local" if local else "admin", local=local, now=isoformat(tx.now),
                              roles=role_ids)
    return user_v1(tx, user)


def get_user(tx: Tx, ident: str) -> dict[str, Any]:
    return user_v1(tx, user_or_404(tx, ident))


def deactivate(domain: Code42Domain, tx: Tx, ident: str, block: bool) -> None:
    user = user_or_404(tx, ident)
    try:
        domain.lifecycle.admin_deactivate(tx, user, block=block)
    except ActiveLegalHoldError:
        raise AdminError(400, "ACTIVE_LEGAL_HOLD",
                         "Cannot deactivate a user who is a custodian of an active legal hold") from None


def activate(domain: Code42Domain, tx: Tx, ident: str, unblock: bool) -> None:
    domain.lifecycle.admin_activate(tx, user_or_404(tx, ident), unblock=unblock)


def set_blocked(domain: Code42Domain, tx: Tx, ident: str, blocked: bool) -> None:
    domain.lifecycle.admin_block(tx, user_or_404(tx, ident), blocked)


def move(tx: Tx, ident: str, org_ref: Any) -> None:
    """Move a user to another org (the org reference is checked first: an empty one is 400)."""
    if org_ref in (None, ""):
        raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
    user = user_or_404(tx, ident)
    org = org_or_400(tx, org_ref)
    tables.update_user(tx, user["user_id"], isoformat(tx.now), org_id=org["org_id"])


def editable_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The columns a ``PUT /api/v1/User`` body sets, checked as Code42 checks them (500s, as Code42 answers)."""
    fields = {column: body[key] for key, column in _EDITABLE.items() if key in body}
    if "username" in fields and "@" not in str(fields["username"]):
        raise AdminError(500, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
    if "email" in fields and "@" not in str(fields["email"]):
        raise AdminError(500, "EMAIL_INVALID", "email is not valid")
    return fields


def edit_user(tx: Tx, ident: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An admin edit: marks the fields as edited in Code42 so fault ``updates_do_not_overwrite`` keeps them."""
    user = user_or_404(tx, ident)
    edited = sorted(set(user["edited"]) | set(fields))
    user = tables.update_user(tx, user["user_id"], isoformat(tx.now), edited=edited, **fields)
    return {"metadata": {"timestamp": isoformat(tx.now), "params": {}}, "data": user_v1(tx, user)}


def user_roles(tx: Tx, ident: str) -> list[dict[str, Any]]:
    return [role_json(r) for r in user_or_404(tx, ident)["roles"] if r in ROLES]


def replace_roles(tx: Tx, ident: str, role_ids: list[str]) -> dict[str, Any]:
    """Set a user's roles; ``role_ids`` are checked ids (:func:`roles.role_or_400`)."""
    user = user_or_404(tx, ident)
    before = set(user["roles"])
    tables.update_user(tx, user["user_id"], isoformat(tx.now), roles=sorted(set(role_ids)))
    return {"processedReplacementRoleIds": role_ids, "newlyAssignedRolesIds": sorted(set(role_ids) - before),
            "unassignedRolesIds": sorted(before - set(role_ids)), "ignoredRolesIds": []}

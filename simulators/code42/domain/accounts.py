"""Code42 user accounts as the admin API and the console change them (code42-behaviour.md §4.3).

Seed: "When you manually deactivate users in the Code42 console, there is no delay." so admin
deactivation here is immediate (:mod:`lifecycle`). Console "add user" is a scimgate route: local users
"can only be managed in the console" (seed Considerations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain import tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.lifecycle import ActiveLegalHoldError
from simulators.code42.domain.organizations import org_or_400
from simulators.code42.domain.paging import Paging
from simulators.code42.domain.roles import ROLES, resolve_role, role_json, role_or_400
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
    """The columns a ``PUT /api/v1/User`` body sets, checked as Code42 checks them (500s, as Code42 answers).

    A null field is left alone: py42's ``update_user`` sends every field it was not given as null
    (``username``, ``password``, ``quotaInBytes``...), and its callers mean "change only these"
    (docs/code42-api.md). ``password`` is accepted and dropped: the mock signs nobody in."""
    fields = {column: body[key] for key, column in _EDITABLE.items() if body.get(key) is not None}
    quota = body.get("quotaInBytes")
    if quota is not None:
        if isinstance(quota, bool) or not isinstance(quota, int) or quota < -1:
            raise AdminError(400, "INVALID_QUOTA", "quotaInBytes must be an integer >= -1 (-1: no limit)")
        fields["quota_bytes"] = quota
    if "username" in fields and "@" not in str(fields["username"]):
        raise AdminError(500, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
    if "email" in fields and "@" not in str(fields["email"]):
        raise AdminError(500, "EMAIL_INVALID", "email is not valid")
    return fields


def edit_user(tx: Tx, ident: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An admin edit: marks the fields as edited in Code42 so fault ``updates_do_not_overwrite`` keeps them.
    Answers the console user, in the console envelope."""
    user = user_or_404(tx, ident)
    if "username" in fields and fields["username"].lower() != user["username"].lower() \
            and tables.get_user(tx, username=fields["username"]) is not None:
        raise AdminError(500, "USER_DUPLICATE", f"user {fields['username']!r} already exists")
    edited = sorted(set(user["edited"]) | (set(fields) - {"quota_bytes"}))
    user = tables.update_user(tx, user["user_id"], isoformat(tx.now), edited=edited, **fields)
    return tenant.legacy_envelope(tx, user_legacy(tx, user))


# ---------------------------------------------------------------- the console API (py42, code42cli)

def user_legacy(tx: Tx, user: dict[str, Any], inc_roles: bool = False) -> dict[str, Any]:
    """A user as the console API (``/api/v1/User``) shows it: integer ``userId``/``orgId``, ``userUid``,
    ``status`` (code42cli fixtures, spec §1); role names with ``incRoles``."""
    org = tables.get_org(tx, org_id=user["org_id"]) or {}
    answer = {
        "userId": user["user_id"], "userUid": user["user_uid"], "status": "Active" if user["active"] else "Deactivated",
        "username": user["username"], "email": user["email"], "firstName": user["first_name"],
        "lastName": user["last_name"], "notes": user["notes"],
        "quotaInBytes": -1 if user.get("quota_bytes") is None else user["quota_bytes"],
        "orgId": org.get("org_id"), "orgUid": org.get("org_uid"), "orgGuid": org.get("org_guid"),
        "orgName": org.get("name"), "userExtRef": user["attrs"].get("externalId"), "active": user["active"],
        "blocked": user["blocked"], "invited": False, "orgType": "ENTERPRISE", "usernameIsAnEmail": True,
        "localAuthenticationOnly": user["local"], "creationDate": user["created_at"],
        "modificationDate": user["modified_at"],
    }
    if inc_roles:
        answer["roles"] = [ROLES[r].name for r in user["roles"] if r in ROLES]
    return answer


def find_users_legacy(tx: Tx, *, active: bool | None, email: str | None, org_ref: str | None, role: str | None,
                      query: str | None, username: str | None, paging: Paging, inc_roles: bool) -> dict[str, Any]:
    """``GET /api/v1/User``: ``{totalCount, users}`` filtered as py42 documents (``q`` searches name,
    username and email; an unknown ``orgUid`` is 400 "Organization was not found")."""
    org = org_or_400(tx, org_ref) if org_ref is not None else None
    role_id = resolve_role(role).role_id if role is not None and resolve_role(role) else role
    needle = query.lower() if query else None

    def matches(u: dict[str, Any]) -> bool:
        text = " ".join(str(v or "") for v in (u["username"], u["email"], u["first_name"], u["last_name"])).lower()
        return ((active is None or u["active"] == active) and (org is None or u["org_id"] == org["org_id"])
                and (email is None or (u["email"] or "").lower() == email.lower())
                and (username is None or u["username"].lower() == username.lower())
                and (role_id is None or role_id in u["roles"]) and (needle is None or needle in text))

    page, total = paging.apply([u for u in tables.list_users(tx) if matches(u)])
    return {"totalCount": total, "users": [user_legacy(tx, u, inc_roles) for u in page]}


def get_user_legacy(tx: Tx, ident: str, *, by_uid: bool, inc_roles: bool) -> dict[str, Any]:
    """``GET /api/v1/User/{id}``: the integer ``userId``, or the ``userUid`` with ``idType=uid``."""
    user = tables.get_user(tx, uid=ident) if by_uid else None
    if user is None and not by_uid:
        user = tables.resolve_user(tx, ident)
    if user is None:
        raise AdminError(404, "USER_NOT_FOUND", f"no user {ident!r}")
    return user_legacy(tx, user, inc_roles)


def create_user_legacy(domain: Code42Domain, tx: Tx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/v1/User {orgUid, username, email, password, firstName, lastName, notes}``: a console
    user (local sign-in, so provisioning leaves it alone). Duplicate: 500 ``USER_DUPLICATE``."""
    username = body.get("username")
    if not isinstance(username, str) or "@" not in username:
        raise AdminError(500, "USERNAME_NOT_AN_EMAIL", "username must be an email address")
    org = org_or_400(tx, body["orgUid"]) if body.get("orgUid") not in (None, "") else None
    created = create_user(domain, tx, {"username": username, "email": body.get("email"),
                                       "firstName": body.get("firstName"), "lastName": body.get("lastName"),
                                       "orgGuid": org["org_guid"] if org else None})
    user = tables.get_user(tx, uid=created["userId"])
    if body.get("notes") is not None:
        user = tables.update_user(tx, user["user_id"], isoformat(tx.now), notes=body["notes"])  # type: ignore[index]
    return user_legacy(tx, user)  # type: ignore[arg-type]


def user_roles(tx: Tx, ident: str) -> list[dict[str, Any]]:
    since = tenant.created(tx)
    return [role_json(r, since) for r in user_or_404(tx, ident)["roles"] if r in ROLES]


def replace_roles(tx: Tx, ident: str, role_ids: list[str]) -> dict[str, Any]:
    """Set a user's roles; ``role_ids`` are checked ids (:func:`roles.role_or_400`)."""
    user = user_or_404(tx, ident)
    before = set(user["roles"])
    tables.update_user(tx, user["user_id"], isoformat(tx.now), roles=sorted(set(role_ids)))
    return {"processedReplacementRoleIds": role_ids, "newlyAssignedRolesIds": sorted(set(role_ids) - before),
            "unassignedRolesIds": sorted(before - set(role_ids)), "ignoredRolesIds": []}

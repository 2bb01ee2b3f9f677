"""Legal hold as the admin API serves it: policies, matters, custodians (code42-behaviour.md §4.6), in the
Incydr shapes (``/v1/legal-hold``) and the console's (py42's API-client service, ``/api/v27``).

Seed: "Users on legal hold cannot be deactivated ... Once you release users from legal hold, they are
automatically deactivated." Releasing (a membership removed or a matter closed) hands over to
:meth:`Lifecycle.released`. Not found and not permitted are deliberately the same 403 (spec §4.2).

What an API client makes names it as creator: ``creatorPrincipal {type: "API_CLIENT", principalId,
displayName}`` and ``creator``/``creatorUser {userId, username}`` = the client id [INF: code42cli prints
``matter["creator"]["username"]`` for the matters an API-client profile lists, so it is never null].
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from simulators.code42.domain.accounts import user_or_404
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.paging import Paging
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain

Creator = tuple[str, str]  # (principal type, principal id), e.g. ("API_CLIENT", client id)

#: py42 v27 membership ``active`` values (``_active_state_map``) -> the memberships they keep.
MEMBERSHIP_STATES = {"ACTIVE": (True,), "INACTIVE": (False,), "ALL": (True, False)}
CRITERIA_MISSING = ("At least one criteria must be specified; holdMembershipUid, holdUid, userUid, or "
                    "userSearch")


def _principal(row: dict[str, Any]) -> dict[str, Any] | None:
    if not row.get("creator_id"):
        return None
    return {"type": row["creator_type"], "principalId": row["creator_id"], "displayName": row["creator_id"]}


def _creator_user(row: dict[str, Any]) -> dict[str, Any] | None:
    return {"userId": row["creator_id"], "username": row["creator_id"]} if row.get("creator_id") else None


def policy_json(row: dict[str, Any]) -> dict[str, Any]:
    """``LegalHoldPolicy`` (incydr ``legal_hold/models.py``)."""
    return {"policyId": row["policy_id"], "name": row["name"], "creationDate": row["created_at"],
            "modificationDate": row["modified_at"] or row["created_at"], "creatorUser": _creator_user(row),
            "creatorPrincipal": _principal(row)}


def matter_json(matter: dict[str, Any]) -> dict[str, Any]:
    """``Matter`` (incydr)."""
    return {"matterId": matter["matter_id"], "name": matter["name"], "description": matter["description"],
            "notes": matter["notes"], "active": bool(matter["active"]), "creationDate": matter["created_at"],
            "policyId": matter["policy_id"], "creator": _creator_user(matter),
            "creatorPrincipal": _principal(matter)}


def matter_or_403(tx: Tx, matter_id: str) -> dict[str, Any]:
    matter = tables.get_matter(tx, matter_id)
    if matter is None:
        raise AdminError(403, "FORBIDDEN", "legal hold matter not found or not permitted")
    return matter


def policy_or_403(tx: Tx, policy_id: str) -> dict[str, Any]:
    policy = tables.get_policy(tx, policy_id)
    if policy is None:
        raise AdminError(403, "FORBIDDEN", "legal hold policy not found or not permitted")
    return policy


# ---------------------------------------------------------------- policies

def list_policies(tx: Tx, paging: Paging) -> dict[str, Any]:
    page, total = paging.apply(tables.list_policies(tx))
    return {"policies": [policy_json(r) for r in page], "totalCount": total}


def create_policy(tx: Tx, name: str, creator: Creator) -> dict[str, Any]:
    policy_id = secrets.token_hex(8)
    tables.insert_policy(tx, policy_id, name, isoformat(tx.now), creator)
    return policy_json(policy_or_403(tx, policy_id))


def get_policy(tx: Tx, policy_id: str) -> dict[str, Any]:
    return policy_json(policy_or_403(tx, policy_id))


# ---------------------------------------------------------------- matters

def find_matters(tx: Tx, *, active: bool | None, name: str | None, creator_id: str | None,
                 ext_ref: str | None = None) -> list[dict[str, Any]]:
    """Matters by state, by a ``name`` that "either equals or partially contains" the value (both SDKs'
    docstrings; case-insensitive), by creator and by external reference."""
    needle = name.lower() if name else None
    return [r for r in tables.list_matters(tx)
            if (active is None or bool(r["active"]) == active) and (needle is None or needle in r["name"].lower())
            and (creator_id is None or r["creator_id"] == creator_id) and (ext_ref is None or r["ext_ref"] == ext_ref)]


def list_matters(tx: Tx, active: bool | None, name: str | None, creator_id: str | None,
                 paging: Paging) -> dict[str, Any]:
    page, total = paging.apply(find_matters(tx, active=active, name=name, creator_id=creator_id))
    return {"matters": [matter_json(r) for r in page], "totalCount": total}


def create_matter_record(tx: Tx, name: str, body: dict[str, Any], creator: Creator) -> dict[str, Any]:
    """A new matter under ``policyId``, or under a policy of its own when none is given; the stored row."""
    policy_id = body.get("policyId")
    if policy_id and not tables.policy_exists(tx, policy_id):
        raise AdminError(403, "FORBIDDEN", "legal hold policy not found or not permitted")
    if not policy_id:
        policy_id = secrets.token_hex(8)
        tables.insert_policy(tx, policy_id, f"{name} policy", isoformat(tx.now), creator)
    matter_id = secrets.token_hex(8)
    tables.insert_matter(tx, matter_id=matter_id, name=name, description=body.get("description"),
                         notes=body.get("notes"), policy_id=policy_id, now=isoformat(tx.now),
                         ext_ref=body.get("externalReference"), creator=creator)
    return matter_or_403(tx, matter_id)


def create_matter(tx: Tx, name: str, body: dict[str, Any], creator: Creator) -> dict[str, Any]:
    return matter_json(create_matter_record(tx, name, body, creator))


def get_matter(tx: Tx, matter_id: str) -> dict[str, Any]:
    return matter_json(matter_or_403(tx, matter_id))


def deactivate_matter(domain: Code42Domain, tx: Tx, matter_id: str) -> None:
    """Closing a matter releases its custodians (CrashPlan "Releasing a user from Legal Hold")."""
    matter = matter_or_403(tx, matter_id)
    if not matter["active"]:
        raise AdminError(400, "ALREADY_DEACTIVATED", "the matter is already deactivated")
    tables.set_matter_active(tx, matter_id, False)
    for uid in tables.active_custodian_uids(tx, matter_id):
        domain.lifecycle.released(tx, uid)


def reactivate_matter(tx: Tx, matter_id: str) -> None:
    matter = matter_or_403(tx, matter_id)
    if matter["active"]:
        raise AdminError(400, "ALREADY_ACTIVE", "the matter is already active")
    tables.set_matter_active(tx, matter_id, True)


# ---------------------------------------------------------------- custodians

def list_custodians(tx: Tx, matter_id: str, paging: Paging) -> dict[str, Any]:
    """``CustodiansPage``: flat ``Custodian{membershipActive, membershipCreationDate, userId, name, email}``
    items (incydr's model; only the POST answer nests). ``name`` is the username [INF]."""
    matter_or_403(tx, matter_id)
    page, total = paging.apply(tables.memberships_of_matter(tx, matter_id))
    out = []
    for row in page:
        user = tables.get_user(tx, uid=row["user_uid"]) or {}
        out.append({"membershipActive": bool(row["active"]), "membershipCreationDate": row["created_at"],
                    "userId": row["user_uid"], "name": user.get("username"), "email": user.get("email")})
    return {"custodians": out, "totalCount": total}


def add_membership(tx: Tx, matter_id: str, ident: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Make ``ident`` a custodian of ``matter_id``: (matter, user, membership id)."""
    matter = matter_or_403(tx, matter_id)
    user = user_or_404(tx, ident)
    if not user["active"]:
        # "Deactivated users cannot sign in and cannot be added to a legal hold." (spec §2.1)
        raise AdminError(400, "USER_DEACTIVATED", "deactivated users cannot be added to a legal hold")
    if tables.is_active_custodian(tx, matter_id, user["user_uid"]):
        raise AdminError(400, "USER_ALREADY_IN_HOLD", "the user is already a custodian of this matter")
    membership_id = secrets.token_hex(8)
    tables.insert_membership(tx, membership_id=membership_id, matter_id=matter_id, user_uid=user["user_uid"],
                             now=isoformat(tx.now))
    return matter, user, membership_id


def add_custodian(tx: Tx, matter_id: str, ident: str) -> dict[str, Any]:
    matter, user, _ = add_membership(tx, matter_id, ident)
    return {"membershipActive": True, "membershipCreationDate": isoformat(tx.now),
            "matter": {"matterId": matter["matter_id"], "name": matter["name"]},
            "custodian": {"userId": user["user_uid"], "username": user["username"], "email": user["email"]}}


def remove_custodian(domain: Code42Domain, tx: Tx, matter_id: str, ident: str) -> None:
    """Release = deactivating the membership; the custodian is then "automatically deactivated" if a SCIM
    deactivation was waiting (seed, legal hold)."""
    matter_or_403(tx, matter_id)
    user = user_or_404(tx, ident)
    if not tables.is_active_custodian(tx, matter_id, user["user_uid"]):
        raise AdminError(400, "USER_NOT_IN_HOLD", "the user is not a custodian of this matter")
    tables.release_membership(tx, matter_id, user["user_uid"])
    domain.lifecycle.released(tx, user["user_uid"])


def matters_of_user(tx: Tx, ident: str, paging: Paging) -> dict[str, Any]:
    """``CustodianMattersPage``: a user's memberships, paged (``iter_all_memberships_for_user``)."""
    user = user_or_404(tx, ident)
    page, total = paging.apply(tables.memberships_of_user(tx, user["user_uid"]))
    return {"matters": [{"matterId": r["matter_id"], "name": r["name"], "membershipActive": bool(r["active"]),
                         "membershipCreationDate": r["created_at"]} for r in page], "totalCount": total}


# ---------------------------------------------------------------- the console API (py42, /api/v27)

def policy_console(row: dict[str, Any]) -> dict[str, Any]:
    return {"legalHoldPolicyUid": row["policy_id"], "name": row["name"], "creationDate": row["created_at"],
            "modificationDate": row["modified_at"] or row["created_at"], "creatorPrincipal": _principal(row)}


def matter_console(matter: dict[str, Any]) -> dict[str, Any]:
    """A matter under the console's names (``legalHoldUid``, ``holdPolicyUid``, ``holdExtRef``)."""
    creator = _creator_user(matter)
    return {"legalHoldUid": matter["matter_id"], "name": matter["name"], "description": matter["description"],
            "notes": matter["notes"], "holdExtRef": matter["ext_ref"], "active": bool(matter["active"]),
            "creationDate": matter["created_at"], "holdPolicyUid": matter["policy_id"],
            "creator": {"userUid": creator["userId"], "username": creator["username"]} if creator else None,
            "creatorPrincipal": _principal(matter)}


def membership_console(tx: Tx, row: dict[str, Any]) -> dict[str, Any]:
    matter = tables.get_matter(tx, row["matter_id"]) or {}
    user = tables.get_user(tx, uid=row["user_uid"]) or {}
    return {"legalHoldMembershipUid": row["membership_id"], "active": bool(row["active"]),
            "creationDate": row["created_at"],
            "legalHold": {"legalHoldUid": row["matter_id"], "name": matter.get("name")},
            "user": {"userUid": row["user_uid"], "username": user.get("username"), "email": user.get("email"),
                     "userExtRef": (user.get("attrs") or {}).get("externalId")}}


def list_policies_console(tx: Tx) -> list[dict[str, Any]]:
    return [policy_console(r) for r in tables.list_policies(tx)]


def find_memberships(tx: Tx, *, matter_id: str | None, user_uid: str | None, user_search: str | None,
                     state: str, paging: Paging) -> list[dict[str, Any]]:
    """``legal-hold-membership/list``: at least one of matter, user or user search (else Code42's 400);
    ``user`` searches username, email, external reference and last name, partial matches included."""
    if matter_id is None and user_uid is None and user_search is None:
        raise AdminError(400, "CRITERIA_MISSING", CRITERIA_MISSING)
    keep = MEMBERSHIP_STATES[state]
    needle = user_search.lower() if user_search else None

    def matches(row: dict[str, Any]) -> bool:
        if bool(row["active"]) not in keep or (matter_id is not None and row["matter_id"] != matter_id) \
                or (user_uid is not None and row["user_uid"] != user_uid):
            return False
        if needle is None:
            return True
        user = tables.get_user(tx, uid=row["user_uid"]) or {}
        fields = (user.get("username"), user.get("email"), user.get("last_name"),
                  (user.get("attrs") or {}).get("externalId"))
        return any(needle in str(f).lower() for f in fields if f)

    page, _ = paging.apply([r for r in tables.list_memberships(tx) if matches(r)])
    return [membership_console(tx, r) for r in page]


def add_membership_console(tx: Tx, matter_id: str, user_uid: str) -> dict[str, Any]:
    _, _, membership_id = add_membership(tx, matter_id, user_uid)
    return membership_console(tx, tables.get_membership(tx, membership_id))  # type: ignore[arg-type]


def release_membership_console(domain: Code42Domain, tx: Tx, membership_id: str) -> None:
    """``legal-hold-membership/deactivate {legalHoldMembershipUid}`` (403 when there is no such membership)."""
    row = tables.get_membership(tx, membership_id)
    if row is None:
        raise AdminError(403, "FORBIDDEN", "legal hold membership not found or not permitted")
    if row["active"]:
        tables.release_membership(tx, row["matter_id"], row["user_uid"])
        domain.lifecycle.released(tx, row["user_uid"])

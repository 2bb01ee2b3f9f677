"""Legal hold as the admin API serves it: policies, matters, custodians (code42-behaviour.md §4.6).

Seed: "Users on legal hold cannot be deactivated ... Once you release users from legal hold, they are
automatically deactivated." Releasing (a membership removed or a matter closed) hands over to
:meth:`Lifecycle.released`. Not found and not permitted are deliberately the same 403 (spec §4.2).
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


def matter_json(matter: dict[str, Any]) -> dict[str, Any]:
    return {"matterId": matter["matter_id"], "name": matter["name"], "description": matter["description"],
            "notes": matter["notes"], "active": bool(matter["active"]), "creationDate": matter["created_at"],
            "policyId": matter["policy_id"], "creator": None, "creatorPrincipal": None}


def matter_or_403(tx: Tx, matter_id: str) -> dict[str, Any]:
    matter = tables.get_matter(tx, matter_id)
    if matter is None:
        raise AdminError(403, "FORBIDDEN", "legal hold matter not found or not permitted")
    return matter


def list_policies(tx: Tx) -> dict[str, Any]:
    rows = tables.list_policies(tx)
    return {"policies": [{"policyId": r["policy_id"], "name": r["name"], "creationDate": r["created_at"]}
                         for r in rows], "totalCount": len(rows)}


def create_policy(tx: Tx, name: str) -> dict[str, Any]:
    policy_id = secrets.token_hex(8)
    tables.insert_policy(tx, policy_id, name, isoformat(tx.now))
    return {"policyId": policy_id, "name": name}


def list_matters(tx: Tx, active: bool | None, name: str | None, paging: Paging) -> dict[str, Any]:
    rows = [r for r in tables.list_matters(tx)
            if (active is None or bool(r["active"]) == active) and (name is None or r["name"] == name)]
    page, total = paging.apply(rows)
    return {"matters": [matter_json(r) for r in page], "totalCount": total}


def create_matter(tx: Tx, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """A new matter under ``policyId``, or under a policy of its own when none is given."""
    policy_id = body.get("policyId")
    if policy_id and not tables.policy_exists(tx, policy_id):
        raise AdminError(403, "FORBIDDEN", "legal hold policy not found or not permitted")
    if not policy_id:
        policy_id = secrets.token_hex(8)
        tables.insert_policy(tx, policy_id, f"{name} policy", isoformat(tx.now))
    matter_id = secrets.token_hex(8)
    tables.insert_matter(tx, matter_id=matter_id, name=name, description=body.get("description"),
                         notes=body.get("notes"), policy_id=policy_id, now=isoformat(tx.now))
    return matter_json(matter_or_403(tx, matter_id))


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


def list_custodians(tx: Tx, matter_id: str, paging: Paging) -> dict[str, Any]:
    matter = matter_or_403(tx, matter_id)
    out = []
    for row in tables.memberships_of_matter(tx, matter_id):
        user = tables.get_user(tx, uid=row["user_uid"]) or {}
        out.append({"membershipActive": bool(row["active"]), "membershipCreationDate": row["created_at"],
                    "matter": {"matterId": matter["matter_id"], "name": matter["name"]},
                    "custodian": {"userId": row["user_uid"], "username": user.get("username"),
                                  "email": user.get("email")}})
    page, total = paging.apply(out)
    return {"custodians": page, "totalCount": total}


def add_custodian(tx: Tx, matter_id: str, ident: str) -> dict[str, Any]:
    matter = matter_or_403(tx, matter_id)
    user = user_or_404(tx, ident)
    if not user["active"]:
        # "Deactivated users cannot sign in and cannot be added to a legal hold." (spec §2.1)
        raise AdminError(400, "USER_DEACTIVATED", "deactivated users cannot be added to a legal hold")
    if tables.is_active_custodian(tx, matter_id, user["user_uid"]):
        raise AdminError(400, "USER_ALREADY_IN_HOLD", "the user is already a custodian of this matter")
    tables.insert_membership(tx, membership_id=secrets.token_hex(8), matter_id=matter_id,
                             user_uid=user["user_uid"], now=isoformat(tx.now))
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


def matters_of_user(tx: Tx, ident: str) -> dict[str, Any]:
    user = user_or_404(tx, ident)
    rows = tables.memberships_of_user(tx, user["user_uid"])
    return {"matters": [{"matterId": r["matter_id"], "name": r["name"], "membershipActive": bool(r["active"]),
                         "membershipCreationDate": r["created_at"]} for r in rows]}

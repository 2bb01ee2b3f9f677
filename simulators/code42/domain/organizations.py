"""Code42 organizations as the admin API serves them (code42-behaviour.md §4.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.lifecycle import ActiveLegalHoldError
from simulators.code42.domain.paging import Paging
from simulators.code42.domain.tenant import registration_key
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain


def org_v1(tx: Tx, org: dict[str, Any]) -> dict[str, Any]:
    """The Incydr ``/v1/orgs`` shape (spec §4.4)."""
    parent = tables.get_org(tx, org_id=org["parent_org_id"]) if org["parent_org_id"] else None
    counts = tables.count_users_in_org(tx, org["org_id"])
    children = tables.count_child_orgs(tx, org["org_id"])
    return {
        "orgGuid": org["org_guid"], "orgId": org["org_id"], "orgUid": org["org_uid"], "orgName": org["name"],
        "orgExtRef": org["ext_ref"], "notes": org["notes"], "parentOrgGuid": parent["org_guid"] if parent else None,
        "active": org["active"], "creationDate": org["created_at"], "modificationDate": org["modified_at"],
        "deactivationDate": org["deactivated_at"], "registrationKey": registration_key(org["org_guid"]),
        "userCount": counts, "computerCount": 0,
        "orgCount": children, "defaultRoles": org["default_roles"],
    }


def org_or_400(tx: Tx, ref: Any) -> dict[str, Any]:
    """The org ``ref`` names (guid, uid or id); 400 ``ORG_NOT_FOUND`` otherwise."""
    org = tables.resolve_org(tx, ref) if ref not in (None, "") else None
    if org is None:
        raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
    return org


def list_orgs(tx: Tx, active: bool | None) -> dict[str, Any]:
    orgs = [org_v1(tx, o) for o in tables.list_orgs(tx) if active is None or o["active"] == active]
    return {"orgs": orgs, "totalCount": len(orgs)}


def create_org(tx: Tx, name: str, parent_ref: Any, ext_ref: Any, notes: Any) -> dict[str, Any]:
    """A new org under ``parent_ref`` (the root org when none is given)."""
    parent = tables.resolve_org(tx, parent_ref) if parent_ref else tables.root_org(tx)
    if parent is None:
        raise AdminError(400, "ORG_NOT_FOUND", "Organization was not found")
    org = tables.insert_org(tx, name=name, parent_org_id=parent["org_id"], now=isoformat(tx.now),
                            ext_ref=ext_ref, notes=notes)
    return org_v1(tx, org)


def org_or_404(tx: Tx, ident: str) -> dict[str, Any]:
    org = tables.resolve_org(tx, ident)
    if org is None:
        raise AdminError(404, "ORG_NOT_FOUND", "Organization was not found")
    return org


def get_org(tx: Tx, ident: str) -> dict[str, Any]:
    return org_v1(tx, org_or_404(tx, ident))


def update_org(tx: Tx, ident: str, name: Any, ext_ref: Any, notes: Any) -> dict[str, Any]:
    """``PUT /v1/orgs/{guid}`` and ``PUT /api/v3/orgs/{guid}``: a null field is left alone (py42: "Only
    fields associated with passed parameters will be updated"); the record as it is now."""
    org = org_or_404(tx, ident)
    if name is not None and not str(name).strip():
        raise AdminError(400, "INVALID_ORG_NAME", "orgName must not be blank")
    fields = {column: value for column, value in (("name", name and str(name).strip()), ("ext_ref", ext_ref),
                                                  ("notes", notes)) if value is not None}
    return tables.update_org(tx, org["org_id"], isoformat(tx.now), **fields) if fields else org


def set_active(domain: Code42Domain, tx: Tx, ident: str, active: bool) -> None:
    """Deactivate an org "including all users ... and devices" (py42 ``orgs.deactivate``): its users are
    deactivated as an admin deactivates them, so a legal-hold custodian makes it 400 ``ACTIVE_LEGAL_HOLD``
    and nothing changes. Reactivation brings the org back, not its users (nor their backups)."""
    org = org_or_404(tx, ident)
    if org["active"] == active:
        return
    now = isoformat(tx.now)
    if not active:
        for user in tables.users_in_org(tx, org["org_id"]):
            if user["active"]:
                try:
                    domain.lifecycle.admin_deactivate(tx, user, block=False)
                except ActiveLegalHoldError:
                    raise AdminError(400, "ACTIVE_LEGAL_HOLD", f"{user['username']} is a custodian of an active "
                                     "legal hold: the organization cannot be deactivated") from None
    tables.update_org(tx, org["org_id"], now, active=active, deactivated_at=None if active else now)


def _with_descendants(tx: Tx, org: dict[str, Any]) -> list[dict[str, Any]]:
    """``org`` and every org below it, parents before children."""
    children: dict[int, list[dict[str, Any]]] = {}
    for other in tables.list_orgs(tx):
        if other["parent_org_id"] is not None:
            children.setdefault(other["parent_org_id"], []).append(other)
    found, queue = [], [org]
    while queue:
        current = queue.pop(0)
        found.append(current)
        queue += children.get(current["org_id"], [])
    return found


def set_blocked(domain: Code42Domain, tx: Tx, ident: str, blocked: bool) -> None:
    """py42 ``orgs.block``: "Blocks the organization ... as well as its child organizations. A blocked
    organization will not allow any of its users ... to log in", so their users are blocked as an admin
    blocks one. ``orgs.unblock`` lifts the block on the org and its descendants, and "all users in the
    organization remain blocked until they are unblocked individually"."""
    now = isoformat(tx.now)
    for org in _with_descendants(tx, org_or_404(tx, ident)):
        if org["blocked"] != blocked:
            tables.update_org(tx, org["org_id"], now, blocked=blocked)
        if blocked:
            for user in tables.users_in_org(tx, org["org_id"]):
                if not user["blocked"]:
                    domain.lifecycle.admin_block(tx, user, True)


# ---------------------------------------------------------------- the console API (py42)

def org_legacy(tx: Tx, org: dict[str, Any]) -> dict[str, Any]:
    """An org as the console API shows it (``/api/v1/Org``, ``/api/v3/orgs``): integer ids, ``status``."""
    parent = tables.get_org(tx, org_id=org["parent_org_id"]) if org["parent_org_id"] else None
    return {
        "orgId": org["org_id"], "orgUid": org["org_uid"], "orgGuid": org["org_guid"], "orgName": org["name"],
        "orgExtRef": org["ext_ref"], "notes": org["notes"], "status": "Active" if org["active"] else "Deactivated",
        "active": org["active"], "blocked": org["blocked"], "parentOrgId": parent["org_id"] if parent else None,
        "parentOrgUid": parent["org_uid"] if parent else None, "parentOrgGuid": parent["org_guid"] if parent else None,
        "type": "ENTERPRISE", "classification": "BASIC", "registrationKey": registration_key(org["org_guid"]),
        "userCount": tables.count_users_in_org(tx, org["org_id"]), "orgCount": tables.count_child_orgs(tx, org["org_id"]),
        "creationDate": org["created_at"], "modificationDate": org["modified_at"],
        "deactivationDate": org["deactivated_at"],
    }


def list_orgs_legacy(tx: Tx, paging: Paging) -> dict[str, Any]:
    page, total = paging.apply(tables.list_orgs(tx))
    return {"totalCount": total, "orgs": [org_legacy(tx, o) for o in page]}

"""Code42 organizations as the admin API serves them (code42-behaviour.md §4.4)."""

from __future__ import annotations

from typing import Any

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat


def org_v1(tx: Tx, org: dict[str, Any]) -> dict[str, Any]:
    """The Incydr ``/v1/orgs`` shape (spec §4.4)."""
    parent = tables.get_org(tx, org_id=org["parent_org_id"]) if org["parent_org_id"] else None
    counts = tables.count_users_in_org(tx, org["org_id"])
    children = tables.count_child_orgs(tx, org["org_id"])
    return {
        "orgGuid": org["org_guid"], "orgId": org["org_id"], "orgUid": org["org_uid"], "orgName": org["name"],
        "orgExtRef": org["ext_ref"], "notes": org["notes"], "parentOrgGuid": parent["org_guid"] if parent else None,
        "active": org["active"], "creationDate": org["created_at"], "modificationDate": org["modified_at"],
        "deactivationDate": None, "registrationKey": None, "userCount": counts, "computerCount": 0,
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


def get_org(tx: Tx, ident: str) -> dict[str, Any]:
    org = tables.resolve_org(tx, ident)
    if org is None:
        raise AdminError(404, "ORG_NOT_FOUND", "Organization was not found")
    return org_v1(tx, org)

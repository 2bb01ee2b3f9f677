"""Code42's directory groups: "directory group information that has been pushed to Code42 from SCIM"
(spec §4.5). A SCIM group becomes one once pushed (:meth:`Code42Domain.group_written`). Departments are
the same kind of pushed directory data, read from the users' provisioned attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.code42.domain.paging import Paging
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain


def _like(value: str, needle: str | None) -> bool:
    """The SDKs' "name is like the given value": a case-insensitive substring [INF]."""
    return needle is None or needle.lower() in value.lower()


def list_groups(domain: Code42Domain, tx: Tx, paging: Paging, name: str | None = None) -> dict[str, Any]:
    """The pushed groups whose name is like ``name``; fault ``groups_visible_before_sync`` adds groups that
    mappings name but were never pushed."""
    settings = domain.current_settings(tx)
    groups = [{"groupId": str(g["group_id"]), "name": g["name"]} for g in tables.list_groups(tx)]
    if domain.faults.on("groups_visible_before_sync"):
        known = {g["name"] for g in groups}
        for entry in settings["org_mapping"]["groups"] + settings["role_mapping"]["groups"]:
            if tables.find_group(tx, entry["group"]) is None and entry["group"] not in known:
                known.add(entry["group"])
                groups.append({"groupId": entry["group"], "name": entry["group"]})
    page, total = paging.apply([g for g in groups if _like(g["name"], name)])
    return {"directoryGroups": page, "totalCount": total}


def list_departments(tx: Tx, paging: Paging, name: str | None = None) -> dict[str, Any]:
    """``GET /v1/departments``: "department information that has been pushed to Code42 from SCIM or User
    Directory Sync" (incydr), i.e. the distinct departments of the users, sorted, name like ``name``."""
    names = sorted({d for u in tables.list_users(tx) if (d := u["attrs"].get("department")) and _like(d, name)})
    page, total = paging.apply(names)
    return {"departments": page, "totalCount": total}

"""Code42's directory groups: "directory group information that has been pushed to Code42 from SCIM"
(spec §4.5). A SCIM group becomes one once pushed (:meth:`Code42Domain.group_written`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulators.code42.domain.paging import Paging
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain


def list_groups(domain: Code42Domain, tx: Tx, paging: Paging) -> dict[str, Any]:
    """The pushed groups; fault ``groups_visible_before_sync`` adds groups that mappings name but were
    never pushed."""
    settings = domain.current_settings(tx)
    groups = [{"groupId": str(g["group_id"]), "name": g["name"]} for g in tables.list_groups(tx)]
    if domain.faults.on("groups_visible_before_sync"):
        known = {g["name"] for g in groups}
        for entry in settings["org_mapping"]["groups"] + settings["role_mapping"]["groups"]:
            if tables.find_group(tx, entry["group"]) is None and entry["group"] not in known:
                known.add(entry["group"])
                groups.append({"groupId": entry["group"], "name": entry["group"]})
    page, total = paging.apply(groups)
    return {"directoryGroups": page, "totalCount": total}

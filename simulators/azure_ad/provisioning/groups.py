"""Groups: created empty, updated, deleted when out of scope; memberships exported afterwards, when
the users exist ("synchronizes the users and the groups, and then later synchronizes the ...
membership", §5)."""

from __future__ import annotations

from typing import Any

from simulators.azure_ad.directory import DirectoryGroup
from simulators.azure_ad.provisioning import payloads as sp
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.run import Run
from simulators.azure_ad.provisioning.state import Link
from simulators.azure_ad.provisioning.target_client import INCOMPATIBLE, TargetError


class GroupExporter:
    def __init__(self, run: Run):
        self.run = run
        self.flags, self.links = run.flags, run.state.links

    def process(self, gid: str, deletes_allowed: bool) -> bool:
        """Create, update or delete one group. True when it is linked and in scope afterwards (so its
        members should be exported)."""
        run = self.run
        decision = run.scope.decide("Group", gid)
        link = self.links.get(gid)
        group = run.directory.groups.get(gid)
        if link is None and not decision.in_scope:
            run.state.escrows.pop(gid, None)
            return False
        if link is not None and not decision.in_scope and not deletes_allowed:
            return False
        record = run.record("Group", gid, group.display_name if group else gid)
        record.step("EntrySynchronizationScoping", "scoping", "success", decision.reason,
                    ScopeEvaluationResult="InScope" if decision.in_scope else "NotInScope")
        try:
            if link is not None and not decision.in_scope:
                self._delete(record, link)
                return False
            assert group is not None
            view = run.scope.source_view(group, decision)
            if link is None:
                found = run.match(run.mappings.groups, view, "/Groups", "excludedAttributes=members&")
                if found is None:
                    record.fail("ImportSkipped", "the group has no value for any matching attribute")
                    return False
                if len(found) > 1:
                    run.fail(record, TargetError("DuplicateTargetEntries", f"{len(found)} target groups match"))
                    return False
                if not found:
                    return self._create(record, view)
                link = self.links[gid] = Link("Group", str(found[0]["id"]))
            self._update(record, link, view)
            return True
        except TargetError as exc:
            if exc.code == "InvalidAnchor":
                self.links.pop(gid, None)
            run.fail(record, exc)
            return False

    def _delete(self, record: ProvisioningLogRecord, link: Link) -> None:
        record.target_id = link.target_id
        if "Delete" not in self.flags.group_flow_types:
            record.action, record.status = "Other", "skipped"
            return
        try:
            self.run.client.send("DELETE", f"/Groups/{link.target_id}")
        except TargetError as exc:
            if exc.code != "InvalidAnchor":
                raise
        self.links.pop(record.source_id, None)
        self.run.state.staged_deletes.discard(record.source_id)
        record.step("EntryExportDelete", "export", "success", "Group was deleted in the target")
        self.run.succeed(record, "Delete")

    def _create(self, record: ProvisioningLogRecord, view: dict[str, Any]) -> bool:
        if "Add" not in self.flags.group_flow_types:
            record.action, record.status = "Other", "skipped"
            return False
        desired = self.run.desired(self.run.mappings.groups, view, create=True)
        body = sp.build_resource("Group", [(p, v) for _, p, v in desired],
                                 legacy_group_schema=self.flags.legacy_group_schema)
        created = self.run.client.send_json("POST", "/Groups", body=body) or {}
        if "id" not in created:
            raise TargetError(INCOMPATIBLE, "the created group has no id")
        self.links[record.source_id] = Link("Group", str(created["id"]))
        record.target_id = str(created["id"])
        record.step("EntryExportAdd", "export", "success", "Group was created (without members)")
        self.run.succeed(record, "Create")
        return True

    def _update(self, record: ProvisioningLogRecord, link: Link, view: dict[str, Any]) -> None:
        record.target_id = link.target_id
        path = f"/Groups/{link.target_id}"
        current = self.run.client.send_json("GET", path, "excludedAttributes=members") or {}
        changes = []
        for _mapping, tpath, value in self.run.desired(self.run.mappings.groups, view, create=False):
            old = sp.read_path(current, tpath)
            if not sp.values_equal(value, old):
                changes.append(("add" if old in (None, "") else "replace", tpath, value))
        if changes and "Update" in self.flags.group_flow_types:
            ops = sp.attribute_operations(changes, self.run.scim062020,
                                          lone_replace_keeps_path=self.flags.lone_replace_keeps_path)
            self.run.client.send("PATCH", path, body=sp.patch_body(ops))
            record.modified_properties = [{"displayName": p.text, "oldValue": None, "newValue": str(v)}
                                          for _, p, v in changes]
            self.run.succeed(record, "Update")
        else:
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationSkip", "export", "skipped",
                        "The state of the group in both the source and target systems already match.",
                        SkipReason="RedundantExport")

    def export_members(self, gid: str) -> None:
        """Member add PATCHes (batched) then removal PATCHes, after users and groups exist (§5)."""
        run = self.run
        if run.mappings.groups.get("members") is None:
            return
        group = run.directory.groups[gid]
        link = self.links[gid]
        desired, unresolved = self._members(group)
        adds = [t for t in desired if t not in link.members]
        removes = [t for t in link.members if t not in desired]
        record = run.records.get(gid) or run.record("Group", gid, group.display_name)
        try:
            self._send_members(record, link, adds, removes)
        except TargetError as exc:
            run.fail(record, exc, reference=True)
            return
        if adds or removes:
            if record.action == "Other":
                record.action, record.status = "Update", "success"
                record.steps = [s for s in record.steps if s.name != "EntrySynchronizationSkip"]
            run.cycle.exports += 1
        if unresolved:
            record.step("EntryReferenceResolution", "referenceResolution", "failure",
                        f"{len(unresolved)} member(s) in scope are not provisioned yet", members=",".join(unresolved))
            run.fail(record, TargetError("ReferenceResolutionFailed", "group members could not be resolved"),
                     reference=True)
        else:
            run.clear_reference_escrow(gid)

    def _members(self, group: DirectoryGroup) -> tuple[list[str], list[str]]:
        """The member target ids the group should have, and the members in scope not exported yet."""
        users = self.run.directory.users
        desired: list[str] = []
        unresolved: list[str] = []
        for member in group.members:
            if member not in users:
                continue  # "Nested groups are not provisioned"
            mlink = self.links.get(member)
            in_scope = self.run.scope.decide("User", member).in_scope
            if mlink is not None and not mlink.disabled_by_scope and in_scope:
                desired.append(mlink.target_id)
            elif in_scope and users[member].attributes.get("accountEnabled") is not False:
                unresolved.append(member)
        return desired, unresolved

    def _send_members(self, record: ProvisioningLogRecord, link: Link, adds: list[str], removes: list[str]) -> None:
        path = f"/Groups/{link.target_id}"
        scim062020, ref_null = self.run.scim062020, self.flags.member_ref_null
        size = self.flags.group_member_batch_size or max(len(adds), 1)
        for start in range(0, len(adds), size):
            batch = adds[start:start + size]
            operation = sp.member_add_operation(batch, scim062020, ref_null=ref_null)
            self.run.client.send("PATCH", path, body=sp.patch_body([operation]))
            link.members.extend(batch)
            record.modified_properties.append({"displayName": "members", "oldValue": None, "newValue": ",".join(batch)})
            record.step("EntryExportUpdate", "referenceResolution", "success", f"added {len(batch)} member(s)")
        if removes:
            rsize = self.flags.group_member_batch_size or len(removes)
            for start in range(0, len(removes), rsize):
                batch = removes[start:start + rsize]
                self.run.client.send("PATCH", path, body=sp.patch_body(
                    sp.member_remove_operations(batch, scim062020, ref_null=ref_null)))
                link.members = [t for t in link.members if t not in batch]
                record.modified_properties.append({"displayName": "members", "oldValue": ",".join(batch),
                                                   "newValue": None})
                record.step("EntryExportUpdate", "referenceResolution", "success", f"removed {len(batch)} member(s)")

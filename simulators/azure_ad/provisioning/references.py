"""Manager references: exported after the users of the run, "as a separate patch operation" (§4), once
both ends exist in the target. A manager in scope but not exported yet is a reference failure,
escrowed and retried; a manager out of scope is left out ("we'll provision the user without the
manager reference")."""

from __future__ import annotations

from typing import Any

from simulators.azure_ad.provisioning import payloads as sp
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.run import Run
from simulators.azure_ad.provisioning.state import Link
from simulators.azure_ad.provisioning.target_client import TargetError


class ManagerExporter:
    def __init__(self, run: Run):
        self.run = run

    def export(self, oid: str) -> None:
        run = self.run
        mapping = next((m for m in run.mappings.users if m.is_reference), None)
        user = run.directory.users.get(oid)
        link = run.state.links.get(oid)
        if mapping is None or user is None or link is None or link.disabled_by_scope:
            return
        manager_oid = user.attributes.get(mapping.source or "manager")
        path = sp.TargetPath.parse(mapping.target)
        current_resource = run.current.get(oid)
        current = sp.normalise(sp.read_path(current_resource, path)) if current_resource is not None else None
        record = run.records.get(oid) or run.record("User", oid, user.display_name)
        if manager_oid is None:
            if current is None:
                run.clear_reference_escrow(oid)
                return
            self._patch(record, link, self._removal(mapping.target, current), "manager removed", old=current)
            return
        manager_link = run.state.links.get(manager_oid)
        if manager_link is None or manager_link.disabled_by_scope:
            self._unresolved(record, oid, manager_oid, manager_link)
            return
        if sp.values_equal(manager_link.target_id, current):
            run.clear_reference_escrow(oid)
            return
        kind = "add" if current is None else "replace"
        if run.flags.manager_wire == "legacy_complex":
            op = {"op": sp.op_name(kind, run.scim062020), "path": "manager",
                  "value": [{"$ref": f"{run.client.base_url}/Users/{manager_link.target_id}",
                             "value": manager_link.target_id}]}
        else:
            op = {"op": sp.op_name(kind, run.scim062020), "path": mapping.target, "value": manager_link.target_id}
        self._patch(record, link, op, "manager linked", old=current, new=manager_link.target_id)

    def _removal(self, target: str, current: Any) -> dict[str, Any]:
        """The manager-removal operation, as ``manager_removal`` says: no Microsoft page shows the engine's
        own form (docs/azure-ad-requests.md), so each known form is a flag value."""
        form, scim062020 = self.run.flags.manager_removal, self.run.scim062020
        if form == "value_filter":  # observed from the engine (thomaspoignant/scim-patch#453)
            return {"op": sp.op_name("remove", scim062020), "path": f'manager[value eq "{current}"]'}
        if form == "empty_replace":  # Microsoft's SCIM validator, SCIM_Update_Manager_Test
            return {"op": sp.op_name("replace", scim062020), "path": target, "value": ""}
        return {"op": sp.op_name("remove", scim062020), "path": target}  # RFC 7644 §3.5.2.2

    def _unresolved(self, record: ProvisioningLogRecord, oid: str, manager_oid: str, manager_link: Link | None) -> None:
        if self.run.scope.decide("User", manager_oid).in_scope and manager_link is None:
            # in scope but not exported yet: a reference failure, escrowed and retried (§4)
            record.step("EntryReferenceResolution", "referenceResolution", "failure",
                        "The manager is in scope but has not been provisioned yet", manager=manager_oid)
            self.run.fail(record, TargetError("ReferenceResolutionFailed",
                                              "the manager could not be resolved in the target"), reference=True)
        else:
            # "we'll provision the user without the manager reference" (known-issues)
            record.step("EntryReferenceResolution", "referenceResolution", "skipped",
                        "The manager is not in provisioning scope; the reference is not exported")
            self.run.clear_reference_escrow(oid)

    def _patch(self, record: ProvisioningLogRecord, link: Link, op: dict[str, Any], what: str,
               old: Any = None, new: Any = None) -> None:
        try:
            self.run.client.send("PATCH", f"/Users/{link.target_id}", body=sp.patch_body([op]))
        except TargetError as exc:
            record.step("EntryReferenceResolution", "referenceResolution", "failure", exc.reason)
            self.run.fail(record, exc, reference=True)
            return
        record.step("EntryExportUpdate", "referenceResolution", "success", what)
        record.modified_properties.append({"displayName": "manager", "oldValue": old, "newValue": new})
        self.run.clear_reference_escrow(record.source_id)
        self.run.reference_exported(record)

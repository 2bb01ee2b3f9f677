"""Users: match, create, update, disable (out of scope) and delete (hard deleted), one user at a time
(§3, §7.4). Manager references are exported afterwards by ``references``."""

from __future__ import annotations

from typing import Any

from simulators.azure_ad.directory import DirectoryUser
from simulators.azure_ad.provisioning import payloads as sp
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.mappings import AttributeMapping, MappingType
from simulators.azure_ad.provisioning.run import Run
from simulators.azure_ad.provisioning.scope import ScopeDecision
from simulators.azure_ad.provisioning.state import Link
from simulators.azure_ad.provisioning.target_client import INCOMPATIBLE, TargetError

Change = tuple[str, sp.TargetPath, Any, Any]  # (add|replace, path, wire value, old value)


class UserExporter:
    def __init__(self, run: Run):
        self.run = run
        self.flags, self.links = run.flags, run.state.links

    def process(self, oid: str, deletes_allowed: bool) -> bool:
        """Create, update, disable or delete one user. True when the user is linked and in scope afterwards
        (so its manager reference should be exported)."""
        run = self.run
        decision = run.scope.decide("User", oid)
        link = self.links.get(oid)
        user = run.directory.users.get(oid)
        if link is None and not decision.in_scope:
            self._log_out_of_scope(oid, user, decision)
            return False
        if link is not None and run.scope.is_deletion("User", oid, link) and not deletes_allowed:
            return False  # staged (§7.7)
        record = run.record("User", oid, user.display_name if user else oid)
        record.step("EntryImport", "import", "success", "Retrieved the user from Azure Active Directory")
        record.step("EntrySynchronizationScoping", "scoping", "success", decision.reason,
                    IsEffectivelyEntitledForProvisioning=str(decision.entitled),
                    ScopeEvaluationResult="InScope" if decision.in_scope else "NotInScope")
        try:
            if link is not None and user is None:
                self._delete(record, link)
                return False
            assert user is not None
            view = run.scope.source_view(user, decision)
            if link is not None and not decision.in_scope:
                self._disable(record, link, view, decision)
                return False
            if link is None:
                return self._match_or_create(record, user, view)
            self._update(record, link, view)
            return True
        except TargetError as exc:
            if exc.code == "InvalidAnchor":
                self.links.pop(oid, None)  # the cached id is gone; match again next time
            run.fail(record, exc)
            return False

    def _log_out_of_scope(self, oid: str, user: DirectoryUser | None, decision: ScopeDecision) -> None:
        """An unlinked user out of scope: logged as skipped when Entra would say why (not entitled,
        assigned but filtered), silently ignored otherwise."""
        if user is not None and (decision.entitled is False or self.run.directory.assignments_of(oid)
                                 or "scoping" in decision.reason):
            record = self.run.record("User", oid, user.display_name)
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationScoping", "scoping", "skipped", decision.reason,
                        IsEffectivelyEntitledForProvisioning=str(decision.entitled),
                        ScopeEvaluationResult="NotInScope")
            record.error_code = "NotEffectivelyEntitled" if not decision.entitled else "EntrySynchronizationSkipped"
            record.reason = decision.reason
        self.run.state.escrows.pop(oid, None)

    def _match_or_create(self, record: ProvisioningLogRecord, user: DirectoryUser, view: dict[str, Any]) -> bool:
        if user.attributes.get("accountEnabled") is False:
            record.action, record.status = "Other", "skipped"
            record.reason = "Provisioning a user that is disabled in Microsoft Entra ID isn't supported"
            return False
        found = self.run.match(self.run.mappings.users, view, "/Users")
        if found is None:
            record.fail("ImportSkipped", "the user has no value for any matching attribute")
            return False
        if len(found) > 1:
            self.run.fail(record, TargetError("DuplicateTargetEntries", f"{len(found)} target users match; expected one"))
            return False
        if not found:
            record.step("EntryImportAdd", "matching", "success", "No matching user in the target")
            return self._create(record, view)
        link = self.links[user.object_id] = Link("User", str(found[0]["id"]))
        record.step("EntryImport", "matching", "success", "Matched an existing target user", targetId=link.target_id)
        self._update(record, link, view)
        return True

    def _create(self, record: ProvisioningLogRecord, view: dict[str, Any]) -> bool:
        if "Add" not in self.flags.user_flow_types:
            record.action, record.status, record.reason = "Other", "skipped", "the Create target action is off"
            return False
        desired = self.run.desired(self.run.mappings.users, view, create=True)
        body = sp.build_resource("User", [(p, sp.coerce_for_post(v, m.target_type)) for m, p, v in desired])
        response = self.run.client.send("POST", "/Users", body=body)
        created = self.run.client.json(response, "/Users") or {}
        if "id" not in created:
            raise TargetError(INCOMPATIBLE, "the created user has no id", response.status_code)
        self.links[record.source_id] = Link("User", str(created["id"]))
        self.run.current[record.source_id] = created
        self.run.state.last_source[record.source_id] = dict(view)
        record.target_id = str(created["id"])
        record.modified_properties = [{"displayName": m.target, "oldValue": None, "newValue": str(v)} for m, _, v in desired]
        record.step("EntryExportAdd", "export", "success", "User was created in the target", targetId=record.target_id)
        self.run.succeed(record, "Create")
        return True

    def _read(self, link: Link) -> dict[str, Any]:
        if not self.flags.read_before_update:
            return {}
        return self.run.client.send_json("GET", f"/Users/{link.target_id}") or {}

    def _changes(self, current: dict[str, Any], view: dict[str, Any], *, only: set[str] | None = None,
                 nulled: list[AttributeMapping] | None = None) -> tuple[list[Change], list[tuple[sp.TargetPath, Any]]]:
        """The PATCH changes that bring ``current`` to what the mappings flow, and the removals of
        attributes a Switch pitfall (``nulled``) evaluates to null."""
        changes: list[Change] = []
        removes: list[tuple[sp.TargetPath, Any]] = []
        for mapping, path, value in self.run.desired(self.run.mappings.users, view, create=False, only=only):
            old = sp.read_path(current, path)
            if nulled and mapping in nulled:
                if old not in (None, "", []):
                    removes.append((path, old))  # "the switch statement is evaluated as 'null'"
                continue
            if sp.values_equal(value, old):
                continue
            kind = "add" if old in (None, "", []) else "replace"
            changes.append((kind, path, sp.coerce_for_patch(value, mapping.target_type, self.run.scim062020), old))
        return changes, removes

    def _patch(self, link: Link, changes: list[Change], removes: list[tuple[sp.TargetPath, Any]]) -> None:
        ops = sp.attribute_operations([(k, p, v) for k, p, v, _ in changes], self.run.scim062020,
                                      lone_replace_keeps_path=self.flags.lone_replace_keeps_path)
        ops += [{"op": sp.op_name("remove", self.run.scim062020), "path": p.text} for p, _ in removes]
        self.run.client.send("PATCH", f"/Users/{link.target_id}", body=sp.patch_body(ops))

    def _update(self, record: ProvisioningLogRecord, link: Link, view: dict[str, Any]) -> None:
        record.target_id = link.target_id
        current = self._read(link)
        self.run.current[record.source_id] = current
        nulled = self._switch_pitfall(record.source_id, view)
        self.run.state.last_source[record.source_id] = dict(view)
        changes, removes = self._changes(current, view, nulled=nulled)
        if not (changes or removes) or "Update" not in self.flags.user_flow_types:
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationSkip", "export", "skipped",
                        "The state of the user in both the source and target systems already match.",
                        SkipReason="RedundantExport")
            link.disabled_by_scope, link.managed = False, True
            return
        self._patch(link, changes, removes)
        link.disabled_by_scope, link.managed = False, True
        record.modified_properties = _modified(changes)
        record.modified_properties += [{"displayName": p.text, "oldValue": str(o), "newValue": None} for p, o in removes]
        record.step("EntryExportUpdate", "export", "success", "User was updated in the target")
        self.run.succeed(record, "Update")

    def _switch_pitfall(self, oid: str, view: dict[str, Any]) -> list[AttributeMapping]:
        """With ``switch_null_on_unchanged``: the Switch mappings whose sources did not change while another
        mapped source did (§8.3's documented pitfall). Needs the view exported last time; [] otherwise."""
        last = self.run.state.last_source.get(oid)
        if not self.flags.switch_null_on_unchanged or last is None:
            return []
        users = self.run.mappings.users
        changed = {k for k in set(view) | set(last) if view.get(k) != last.get(k)}
        mapped = set().union(*(m.source_attributes() for m in users))
        if not changed & mapped:
            return []
        return [m for m in users
                if m.mapping_type is MappingType.EXPRESSION and (m.source or "").lstrip().startswith("Switch(")
                and not m.source_attributes() & changed]

    def _disable(self, record: ProvisioningLogRecord, link: Link, view: dict[str, Any], decision: ScopeDecision) -> None:
        """Out of scope → PATCH the IsSoftDeleted-derived attribute (``active``), nothing else (§3.5, §7.4)."""
        record.target_id = link.target_id
        if self.flags.skip_out_of_scope_deletions:
            record.action, record.status = "Other", "skipped"
            record.reason = "SkipOutOfScopeDeletions is on: accounts going out of scope are not disabled"
            self._mark_out_of_scope(link, decision)
            return
        soft = {m.target for m in self.run.mappings.users if "IsSoftDeleted" in m.source_attributes()}
        if not soft or "Update" not in self.flags.user_flow_types:
            record.action, record.status, record.reason = "Other", "skipped", "no mapping uses IsSoftDeleted"
            self._mark_out_of_scope(link, decision)
            return
        changes, _ = self._changes(self._read(link), view, only=soft)
        self._mark_out_of_scope(link, decision)
        if not changes:
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationSkip", "export", "skipped", "The user is already disabled in the target",
                        SkipReason="RedundantExport")
            return
        self._patch(link, changes, [])
        record.modified_properties = _modified(changes)
        record.step("EntryExportUpdate", "export", "success", f"User was disabled in the target ({decision.reason})")
        self.run.succeed(record, "Disable")
        self.run.state.staged_deletes.discard(record.source_id)

    def _mark_out_of_scope(self, link: Link, decision: ScopeDecision) -> None:
        link.disabled_by_scope = True
        if self.run.scope.leaves_management(decision):
            link.managed = False

    def _delete(self, record: ProvisioningLogRecord, link: Link) -> None:
        """Hard-deleted in Entra (purged from the recycle bin, or 30 days after its soft delete) → DELETE,
        unless it was unassigned and disabled before ("no longer managed", §3.5)."""
        record.target_id = link.target_id
        if not link.managed or "Delete" not in self.flags.user_flow_types:
            record.action, record.status = "Other", "skipped"
            record.reason = ("the user was disabled when it was unassigned and is no longer managed"
                             if not link.managed else "the Delete target action is off")
            self.links.pop(record.source_id, None)
            return
        try:
            self.run.client.send("DELETE", f"/Users/{link.target_id}")
        except TargetError as exc:
            if exc.code != "InvalidAnchor":
                raise
        self.links.pop(record.source_id, None)
        record.step("EntryExportDelete", "export", "success", "User was deleted in the target")
        self.run.succeed(record, "Delete")
        self.run.state.staged_deletes.discard(record.source_id)
        self.run.state.escrows.pop(record.source_id, None)


def _modified(changes: list[Change]) -> list[dict[str, Any]]:
    return [{"displayName": p.text, "oldValue": None if o is None else str(o), "newValue": str(v)}
            for _, p, v, o in changes]

"""The mock Entra provisioning engine: reads the mock directory, decides who is in scope, and sends SCIM
to the target over real HTTP exactly as azure-ad-behaviour.md §2–§7 describes, request by request.

Cycle order (how-provisioning-works, §7.1): probe → users (match, create/update/disable/delete) →
user references (manager PATCH, "a separate patch operation") → groups (created empty) → group
memberships ("synchronizes the users and the groups, and then later synchronizes the ... membership").
Failures are escrowed and retried next cycle (§7.5); escrow thresholds and credential failures
quarantine the job (§7.6); too many deletions in one cycle are staged (§7.7).

This module is the job's public face and its cycle; the work of one run is done by the exporters in
``users``, ``references`` and ``groups`` over a :class:`~.run.Run`, the HTTP by ``target_client``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulators.azure_ad.directory import Directory, DirectoryGroup
from simulators.azure_ad.provisioning.escrow import Escrow
from simulators.azure_ad.provisioning.flags import FLAG_SCIM062020, EngineFlags, split_tenant_url
from simulators.azure_ad.provisioning.groups import GroupExporter
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord, new_id
from simulators.azure_ad.provisioning.mappings import JobMappings
from simulators.azure_ad.provisioning.on_demand import (
    OnDemandError,
    OnDemandGate,
    OnDemandNotFound,
    OnDemandThrottled,
    subject_record,
    unsupported_record,
)
from simulators.azure_ad.provisioning.quarantine import QuarantineTracker, escrow_threshold_reason
from simulators.azure_ad.provisioning.references import ManagerExporter
from simulators.azure_ad.provisioning.run import CycleResult, Run
from simulators.azure_ad.provisioning.state import JobState, Link
from simulators.azure_ad.provisioning.target_client import TargetClient, TargetError
from simulators.azure_ad.provisioning.users import UserExporter
from simulators.common.clock import Clock, SystemClock, isoformat
from simulators.common.http_recording import Exchange, RecordingSession

__all__ = ["ConnectionResult", "CycleResult", "OnDemandError", "OnDemandNotFound", "OnDemandThrottled",
           "ProvisioningEngine", "TargetError"]


@dataclass
class ConnectionResult:
    ok: bool
    message: str
    status: int | None = None
    error_code: str | None = None


class ProvisioningEngine:
    """One provisioning job from the mock directory to a SCIM target."""

    def __init__(
        self,
        directory: Directory,
        target_url: str,
        token: str,
        *,
        mappings: JobMappings | None = None,
        clock: Clock | None = None,
        flags: EngineFlags | None = None,
        session: RecordingSession | None = None,
        tenant_id: str | None = None,
    ):
        self.directory = directory
        _base, url_flags = split_tenant_url(target_url)
        flags = flags or EngineFlags()
        if FLAG_SCIM062020 in url_flags and not flags.aadOptscim062020:
            flags = flags.with_(aadOptscim062020=True)
        self.mappings = mappings or JobMappings()
        self.clock: Clock = clock or SystemClock()
        self.session = session or RecordingSession(secrets=[token], timeout=flags.request_timeout, clock=self.clock)
        self.session.add_secret(token)
        self.client = TargetClient(target_url, token, self.session, flags, self.clock)
        self._flags = flags
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.paused = False  # Graph ``pause``: no scheduled cycles until ``start``
        self.job_id = f"{flags.template_id}.{self.tenant_id.replace('-', '')}.{uuid.uuid4()}"
        self.state = JobState()
        self.cycles: list[CycleResult] = []
        self.watermark: int | None = None  # None → the next cycle is an initial cycle
        self.quarantine = QuarantineTracker(flags.quarantine_retry_schedule, flags.quarantine_max_duration)
        self.next_cycle_at: datetime | None = None
        self._force_deletes = False
        self._steady_first: datetime | None = None
        self._steady_last: datetime | None = None
        self._successive_failures = 0
        self._on_demand = OnDemandGate()

    # ================================================================== configuration and state
    @property
    def flags(self) -> EngineFlags:
        return self._flags

    @flags.setter
    def flags(self, value: EngineFlags) -> None:
        self._flags = self.client.flags = value

    @property
    def links(self) -> dict[str, Link]:
        return self.state.links

    @property
    def escrows(self) -> dict[str, Escrow]:
        return self.state.escrows

    @property
    def logs(self) -> list[ProvisioningLogRecord]:
        return self.state.logs

    @property
    def staged_deletes(self) -> set[str]:
        return self.state.staged_deletes

    @property
    def exchanges(self) -> list[Exchange]:
        return self.session.exchanges

    # ================================================================== public API
    def test_connection(self) -> ConnectionResult:
        """"queries the SCIM endpoint for a user that doesn't exist, using a random GUID as the matching
        property ... The expected correct response is HTTP 200 OK with an empty SCIM ListResponse" (§2)."""
        try:
            self._probe()
        except TargetError as exc:
            return ConnectionResult(False, exc.reason, exc.status, exc.code)
        return ConnectionResult(True, "The supplied credentials are authorized to enable provisioning", 200)

    def run_cycle(self) -> CycleResult:
        """Run one cycle now: the initial cycle first, incremental ones after (from the change log)."""
        self.directory.purge_expired()  # Entra's own 30-day recycle bin, as of this cycle's time
        now = self.clock.now()
        initial = self.watermark is None
        run = self._begin(CycleResult(new_id(), initial, now), scim062020=self.flags.aadOptscim062020)
        cycle = run.cycle
        if self.quarantine.disabled:
            cycle.state, cycle.error = "Skipped", "job disabled after 4 weeks in quarantine"
            return self._finish(cycle)
        try:
            if self.flags.probe_every_cycle or initial:
                self._probe()
            new_watermark = self.directory.watermark
            self._export(run, initial)
        except TargetError as exc:  # a failed probe or a credential failure mid-cycle aborts the cycle
            cycle.state, cycle.error = "Failed", exc.reason
            self._enter_quarantine("EncounteredQuarantineException", exc.code, exc.reason)
            self._successive_failures += 1
            return self._finish(cycle, quarantined=True)
        self.watermark = new_watermark
        if self._force_deletes and not self.staged_deletes:
            self._force_deletes = False
        return self._settle(cycle, now)

    def _export(self, run: Run, initial: bool) -> None:
        """Users, then their manager references (and escrowed references due), then groups and members."""
        user_ids, group_ids = self._work_items(initial)
        deletes_allowed = self._check_deletion_threshold(run, user_ids, group_ids)
        users, managers = UserExporter(run), ManagerExporter(run)
        processed = [uid for uid in user_ids if users.process(uid, deletes_allowed)]
        for uid in processed:
            managers.export(uid)
        for oid, escrow in list(self.escrows.items()):
            if escrow.reference and escrow.object_type == "User" and oid not in processed and self._escrow_due(escrow):
                managers.export(oid)
        if self.flags.provision_groups:
            groups = GroupExporter(run)
            processed_groups = [gid for gid in group_ids if groups.process(gid, deletes_allowed)]
            for gid in processed_groups:
                groups.export_members(gid)

    def _settle(self, cycle: CycleResult, now: datetime) -> CycleResult:
        """After the exports: quarantine on the escrow thresholds or staged deletes (§7.6, §7.7), else
        leave quarantine; steady state when nothing was left to export."""
        reason = escrow_threshold_reason(
            cycle.failures, cycle.reference_failures, cycle.exports,
            min_failures=self.flags.quarantine_min_failures, proportion=self.flags.quarantine_failure_proportion,
            total=self.flags.quarantine_total_failures, absolute=self.flags.quarantine_absolute_failures,
        )
        if cycle.staged_deletes:
            reason = "TooManyDeletes"
        if reason:
            self._enter_quarantine(reason, reason, f"quarantined: {reason}")
            cycle.state = "EntryLevelErrors" if reason != "TooManyDeletes" else "Failed"
            return self._finish(cycle, quarantined=True)
        self.quarantine.leave()
        self._successive_failures = 0
        if cycle.failures or cycle.reference_failures:
            cycle.state = "EntryLevelErrors"
        elif cycle.exports == 0 and not self.escrows:
            self._steady_last = now
            self._steady_first = self._steady_first or now
        return self._finish(cycle)

    def run_due(self) -> list[CycleResult]:
        """Run every cycle whose scheduled time has come on the clock (40 minutes apart, or the
        quarantine retry schedule). Never sleeps: time only moves when the clock does."""
        results: list[CycleResult] = []
        if self.paused:
            return results
        while not self.quarantine.disabled and (self.next_cycle_at is None or self.next_cycle_at <= self.clock.now()):
            results.append(self.run_cycle())
            if len(results) > 10_000:  # a clock that never moves must not loop forever
                break
            if self.next_cycle_at is not None and self.next_cycle_at > self.clock.now():
                break
        return results

    def start(self) -> None:
        """Graph ``start``: resumes a paused job and clears quarantine."""
        self.paused = False
        self.quarantine.leave()
        self.quarantine.disabled = False
        self.next_cycle_at = self.clock.now()

    def restart(self, reset_scope: str = "") -> None:
        """Graph ``restart`` with ``criteria.resetScope`` (§9); empty = Watermark, Escrows, QuarantineState."""
        parts = {p.strip() for p in reset_scope.split(",") if p.strip()} or {"Watermark", "Escrows", "QuarantineState"}
        if "Full" in parts:
            parts |= {"Watermark", "Escrows", "QuarantineState", "ConnectorDataStore"}
        if "Watermark" in parts:
            self.watermark = None
        if "Escrows" in parts:
            self.escrows.clear()
        if "QuarantineState" in parts:
            self.quarantine.leave()
            self.quarantine.disabled = False
        if "ConnectorDataStore" in parts:
            self.links.clear()
        if "ForceDeletes" in parts:
            self._force_deletes = True  # "Allow deletes"
            self.quarantine.leave()
        self.next_cycle_at = self.clock.now()

    def pause(self) -> None:
        """Graph ``pause``: "state persisted" (§9) — watermark, escrows and links stay; no cycle runs."""
        self.paused = True

    def set_target(self, target_url: str | None = None, token: str | None = None) -> None:
        """Graph ``PUT .../secrets`` (``BaseAddress``, ``SecretToken``): point the job elsewhere. A flag in
        the new Tenant URL's query string switches it on, as at construction (§1.1)."""
        if target_url is not None:
            self.client.set_url(target_url)
            _base, url_flags = split_tenant_url(target_url)
            if FLAG_SCIM062020 in url_flags and not self.flags.aadOptscim062020:
                self.flags = self.flags.with_(aadOptscim062020=True)
        if token is not None:
            self.client.token = token
            self.session.add_secret(token)

    @property
    def has_target(self) -> bool:
        """Both a Tenant URL and a Secret Token are known (Graph job status ``NotConfigured`` otherwise)."""
        return bool(self.client.base_url and self.client.token)

    def allow_deletes(self) -> None:
        self.restart("ForceDeletes")

    def status(self) -> dict[str, Any]:
        """Graph ``synchronizationJob.status``-shaped job status plus the notification-email events."""
        q = self.quarantine
        code = "Paused" if q.disabled or self.paused else "Quarantine" if q.state else "Active" if self.cycles else "NotRun"
        last = self.cycles[-1] if self.cycles else None
        last_ok = next((c for c in reversed(self.cycles) if c.state in ("Succeeded", "EntryLevelErrors")), None)
        last_exports = next((c for c in reversed(self.cycles) if c.exports), None)
        counts: dict[str, int] = {}
        for link in self.links.values():
            counts[link.object_type] = counts.get(link.object_type, 0) + 1
        return {
            "code": code,
            "countSuccessiveCompleteFailures": self._successive_failures,
            "escrowsPruned": False,
            "escrowCount": len(self.escrows),
            "synchronizedEntryCountByType": [{"key": f"{k} to {k}", "value": v} for k, v in sorted(counts.items())],
            "lastExecution": last.to_graph() if last else None,
            "lastSuccessfulExecution": last_ok.to_graph() if last_ok else None,
            "lastSuccessfulExecutionWithExports": last_exports.to_graph() if last_exports else None,
            "steadyStateFirstAchievedTime": isoformat(self._steady_first) if self._steady_first else "0001-01-01T00:00:00Z",
            "steadyStateLastAchievedTime": isoformat(self._steady_last) if self._steady_last else "0001-01-01T00:00:00Z",
            "quarantine": q.state.to_graph() if q.state else None,
            "nextCycleAt": isoformat(self.next_cycle_at) if self.next_cycle_at else None,
            "stagedDeletes": sorted(self.staged_deletes),
            "notifications": list(q.notifications),
        }

    def provision_on_demand(self, object_id: str, object_type: str | None = None) -> ProvisioningLogRecord:
        """Provision one user (or one group with ≤5 members) now (§7.9): the subject's own log record,
        whatever happened (exported, out of scope, disabled or deleted in Entra, target failure); an
        :class:`OnDemandError` when Entra refuses up front (see ``on_demand``). ``object_type`` ("User" or
        "Group", Graph's ``objectTypeName``) narrows the lookup. ``aadOptscim062020`` "currently doesn't
        work with on-demand provisioning", so the legacy PATCH forms are used."""
        now = self.clock.now()
        self._on_demand.admit(self.directory, self.flags, object_id, object_type, now)
        user = self.directory.users.get(object_id) if object_type != "Group" else None
        group = self.directory.groups.get(object_id) if user is None else None
        run = self._begin(CycleResult("on-demand-" + new_id(), False, now), scim062020=False)
        subject_type = "User" if user is not None else "Group"
        try:
            self._probe()
        except TargetError as exc:
            record = run.record(subject_type, object_id, object_id)
            record.step("EntryImport", "import", "failure", "Test connection failed", error=exc.reason)
            record.fail(exc.code, exc.reason)
            return record
        if user is not None and (user.soft_deleted or user.attributes.get("accountEnabled") is False):
            return unsupported_record(run, object_id)
        self._export_on_demand(run, object_id, group)
        return subject_record(run, subject_type, object_id)

    def _export_on_demand(self, run: Run, object_id: str, group: DirectoryGroup | None) -> None:
        users, managers = UserExporter(run), ManagerExporter(run)
        if group is None:
            if users.process(object_id, True):
                managers.export(object_id)
            return
        for member in group.members:
            known = self.directory.users.get(member)
            if known is not None and not known.soft_deleted and users.process(member, True):
                managers.export(member)
        groups = GroupExporter(run)
        if groups.process(object_id, True):
            groups.export_members(object_id)

    # ================================================================== the cycle's parts
    def _begin(self, cycle: CycleResult, *, scim062020: bool) -> Run:
        """Start a cycle (or an on-demand run) with the job's configuration as it is now."""
        return Run(cycle, self.job_id, self.directory, self.client, self.flags, self.mappings, self.state,
                   self.clock, scim062020)

    def _probe(self) -> None:
        matching = self.mappings.users.matching()
        group_attribute = None
        if self.flags.provision_groups and self.flags.probe_groups:
            gmatch = self.mappings.groups.matching()
            group_attribute = gmatch[0].target if gmatch else "displayName"
        self.client.probe(matching[0].target if matching else "userName", group_attribute)

    def _work_items(self, initial: bool) -> tuple[list[str], list[str]]:
        d = self.directory
        if initial:
            users = list(d.users) + [oid for oid, l in self.links.items() if l.object_type == "User" and oid not in d.users]
            groups = list(d.groups) + [oid for oid, l in self.links.items() if l.object_type == "Group" and oid not in d.groups]
            return users, groups
        users, groups = [], []
        for change in d.changes_since(self.watermark or 0):
            bucket = users if change.object_type == "User" else groups
            if change.object_id not in bucket:
                bucket.append(change.object_id)
        for oid, escrow in self.escrows.items():
            if not self._escrow_due(escrow):
                continue  # backing off (escrow_retry_backoff); a change in Entra still brings it in
            bucket = users if escrow.object_type == "User" else groups
            if oid not in bucket and not escrow.reference:
                bucket.append(oid)
            if escrow.reference and escrow.object_type == "Group" and oid not in groups:
                groups.append(oid)
        for oid in sorted(self.staged_deletes):
            bucket = users if self.links.get(oid, Link("User", "")).object_type == "User" else groups
            if oid not in bucket:
                bucket.append(oid)
        return users, groups

    def _escrow_due(self, escrow: Escrow) -> bool:
        return escrow.due(self.clock.now())

    def _check_deletion_threshold(self, run: Run, user_ids: list[str], group_ids: list[str]) -> bool:
        """Count the cycle's removals and disables (§7.7); over the threshold they are staged."""
        threshold = self.flags.accidental_deletion_threshold
        if threshold is None or self._force_deletes:
            return True
        pending = [("User", u) for u in user_ids if run.scope.is_deletion("User", u, self.links.get(u))]
        if self.flags.provision_groups:
            pending += [("Group", g) for g in group_ids if run.scope.is_deletion("Group", g, self.links.get(g))]
        if len(pending) <= threshold:
            self.staged_deletes.clear()
            return True
        for object_type, oid in pending:
            self.staged_deletes.add(oid)
            record = run.record(object_type, oid, run.display(object_type, oid))
            record.action, record.status = "StagedDelete", "skipped"
            record.target_id = self.links[oid].target_id
            record.step("EntrySynchronizationSkip", "processing", "skipped",
                        f"The number of deletions in this cycle ({len(pending)}) exceeds the accidental-deletion "
                        f"threshold ({threshold})", SkipReason="StagedDelete")
        run.cycle.staged_deletes = len(pending)
        return False

    def _enter_quarantine(self, reason: str, code: str, message: str) -> None:
        self.quarantine.enter(self.clock.now(), reason, code, message, self.flags.notification_email)

    def _finish(self, cycle: CycleResult, *, quarantined: bool = False) -> CycleResult:
        cycle.ended_at = self.clock.now()
        self.cycles.append(cycle)
        if quarantined and self.quarantine.state is not None:
            self.next_cycle_at = self.quarantine.state.next_attempt
        else:
            self.next_cycle_at = cycle.started_at + self.flags.cycle_interval
        return cycle

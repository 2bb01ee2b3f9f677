"""The mock Entra provisioning engine: reads the mock directory, decides who is in scope, and sends SCIM
to the target over real HTTP exactly as azure-ad-behaviour.md §2–§7 describes, request by request.

Cycle order (how-provisioning-works, §7.1): probe → users (match, create/update/disable/delete) →
user references (manager PATCH, "a separate patch operation") → groups (created empty) → group
memberships ("synchronizes the users and the groups, and then later synchronizes the ... membership").
Failures are escrowed and retried next cycle (§7.5); escrow thresholds and credential failures
quarantine the job (§7.6); too many deletions in one cycle are staged (§7.7).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
import tenacity

from simulators.azure_ad import scim_payloads as sp
from simulators.azure_ad.directory import DEFAULT_ACCESS, Directory, DirectoryGroup, DirectoryUser
from simulators.azure_ad.flags import FLAG_SCIM062020, EngineFlags, split_tenant_url
from simulators.azure_ad.logs import ProvisioningLogRecord, new_id
from simulators.azure_ad.mappings import AttributeMapping, JobMappings, MappingSet, MappingType
from simulators.azure_ad.quarantine import QuarantineTracker, escrow_threshold_reason
from simulators.common.clock import Clock, SystemClock, WallClockError, isoformat
from simulators.common.http_recording import Exchange, RecordingSession

SCIM_JSON = "application/scim+json"
RETRYABLE = frozenset({"TooManyRequests", "InternalServerError", "Timeout", "WebExceptionProtocolError"})


class TargetError(Exception):
    """A failed SCIM request, classified with the provisioning-log error code (§7.10)."""

    def __init__(self, code: str, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.status, self.retry_after = code, reason, status, retry_after

    @property
    def credential(self) -> bool:
        return self.status in (401, 403)


class OnDemandError(ValueError):
    """A provision-on-demand request Entra refuses up front (limits of §7.9)."""


@dataclass
class Link:
    """The connector-store entry: "detects and caches the target system's ID ... used to run all future
    operations on that user" (§3.1)."""

    object_type: str
    target_id: str
    disabled_by_scope: bool = False
    members: list[str] = field(default_factory=list)  # groups: member target ids exported so far


@dataclass
class Escrow:
    object_type: str
    code: str
    reason: str
    first_at: datetime
    attempts: int = 1
    reference: bool = False
    next_attempt_at: datetime | None = None  # None = the next cycle (no backoff)


@dataclass
class ConnectionResult:
    ok: bool
    message: str
    status: int | None = None
    error_code: str | None = None


@dataclass
class ScopeDecision:
    in_scope: bool
    reason: str
    entitled: bool = True
    soft_deleted: bool = False  # IsSoftDeleted


@dataclass
class CycleResult:
    cycle_id: str
    initial: bool
    started_at: datetime
    ended_at: datetime | None = None
    state: str = "Succeeded"  # Succeeded | Failed | EntryLevelErrors | Skipped
    exports: int = 0
    failures: int = 0
    reference_failures: int = 0
    staged_deletes: int = 0
    error: str | None = None

    def to_graph(self) -> dict[str, Any]:
        return {"activityIdentifier": self.cycle_id, "countExported": self.exports, "countEscrowed": self.failures,
                "countEscrowedRaw": self.failures + self.reference_failures, "state": self.state,
                "error": self.error, "timeBegan": isoformat(self.started_at),
                "timeEnded": isoformat(self.ended_at) if self.ended_at else None}


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
        self.base_url, url_flags = split_tenant_url(target_url)
        flags = flags or EngineFlags()
        if FLAG_SCIM062020 in url_flags and not flags.aadOptscim062020:
            flags = flags.with_(aadOptscim062020=True)
        self.flags = flags
        self.mappings = mappings or JobMappings()
        self.clock: Clock = clock or SystemClock()
        self._token = token
        self.session = session or RecordingSession(secrets=[token], timeout=flags.request_timeout, clock=self.clock)
        self.session.add_secret(token)
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.paused = False  # Graph ``pause``: no scheduled cycles until ``start``
        self.job_id = f"{flags.template_id}.{self.tenant_id.replace('-', '')}.{uuid.uuid4()}"
        self.links: dict[str, Link] = {}
        self.escrows: dict[str, Escrow] = {}
        self.logs: list[ProvisioningLogRecord] = []
        self.cycles: list[CycleResult] = []
        self.watermark: int | None = None  # None → the next cycle is an initial cycle
        self.quarantine = QuarantineTracker(flags.quarantine_retry_schedule, flags.quarantine_max_duration)
        self.next_cycle_at: datetime | None = None
        self.staged_deletes: set[str] = set()
        self._force_deletes = False
        self._steady_first: datetime | None = None
        self._steady_last: datetime | None = None
        self._successive_failures = 0
        self._on_demand_calls: deque[datetime] = deque()
        self._scim062020 = flags.aadOptscim062020
        self._cycle: CycleResult | None = None
        self._current: dict[str, dict[str, Any]] = {}
        self._index: _CycleIndex | None = None
        self._cycle_records: dict[str, ProvisioningLogRecord] = {}
        self._last_source: dict[str, dict[str, Any]] = {}  # the source view last exported, per object

    # ================================================================== public API
    @property
    def exchanges(self) -> list[Exchange]:
        return self.session.exchanges

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
        now = self.clock.now()
        initial = self.watermark is None
        cycle = CycleResult(new_id(), initial, now)
        self._begin(cycle)
        if self.quarantine.disabled:
            cycle.state, cycle.error = "Skipped", "job disabled after 4 weeks in quarantine"
            return self._finish(cycle)
        if self.flags.probe_every_cycle or initial:
            try:
                self._probe()
            except TargetError as exc:
                cycle.state, cycle.error = "Failed", exc.reason
                self._enter_quarantine("EncounteredQuarantineException", exc.code, exc.reason)
                self._successive_failures += 1
                return self._finish(cycle, quarantined=True)
        new_watermark = self.directory.watermark
        user_ids, group_ids = self._work_items(initial)
        try:
            deletes_allowed = self._check_deletion_threshold(user_ids, group_ids)
            processed = [uid for uid in user_ids if self._process_user(uid, deletes_allowed)]
            for uid in processed:
                self._export_manager(uid)
            for oid, escrow in list(self.escrows.items()):
                if escrow.reference and escrow.object_type == "User" and oid not in processed and self._escrow_due(escrow):
                    self._export_manager(oid)
            if self.flags.provision_groups:
                processed_groups = [gid for gid in group_ids if self._process_group(gid, deletes_allowed)]
                for gid in processed_groups:
                    self._export_members(gid)
        except TargetError as exc:  # a credential failure mid-cycle aborts the cycle
            cycle.state, cycle.error = "Failed", exc.reason
            self._enter_quarantine("EncounteredQuarantineException", exc.code, exc.reason)
            self._successive_failures += 1
            return self._finish(cycle, quarantined=True)
        self.watermark = new_watermark
        if self._force_deletes and not self.staged_deletes:
            self._force_deletes = False
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
            self.base_url, url_flags = split_tenant_url(target_url)
            if FLAG_SCIM062020 in url_flags and not self.flags.aadOptscim062020:
                self.flags = self.flags.with_(aadOptscim062020=True)
                self._scim062020 = True
        if token is not None:
            self._token = token
            self.session.add_secret(token)

    @property
    def has_target(self) -> bool:
        """Both a Tenant URL and a Secret Token are known (Graph job status ``NotConfigured`` otherwise)."""
        return bool(self.base_url and self._token)

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

    def provision_on_demand(self, object_id: str) -> ProvisioningLogRecord:
        """Provision one user (or one group with ≤5 members) now (§7.9). ``aadOptscim062020`` "currently
        doesn't work with on-demand provisioning", so the legacy PATCH forms are used."""
        now = self.clock.now()
        limit, window = self.flags.on_demand_rate_limit
        while self._on_demand_calls and now - self._on_demand_calls[0] >= window:
            self._on_demand_calls.popleft()
        if len(self._on_demand_calls) >= limit:
            raise OnDemandError(f"TooManyRequests: provision on demand allows {limit} requests per {window.total_seconds():g} s")
        user = self.directory.users.get(object_id)
        group = self.directory.groups.get(object_id)
        if user is None and group is None:
            raise OnDemandError(f"no user or group with objectId {object_id!r}")
        if user is not None and (user.soft_deleted or user.attributes.get("accountEnabled") is False):
            raise OnDemandError("provision on demand cannot disable or delete users disabled or deleted in Entra ID")
        if group is not None:
            members = [m for m in group.members if m in self.directory.users]
            if len(members) > self.flags.on_demand_max_group_members:
                raise OnDemandError(
                    f"group has {len(members)} members; provision on demand supports up to "
                    f"{self.flags.on_demand_max_group_members}")
        self._on_demand_calls.append(now)
        cycle = CycleResult("on-demand-" + new_id(), False, now)
        self._begin(cycle)
        self._scim062020 = False
        first_log = len(self.logs)
        try:
            try:
                self._probe()
            except TargetError as exc:
                record = self._record("User" if user else "Group", object_id, object_id)
                record.step("EntryImport", "import", "failure", "Test connection failed", error=exc.reason)
                record.fail(exc.code, exc.reason)
                return record
            if user is not None:
                if self._process_user(object_id, True):
                    self._export_manager(object_id)
            else:
                for member in group.members:
                    if member in self.directory.users and not self.directory.users[member].soft_deleted:
                        if self._process_user(member, True):
                            self._export_manager(member)
                if self._process_group(object_id, True):
                    self._export_members(object_id)
        finally:
            self._scim062020 = self.flags.aadOptscim062020
            self._index = None  # the directory may change before the next run
        mine = [r for r in self.logs[first_log:] if r.source_id == object_id]
        return mine[-1] if mine else self.logs[-1]

    # ================================================================== HTTP
    def _headers(self, body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": SCIM_JSON}
        if body:
            headers["Content-Type"] = SCIM_JSON
        return headers

    def _sleep(self, seconds: float) -> None:
        try:
            self.clock.advance(seconds)  # virtual time: waiting is moving the clock, never the wall
        except WallClockError:
            time.sleep(seconds)

    def _send_once(self, method: str, path: str, query: str = "", body: Any = None) -> requests.Response:
        url = self.base_url + path + (f"?{query}" if query else "")
        try:
            response = self.session.request(method, url, headers=self._headers(body is not None),
                                            json=body if body is not None else None)
        except requests.Timeout as exc:
            raise TargetError("Timeout", f"the request to {path} timed out") from exc
        except requests.RequestException as exc:
            raise TargetError("WebExceptionProtocolError", f"could not connect to the target: {type(exc).__name__}") from exc
        if response.status_code < 400:
            return response
        raise _classify(response, path)

    def _send(self, method: str, path: str, query: str = "", body: Any = None) -> requests.Response:
        """Send with the engine's retry policy: optional immediate retries on 5xx/timeouts and, with
        ``retry_after_policy="honour"``, one wait of Retry-After seconds on 429 (§7.12)."""

        def retry_now(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if not isinstance(exc, TargetError):
                return False
            if exc.code == "TooManyRequests":
                return self.flags.retry_after_policy == "honour" and state.attempt_number < 2 + self.flags.immediate_retries
            return exc.code in RETRYABLE and state.attempt_number <= self.flags.immediate_retries

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, TargetError) and exc.code == "TooManyRequests":
                return min(exc.retry_after or 0.0, self.flags.max_retry_after_seconds)
            return 0.0

        retrying = tenacity.Retrying(retry=retry_now, wait=wait, sleep=self._sleep, reraise=True)
        return retrying(self._send_once, method, path, query, body)

    @staticmethod
    def _json(response: requests.Response, path: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                              f"the response to {path} is not JSON", response.status_code) from None

    def _query(self, path: str, query: str) -> list[dict[str, Any]]:
        response = self._send("GET", path, query)
        if response.status_code != 200:
            raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                              f"expected 200 for a query, got {response.status_code}", response.status_code)
        body = self._json(response, path)
        if not isinstance(body, dict) or not isinstance(body.get("Resources", []), list):
            raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                              "a query response must be a ListResponse", response.status_code)
        return list(body.get("Resources") or [])

    def _probe(self) -> None:
        """Random-GUID probes for a user (and a group) that cannot exist (§2)."""
        matching = self.mappings.users.matching()
        attr = matching[0].target if matching else "userName"
        try:
            found = self._query("/Users", sp.filter_query(attr, str(uuid.uuid4())))
            if self.flags.provision_groups and self.flags.probe_groups:
                gmatch = self.mappings.groups.matching()
                gattr = gmatch[0].target if gmatch else "displayName"
                found += self._query("/Groups", "excludedAttributes=members&" + sp.filter_query(gattr, str(uuid.uuid4())))
        except TargetError as exc:
            if exc.status == 404:
                raise TargetError(exc.code, "SCIM Compliance issue: An HTTP/404 Not Found response was returned "
                                  "rather than the expected HTTP/200 OK response", 404) from None
            if exc.credential:
                raise TargetError(exc.code, "invalid credentials: the target refused the Secret Token", exc.status) from None
            raise
        if found:
            raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                              "the probe for a random GUID returned resources", 200)

    # ================================================================== scope
    def _begin(self, cycle: CycleResult) -> None:
        """Start a cycle (or an on-demand run): the directory does not change while it runs, so its
        assignments and memberships are indexed once instead of scanned per object (10,000 users)."""
        self._cycle = cycle
        self._current = {}
        self._cycle_records = {}
        self._index = _CycleIndex.of(self.directory)

    def _roles_of(self, object_id: str, *, via_groups: bool) -> list[str]:
        if self._index is not None:
            roles = list(self._index.roles.get(object_id, ()))
            if via_groups:
                for group_id in self._index.groups_of.get(object_id, ()):
                    roles += self._index.roles.get(group_id, ())
            return roles
        roles = [a.role for a in self.directory.assignments_of(object_id)]
        if via_groups:
            for group in self.directory.direct_groups_of(object_id):  # only direct members (no nesting)
                roles += [a.role for a in self.directory.assignments_of(group.object_id)]
        return roles

    def _scope(self, object_type: str, object_id: str) -> ScopeDecision:
        obj = (self.directory.users if object_type == "User" else self.directory.groups).get(object_id)
        if obj is None:
            return ScopeDecision(False, "hard deleted", soft_deleted=True)
        if obj.soft_deleted:
            return ScopeDecision(False, "soft deleted in Entra ID", soft_deleted=True)
        if not self.flags.sync_all:
            roles = self._roles_of(object_id, via_groups=object_type == "User")
            if not roles:
                return ScopeDecision(False, "not assigned to the application", soft_deleted=True)
            if self.flags.exclude_default_access and all(r == DEFAULT_ACCESS for r in roles):
                return ScopeDecision(False, "NotEffectivelyEntitled: only the Default Access role is assigned",
                                     entitled=False, soft_deleted=True)
        scoping = self.mappings.user_scoping if object_type == "User" else self.mappings.group_scoping
        failing = scoping.failing_reason(obj.attributes)
        if failing:
            return ScopeDecision(False, f"scoping filter not satisfied: {failing}", soft_deleted=True)
        disabled = object_type == "User" and obj.attributes.get("accountEnabled") is False
        return ScopeDecision(True, "in scope", soft_deleted=disabled)

    def _source_view(self, obj: DirectoryUser | DirectoryGroup, decision: ScopeDecision) -> dict[str, Any]:
        view = dict(obj.attributes)
        if isinstance(obj, DirectoryUser) and self.flags.b2b_strip_ext_upn:
            _present_b2b_upn(view)
        view["IsSoftDeleted"] = "True" if decision.soft_deleted else "False"
        view["appRoleAssignments"] = self._roles_of(obj.object_id, via_groups=isinstance(obj, DirectoryUser))
        return view

    # ================================================================== work selection
    def _work_items(self, initial: bool) -> tuple[list[str], list[str]]:
        d = self.directory
        if initial:
            users = list(d.users) + [oid for oid, l in self.links.items() if l.object_type == "User" and oid not in d.users]
            groups = list(d.groups) + [oid for oid, l in self.links.items() if l.object_type == "Group" and oid not in d.groups]
        else:
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
        return escrow.next_attempt_at is None or escrow.next_attempt_at <= self.clock.now()

    def _is_deletion(self, object_type: str, object_id: str) -> bool:
        link = self.links.get(object_id)
        if link is None:
            return False
        decision = self._scope(object_type, object_id)
        if object_type == "Group":
            return not decision.in_scope and "Delete" in self.flags.group_flow_types
        if decision.reason == "hard deleted":
            return not link.disabled_by_scope and "Delete" in self.flags.user_flow_types
        if not decision.in_scope:
            return not link.disabled_by_scope and not self.flags.skip_out_of_scope_deletions
        return False

    def _check_deletion_threshold(self, user_ids: list[str], group_ids: list[str]) -> bool:
        """Count the cycle's removals and disables (§7.7); over the threshold they are staged."""
        threshold = self.flags.accidental_deletion_threshold
        if threshold is None or self._force_deletes:
            return True
        pending = [("User", u) for u in user_ids if self._is_deletion("User", u)]
        if self.flags.provision_groups:
            pending += [("Group", g) for g in group_ids if self._is_deletion("Group", g)]
        if len(pending) <= threshold:
            self.staged_deletes.clear()
            return True
        for object_type, oid in pending:
            self.staged_deletes.add(oid)
            record = self._record(object_type, oid, self._display(object_type, oid))
            record.action, record.status = "StagedDelete", "skipped"
            record.target_id = self.links[oid].target_id
            record.step("EntrySynchronizationSkip", "processing", "skipped",
                        f"The number of deletions in this cycle ({len(pending)}) exceeds the accidental-deletion "
                        f"threshold ({threshold})", SkipReason="StagedDelete")
        assert self._cycle is not None
        self._cycle.staged_deletes = len(pending)
        return False

    # ================================================================== logs and escrows
    def _display(self, object_type: str, oid: str) -> str:
        obj = (self.directory.users if object_type == "User" else self.directory.groups).get(oid)
        return obj.display_name if obj is not None else oid

    def _record(self, object_type: str, oid: str, display: str) -> ProvisioningLogRecord:
        assert self._cycle is not None
        record = ProvisioningLogRecord(self.job_id, self._cycle.cycle_id, new_id(), self.clock.now(), object_type,
                                       oid, display)
        self.logs.append(record)
        self._cycle_records[oid] = record
        return record

    def _fail(self, record: ProvisioningLogRecord, exc: TargetError, *, reference: bool = False) -> None:
        assert self._cycle is not None
        record.fail(exc.code, exc.reason)
        prev = self.escrows.get(record.source_id)
        attempts = prev.attempts + 1 if prev else 1
        first = prev.first_at if prev else self.clock.now()
        backoff = self.flags.escrow_retry_backoff
        next_at = self.clock.now() + backoff[min(attempts, len(backoff)) - 1] if backoff else None
        self.escrows[record.source_id] = Escrow(record.object_type, exc.code, exc.reason, first, attempts, reference,
                                                next_at)
        if reference:
            self._cycle.reference_failures += 1
        else:
            self._cycle.failures += 1
        if exc.credential:
            raise exc

    def _succeed(self, record: ProvisioningLogRecord, action: str) -> None:
        assert self._cycle is not None
        record.action = action
        if record.status != "failure":
            record.status = "success"
        self._cycle.exports += 1
        escrow = self.escrows.get(record.source_id)
        if escrow is not None and not escrow.reference:
            del self.escrows[record.source_id]

    def _enter_quarantine(self, reason: str, code: str, message: str) -> None:
        self.quarantine.enter(self.clock.now(), reason, code, message, self.flags.notification_email)

    def _finish(self, cycle: CycleResult, *, quarantined: bool = False) -> CycleResult:
        cycle.ended_at = self.clock.now()
        self.cycles.append(cycle)
        if quarantined and self.quarantine.state is not None:
            self.next_cycle_at = self.quarantine.state.next_attempt
        else:
            self.next_cycle_at = cycle.started_at + self.flags.cycle_interval
        self._cycle = None
        self._index = None
        return cycle

    # ================================================================== users
    def _desired(self, mappings: MappingSet, view: dict[str, Any], *, create: bool,
                 only: set[str] | None = None) -> list[tuple[AttributeMapping, sp.TargetPath, Any]]:
        from simulators.azure_ad import expressions  # the IGNORE sentinel lives there

        result = []
        for mapping in mappings:
            if mapping.is_reference or (only is not None and mapping.target not in only):
                continue
            if not create and mapping.apply_on.value == "ObjectAddOnly":
                continue
            value = mapping.evaluate(view, now=self.clock.now())
            if value is getattr(expressions, "IGNORE", object()):
                continue
            if value is None or value == "":
                if not create or mapping.default_value is None:
                    continue  # "doesn't support provisioning null values"
                value = mapping.default_value  # "default value if null (applied on create only)"
            result.append((mapping, sp.TargetPath.parse(mapping.target), value))
        return result

    def _match(self, mappings: MappingSet, view: dict[str, Any], path: str, extra_query: str = "") -> list[dict[str, Any]] | None:
        """Query by each matching attribute in precedence order; stop at the first hit (§3.1). None when
        no matching attribute has a value (``ImportSkipped``)."""
        tried = False
        for mapping in mappings.matching():
            value = mapping.evaluate(view, now=self.clock.now())
            if value in (None, ""):
                continue
            tried = True
            found = self._query(path, extra_query + sp.filter_query(mapping.target, str(value)))
            if found:
                return found
        return [] if tried else None

    def _process_user(self, oid: str, deletes_allowed: bool) -> bool:
        """Create, update, disable or delete one user. True when the user is linked and in scope afterwards
        (so its manager reference should be exported)."""
        decision = self._scope("User", oid)
        link = self.links.get(oid)
        user = self.directory.users.get(oid)
        if link is None and not decision.in_scope:
            if user is not None and (decision.entitled is False or self.directory.assignments_of(oid)
                                     or "scoping" in decision.reason):
                record = self._record("User", oid, user.display_name)
                record.action, record.status = "Other", "skipped"
                record.step("EntrySynchronizationScoping", "scoping", "skipped", decision.reason,
                            IsEffectivelyEntitledForProvisioning=str(decision.entitled),
                            ScopeEvaluationResult="NotInScope")
                record.error_code = "NotEffectivelyEntitled" if not decision.entitled else "EntrySynchronizationSkipped"
                record.reason = decision.reason
            self.escrows.pop(oid, None)
            return False
        if link is not None and self._is_deletion("User", oid) and not deletes_allowed:
            return False  # staged (§7.7)
        record = self._record("User", oid, user.display_name if user else oid)
        record.step("EntryImport", "import", "success", "Retrieved the user from Azure Active Directory")
        record.step("EntrySynchronizationScoping", "scoping", "success", decision.reason,
                    IsEffectivelyEntitledForProvisioning=str(decision.entitled),
                    ScopeEvaluationResult="InScope" if decision.in_scope else "NotInScope")
        try:
            if link is not None and user is None:
                self._delete_user(record, link)
                return False
            assert user is not None
            view = self._source_view(user, decision)
            if link is not None and not decision.in_scope:
                self._disable_user(record, link, view, decision)
                return False
            if link is None:
                if user.attributes.get("accountEnabled") is False:
                    record.action, record.status = "Other", "skipped"
                    record.reason = "Provisioning a user that is disabled in Microsoft Entra ID isn't supported"
                    return False
                found = self._match(self.mappings.users, view, "/Users")
                if found is None:
                    record.fail("ImportSkipped", "the user has no value for any matching attribute")
                    return False
                if len(found) > 1:
                    self._fail(record, TargetError("DuplicateTargetEntries",
                                                   f"{len(found)} target users match; expected one"))
                    return False
                if not found:
                    record.step("EntryImportAdd", "matching", "success", "No matching user in the target")
                    return self._create_user(record, view)
                link = self.links[oid] = Link("User", str(found[0]["id"]))
                record.step("EntryImport", "matching", "success", "Matched an existing target user",
                            targetId=link.target_id)
            self._update_user(record, link, view)
            return True
        except TargetError as exc:
            if exc.code == "InvalidAnchor" and link is not None:
                self.links.pop(oid, None)  # the cached id is gone; match again next time
            self._fail(record, exc)
            return False

    def _create_user(self, record: ProvisioningLogRecord, view: dict[str, Any]) -> bool:
        if "Add" not in self.flags.user_flow_types:
            record.action, record.status, record.reason = "Other", "skipped", "the Create target action is off"
            return False
        desired = self._desired(self.mappings.users, view, create=True)
        body = sp.build_resource("User", [(p, sp.coerce_for_post(v, m.target_type)) for m, p, v in desired])
        response = self._send("POST", "/Users", body=body)
        created = self._json(response, "/Users") or {}
        if "id" not in created:
            raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                              "the created user has no id", response.status_code)
        self.links[record.source_id] = Link("User", str(created["id"]))
        self._current[record.source_id] = created
        self._last_source[record.source_id] = dict(view)
        record.target_id = str(created["id"])
        record.modified_properties = [{"displayName": m.target, "oldValue": None, "newValue": str(v)} for m, _, v in desired]
        record.step("EntryExportAdd", "export", "success", "User was created in the target", targetId=record.target_id)
        self._succeed(record, "Create")
        return True

    def _read_user(self, link: Link) -> dict[str, Any]:
        path = f"/Users/{link.target_id}"
        return self._json(self._send("GET", path), path) or {}

    def _update_user(self, record: ProvisioningLogRecord, link: Link, view: dict[str, Any]) -> None:
        record.target_id = link.target_id
        current = self._read_user(link) if self.flags.read_before_update else {}
        self._current[record.source_id] = current
        nulled = self._switch_pitfall(record.source_id, view)
        self._last_source[record.source_id] = dict(view)
        changes = []
        removes: list[tuple[sp.TargetPath, Any]] = []
        for mapping, path, value in self._desired(self.mappings.users, view, create=False):
            old = sp.read_path(current, path)
            if mapping in nulled:
                if old not in (None, "", []):
                    removes.append((path, old))  # "the switch statement is evaluated as 'null'"
                continue
            if sp.values_equal(value, old):
                continue
            kind = "add" if old in (None, "", []) else "replace"
            changes.append((kind, path, sp.coerce_for_patch(value, mapping.target_type, self._scim062020), old))
        if not (changes or removes) or "Update" not in self.flags.user_flow_types:
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationSkip", "export", "skipped",
                        "The state of the user in both the source and target systems already match.",
                        SkipReason="RedundantExport")
            link.disabled_by_scope = False
            return
        ops = sp.attribute_operations([(k, p, v) for k, p, v, _ in changes], self._scim062020)
        ops += [{"op": sp.op_name("remove", self._scim062020), "path": p.text} for p, _ in removes]
        self._send("PATCH", f"/Users/{link.target_id}", body=sp.patch_body(ops))
        record.modified_properties = [{"displayName": p.text, "oldValue": None if o is None else str(o), "newValue": str(v)}
                                      for _, p, v, o in changes]
        record.modified_properties += [{"displayName": p.text, "oldValue": str(o), "newValue": None} for p, o in removes]
        record.step("EntryExportUpdate", "export", "success", "User was updated in the target")
        link.disabled_by_scope = False
        self._succeed(record, "Update")

    def _switch_pitfall(self, oid: str, view: dict[str, Any]) -> list[AttributeMapping]:
        """With ``switch_null_on_unchanged``: the Switch mappings whose sources did not change while another
        mapped source did (§8.3's documented pitfall). Needs the view exported last time; [] otherwise."""
        last = self._last_source.get(oid)
        if not self.flags.switch_null_on_unchanged or last is None:
            return []
        changed = {k for k in set(view) | set(last) if view.get(k) != last.get(k)}
        mapped = set().union(*(m.source_attributes() for m in self.mappings.users))
        if not changed & mapped:
            return []
        return [m for m in self.mappings.users
                if m.mapping_type is MappingType.EXPRESSION and (m.source or "").lstrip().startswith("Switch(")
                and not m.source_attributes() & changed]

    def _disable_user(self, record: ProvisioningLogRecord, link: Link, view: dict[str, Any], decision: ScopeDecision) -> None:
        """Out of scope → PATCH the IsSoftDeleted-derived attribute (``active``), nothing else (§3.5, §7.4)."""
        record.target_id = link.target_id
        if self.flags.skip_out_of_scope_deletions:
            record.action, record.status = "Other", "skipped"
            record.reason = "SkipOutOfScopeDeletions is on: accounts going out of scope are not disabled"
            link.disabled_by_scope = True
            return
        soft = {m.target for m in self.mappings.users if "IsSoftDeleted" in m.source_attributes()}
        if not soft or "Update" not in self.flags.user_flow_types:
            record.action, record.status, record.reason = "Other", "skipped", "no mapping uses IsSoftDeleted"
            link.disabled_by_scope = True
            return
        current = self._read_user(link) if self.flags.read_before_update else {}
        changes = []
        for mapping, path, value in self._desired(self.mappings.users, view, create=False, only=soft):
            old = sp.read_path(current, path)
            if not sp.values_equal(value, old):
                kind = "add" if old in (None, "", []) else "replace"
                changes.append((kind, path, sp.coerce_for_patch(value, mapping.target_type, self._scim062020), old))
        link.disabled_by_scope = True
        if not changes:
            record.action, record.status = "Other", "skipped"
            record.step("EntrySynchronizationSkip", "export", "skipped", "The user is already disabled in the target",
                        SkipReason="RedundantExport")
            return
        ops = sp.attribute_operations([(k, p, v) for k, p, v, _ in changes], self._scim062020)
        self._send("PATCH", f"/Users/{link.target_id}", body=sp.patch_body(ops))
        record.modified_properties = [{"displayName": p.text, "oldValue": None if o is None else str(o), "newValue": str(v)}
                                      for _, p, v, o in changes]
        record.step("EntryExportUpdate", "export", "success", f"User was disabled in the target ({decision.reason})")
        self._succeed(record, "Disable")
        self.staged_deletes.discard(record.source_id)

    def _delete_user(self, record: ProvisioningLogRecord, link: Link) -> None:
        """Hard-deleted in Entra → DELETE, unless it was already unassigned and disabled ("no longer managed")."""
        record.target_id = link.target_id
        if link.disabled_by_scope or "Delete" not in self.flags.user_flow_types:
            record.action, record.status = "Other", "skipped"
            record.reason = ("the user was disabled when it went out of scope and is no longer managed"
                             if link.disabled_by_scope else "the Delete target action is off")
            self.links.pop(record.source_id, None)
            return
        try:
            self._send("DELETE", f"/Users/{link.target_id}")
        except TargetError as exc:
            if exc.code != "InvalidAnchor":
                raise
        self.links.pop(record.source_id, None)
        record.step("EntryExportDelete", "export", "success", "User was deleted in the target")
        self._succeed(record, "Delete")
        self.staged_deletes.discard(record.source_id)
        self.escrows.pop(record.source_id, None)

    # ================================================================== manager references
    def _export_manager(self, oid: str) -> None:
        mapping = next((m for m in self.mappings.users if m.is_reference), None)
        user = self.directory.users.get(oid)
        link = self.links.get(oid)
        if mapping is None or user is None or link is None or link.disabled_by_scope:
            return
        manager_oid = user.attributes.get(mapping.source or "manager")
        path = sp.TargetPath.parse(mapping.target)
        current_resource = self._current.get(oid)
        current = sp.normalise(sp.read_path(current_resource, path)) if current_resource is not None else None
        record = self._cycle_records.get(oid) or self._record("User", oid, user.display_name)
        escrow = self.escrows.get(oid)
        if manager_oid is None:
            if current is None:
                if escrow is not None and escrow.reference:
                    del self.escrows[oid]
                return
            op = ({"op": sp.op_name("remove", self._scim062020), "path": f'manager[value eq "{current}"]'}
                  if self.flags.manager_removal == "value_filter"
                  else {"op": sp.op_name("remove", self._scim062020), "path": mapping.target})
            self._patch_reference(record, link, op, "manager removed")
            return
        manager_link = self.links.get(manager_oid)
        if manager_link is None or manager_link.disabled_by_scope:
            if self._scope("User", manager_oid).in_scope and manager_link is None:
                # in scope but not exported yet: a reference failure, escrowed and retried (§4)
                record.step("EntryReferenceResolution", "referenceResolution", "failure",
                            "The manager is in scope but has not been provisioned yet", manager=manager_oid)
                self._fail(record, TargetError("ReferenceResolutionFailed",
                                               "the manager could not be resolved in the target"), reference=True)
            else:
                # "we'll provision the user without the manager reference" (known-issues)
                record.step("EntryReferenceResolution", "referenceResolution", "skipped",
                            "The manager is not in provisioning scope; the reference is not exported")
                if escrow is not None and escrow.reference:
                    del self.escrows[oid]
            return
        if sp.values_equal(manager_link.target_id, current):
            if escrow is not None and escrow.reference:
                del self.escrows[oid]
            return
        kind = "add" if current is None else "replace"
        if self.flags.manager_wire == "legacy_complex":
            op = {"op": sp.op_name(kind, self._scim062020), "path": "manager",
                  "value": [{"$ref": f"{self.base_url}/Users/{manager_link.target_id}", "value": manager_link.target_id}]}
        else:
            op = {"op": sp.op_name(kind, self._scim062020), "path": mapping.target, "value": manager_link.target_id}
        self._patch_reference(record, link, op, "manager linked", old=current, new=manager_link.target_id)

    def _patch_reference(self, record: ProvisioningLogRecord, link: Link, op: dict[str, Any], what: str,
                         old: Any = None, new: Any = None) -> None:
        try:
            self._send("PATCH", f"/Users/{link.target_id}", body=sp.patch_body([op]))
        except TargetError as exc:
            record.step("EntryReferenceResolution", "referenceResolution", "failure", exc.reason)
            self._fail(record, exc, reference=True)
            return
        record.step("EntryExportUpdate", "referenceResolution", "success", what)
        record.modified_properties.append({"displayName": "manager", "oldValue": old, "newValue": new})
        escrow = self.escrows.get(record.source_id)
        if escrow is not None and escrow.reference:
            del self.escrows[record.source_id]
        if record.action == "Other" and record.status == "skipped":
            record.action, record.status = "Update", "success"
            record.steps = [s for s in record.steps if s.name != "EntrySynchronizationSkip"]
        assert self._cycle is not None
        self._cycle.exports += 1

    # ================================================================== groups
    def _process_group(self, gid: str, deletes_allowed: bool) -> bool:
        decision = self._scope("Group", gid)
        link = self.links.get(gid)
        group = self.directory.groups.get(gid)
        if link is None and not decision.in_scope:
            self.escrows.pop(gid, None)
            return False
        if link is not None and not decision.in_scope and not deletes_allowed:
            return False
        record = self._record("Group", gid, group.display_name if group else gid)
        record.step("EntrySynchronizationScoping", "scoping", "success", decision.reason,
                    ScopeEvaluationResult="InScope" if decision.in_scope else "NotInScope")
        try:
            if link is not None and not decision.in_scope:
                record.target_id = link.target_id
                if "Delete" not in self.flags.group_flow_types:
                    record.action, record.status = "Other", "skipped"
                    return False
                try:
                    self._send("DELETE", f"/Groups/{link.target_id}")
                except TargetError as exc:
                    if exc.code != "InvalidAnchor":
                        raise
                self.links.pop(gid, None)
                self.staged_deletes.discard(gid)
                record.step("EntryExportDelete", "export", "success", "Group was deleted in the target")
                self._succeed(record, "Delete")
                return False
            assert group is not None
            view = self._source_view(group, decision)
            if link is None:
                found = self._match(self.mappings.groups, view, "/Groups", "excludedAttributes=members&")
                if found is None:
                    record.fail("ImportSkipped", "the group has no value for any matching attribute")
                    return False
                if len(found) > 1:
                    self._fail(record, TargetError("DuplicateTargetEntries", f"{len(found)} target groups match"))
                    return False
                if not found:
                    if "Add" not in self.flags.group_flow_types:
                        record.action, record.status = "Other", "skipped"
                        return False
                    desired = self._desired(self.mappings.groups, view, create=True)
                    body = sp.build_resource("Group", [(p, v) for _, p, v in desired],
                                             legacy_group_schema=self.flags.legacy_group_schema)
                    created = self._json(self._send("POST", "/Groups", body=body), "/Groups") or {}
                    if "id" not in created:
                        raise TargetError("SystemForCrossDomainIdentityManagementServiceIncompatible",
                                          "the created group has no id")
                    self.links[gid] = Link("Group", str(created["id"]))
                    record.target_id = str(created["id"])
                    record.step("EntryExportAdd", "export", "success", "Group was created (without members)")
                    self._succeed(record, "Create")
                    return True
                link = self.links[gid] = Link("Group", str(found[0]["id"]))
            record.target_id = link.target_id
            path = f"/Groups/{link.target_id}"
            current = self._json(self._send("GET", path, "excludedAttributes=members"), path) or {}
            changes = []
            for mapping, tpath, value in self._desired(self.mappings.groups, view, create=False):
                old = sp.read_path(current, tpath)
                if not sp.values_equal(value, old):
                    changes.append(("add" if old in (None, "") else "replace", tpath, value))
            if changes and "Update" in self.flags.group_flow_types:
                ops = sp.attribute_operations(changes, self._scim062020)
                self._send("PATCH", path, body=sp.patch_body(ops))
                record.modified_properties = [{"displayName": p.text, "oldValue": None, "newValue": str(v)}
                                              for _, p, v in changes]
                self._succeed(record, "Update")
            else:
                record.action, record.status = "Other", "skipped"
                record.step("EntrySynchronizationSkip", "export", "skipped",
                            "The state of the group in both the source and target systems already match.",
                            SkipReason="RedundantExport")
            return True
        except TargetError as exc:
            if exc.code == "InvalidAnchor":
                self.links.pop(gid, None)
            self._fail(record, exc)
            return False

    def _export_members(self, gid: str) -> None:
        """Member add PATCHes (batched) then removal PATCHes, after users and groups exist (§5)."""
        if self.mappings.groups.get("members") is None:
            return
        group = self.directory.groups[gid]
        link = self.links[gid]
        desired: list[str] = []
        unresolved: list[str] = []
        for member in group.members:
            if member not in self.directory.users:
                continue  # "Nested groups are not provisioned"
            mlink = self.links.get(member)
            in_scope = self._scope("User", member).in_scope
            if mlink is not None and not mlink.disabled_by_scope and in_scope:
                desired.append(mlink.target_id)
            elif in_scope and self.directory.users[member].attributes.get("accountEnabled") is not False:
                unresolved.append(member)
        adds = [t for t in desired if t not in link.members]
        removes = [t for t in link.members if t not in desired]
        record = self._cycle_records.get(gid) or self._record("Group", gid, group.display_name)
        path = f"/Groups/{link.target_id}"
        size = self.flags.group_member_batch_size or max(len(adds), 1)
        try:
            for start in range(0, len(adds), size):
                batch = adds[start:start + size]
                self._send("PATCH", path, body=sp.patch_body([sp.member_add_operation(batch, self._scim062020)]))
                link.members.extend(batch)
                record.modified_properties.append({"displayName": "members", "oldValue": None, "newValue": ",".join(batch)})
                record.step("EntryExportUpdate", "referenceResolution", "success", f"added {len(batch)} member(s)")
            if removes:
                rsize = self.flags.group_member_batch_size or len(removes)
                for start in range(0, len(removes), rsize):
                    batch = removes[start:start + rsize]
                    self._send("PATCH", path, body=sp.patch_body(sp.member_remove_operations(batch, self._scim062020)))
                    link.members = [t for t in link.members if t not in batch]
                    record.modified_properties.append({"displayName": "members", "oldValue": ",".join(batch), "newValue": None})
                    record.step("EntryExportUpdate", "referenceResolution", "success", f"removed {len(batch)} member(s)")
        except TargetError as exc:
            self._fail(record, exc, reference=True)
            return
        if adds or removes:
            if record.action == "Other":
                record.action, record.status = "Update", "success"
                record.steps = [s for s in record.steps if s.name != "EntrySynchronizationSkip"]
            assert self._cycle is not None
            self._cycle.exports += 1
        if unresolved:
            record.step("EntryReferenceResolution", "referenceResolution", "failure",
                        f"{len(unresolved)} member(s) in scope are not provisioned yet", members=",".join(unresolved))
            self._fail(record, TargetError("ReferenceResolutionFailed", "group members could not be resolved"),
                       reference=True)
        elif (escrow := self.escrows.get(gid)) is not None and escrow.reference:
            del self.escrows[gid]


def _present_b2b_upn(view: dict[str, Any]) -> None:
    """``alias_theirdomain#EXT#@yourdomain`` → ``alias@theirdomain``; the full value stays readable as
    ``originalUserPrincipalName`` (§7.2). The home domain follows the last ``_`` of the alias part."""
    upn = view.get("userPrincipalName")
    if not isinstance(upn, str) or "#EXT#" not in upn.upper():
        return
    local = upn[:upn.upper().index("#EXT#")]
    if "_" not in local:
        return
    alias, home = local.rsplit("_", 1)
    view.setdefault("originalUserPrincipalName", upn)
    if view.get("originalUserPrincipalName") is None:
        view["originalUserPrincipalName"] = upn
    view["userPrincipalName"] = f"{alias}@{home}"


@dataclass
class _CycleIndex:
    """App-role assignments by principal and direct (non-deleted) groups by member, for one cycle."""

    roles: dict[str, list[str]]
    groups_of: dict[str, list[str]]

    @classmethod
    def of(cls, directory: Directory) -> _CycleIndex:
        roles: dict[str, list[str]] = {}
        for assignment in directory.assignments:
            roles.setdefault(assignment.principal_id, []).append(assignment.role)
        groups_of: dict[str, list[str]] = {}
        for group in directory.groups.values():
            if not group.soft_deleted:
                for member in group.members:
                    groups_of.setdefault(member, []).append(group.object_id)
        return cls(roles, groups_of)


def _classify(response: requests.Response, path: str) -> TargetError:
    """Map an error response to the provisioning-log error codes of §7.10 ([INF] status mapping)."""
    status = response.status_code
    detail = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or "")
    except ValueError:
        pass
    suffix = f" ({detail})" if detail else ""
    if status == 429:
        retry_after: float | None = None
        header = response.headers.get("Retry-After")
        if header:
            try:
                retry_after = float(header)
            except ValueError:
                retry_after = None
        return TargetError("TooManyRequests", f"the target throttled the request to {path}{suffix}", status, retry_after)
    codes = {400: "UnprocessableEntity", 401: "Unauthorized", 403: "InsufficientRights", 405: "MethodNotAllowed",
             409: "EntryConflict", 412: "Conflict", 422: "UnprocessableEntity", 501: "NotImplemented"}
    if status == 404:
        code = "InvalidAnchor" if path.count("/") >= 2 else "WebExceptionProtocolError"
    elif status in codes:
        code = codes[status]
    elif status >= 500:
        code = "InternalServerError"
    else:
        code = "WebExceptionProtocolError"
    return TargetError(code, f"HTTP {status} from {path}{suffix}", status)

"""One run of the job (a cycle, or a provision-on-demand request) and its bookkeeping.

A :class:`Run` is what the user, reference and group exporters share: the job's configuration as the
run began, the target client, the job's remembered state, the scope decisions, the run's log records
and counters, and the target resources it has read (so the manager export compares with them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.expressions import IGNORE
from simulators.azure_ad.provisioning import payloads as sp
from simulators.azure_ad.provisioning.escrow import escalate
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord, new_id
from simulators.azure_ad.provisioning.mappings import AttributeMapping, JobMappings, MappingSet
from simulators.azure_ad.provisioning.scope import Scope
from simulators.azure_ad.provisioning.state import JobState
from simulators.azure_ad.provisioning.target_client import TargetClient, TargetError
from simulators.common.clock import Clock, isoformat

Desired = list[tuple[AttributeMapping, sp.TargetPath, Any]]


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


@dataclass
class Run:
    cycle: CycleResult
    job_id: str
    directory: Directory
    client: TargetClient
    flags: EngineFlags
    mappings: JobMappings
    state: JobState
    clock: Clock
    scim062020: bool  # the PATCH wire form of this run (on-demand runs use the legacy forms)
    scope: Scope = field(init=False)
    current: dict[str, dict[str, Any]] = field(default_factory=dict)  # target resources read or created
    records: dict[str, ProvisioningLogRecord] = field(default_factory=dict)  # this run's record per object

    def __post_init__(self) -> None:
        self.scope = Scope(self.directory, self.flags, self.mappings)

    def display(self, object_type: str, oid: str) -> str:
        obj = (self.directory.users if object_type == "User" else self.directory.groups).get(oid)
        return obj.display_name if obj is not None else oid

    def record(self, object_type: str, oid: str, display: str) -> ProvisioningLogRecord:
        record = ProvisioningLogRecord(self.job_id, self.cycle.cycle_id, new_id(), self.clock.now(), object_type,
                                       oid, display)
        self.state.logs.append(record)
        self.records[oid] = record
        return record

    def fail(self, record: ProvisioningLogRecord, exc: TargetError, *, reference: bool = False) -> None:
        """Log and escrow a failure; a credential failure aborts the run (re-raised)."""
        record.fail(exc.code, exc.reason)
        self.state.escrows[record.source_id] = escalate(
            self.state.escrows.get(record.source_id), record.object_type, exc.code, exc.reason,
            reference=reference, now=self.clock.now(), backoff=self.flags.escrow_retry_backoff)
        if reference:
            self.cycle.reference_failures += 1
        else:
            self.cycle.failures += 1
        if exc.credential:
            raise exc

    def succeed(self, record: ProvisioningLogRecord, action: str) -> None:
        record.action = action
        if record.status != "failure":
            record.status = "success"
        self.cycle.exports += 1
        escrow = self.state.escrows.get(record.source_id)
        if escrow is not None and not escrow.reference:
            del self.state.escrows[record.source_id]

    def reference_exported(self, record: ProvisioningLogRecord) -> None:
        """A manager or member export on a record that was skipped so far turns it into an update."""
        if record.action == "Other" and record.status == "skipped":
            record.action, record.status = "Update", "success"
            record.steps = [s for s in record.steps if s.name != "EntrySynchronizationSkip"]
        self.cycle.exports += 1

    def clear_reference_escrow(self, oid: str) -> None:
        escrow = self.state.escrows.get(oid)
        if escrow is not None and escrow.reference:
            del self.state.escrows[oid]

    def desired(self, mappings: MappingSet, view: dict[str, Any], *, create: bool,
                only: set[str] | None = None) -> Desired:
        """The values the mappings flow for ``view``: on update, ObjectAddOnly mappings are left out; null
        and empty values do not flow, except a mapping's default on create (§1.8)."""
        result = []
        for mapping in mappings:
            if mapping.is_reference or (only is not None and mapping.target not in only):
                continue
            if not create and mapping.apply_on.value == "ObjectAddOnly":
                continue
            value = mapping.evaluate(view, now=self.clock.now())
            if value is IGNORE:
                continue
            if value is None or value == "":
                if not create or mapping.default_value is None:
                    continue  # "doesn't support provisioning null values"
                value = mapping.default_value  # "default value if null (applied on create only)"
            result.append((mapping, sp.TargetPath.parse(mapping.target), value))
        return result

    def match(self, mappings: MappingSet, view: dict[str, Any], path: str,
              extra_query: str = "") -> list[dict[str, Any]] | None:
        """Query by each matching attribute in precedence order; stop at the first hit (§3.1). None when
        no matching attribute has a value (``ImportSkipped``)."""
        tried = False
        for mapping in mappings.matching():
            value = mapping.evaluate(view, now=self.clock.now())
            if value in (None, ""):
                continue
            tried = True
            found = self.client.query(path, extra_query + sp.filter_query(mapping.target, str(value)))
            if found:
                return found
        return [] if tried else None

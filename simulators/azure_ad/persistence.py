"""Optional persisted state for a served mock tenant (``scimgate serve azure-ad --db FILE``): the
directory (users, groups, memberships, app-role assignments, change log) and the provisioning job's
memory (links, escrows, provisioning logs, staged deletes, watermark, cycles, quarantine) in one SQLite
file, so a restarted mock carries on where it stopped.

One table per kind of object, each row the object's JSON, through sqlite-utils (so no SQL is written
here). The provisioning log and the change log
only grow, so a save appends their new rows; everything else is rewritten in the same transaction.
The directory's seeded generators are saved too, so objects created after a restart get fresh ids.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from simulators.azure_ad.directory import AppRoleAssignment, Change, Directory, DirectoryGroup, DirectoryUser
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.escrow import Escrow
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord, ProvisioningStep
from simulators.azure_ad.provisioning.quarantine import QuarantineState
from simulators.azure_ad.provisioning.run import CycleResult
from simulators.azure_ad.provisioning.state import Link

SCHEMA_VERSION = "1"
_REWRITTEN = ("users", "groups", "assignments", "links", "escrows", "cycles")
_APPENDED = ("changes", "logs")
_TABLES = (*_REWRITTEN, *_APPENDED)


class PersistenceError(ValueError):
    """The state file cannot be used (not SQLite, another schema, another tenant)."""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_encode(v) for v in (sorted(value) if isinstance(value, set) else value)]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$dt"}:
            return datetime.fromisoformat(value["$dt"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _dump(obj: Any) -> str:
    return json.dumps(_encode(asdict(obj) if hasattr(obj, "__dataclass_fields__") else obj), separators=(",", ":"))


class TenantStore:
    """A SQLite file holding one tenant's directory and provisioning job (tables through sqlite-utils)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            connection = sqlite3.connect(self.path, check_same_thread=False)  # used under the tenant's lock
            self._db = sqlite_utils.Database(connection)
            self._db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            for table in _TABLES:
                self._db[table].create({"seq": int, "body": str}, pk="seq", if_not_exists=True)
            version = self.meta("schema_version")
            self._saved = {table: self._db[table].count for table in _APPENDED}
        except sqlite3.DatabaseError as exc:
            raise PersistenceError(f"cannot use {self.path} as a mock Azure AD state file: {exc}") from None
        if version not in (None, SCHEMA_VERSION):
            raise PersistenceError(f"{self.path} holds state schema {version}, this mock reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def meta(self, key: str) -> str | None:
        try:
            return str(self._db["meta"].get(key)["value"])
        except NotFoundError:
            return None

    @property
    def empty(self) -> bool:
        return self.meta("schema_version") is None

    def _rows(self, table: str) -> list[Any]:
        return [_decode(json.loads(row["body"])) for row in self._db[table].rows_where(order_by="seq")]

    # ------------------------------------------------------------------ save
    def save(self, directory: Directory, engine: ProvisioningEngine, extra: dict[str, str] | None = None) -> None:
        """Write the tenant's state in one transaction."""
        rows: dict[str, list[str]] = {
            "users": [_dump(u) for u in directory.users.values()],
            "groups": [_dump(g) for g in directory.groups.values()],
            "assignments": [_dump(a) for a in directory.assignments],
            "links": [json.dumps({"object_id": oid, **_encode(asdict(link))}) for oid, link in engine.links.items()],
            "escrows": [json.dumps({"object_id": oid, **_encode(asdict(e))}) for oid, e in engine.escrows.items()],
            "cycles": [_dump(c) for c in engine.cycles],
        }
        meta = {"schema_version": SCHEMA_VERSION, "job": _dump(_job_meta(directory, engine)), **(extra or {})}
        with self._db.conn:
            for table, bodies in rows.items():
                self._db[table].delete_where()
                self._db[table].insert_all({"body": b} for b in bodies)
            for table, items in (("changes", directory.changes), ("logs", engine.logs)):
                self._db[table].insert_all({"body": _dump(i)} for i in items[self._saved[table]:])
            self._db["meta"].upsert_all(({"key": k, "value": v} for k, v in meta.items()), pk="key")
        self._saved = {"changes": len(directory.changes), "logs": len(engine.logs)}

    # ------------------------------------------------------------------ load
    def load(self, directory: Directory, engine: ProvisioningEngine) -> None:
        """Fill a fresh directory and engine from the file (nothing to do when it is empty)."""
        if self.empty:
            return
        try:
            self._load(directory, engine)
        except (ValueError, TypeError, KeyError, sqlite3.DatabaseError) as exc:
            raise PersistenceError(f"{self.path} holds state this mock cannot read ({type(exc).__name__}: "
                                   f"{exc})") from None

    def _load(self, directory: Directory, engine: ProvisioningEngine) -> None:
        job = _decode(json.loads(self.meta("job") or "{}"))
        directory.load_state([DirectoryUser(**u) for u in self._rows("users")],
                             [DirectoryGroup(**g) for g in self._rows("groups")],
                             [AppRoleAssignment(**a) for a in self._rows("assignments")],
                             [Change(**c) for c in self._rows("changes")], job["generators"])
        engine.links.clear()
        for row in self._rows("links"):
            object_id = row.pop("object_id")
            engine.links[object_id] = Link(**row)
        engine.escrows.clear()
        for row in self._rows("escrows"):
            object_id = row.pop("object_id")
            engine.escrows[object_id] = Escrow(**row)
        engine.logs[:] = [_log_record(r) for r in self._rows("logs")]
        engine.cycles[:] = [CycleResult(**c) for c in self._rows("cycles")]
        _restore_job_meta(engine, job)


def _log_record(row: dict[str, Any]) -> ProvisioningLogRecord:
    row["steps"] = [ProvisioningStep(**s) for s in row["steps"]]
    return ProvisioningLogRecord(**row)


def _job_meta(directory: Directory, engine: ProvisioningEngine) -> dict[str, Any]:
    quarantine = engine.quarantine
    return {
        "job_id": engine.job_id, "watermark": engine.watermark, "paused": engine.paused,
        "next_cycle_at": engine.next_cycle_at, "staged_deletes": sorted(engine.staged_deletes),
        "last_source": engine.state.last_source,
        "quarantine": asdict(quarantine.state) if quarantine.state else None,
        "quarantine_disabled": quarantine.disabled, "notifications": quarantine.notifications,
        "generators": directory.generator_states(),
    }


def _restore_job_meta(engine: ProvisioningEngine, job: dict[str, Any]) -> None:
    engine.job_id, engine.watermark, engine.paused = job["job_id"], job["watermark"], job["paused"]
    engine.next_cycle_at = job["next_cycle_at"]
    engine.staged_deletes.clear()
    engine.staged_deletes.update(job["staged_deletes"])
    engine.state.last_source.clear()
    engine.state.last_source.update(job["last_source"])
    engine.quarantine.state = QuarantineState(**job["quarantine"]) if job["quarantine"] else None
    engine.quarantine.disabled = job["quarantine_disabled"]
    engine.quarantine.notifications[:] = job["notifications"]

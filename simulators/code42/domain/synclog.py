"""The provisioning Sync Log: one entry for every SCIM action and error.

Seed (Troubleshooting, Syncing): "To view information about provisioning in Code42, see the Sync Log in
the Code42 console. It contains details of all of the users that have been created, updated, or deleted
in Code42 due to provisioning." Retention is 90 days (code42-behaviour.md §3.9); the JSON envelope is
``DirectorySyncLogResponse`` (code42-open-questions.md); columns are [INF] (spec §3.9).

Errors are special: a rejected SCIM request rolls its transaction back, which would roll the log
entry back with it. So :meth:`SyncLog.defer` queues the entry in memory and :meth:`SyncLog.flush`
writes it in the next transaction; every read flushes first, so a reader never misses one.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

STATUSES = ("SUCCESS", "WARNING", "ERROR")
CSV_COLUMNS = ("eventOccurredAt", "providerName", "username", "userUid", "action", "status", "message")


@dataclass(frozen=True)
class Entry:
    occurred_at: datetime
    username: str | None
    user_uid: str | None
    action: str
    status: str
    message: str


class SyncLog:
    """Writes and reads Sync Log entries for one provider."""

    def __init__(self, provider_name: str, retention_days: int = 90):
        self.provider_name = provider_name
        self.retention = timedelta(days=retention_days)
        self._deferred: list[Entry] = []
        self.rejections = 0  # how many entries were ever deferred (lets the app tell whether one was logged)
        self._lock = threading.Lock()
        self._oldest: str | None = None  # see flush()

    def write(self, tx: Tx, entry: Entry) -> None:
        if entry.status not in STATUSES:
            raise ValueError(f"status {entry.status!r} is not one of {STATUSES}")
        when = isoformat(entry.occurred_at)
        if self._oldest is not None and when < self._oldest:
            self._set_oldest(when)
        tables.insert_synclog(tx, when, self.provider_name, entry.username, entry.user_uid, entry.action,
                              entry.status, entry.message)

    def add(self, tx: Tx, action: str, status: str, message: str, *, username: str | None = None,
            user_uid: str | None = None) -> None:
        self.write(tx, Entry(tx.now, username, user_uid, action, status, message))

    def defer(self, entry: Entry) -> None:
        """Queue an entry that must survive the rollback of the current transaction."""
        with self._lock:
            self._deferred.append(entry)
            self.rejections += 1

    def has_deferred(self) -> bool:
        """Are entries waiting for :meth:`flush`? (read without the lock: a stale False only delays them
        to the next write or tick.)"""
        return bool(self._deferred)

    def clear_deferred(self) -> None:
        """Drop queued entries (``/_sim/reset``: they belong to the tenant that was just emptied)."""
        with self._lock:
            self._deferred = []
            self._oldest = None

    def flush(self, tx: Tx) -> None:
        """Write deferred entries and drop entries older than the retention period.

        Runs at the start of every hook, so the DELETE runs only when an entry can be older than the
        cutoff: ``_oldest`` is a lower bound of the stored ``occurred_at`` values (None: unknown), lowered
        by every write and set from the table after a prune once that transaction has committed.
        """
        with self._lock:
            pending, self._deferred = self._deferred, []
        for entry in pending:
            self.write(tx, entry)
        cutoff = isoformat(tx.now - self.retention)
        oldest = self._oldest
        if oldest is not None and oldest >= cutoff:
            return
        self._oldest = None
        found = tables.prune_synclog(tx, cutoff)
        tx.on_commit(lambda: self._set_oldest(found or cutoff))

    def _set_oldest(self, value: str) -> None:
        with self._lock:
            if self._oldest is None or value < self._oldest:
                self._oldest = value

    def entries(self, tx: Tx, after: datetime | None = None, before: datetime | None = None) -> list[dict[str, Any]]:
        """Entries in time order, optionally limited to ``after <= time < before``."""
        self.flush(tx)
        rows = tables.synclog_rows(tx, isoformat(after) if after is not None else None,
                                   isoformat(before) if before is not None else None)
        return [_entry_json(r) for r in rows]


def _entry_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"eventOccurredAt": row["occurred_at"], "providerName": row["provider"], "username": row["username"],
            "userUid": row["user_uid"], "action": row["action"], "status": row["status"], "message": row["message"]}


def page_json(entries: list[dict[str, Any]], page_number: int, page_size: int) -> dict[str, Any]:
    """``DirectorySyncLogResponse``: ``{"Directory Sync Logs": [...], PageNumber, PageSize, TotalResults}``
    (page numbers are 1-based, like the legacy ``pgNum``)."""
    start = (page_number - 1) * page_size
    return {"Directory Sync Logs": entries[start:start + page_size], "PageNumber": page_number,
            "PageSize": page_size, "TotalResults": len(entries)}


def to_csv(entries: list[dict[str, Any]]) -> str:
    """The Export CSV view (columns [INF], spec §3.9)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return out.getvalue()

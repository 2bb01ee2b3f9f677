"""Injectable time, so a 15-minute deactivation delay can pass in a millisecond.

Both simulators take a :class:`Clock`. In simulation the harness advances a :class:`VirtualClock`
through the simulator's control route; against a live tenant everything runs on :class:`SystemClock`.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class VirtualClock:
    """Time that moves only when told to. Starts at ``start`` (default: the wall clock at creation)."""

    def __init__(self, start: datetime | None = None):
        self._now = (start or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError(f"seconds={seconds!r} must not be negative: virtual time never runs backwards")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> datetime:
        with self._lock:
            when = when.astimezone(timezone.utc)
            if when < self._now:
                raise ValueError(f"cannot move virtual time back from {self._now.isoformat()} to {when.isoformat()}")
            self._now = when
            return self._now


@lru_cache(maxsize=16)
def isoformat(when: datetime) -> str:
    """RFC 3339 / xsd:dateTime in UTC with millisecond precision and a ``Z`` suffix, as SCIM ``meta`` uses.

    Cached: a write formats its transaction's one ``now`` for every row and Sync Log entry it touches."""
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

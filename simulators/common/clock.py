"""Injectable time, so a 15-minute deactivation delay can pass in a millisecond.

Both simulators take a :class:`Clock`. In simulation the harness advances a :class:`VirtualClock`
through the simulator's control route; against a live tenant everything runs on :class:`SystemClock`.
Code that must act differently on simulated time asks :attr:`Clock.simulated`; it never probes for
methods, so any clock (the harness's own over-HTTP and live clocks included) is one typed seam.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol


class WallClockError(RuntimeError):
    """Raised by :meth:`SystemClock.advance`: nothing may move real time, so asking is a caller's bug
    (a control route answers 409 before asking; a waiting caller sleeps instead)."""


class Clock(Protocol):
    """What every clock offers: the time, whether it is simulated, a way to let time pass, and ``close``."""

    simulated: bool
    """True when time moves only by :meth:`advance` (virtual time); False for the wall clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""

    def advance(self, seconds: float) -> datetime:
        """Let ``seconds`` pass and return the new time: a virtual clock jumps, a live harness clock
        waits; :class:`SystemClock` raises :class:`WallClockError`."""

    def close(self) -> None:
        """Release what the clock holds (a harness clock's HTTP session); most hold nothing."""


class SystemClock:
    """Wall-clock time."""

    simulated = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, seconds: float) -> datetime:
        raise WallClockError(f"cannot advance the system clock by {seconds!r} s: it runs on real time; "
                             "start the simulator with a VirtualClock to move time")

    def close(self) -> None:
        """Nothing to release."""


class VirtualClock:
    """Time that moves only when told to. Starts at ``start`` (default: the wall clock at creation)."""

    simulated = True

    def __init__(self, start: datetime | None = None):
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
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

    def close(self) -> None:
        """Nothing to release."""


@lru_cache(maxsize=16)
def isoformat(when: datetime) -> str:
    """RFC 3339 / xsd:dateTime in UTC with millisecond precision and a ``Z`` suffix, as SCIM ``meta`` uses.

    Cached: a write formats its transaction's one ``now`` for every row and Sync Log entry it touches."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

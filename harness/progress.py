"""Which live scenarios are waiting, for what, and for how long: the terminal's progress lines.

Why: against a live tenant a run spends most of its time waiting out Code42's deactivation delay.
An engineer watching CI must see that the run is alive and what it waits for, not a silent terminal.
The board is thread-safe because waiting scenarios run concurrently.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from harness.durations import format_duration


@dataclass(frozen=True)
class Wait:
    scenario_id: str
    what: str                 # "code42.user (after deactivation_delay (1m) ± 2m)"
    check_at: datetime        # first check
    closes_at: datetime       # the window closes (last check)


class WaitBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waits: dict[str, Wait] = {}

    def waiting(self, scenario_id: str, what: str, check_at: datetime, closes_at: datetime) -> None:
        with self._lock:
            self._waits[scenario_id] = Wait(scenario_id, what, check_at, closes_at)

    def done(self, scenario_id: str) -> None:
        with self._lock:
            self._waits.pop(scenario_id, None)

    def snapshot(self) -> list[Wait]:
        with self._lock:
            return sorted(self._waits.values(), key=lambda w: w.closes_at)

    def lines(self, now: datetime | None = None) -> list[str]:
        """One line per waiting scenario: what it waits for, when it checks, when its window closes."""
        now = now or datetime.now(UTC)
        out = []
        for w in self.snapshot():
            to_check = (w.check_at - now).total_seconds()
            to_close = max(0.0, (w.closes_at - now).total_seconds())
            state = f"checks in {format_duration(to_check)}" if to_check > 0 else "polling"
            out.append(f"  waiting  {w.scenario_id}: {w.what}: {state}, window closes in {format_duration(to_close)}")
        return out

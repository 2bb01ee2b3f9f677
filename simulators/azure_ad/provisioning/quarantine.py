"""Quarantine: when the job stops running every 40 minutes (azure-ad-behaviour.md §7.6,
application-provisioning-quarantine-status).

Thresholds ("subject to change"): "evaluation starts at ≥5,000 failures; quarantine if >40% of
provisioning events fail **or** >40,000 failures; reference failures (manager, group member) excluded
from those two; absolute cap 60,000 failures including reference failures." While quarantined the
job retries 6 h, 12 h, 24 h after the first failure, then every 24 h; after 4 weeks it is disabled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.common.clock import isoformat


def escrow_threshold_reason(
    failures: int, reference_failures: int, successes: int, *, min_failures: int, proportion: float,
    total: int, absolute: int,
) -> str | None:
    """The quarantine reason the documented escrow thresholds give, or None.

    The doc's worked examples: 4,000 failures → no; 45,000 → yes; 30,000 fail / 5,000 ok → yes;
    20,000 fail / 100,000 ok → no; 40,000 + 21,000 reference = 61,000 → yes.
    """
    if failures + reference_failures > absolute:
        return "EncounteredBaseEscrowThreshold"
    if failures < min_failures:
        return None
    if failures > total:
        return "EncounteredTotalEscrowThreshold"
    events = failures + successes
    if events and failures / events > proportion:
        return "EncounteredEscrowProportionThreshold"
    return None


@dataclass
class QuarantineState:
    #: Graph ``quarantineReason``: EncounteredBaseEscrowThreshold, EncounteredTotalEscrowThreshold,
    #: EncounteredEscrowProportionThreshold, EncounteredQuarantineException, TooManyDeletes, ...
    reason: str
    error_code: str
    message: str
    series_began: datetime
    current_began: datetime
    next_attempt: datetime
    series_count: int = 1

    def to_graph(self) -> dict[str, Any]:
        return {
            "currentBegan": isoformat(self.current_began),
            "nextAttempt": isoformat(self.next_attempt),
            "reason": self.reason,
            "seriesBegan": isoformat(self.series_began),
            "seriesCount": self.series_count,
            "error": {"code": self.error_code, "message": self.message, "tenantActionable": True},
        }


@dataclass
class QuarantineTracker:
    """Enter/extend/leave quarantine and compute the next attempt from the retry schedule."""

    schedule: tuple[timedelta, ...]
    max_duration: timedelta
    state: QuarantineState | None = None
    disabled: bool = False
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def offset(self, attempt: int) -> timedelta:
        """When retry ``attempt`` (1-based) is due, measured from the series' first failure: the schedule
        (6 h, 12 h, 24 h), then one more schedule[-1] (24 h) per further attempt."""
        if attempt <= len(self.schedule):
            return self.schedule[attempt - 1]
        return self.schedule[-1] * (1 + attempt - len(self.schedule))

    def enter(self, now: datetime, reason: str, error_code: str, message: str, email: str | None) -> None:
        if self.state is None:
            self.state = QuarantineState(reason, error_code, message, now, now, now + self.offset(1))
            self._notify(now, "entered", reason, email)
            return
        self.state.series_count += 1
        self.state.current_began = now
        self.state.next_attempt = self.state.series_began + self.offset(self.state.series_count)
        if self.state.reason != reason:
            self._notify(now, "reason changed", reason, email)  # "one email on entry and on reason change"
            self.state.reason, self.state.error_code, self.state.message = reason, error_code, message
        if now - self.state.series_began > self.max_duration:
            self.disabled = True

    def leave(self) -> None:
        self.state = None

    def _notify(self, now: datetime, event: str, reason: str, email: str | None) -> None:
        self.notifications.append({"at": isoformat(now), "event": event, "reason": reason,
                                   "from": "azure-noreply@microsoft.com", "to": email, "sent": email is not None})

"""Escrows: "If there's an error provisioning a user, the service escrows the failure and retries it in
the next cycle" (§7.5), optionally backing off (``escrow_retry_backoff``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class Escrow:
    """One object's failure waiting for a retry; ``reference`` = a manager or member reference failed."""

    object_type: str
    code: str
    reason: str
    first_at: datetime
    attempts: int = 1
    reference: bool = False
    next_attempt_at: datetime | None = None  # None = the next cycle (no backoff)

    def due(self, now: datetime) -> bool:
        return self.next_attempt_at is None or self.next_attempt_at <= now


def escalate(previous: Escrow | None, object_type: str, code: str, reason: str, *, reference: bool,
             now: datetime, backoff: tuple[timedelta, ...]) -> Escrow:
    """The escrow after one more failure: attempts counted, first failure kept, next retry scheduled."""
    attempts = previous.attempts + 1 if previous else 1
    first = previous.first_at if previous else now
    next_at = now + backoff[min(attempts, len(backoff)) - 1] if backoff else None
    return Escrow(object_type, code, reason, first, attempts, reference, next_at)

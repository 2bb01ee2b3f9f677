"""Time as the target sees it: advanced on demand in simulation, waited for in live mode.

Why: the seed's "Code42 waits 15 minutes before deactivating that user" must be checkable in a
millisecond against the mock (through its ``/_sim/clock`` control route) and for real against a
tenant, with the same scenario.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import requests

from harness.errors import HarnessError, RunInterrupted, TargetUnreachable
from simulators.common.http_recording import RecordingSession


class SimulatedTime:
    """The mock's virtual clock, driven over HTTP. Also a :class:`simulators.common.clock.Clock`, so
    the in-process Azure AD engine stamps its requests with the same time the target sees."""

    simulated = True

    def __init__(self, base_url: str, session: RecordingSession | None = None, *, owned: bool = False):
        self.base_url = base_url.rstrip("/")
        # Clock traffic is plumbing, not evidence: keep it out of the scenario's recorded exchanges.
        self._session = requests.Session()
        # ``owned``: nobody but this object moves the mock's VirtualClock (an in-process mock started for
        # one scenario), so the time read once stays true until our own advance. Every recorded
        # exchange stamps its start time, and asking over HTTP each time doubled the requests of a run.
        self._owned = owned
        self._known: datetime | None = None

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._session.request(method, f"{self.base_url}/_sim{path}", timeout=10, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TargetUnreachable(f"sim control at {self.base_url}/_sim did not answer: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise HarnessError(f"{method} /_sim{path} returned HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    def close(self) -> None:
        self._session.close()

    @staticmethod
    def _parse(body: dict) -> datetime:
        text = body.get("now") or body.get("time")
        return datetime.fromisoformat(text).astimezone(UTC)

    def now(self) -> datetime:
        if self._owned and self._known is not None:
            return self._known
        self._known = self._parse(self._call("GET", "/clock"))
        return self._known

    def advance(self, seconds: float) -> datetime:
        """Let ``seconds`` pass on the target (instantly)."""
        if seconds <= 0:
            return self.now()
        self._known = self._parse(self._call("POST", "/clock/advance", json={"seconds": seconds}))
        return self._known

    def advance_to(self, when: datetime) -> datetime:
        return self.advance((when - self.now()).total_seconds())


class RealTime:
    """Wall-clock time for live tenants: advancing means waiting.

    Waits block on ``cancel`` (a :class:`threading.Event`) rather than ``time.sleep``, so Ctrl-C wakes
    every waiting scenario at once and each can clean up before the run ends.
    """

    simulated = False

    def __init__(self, cancel: threading.Event | None = None):
        self.cancel = cancel or threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        """Nothing to release (a :class:`simulators.common.clock.Clock` method)."""

    def advance(self, seconds: float) -> datetime:
        if self.cancel.is_set():
            raise RunInterrupted("the run was interrupted")
        if seconds > 0 and self.cancel.wait(seconds):
            raise RunInterrupted("the run was interrupted while waiting")
        return self.now()

    def advance_to(self, when: datetime) -> datetime:
        return self.advance((when - self.now()).total_seconds())


def backoff_delays(total: float, first: float = 1.0, factor: float = 2.0, cap: float = 60.0):
    """Poll delays for live waits: 1s, 2s, 4s ... capped, summing to ``total``."""
    elapsed, delay = 0.0, first
    while elapsed < total:
        step = min(delay, cap, total - elapsed)
        yield step
        elapsed += step
        delay *= factor

"""Everything one mock Code42 instance holds, in one object the app factory builds.

Why a runtime object: Flask apps are built by ``create_app(config)`` with no globals (DESIGN.md), yet
the SCIM routes, the admin API, the simulation control routes and the background ticker all need the
same store, clock, profile, faults, credentials and rules. ``app.extensions["scimgate"]`` holds it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Self

from simulators.code42.domain.credentials import ScimCredentials
from simulators.code42.domain.faults import Faults
from simulators.code42.domain.hooks import NoRules, ProvisioningRules
from simulators.code42.domain.profile import Code42Profile
from simulators.code42.storage.store import Store
from simulators.common.clock import Clock
from simulators.common.scim import ResourceSchema

log = logging.getLogger("scimgate.code42")


@dataclass
class Code42Runtime:
    """The state of one mock Code42 tenant. ``rules`` is :class:`NoRules` until the factory wires the domain."""

    store: Store
    clock: Clock
    profile: Code42Profile
    faults: Faults
    credentials: ScimCredentials
    rules: ProvisioningRules = field(default_factory=NoRules)
    config: dict[str, Any] = field(default_factory=dict)
    # The User schema the SCIM layer validates, filters and patches with: the bundled one, plus the
    # attributes the provider settings name (the domain refreshes it, see code42/user_schema.py).
    user_schema: ResourceSchema = field(default_factory=lambda: ResourceSchema.for_type("User"))

    _last_tick: datetime | None = field(default=None, init=False, repr=False)
    _tick_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def tick(self) -> Any:
        """Let the rules fire what has fallen due (delayed deactivations) at the clock's current time.

        Rules without a ``tick`` method have nothing timed; the call is then free.
        """
        tick = getattr(self.rules, "tick", None)
        if tick is None:
            return None
        now = self.clock.now()
        with self._tick_lock:
            self._last_tick = now
        return tick(now)

    def tick_if_time_moved(self, min_interval: timedelta = timedelta(0)) -> Any:
        """:meth:`tick`, unless the clock has moved at most ``min_interval`` since the last tick.

        Why this is safe: a deactivation falls due only as time passes, and whatever a request makes
        due *at once* the rules fire inside that request. So on a VirtualClock (``min_interval`` 0) a
        tick is skipped only when virtual time has not moved, which changes nothing; on the wall clock
        a due deactivation fires at most ``min_interval`` late. This keeps the per-request tick (one
        transaction in the domain) off the hot path of a GET.
        """
        if getattr(self.rules, "tick", None) is None:
            return None
        now = self.clock.now()
        with self._tick_lock:
            if self._last_tick is not None and now - self._last_tick <= min_interval:
                return None
        return self.tick()


class Ticker:
    """Call :meth:`Code42Runtime.tick` every ``interval`` seconds in a daemon thread.

    Used when serving on a :class:`~simulators.common.clock.SystemClock`: a pending deactivation must
    fire when its time comes even if no request arrives (requests tick too, see ``app.py``).
    """

    def __init__(self, runtime: Code42Runtime, interval: float = 1.0):
        self._runtime = runtime
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="code42-ticker", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._runtime.tick()
            except Exception:
                log.exception("background tick failed")

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""Everything one mock Code42 instance holds, in one object the app factory builds.

Why a runtime object: Flask apps are built by ``create_app(config)`` with no globals (DESIGN.md), yet
the SCIM routes, the admin API, the simulation control routes and the background ticker all need the
same store, clock, profile, faults, credentials and rules. ``app.extensions["scimgate"]`` holds it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from simulators.code42.auth import ScimCredentials
from simulators.code42.faults import Faults
from simulators.code42.profile import Code42Profile
from simulators.code42.rules import NoRules, ProvisioningRules
from simulators.code42.store import Store
from simulators.common.clock import Clock

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

    def tick(self) -> Any:
        """Let the rules fire what has fallen due (delayed deactivations) at the clock's current time.

        Rules without a ``tick`` method have nothing timed; the call is then free.
        """
        tick = getattr(self.rules, "tick", None)
        return tick(self.clock.now()) if tick is not None else None


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

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Ticker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

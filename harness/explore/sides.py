"""The two Code42 endpoints an exploration drives side by side: the target and the fault-free reference.

Why two full sides (each with its own mock Azure AD directory and engine): the reference must see the
same SCIM traffic the target sees, and an Azure engine keeps per-target state (its connector store of
target ids, escrows). Both directories are seeded alike (``Directory(seed=0)``) and receive the same
operations in the same order, so they stay identical: same objectIds, same Faker-filled attributes.

Time: in simulation both sides run on virtual clocks advanced together through ``/_sim/clock/advance``.
Against a live tenant time cannot be advanced: the explorer skips its "time passes" steps, and before
every comparison the reference's virtual clock is moved forward by the wall-clock time that passed, so
that a pending deactivation falls due on both sides at (nearly) the same moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.drivers.code42_admin import Code42Admin
from harness.drivers.idp import IdpDriver
from harness.errors import ConfigError
from harness.options import HarnessConfig
from harness.scenario import Scenario
from harness.target import MockTargets, Target, make_targets
from harness.target_time import SimulatedTime
from simulators.common.clock import Clock, SystemClock, VirtualClock
from simulators.common.http_recording import Exchange, RecordingSession

TARGET, REFERENCE = "target", "reference"



def _explore_scenario() -> Scenario:
    """What the target factories get in place of a scenario: the run's profile, no overrides, no steps."""
    return Scenario(id="explore/model-based", title="Model-based exploration", area="exploration",
                    doc={"seed": "000_fdc7d7180481efa8.txt", "section": "Supported user provisioning features"},
                    severity="normal", tags=[], requires=["idp", "code42-admin"], profile={}, given={}, when=[],
                    then=[], path=Path("<explore>"), source="")


@dataclass
class Side:
    """One Code42 endpoint with the mock Azure AD that provisions it and the admin client that reads it."""

    name: str
    target: Target
    idp_clock: Clock
    prefix: str = ""
    admin: Code42Admin | None = None
    idp: IdpDriver | None = None
    sessions: list[RecordingSession] = field(default_factory=list)
    matter: str | None = None              # legal hold matter id of the current example, once created

    def begin(self, prefix: str) -> None:
        """Fresh drivers for one Hypothesis example (new recording sessions, new directory)."""
        self.close()
        self.prefix = prefix
        self.matter = None
        client_id, secret = self.target.admin_client  # checked by open_sides
        session = RecordingSession(secrets=self.target.secrets, clock=self.idp_clock)
        self.admin = Code42Admin(self.target.admin_url, client_id, secret, session,
                                 plan=self.target.profile.get("plan"))
        self.idp = IdpDriver(self.target, prefix=prefix, clock=self.idp_clock)
        self.sessions = [session, self.idp.session]

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for this side's Code42 (``/_sim/clock/advance``) and its Azure AD."""
        self.target.clock.advance(seconds)
        self.idp_clock.advance(seconds)

    def exchanges(self) -> list[Exchange]:
        """Everything this side sent in the current example, in time order (admin reads and SCIM)."""
        return sorted((ex for s in self.sessions for ex in s.exchanges), key=lambda ex: ex.started_at)

    def mark(self) -> tuple[int, ...]:
        return tuple(len(s.exchanges) for s in self.sessions)

    def since(self, mark: tuple[int, ...]) -> list[Exchange]:
        """The exchanges after ``mark`` (``RecordingSession.add_secret`` has already scrubbed secrets
        learnt from a response, such as the admin API's OAuth access token)."""
        out = [ex for session, n in zip(self.sessions, mark, strict=True) for ex in session.exchanges[n:]]
        return sorted(out, key=lambda ex: ex.started_at)

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.sessions = []


class SidePair:
    """The target and the reference, plus what differs between simulation and a live tenant."""

    def __init__(self, target: Side, reference: Side, *, run_prefix: str):
        self.target, self.reference = target, reference
        self.run_prefix = run_prefix
        self.simulated = target.target.simulated
        self.examples = 0
        self._wall = time.monotonic()
        # The two sides share nothing, so each step drives them at once: half the wall time per step
        # where the HTTP round trips (not Python) dominate.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scimgate-explore")

    def both(self, work: Callable[[Side], Any]) -> dict[str, Any]:
        """``work(side)`` for the target and the reference concurrently; ``{side name: result}``."""
        futures = {side.name: self._pool.submit(work, side) for side in self.sides}
        return {name: future.result() for name, future in futures.items()}

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.target, self.reference

    @property
    def profile(self) -> dict[str, Any]:
        return self.reference.target.profile

    def begin_example(self) -> str:
        """Start a Hypothesis example from an empty tenant (simulation) or under a fresh sub-prefix (live)."""
        self.examples += 1
        prefix = self.run_prefix
        for side in self.sides:
            if side.target.simulated:
                _reset(side.target)
        if not self.simulated:  # a live tenant cannot be emptied: keep each example's users apart
            prefix = f"{self.run_prefix}-e{self.examples}"  # the separator keeps it under the run's sweep
        for side in self.sides:
            side.begin(prefix)
        self._wall = time.monotonic()
        return prefix

    def follow_wall_clock(self) -> None:
        """Live mode: move the reference's virtual clock by the real time that passed since the last call."""
        if self.simulated:
            return
        now = time.monotonic()
        elapsed, self._wall = now - self._wall, now
        self.reference.target.clock.advance(elapsed)
        self.reference.idp_clock.advance(elapsed)

    def end_example(self) -> list[str]:
        """Live-tenant safety: release this example's legal holds and unassign its users on the target.

        Returns what was done (for the report). The reference is a mock and is reset by the next example.
        """
        done: list[str] = []
        if self.simulated:
            return done
        side = self.target
        try:
            if side.matter is not None:
                side.admin.close_matter(side.matter)
                done.append(f"closed legal hold matter {side.prefix} explore")
            if side.idp is not None:
                done.append(side.idp.cleanup())
        except Exception as exc:  # noqa: BLE001 - cleanup must never hide the verdict; it is reported
            done.append(f"cleanup FAILED: {type(exc).__name__}: {exc}")
        return done

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for side in self.sides:
            side.close()


def _reset(target: Target) -> None:
    clock = target.clock
    if isinstance(clock, SimulatedTime):
        clock._call("POST", "/reset")


@contextmanager
def open_sides(config: HarnessConfig, faults: list[str] | None = None) -> Iterator[SidePair]:
    """Start (or reach) the target and start the reference mock under the same profile.

    ``faults`` switch deviations on in the target when it is the in-process mock; the reference never
    has any. A given target must offer the Code42 admin API: the comparison reads Code42 state there.
    """
    with ExitStack() as stack:
        target = stack.enter_context(make_targets(config, faults).for_scenario(_explore_scenario()))
        if "code42-admin" not in target.capabilities or not target.admin_client:
            reason = target.missing.get("code42-admin", "not configured")
            raise ConfigError(f"explore reads Code42 state through the admin API, which the target lacks: {reason}")
        reference = stack.enter_context(MockTargets(config, []).for_scenario(_explore_scenario()))
        target_clock: Clock = VirtualClock(target.clock.now()) if target.simulated else SystemClock()
        pair = SidePair(Side(TARGET, target, target_clock), Side(REFERENCE, reference, VirtualClock()),
                        run_prefix=target.run_prefix)
        stack.callback(pair.close)
        yield pair

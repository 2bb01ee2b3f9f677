"""Time steps: let time pass on the target (instantly in simulation, for real on a live tenant)."""

from __future__ import annotations

from typing import Any

from harness.context import ScenarioContext
from harness.durations import resolve_time
from harness.steps import step


@step("wait")
def wait(ctx: ScenarioContext, args: Any) -> None:
    """Let ``15m`` (or ``{profile: deactivation_delay, plus: 1m}``) pass on the target's clock."""
    ctx.target.clock.advance(resolve_time(args, ctx.target.profile).offset)

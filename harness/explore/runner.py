"""Run an exploration and say what it found: :func:`explore` returns a plain :class:`ExploreResult`.

Why a plain result: the CLI prints it as text and the pytest plugin turns it into one Allure test
result with both sides' exchanges attached; neither needs to know Hypothesis. Repeatability: without a
seed Hypothesis runs derandomized (the same programs every time, as CI needs); ``seed`` picks another
fixed sequence. The example database is off so a run never depends on an earlier one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.internal.conjecture import engine as conjecture_engine
from hypothesis.reporting import with_reporter
from hypothesis.stateful import get_state_machine_test

from harness.explore.machine import Disagreement, Recorder, RunLog, build_machine
from harness.explore.sides import REFERENCE, TARGET, open_sides
from harness.options import HarnessConfig
from harness.record import format_exchange
from simulators.common.http_recording import Redactor

DEFAULT_EXAMPLES = 25
DEFAULT_SHRINK_SECONDS = 30.0


@dataclass
class ExploreResult:
    """What one exploration did and, if target and reference disagreed, the shrunk program that shows it."""

    target: str
    profile: str
    faults: list[str]
    steps: int                     # the most steps one program may take
    max_examples: int
    seed: int | None
    shrink_seconds: float | None = DEFAULT_SHRINK_SECONDS
    examples_run: int = 0          # programs executed, shrinking replays included
    found_after_s: float | None = None   # time to the first disagreement, before shrinking
    found_after_examples: int | None = None
    found_length: int | None = None      # steps of the first disagreeing program, before shrinking
    steps_run: int = 0
    elapsed_s: float = 0.0
    simulated: bool = True
    program: str = ""              # Hypothesis's own print of the minimal program
    failing: RunLog | None = None  # the minimal program as it ran, with its exchanges
    differences: list[str] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    shrink_stopped: bool = False   # the shrink budget ran out: a shorter program may exist

    @property
    def found(self) -> bool:
        return self.failing is not None

    def summary(self) -> str:
        head = (f"explored {self.target} (profile {self.profile}"
                + (f", faults {', '.join(self.faults)}" if self.faults else "") + f"): {self.examples_run} programs, "
                f"{self.steps_run} steps in {self.elapsed_s:.1f}s (up to {self.steps} steps each, "
                f"{'derandomized' if self.seed is None else f'seed {self.seed}'})")
        if not self.simulated:
            head += "; live target: no time steps, the reference follows the wall clock"
        if not self.found:
            return head + "\nno disagreement between target and reference"
        return (head + f"\nfirst disagreement after {self.found_after_s:.1f}s (program {self.found_after_examples}, "
                f"{self.found_length} steps); shrunk to {len(self.failing.steps)} steps"
                + (f" (shrinking stopped after its {self.shrink_seconds:g}s budget)" if self.shrink_stopped else "")
                + "\nDISAGREEMENT: " + "; ".join(self.differences))

    def transcript(self) -> str:
        """The minimal program step by step: what was done, the reference's state after it, the verdict."""
        if self.failing is None:
            return ""
        lines = [f"Minimal program ({len(self.failing.steps)} steps, prefix {self.failing.prefix}):"]
        for n, step in enumerate(self.failing.steps, 1):
            lines.append(f"{n}. {step.label}")
            counts = ", ".join(f"{side} {len(step.exchanges.get(side, []))} exchanges" for side in (TARGET, REFERENCE))
            lines.append(f"   ({counts})")
            if step.differences:
                lines += [f"   DIFFERS  {d}" for d in step.differences]
            else:
                lines.append("   agree; reference now:")
                lines += [f"   {line}" for line in step.state.splitlines()]
        if self.program:
            lines += ["", "As Hypothesis prints it:", self.program]
        return "\n".join(lines)

    def exchanges_text(self, side: str) -> str:
        """Every exchange ``side`` saw in the minimal program, grouped by step (already redacted)."""
        if self.failing is None:
            return ""
        out = []
        for n, step in enumerate(self.failing.steps, 1):
            out.append(f"===== step {n}: {step.label} =====")
            out += [format_exchange(ex.to_dict()) + "\n" for ex in step.exchanges.get(side, [])]
        return "\n".join(out)

    def text(self) -> str:
        parts = [self.summary()]
        if self.found:
            parts.append(self.transcript())
        if self.cleanup:
            parts.append("cleanup: " + "; ".join(dict.fromkeys(self.cleanup)))
        return "\n\n".join(parts)


def explore(config: HarnessConfig, *, steps: int = 20, max_examples: int = DEFAULT_EXAMPLES,
            seed: int | None = None, faults: list[str] | None = None,
            shrink_seconds: float | None = DEFAULT_SHRINK_SECONDS,
            max_shrinks: int | None = None) -> ExploreResult:
    """Drive random programs of up to ``steps`` operations against the target and the reference.

    ``config`` names the target as for the suite (the in-process mock when no ``--scim-url``);
    ``faults`` are switched on in that mock. Stops at the first disagreement, shrinks it, and returns
    it; harness errors (an unreachable target, bad options) propagate as exceptions. Shrinking stops
    after ``shrink_seconds`` (Hypothesis's documented monkeypatchable ``MAX_SHRINKING_SECONDS``) and the
    best program so far is reported: each replay costs real HTTP round trips. ``shrink_seconds=None``
    lifts that clock, and ``max_shrinks`` bounds shrinking by count instead (Hypothesis's likewise
    monkeypatchable ``MAX_SHRINKS``, successful shrinks): what tests need, since with a clock the
    reported program depends on how fast the machine is.
    """
    if steps < 1 or max_examples < 1:
        raise ValueError("explore needs steps >= 1 and max_examples >= 1")
    recorder = Recorder()
    started = time.perf_counter()
    with open_sides(config, faults) as pair:
        result = ExploreResult(target=pair.target.target.label, profile=pair.target.target.profile_name,
                               faults=list(faults or []), steps=steps, max_examples=max_examples, seed=seed,
                               shrink_seconds=shrink_seconds, simulated=pair.simulated)
        redactor = Redactor([s for side in pair.sides for s in side.target.secrets])
        machine = build_machine(pair, recorder)
        test = get_state_machine_test(machine, settings=settings(
            max_examples=max_examples, stateful_step_count=steps, deadline=None, database=None,
            derandomize=seed is None, phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.normal, print_blob=False))
        if seed is not None:
            test = hypothesis_seed(seed)(test)
        saved = conjecture_engine.MAX_SHRINKING_SECONDS, conjecture_engine.MAX_SHRINKS
        conjecture_engine.MAX_SHRINKING_SECONDS = (  # type: ignore[assignment]
            float("inf") if shrink_seconds is None else shrink_seconds)
        if max_shrinks is not None:
            conjecture_engine.MAX_SHRINKS = max_shrinks
        reported: list[str] = []  # Hypothesis's own messages: kept for the report, never printed mid-run
        try:
            with with_reporter(lambda value: reported.append(str(value))):
                test()
        except Disagreement as exc:
            result.failing = recorder.failing
            result.differences = result.failing.steps[-1].differences if result.failing else exc.lines
            if recorder.failing is recorder.last:  # Hypothesis's notes describe the program it replayed last
                result.program = redactor.text("\n".join(getattr(exc, "__notes__", []) or []))
            if any("spent more than" in r for r in reported):
                result.shrink_stopped = True
        finally:
            conjecture_engine.MAX_SHRINKING_SECONDS, conjecture_engine.MAX_SHRINKS = saved  # type: ignore[assignment]
    result.examples_run, result.steps_run = recorder.runs, recorder.steps
    result.found_after_s, result.found_after_examples = recorder.first_found_s, recorder.runs_to_find
    result.found_length = recorder.found_length
    result.cleanup = recorder.cleanup
    result.elapsed_s = time.perf_counter() - started
    return result

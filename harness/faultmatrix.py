"""Which scenarios catch which mock Code42 fault: the fault matrix, computed in-process.

Why in-process through the engine: a pytest subprocess per fault would pay collection and plugin
start-up 22 times over; the engine runs a scenario against a fresh in-process mock in a fraction of
a second, and the verdict is the same one the plugin reports. A scenario that already fails (or
breaks) with no fault on proves nothing about a fault, so it is left out of every row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from harness.options import HarnessConfig
from harness.scenario import Scenario, discover, load_scenario
from harness.scenario_runner import run_scenario
from harness.target import MockTargets
from harness.verdict import Status


@dataclass
class FaultRow:
    fault: str
    caught_by: list[str] = field(default_factory=list)   # scenarios that fail with the fault on
    broken: list[str] = field(default_factory=list)      # scenarios that break (harness error) with it on
    why: dict[str, str] = field(default_factory=dict)    # scenario id -> the verdict's message
    unattributable: list[str] = field(default_factory=list)  # failed with the fault, and also without it


def load_suite(roots: Iterable[Path]) -> list[Scenario]:
    return [load_scenario(path) for path in discover(list(roots))]


def _targets(faults: list[str]) -> MockTargets:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is noise here
    return MockTargets(HarnessConfig.from_values({}), faults)


def baseline(scenarios: list[Scenario]) -> tuple[list[Scenario], list[str]]:
    """The scenarios that pass with no fault on, and the ids of those that do not."""
    good, bad = [], []
    for scenario in scenarios:
        record = run_scenario(scenario, _targets([]))
        (good if record.status in (Status.PASSED, Status.SKIPPED) else bad).append(scenario)
    return good, [s.id for s in bad]


def row(fault: str, scenarios: list[Scenario], *, first_only: bool = False) -> FaultRow:
    """Run ``scenarios`` with ``fault`` on; ``first_only`` stops at the first scenario that catches it.

    A scenario that fails with the fault is run once more without it, in the same process: only if
    that passes is the failure the fault's (a scenario edited mid-run or failing at random is not).
    """
    out = FaultRow(fault)
    for scenario in scenarios:
        record = run_scenario(scenario, _targets([fault]))
        if record.status not in (Status.PASSED, Status.SKIPPED):
            out.why[scenario.id] = record.message
        if record.status == Status.FAILED:
            if run_scenario(scenario, _targets([])).status != Status.PASSED:
                out.unattributable.append(scenario.id)
                continue
            out.caught_by.append(scenario.id)
            if first_only:
                break
        elif record.status != Status.PASSED and record.status != Status.SKIPPED:
            out.broken.append(scenario.id)
    return out


def _row_from_paths(args: tuple[str, list[str]]) -> FaultRow:
    fault, paths = args
    return row(fault, [load_scenario(Path(p)) for p in paths])


def matrix(faults: list[str], scenarios: list[Scenario], *, jobs: int = 2,
           progress: Callable[[FaultRow], None] | None = None) -> list[FaultRow]:
    """One row per fault, computed ``jobs`` faults at a time in worker processes (the GIL makes
    threads useless for this CPU-bound work)."""
    paths = [str(s.path) for s in scenarios]
    rows: list[FaultRow] = []
    if jobs <= 1:
        for fault in faults:
            rows.append(row(fault, scenarios))
            if progress:
                progress(rows[-1])
        return rows
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_row_from_paths, [(f, paths) for f in faults]):
            rows.append(result)
            if progress:
                progress(result)
    return rows

"""Every mock Code42 fault is caught by a scenario its catalogue entry names (``caught_by``).

Why: a conformance suite is only worth its green if it turns red when the target misbehaves. Each
fault in ``simulators/code42/faults.py`` bends one documented rule; with it on, at least one of the
scenarios listed in ``caught_by`` must fail (and pass with it off, so the failure is the fault's).
Runs in-process through the engine (``harness.faultmatrix``), stopping at the first scenario that
catches each fault; ``bench/fault_matrix.py`` computes the whole matrix that fills ``caught_by``.
"""

from __future__ import annotations

import pytest
from fault_score import SCORE_KEY

from harness.faultmatrix import row
from harness.scenario import discover, load_scenario
from simulators.code42.domain.faults import FAULTS
from simulators.common.bundled import data_dir


@pytest.fixture(scope="module")
def suite() -> dict:
    return {s.id: s for s in (load_scenario(p) for p in discover([data_dir("scenarios")]))}


@pytest.fixture(scope="module")
def score(pytestconfig: pytest.Config) -> dict:
    return pytestconfig.stash.setdefault(SCORE_KEY, {})


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught_by_a_named_scenario(fault: str, suite: dict, score: dict):
    named = FAULTS[fault].caught_by
    score[fault] = False
    assert named, f"{fault}: caught_by is empty; no scenario is known to catch it (run bench/fault_matrix.py)"
    unknown = [sid for sid in named if sid not in suite]
    assert not unknown, f"{fault}: caught_by names scenarios that are not in the suite: {unknown}"
    scenarios = [suite[sid] for sid in named]
    result = row(fault, scenarios, first_only=True)
    assert result.caught_by, (f"{fault}: none of {named} fails with the fault on (and passes without it)"
                              + (f"; broken: {result.broken}" if result.broken else "")
                              + (f"; fail either way: {result.unattributable}" if result.unattributable else ""))
    # row() re-ran the catcher without the fault: it passed, so the failure is the fault's.
    score[fault] = True


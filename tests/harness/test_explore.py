"""Model-based exploration against the mock Code42: it must find seeded faults and stay quiet without them.

Budget: every exploration here runs derandomized (the same programs on every run) with the same small
budget, so the fault-free run proves no false alarm at exactly the effort that finds each fault.
"""

from __future__ import annotations

import re

import pytest

from harness.explore import explore
from harness.options import HarnessConfig
from simulators.code42.faults import FAULTS

STEPS, EXAMPLES, SHRINK_SECONDS = 12, 10, 2.0

#: Faults the explorer must find under the default profile, with what the reference says instead.
FOUND = {
    "deactivate_at_once": "status: target 'deactivated', reference 'blocked'",
    "no_block_on_disable": "status: target 'active', reference 'blocked'",
    "string_false_ignored": "status: target 'active', reference 'blocked'",
    "legal_hold_ignored": "status: target 'deactivated', reference 'blocked'",
    "no_deactivation_on_release": "status: target 'blocked', reference 'deactivated'",
    "country_not_validated": "country: target 'ZZ'",
}


def _config() -> HarnessConfig:
    return HarnessConfig(profile="default", run_prefix="sgexp")


def _explore(faults: list[str]):
    return explore(_config(), steps=STEPS, max_examples=EXAMPLES, faults=faults, shrink_seconds=SHRINK_SECONDS)


def test_the_fault_names_exist():
    assert set(FOUND) <= set(FAULTS)


@pytest.mark.parametrize("fault", sorted(FOUND))
def test_exploration_finds_the_fault(fault):
    result = _explore([fault])
    assert result.found, result.text()
    assert any(FOUND[fault] in line for line in result.differences), result.text()
    steps = result.failing.steps
    assert steps[-1].differences == result.differences
    assert all(not s.differences for s in steps[:-1])      # it stopped at the first disagreement
    assert len(steps) <= STEPS + 1                           # the initial user plus at most STEPS rules
    text = result.text()
    assert "DISAGREEMENT" in text and "Minimal program" in text and "DIFFERS" in text
    assert result.found_after_s is not None and result.found_after_s <= result.elapsed_s


def test_fault_free_mock_reports_nothing_in_the_same_budget():
    result = _explore([])
    assert not result.found, result.text()
    assert result.steps_run >= EXAMPLES  # it really explored
    assert "no disagreement" in result.text()


def test_a_lifecycle_fault_shrinks_to_create_then_disable():
    result = _explore(["deactivate_at_once"])
    labels = [s.label for s in result.failing.steps]
    assert labels == ["create user u1 (department Sales, assigned to the app)", "disable u1 (accountEnabled false)"]


def test_exchanges_of_both_sides_are_kept_and_redacted():
    result = _explore(["no_block_on_disable"])
    for side in ("target", "reference"):
        text = result.exchanges_text(side)
        assert "PATCH " in text and "/scim/v2/Users/" in text     # Azure AD's disable
        assert "GET " in text and "/v1/users?username=" in text   # the admin API read
        assert "Authorization: [REDACTED]" in text and "Bearer" not in text
        assert re.search(r'"access_token": "(?!\[REDACTED\])', text) is None  # the admin OAuth token
    assert result.exchanges_text("target") != result.exchanges_text("reference")  # different mocks, ports


def test_bad_budget_is_a_clear_error():
    with pytest.raises(ValueError, match="steps >= 1"):
        explore(_config(), steps=0)

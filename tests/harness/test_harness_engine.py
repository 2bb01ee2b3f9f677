"""The pytest-free engine against the in-process mock Code42 and mock Azure AD, over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.options import HarnessConfig
from harness.scenario import discover, load_scenario
from harness.scenario_runner import run_scenario
from harness.target import GivenTarget, MockTargets

DISABLE = """\
given:
  users: [{ref: alice, department: Sales}]
  assign: [alice]
when:
  - provision: initial
  - disable: alice
then:
  - code42.user: {ref: alice, blocked: true, active: true}
  - before: {profile: deactivation_delay}
    code42.user: {ref: alice, active: true}
  - after: {profile: deactivation_delay, tolerance: 2m}
    code42.user: {ref: alice, active: false}
"""


def mock_targets(faults=None) -> MockTargets:
    return MockTargets(HarnessConfig.from_values({}), faults)


def test_deactivation_windows_pass_on_virtual_time(write_scenario):
    record = run_scenario(load_scenario(write_scenario("d.yaml", DISABLE)), mock_targets())
    assert record.status == "passed", record.message
    labels = [s.label for s in record.steps]
    assert labels[:3] == ["given", "when[0] provision", "when[1] disable"]
    # Both windows were checked, the 'after' one at least 15 minutes of target time later.
    assert any("15m" in line and "after deactivation_delay" in line for line in record.timeline), record.timeline
    assert any(ex["method"] == "PATCH" and ex["source"] == "azure-ad" for ex in record.exchanges)


def test_fault_makes_the_timing_scenario_fail(write_scenario):
    """deactivate_at_once breaks the seed's 15-minute delay: the 'before' window must catch it."""
    record = run_scenario(load_scenario(write_scenario("d.yaml", DISABLE)), mock_targets(["deactivate_at_once"]))
    assert record.status == "failed" and record.category == "product defect"
    assert "active is False, expected True" in record.message
    assert "line" in record.message


def test_failed_expectation_names_step_line_and_field(write_scenario):
    body = DISABLE.split("then:")[0] + "then:\n  - code42.user: {ref: alice, blocked: false}\n"
    record = run_scenario(load_scenario(write_scenario("d.yaml", body)), mock_targets())
    assert record.status == "failed"
    assert record.message.startswith("then[0] code42.user (line 12): Code42 user sg")
    assert "blocked is True, expected False" in record.message


def test_unknown_template_is_a_harness_error_not_a_defect(write_scenario):
    body = "then:\n  - scim.request: {method: GET, path: '/Users/${nobody.id}', expect: {status: 200}}\n"
    record = run_scenario(load_scenario(write_scenario("t.yaml", body)), mock_targets())
    assert record.status == "broken" and record.category == "harness error"
    assert "nobody" in record.message


def test_secrets_never_reach_the_record(write_scenario):
    body = "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n"
    targets = mock_targets()
    scenario = load_scenario(write_scenario("s.yaml", DISABLE.replace("then:\n", "then:\n" + body.split("then:\n")[1])))
    seen = {}
    original = targets.for_scenario

    def spy(s):
        cm = original(s)
        target = cm.__enter__()
        seen["secrets"] = list(target.secrets)

        class Wrap:
            def __enter__(self):
                return target

            def __exit__(self, *exc):
                return cm.__exit__(*exc)
        return Wrap()

    targets.for_scenario = spy
    record = run_scenario(scenario, targets)
    assert record.status == "passed", record.message
    dumped = json.dumps(record.to_dict())
    assert seen["secrets"] and all(secret not in dumped for secret in seen["secrets"])
    assert "[REDACTED]" in dumped


def test_missing_capability_skips_with_the_probe_reason(write_scenario, live_like_mock):
    url, token = live_like_mock
    config = HarnessConfig.from_values({"scim_url": f"{url}/scim/v2", "scim_token": token, "live": True})
    record = run_scenario(load_scenario(write_scenario("d.yaml", DISABLE)), GivenTarget(config))
    assert record.status == "skipped"
    assert "requires code42-admin (code42-admin: no --code42-api-url given)" in record.skip_reason


def test_profile_override_against_a_fixed_tenant_is_not_verifiable(write_scenario, live_like_mock):
    url, token = live_like_mock
    config = HarnessConfig.from_values({"scim_url": f"{url}/scim/v2", "scim_token": token, "live": True})
    body = "profile: {deactivation_delay_minutes: 0}\nthen:\n  - scim.request: {method: GET, path: /Users}\n"
    record = run_scenario(load_scenario(write_scenario("p.yaml", body)), GivenTarget(config))
    assert record.status == "skipped"
    assert "deactivation_delay_minutes=0" in record.skip_reason


def test_unreachable_target_is_broken_not_failed(write_scenario):
    config = HarnessConfig.from_values({"scim_url": "http://127.0.0.1:9/scim/v2", "scim_token": "abcd1234",
                                        "live": True})
    body = "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n"
    record = run_scenario(load_scenario(write_scenario("u.yaml", body)), GivenTarget(config))
    # the start-of-run probe found no SCIM endpoint: broken, categorised, with the reason in one line
    assert record.status == "broken" and record.category == "target unreachable"
    assert "did not answer the start-of-run probe" in record.message and "connection refused" in record.message


VOCABULARY = Path(__file__).with_name("vocabulary_scenario.yaml")


def test_whole_vocabulary_round_trip_passes():
    """IdP groups/manager/disable, legal hold place/release, credential regeneration, raw SCIM with the
    previous token, and every kind of expectation, against the mocks."""
    record = run_scenario(load_scenario(VOCABULARY), mock_targets())
    assert record.status == "passed", record.message
    assert [s.status for s in record.steps].count("passed") == len(record.steps) == 15
    regenerate = next(s for s in record.steps if s.kind == "code42.regenerate_credentials")
    bodies = [ex["response_body"] for ex in regenerate.exchanges if ex["url"].endswith("/regenerate-credentials")]
    assert bodies and bodies[0]["token"] == "[REDACTED]"


def test_every_expectation_kind_can_fail(tmp_path):
    text = VOCABULARY.read_text()
    for old, new in [("state: deactivated, manager: bob, legal_hold: false", "state: active, manager: alice, legal_hold: true"),
                     ("members: [alice]}\n  - code42", "members: [bob]}\n  - code42"),
                     ("code42.sync_log: {ref: alice}", "code42.sync_log: {ref: alice, action: nonsense}"),
                     ("idp.log: {ref: alice}", "idp.log: {ref: alice, count: 99}"),
                     ("min_count: 1", "count: 7")]:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "neg.yaml"
    path.write_text(text)
    record = run_scenario(load_scenario(path), mock_targets())
    assert record.status == "failed"
    assert [s.label.split()[1] for s in record.steps if s.status == "failed"] == [
        "code42.user", "scim.group", "code42.sync_log", "idp.log", "idp.request"]
    assert "manager is" in record.message and "on an active legal hold: False, expected True" in record.message


@pytest.mark.parametrize(("fault", "caught"), [
    ("legal_hold_ignored", "legal-hold/custodian-blocked-instead-of-deactivated"),
    ("no_deactivation_on_release", "legal-hold/released-custodian-is-deactivated"),
])
def test_bundled_legal_hold_scenarios_catch_their_fault(fault, caught):
    from simulators.common.bundled import data_dir

    seen = set()
    for path in discover([data_dir("scenarios") / "legal-hold"]):
        scenario = load_scenario(path)
        seen.add(scenario.id)
        clean = run_scenario(scenario, mock_targets())
        broken = run_scenario(scenario, mock_targets([fault]))
        assert clean.status == "passed", clean.message
        # Other scenarios may catch the fault too (the suite grows); none may break on it.
        assert broken.status in ("passed", "failed"), (scenario.id, broken.message)
        if scenario.id == caught:
            assert broken.status == "failed", (scenario.id, broken.message)
    assert caught in seen

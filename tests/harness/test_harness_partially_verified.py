"""A scenario that passed with expectations skipped alone must not read as fully verified: each skipped
expectation is its own *skipped* Allure step with the reason, the result is tagged "partially verified"
and says what was not checked, the terminal lists it after the run (also under xdist), and JUnit names
the skipped expectations as properties. Run through the plugin with pytester, as a user runs it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness.report.allure import PARTIAL_TAG

HEAD = "id: partial/{name}\ntitle: {name}\narea: partial\ndoc: {{seed: code42-behaviour.md, section: s}}\n"

# Under the bundled profile rfc-scim (product: scim), then[0] is Code42-only and skipped alone; then[2]
# is a prerequisite the mock does not meet (it does not sort), so the NOT_VERIFIABLE branch skips it alone.
MIXED = """then:
  - basis: code42
    scim.request: {method: GET, path: /ServiceProviderConfig, expect: {body: {bulk: {supported: false}}}}
  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}
  - scim.request: {method: GET, path: /ServiceProviderConfig, prerequisite: true,
                   expect: {body: {sort: {supported: true}}}}
"""
# Fully checked: no marker anywhere.
FULL = "then:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}\n"
# Fails on then[1] and skips then[0]: failed, so not in the passed-but-partial summary.
FAILING = """then:
  - basis: code42
    scim.request: {method: GET, path: /ServiceProviderConfig}
  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 418}}
"""
# Against a target without --code42-api-url: then[2] needs the admin API and is skipped alone.
DISABLE = """given: {users: [{ref: alice}], assign: [alice]}
when:
  - provision: initial
  - disable: alice
then:
  - idp.request: {method: PATCH, path: '^/Users/', body: {Operations: [{path: active}]}, count: 1}
  - scim.user: {ref: alice, attributes: {active: false}}
  - code42.user: {ref: alice, blocked: true}
"""
CODE42_ONLY = ("Code42 behaviour: checked only where the profile says the target is Code42 "
               "(profile 'rfc-scim' has product 'scim')")
SORT_UNMET = ("prerequisite not met, so the scenario cannot be checked on this target: "
              "GET /ServiceProviderConfig: body.sort.supported: expected true, got false")
NO_ADMIN = "requires code42-admin (code42-admin: no --code42-api-url given)"


def _suite(pytester: pytest.Pytester, **bodies: str) -> Path:
    root = pytester.path / "suite"
    root.mkdir(exist_ok=True)
    for name, body in bodies.items():
        (root / f"{name}.yaml").write_text(HEAD.format(name=name) + body)
    return root


def _run(pytester: pytest.Pytester, suite: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "--scenarios", str(suite),
                              f"--alluredir={pytester.path / 'allure'}",
                              "--junitxml", str(pytester.path / "junit.xml"), *args)


def _allure(pytester: pytest.Pytester) -> dict[str, dict[str, Any]]:
    results = (json.loads(p.read_text()) for p in (pytester.path / "allure").glob("*-result.json"))
    return {r["fullName"].split("#")[1]: r for r in results}


def _tags(result: dict[str, Any]) -> set[str]:
    return {label["value"] for label in result["labels"] if label["name"] == "tag"}


def _steps(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["name"], s["status"], (s.get("statusDetails") or {}).get("message", "").strip())
            for s in result["steps"]]


def _junit(pytester: pytest.Pytester) -> dict[str, list[tuple[str, str]]]:
    root = ET.parse(pytester.path / "junit.xml").getroot()
    return {case.get("name"): [(p.get("name"), p.get("value")) for p in case.iter("property")]
            for case in root.iter("testcase")}


def _terminal_section(result: pytest.RunResult) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "passed scenario(s) only partially verified" in line)
    section = []
    for line in lines[start + 1:]:
        if line.startswith(("===", "---")):
            break
        section.append(line)
    return section


@pytest.mark.parametrize("mode", [(), ("--concurrency", "2")], ids=["in-item", "recorded-and-replayed"])
def test_simulation_reports_each_skipped_expectation(pytester, mode):
    """Direct (AllureObserver on the item) and concurrent (steps recorded on threads, replayed)."""
    suite = _suite(pytester, mixed=MIXED, full=FULL, failing=FAILING)
    result = _run(pytester, suite, "--profile", "rfc-scim", *mode)
    result.assert_outcomes(passed=2, failed=1)

    allure = _allure(pytester)
    mixed = allure["partial/mixed"]
    assert mixed["status"] == "passed"
    assert _steps(mixed) == [
        ("then[0] scim.request", "skipped", f"Skipped: not checked: {CODE42_ONLY}"),
        ("then[1] scim.request", "passed", ""),
        ("then[2] scim.request", "skipped", f"Skipped: {SORT_UNMET}"),
    ]
    assert PARTIAL_TAG in _tags(mixed)
    assert (f"**Partially verified**: 2 of 3 expectations were not checked:\n\n"
            f"- then[0] scim.request: {CODE42_ONLY}\n- then[2] scim.request: {SORT_UNMET}") in mixed["description"]
    assert PARTIAL_TAG not in _tags(allure["partial/full"])
    assert "not checked" not in allure["partial/full"]["description"]
    failing = allure["partial/failing"]
    assert PARTIAL_TAG not in _tags(failing)
    assert [s[:2] for s in _steps(failing)] == [("then[0] scim.request", "skipped"), ("then[1] scim.request", "failed")]
    assert "**Not fully checked**: 1 of 2 expectations were not checked" in failing["description"]

    section = _terminal_section(result)
    assert section == [("PARTIAL partial/mixed: 2 of 3 expectations not checked: Code42 behaviour: checked only "
                        "where the profile says the targe [...]; prerequisite not met, so the scenario cannot be "
                        "checked on this [...]")]
    assert all(len(line) < 200 for line in section)

    junit = _junit(pytester)
    assert [p for p in junit["partial/mixed"] if p[0] in ("expectations", "skipped_expectation")] == [
        ("expectations", "3"),
        ("skipped_expectation", f"then[0] scim.request: {CODE42_ONLY}"),
        ("skipped_expectation", f"then[2] scim.request: {SORT_UNMET}"),
    ]
    assert not [p for p in junit["partial/full"] if p[0] == "skipped_expectation"]
    assert ("skipped_expectation", f"then[0] scim.request: {CODE42_ONLY}") in junit["partial/failing"]


def test_live_run_without_the_admin_api_reports_the_admin_check_as_skipped(pytester, live_like_mock, monkeypatch):
    """A live target (the mock served without simulation control) and no --code42-api-url: the scenario's
    SCIM half passes, the admin check is a skipped step, and the run says so."""
    url, token = live_like_mock
    monkeypatch.setenv("SCIMGATE_SCIM_TOKEN", token)
    suite = _suite(pytester, disable=DISABLE)
    result = _run(pytester, suite, "--scim-url", f"{url}/scim/v2", "--live")
    result.assert_outcomes(passed=1)

    disable = _allure(pytester)["partial/disable"]
    then = [s for s in _steps(disable) if s[0].startswith("then")]
    assert then == [("then[0] idp.request", "passed", ""), ("then[1] scim.user", "passed", ""),
                    ("then[2] code42.user", "skipped", f"Skipped: not checked [Code42 behaviour]: {NO_ADMIN}")]
    assert PARTIAL_TAG in _tags(disable)
    assert f"- then[2] code42.user: {NO_ADMIN}" in disable["description"]
    assert _terminal_section(result) == [f"PARTIAL partial/disable: 1 of 3 expectations not checked: {NO_ADMIN}"]
    assert ("skipped_expectation", f"then[2] code42.user: {NO_ADMIN}") in _junit(pytester)["partial/disable"]
    for path in (pytester.path / "allure").iterdir():
        assert token not in path.read_text(errors="replace"), path


def test_xdist_controller_lists_partial_scenarios(pytester):
    """Under -n the scenarios run in a worker; the controller's summary and JUnit come from the reports."""
    suite = _suite(pytester, mixed=MIXED, full=FULL)
    result = _run(pytester, suite, "--profile", "rfc-scim", "-n", "1")
    result.assert_outcomes(passed=2)
    assert [line.split(":")[0] for line in _terminal_section(result)] == ["PARTIAL partial/mixed"]
    assert [v for k, v in _junit(pytester)["partial/mixed"] if k == "skipped_expectation"] == [
        f"then[0] scim.request: {CODE42_ONLY}", f"then[2] scim.request: {SORT_UNMET}"]

"""The Allure results a failing scenario leaves, and the single-file report rendered in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser import chromium, rendered_text, result_view

from harness import cli
from harness.report.html import missing_tools

FAILING = """\
id: report/alice-blocked
title: Alice is blocked as soon as she is provisioned
area: reporting
doc: {seed: 000_fdc7d7180481efa8.txt, section: "Deactivation delay"}
severity: critical
tags: [smoke]
requires: [code42-admin]
given: {users: [{ref: alice}], assign: [alice]}
when:
  - provision: initial
then:
  - code42.user: {ref: alice, active: true}
  - code42.user: {ref: alice, blocked: true}
"""


def _results(pytester: pytest.Pytester, *extra: str) -> Path:
    suite = pytester.path / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "alice.yaml").write_text(FAILING)
    out = pytester.path / "allure"
    pytester.runpytest("-p", "no:cacheprovider", str(suite), "--scenarios", str(suite), f"--alluredir={out}",
                       *extra).assert_outcomes(failed=1)
    return out


def _check_result(out: Path) -> None:
    [result] = [json.loads(p.read_text()) for p in out.glob("*-result.json")]
    labels = {(lab["name"], lab["value"]) for lab in result["labels"]}
    assert {("epic", "Code42 SCIM provisioning from Azure AD"), ("feature", "reporting"), ("severity", "critical"),
            ("story", "Alice is blocked as soon as she is provisioned"), ("tag", "smoke")} <= labels
    assert result["links"][0]["name"] == "000_fdc7d7180481efa8.txt § Deactivation delay"
    assert "Deactivation-delay" in result["links"][0]["url"]
    assert {p["name"]: p["value"] for p in result["parameters"]}["profile"] == "'default'"
    assert "target" in {p["name"] for p in result["parameters"]}
    # one Allure step per given/when/then step, in order, the failed one marked failed
    assert [s["name"] for s in result["steps"]] == ["given", "when[0] provision", "then[0] code42.user",
                                                     "then[1] code42.user"]
    assert [s["status"] for s in result["steps"]] == ["passed", "passed", "passed", "failed"]
    exchanges = [a for s in result["steps"] for a in s.get("attachments", [])]
    assert any(a["name"].startswith("azure-ad ") and "/scim/v2/Users" in a["name"] for a in exchanges)
    # the harness reads the Code42 user through py42 (the default profile is a CrashPlan plan: the console API)
    assert any(a["name"].startswith("harness ") and "/api/v1/User" in a["name"] for a in exchanges)
    for attachment in exchanges:
        text = (out / attachment["source"]).read_text()
        assert not re.search(r"(?i)^authorization: (?!\[REDACTED\])", text, flags=re.MULTILINE), attachment["name"]
    names = {a["name"] for a in result["attachments"]}
    assert {"scenario alice.yaml", "timeline"} <= names
    source = next(a for a in result["attachments"] if a["name"] == "scenario alice.yaml")
    assert (out / source["source"]).read_text() == FAILING
    timeline = next(a for a in result["attachments"] if a["name"] == "timeline")
    assert "failed  then[1] code42.user" in (out / timeline["source"]).read_text()
    env = (out / "environment.properties").read_text()
    for key in ("target=", "profile=default", "scimgate=", "pytest=", "allure-pytest=", "python="):
        assert key in env
    categories = {c["name"]: c for c in json.loads((out / "categories.json").read_text())}
    assert {"Product defects", "Target unreachable", "Harness errors", "Not verifiable"} <= set(categories)
    assert categories["Target unreachable"]["matchedStatuses"] == ["broken"]


def test_allure_results_carry_the_whole_story(pytester):
    _check_result(_results(pytester))


@pytest.fixture
def browser_tools() -> None:
    """Node.js (Allure's CLI renders the report) and Debian's Chromium, or a skip naming what is missing."""
    missing = missing_tools()
    if missing is not None:
        pytest.skip(f"HTML rendering needs Node.js: {missing}")
    binary, why = chromium()
    if binary is None:
        pytest.skip(f"chromium cannot be installed: {why}")


def test_concurrent_runs_replay_the_same_story_into_allure(pytester):
    """``--concurrency 2`` runs scenarios on worker threads; the steps are replayed on the item."""
    _check_result(_results(pytester, "--concurrency", "2"))


@pytest.mark.slow
@pytest.mark.usefixtures("browser_tools")
def test_report_renders_the_failed_scenario_in_chromium(pytester, tmp_path):
    results = _results(pytester)
    html = tmp_path / "html"
    assert cli.main(["report", "--results", str(results), "--output", str(html)]) == 0
    index = html / "index.html"
    tree = rendered_text(index)
    assert "Alice is blocked as soon as she is provisioned" in tree
    page = rendered_text(index, open_first_result=True)
    assert "then[1] code42.user" in page and "[product defect]" in page
    assert "Category: Product defects" in page


PARTIAL = """\
id: report/partially-verified
title: Discovery, partly Code42
area: reporting
doc: {seed: code42-behaviour.md, section: s}
then:
  - basis: code42
    scim.request: {method: GET, path: /ServiceProviderConfig, expect: {body: {bulk: {supported: false}}}}
  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}
"""


@pytest.mark.slow
@pytest.mark.usefixtures("browser_tools")
def test_report_shows_a_skipped_expectation_of_a_passed_scenario(pytester, tmp_path):
    """Under the profile rfc-scim the Code42-only expectation is skipped alone; the page shows it as a
    skipped step, the tag, and what was not checked."""
    suite = pytester.path / "suite"
    suite.mkdir()
    (suite / "partial.yaml").write_text(PARTIAL)
    results = pytester.path / "allure"
    pytester.runpytest("-p", "no:cacheprovider", "--scenarios", str(suite), "--profile", "rfc-scim",
                       f"--alluredir={results}").assert_outcomes(passed=1)
    html = tmp_path / "html"
    assert cli.main(["report", "--results", str(results), "--output", str(html)]) == 0
    view = result_view(html / "index.html", "passed")
    assert view.steps == [("then[0] scim.request", "skipped"), ("then[1] scim.request", "passed")]
    assert "partially verified" in view.text
    assert ("Partially verified: 1 of 2 expectations were not checked: then[0] scim.request: Code42 behaviour: "
            "checked only where the profile says the target is Code42") in view.description

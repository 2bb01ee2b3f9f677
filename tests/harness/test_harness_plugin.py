"""The pytest plugin, run in-process with pytester: collection, selection, skips, known deviations,
Allure results and secret hygiene."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

DISCOVERY = """\
id: core/discovery
title: ServiceProviderConfig is served
area: RFC 7644 core
doc: {seed: code42-behaviour.md, section: "6. Recommended mock surface"}
severity: critical
tags: [smoke]
then:
  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}
"""

WRONG = """\
id: core/wrong-status
title: A scenario the mock does not satisfy
area: RFC 7644 core
doc: {seed: code42-behaviour.md, section: "3.10"}
then:
  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 418}}
"""

NEEDS_ADMIN = """\
id: code42/needs-admin
title: Needs the admin API
area: creation
doc: {seed: 000_fdc7d7180481efa8.txt, section: "Supported"}
requires: [code42-admin]
then:
  - scim.request: {method: GET, path: /Users}
"""

BAD = """\
id: bad/x
title: Bad
area: a
doc: {seed: s, section: x}
then:
  - code42.user:
      ref: alice
      blocked: 'yes'
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Path:
    root = pytester.path / "suite"
    (root / "core").mkdir(parents=True)
    (root / "core" / "discovery.yaml").write_text(DISCOVERY)
    (root / "core" / "wrong.yaml").write_text(WRONG)
    (root / "profiles").mkdir()
    (root / "profiles" / "ignored.yaml").write_text("not: a scenario\n")
    return root


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def test_collects_scenarios_and_reports_outcomes(pytester, suite):
    result = run(pytester, "--scenarios", str(suite), "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*core/discovery.yaml::core/discovery PASSED*",
        "*core/wrong.yaml::core/wrong-status FAILED*",
        "*[[]product defect[]] then[[]0[]] scim.request (line 6) [[]RFC MUST[]]: GET /ServiceProviderConfig: expected HTTP 418, got 200*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_keyword_and_marker_selection(pytester, suite):
    run(pytester, "--scenarios", str(suite), "-k", "discovery").assert_outcomes(passed=1)
    result = run(pytester, "--scenarios", str(suite), "-m", "smoke")
    result.assert_outcomes(passed=1, deselected=1)


def test_bad_file_is_one_collection_error_without_traceback(pytester, suite):
    (suite / "core" / "bad.yaml").write_text(BAD)
    result = run(pytester, "--scenarios", str(suite))
    result.stdout.fnmatch_lines(["*core/bad.yaml:8: then[[]0[]].code42.user.blocked: 'yes' is not of type 'boolean'*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "Traceback" not in result.stdout.str()


def test_duplicate_ids_are_a_collection_error(pytester, suite):
    (suite / "core" / "copy.yaml").write_text(DISCOVERY)
    result = run(pytester, "--scenarios", str(suite))
    result.stdout.fnmatch_lines(["*id: 'core/discovery' is already used by*"])


def test_unmet_requirement_is_skipped_with_the_reason(pytester, live_like_mock, monkeypatch):
    url, token = live_like_mock
    root = pytester.path / "s"
    root.mkdir()
    (root / "needs.yaml").write_text(NEEDS_ADMIN)
    monkeypatch.setenv("SCIMGATE_SCIM_TOKEN", token)
    result = run(pytester, "--scenarios", str(root), "--scim-url", f"{url}/scim/v2", "--live", "-rs",
                 "--junitxml", str(pytester.path / "junit.xml"), f"--alluredir={pytester.path / 'allure'}")
    result.assert_outcomes(skipped=1)
    for path in (pytester.path / "allure").iterdir():
        assert token not in path.read_text(errors="replace"), path
    result.stdout.fnmatch_lines(["*[[]not verifiable[]] requires code42-admin (code42-admin: no --code42-api-url given)*"])
    assert token not in result.stdout.str()
    assert token not in (pytester.path / "junit.xml").read_text()


def test_live_target_needs_explicit_consent(pytester, suite):
    result = run(pytester, "--scenarios", str(suite), "--scim-url", "http://127.0.0.1:9/scim/v2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--scim-url http://127.0.0.1:9/scim/v2 names a real target: add --live*"])


def _deviations(pytester, entries: list[dict]) -> str:
    path = pytester.path / "deviations.yaml"
    import yaml

    path.write_text(yaml.safe_dump(entries))
    return str(path)


def test_known_deviation_failing_is_xfail_with_reason(pytester, suite):
    future = (date.today() + timedelta(days=30)).isoformat()
    dev = _deviations(pytester, [{"id": "core/wrong-status", "reason": "teapot pending", "ticket": "SG-1",
                                  "expires": future}])
    result = run(pytester, "--scenarios", str(suite), "--known-deviations", dev, "-rx")
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*known deviation (SG-1, expires*teapot pending*"])


def test_known_deviation_that_passes_fails_the_run(pytester, suite):
    future = (date.today() + timedelta(days=30)).isoformat()
    dev = _deviations(pytester, [{"id": "core/discovery", "reason": "was broken", "ticket": "SG-2", "expires": future}])
    result = run(pytester, "--scenarios", str(suite), "--known-deviations", dev)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*[[]known deviation passes[]] core/discovery is listed*remove the entry*"])


def test_expired_known_deviation_fails_the_run(pytester, suite):
    past = (date.today() - timedelta(days=1)).isoformat()
    dev = _deviations(pytester, [{"id": "core/wrong-status", "reason": "r", "ticket": "SG-3", "expires": past}])
    result = run(pytester, "--scenarios", str(suite), "--known-deviations", dev)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*[[]known deviation expired[]]*SG-3*"])


def test_malformed_deviation_file_is_a_usage_error(pytester, suite):
    dev = _deviations(pytester, [{"id": "x", "reason": "r"}])
    result = run(pytester, "--scenarios", str(suite), "--known-deviations", dev)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--known-deviations*[[]0[]]*'ticket' is a required property*"])


def test_allure_results_carry_labels_steps_attachments_and_no_secret(pytester, suite):
    out = pytester.path / "allure"
    run(pytester, "--scenarios", str(suite), f"--alluredir={out}").assert_outcomes(passed=1, failed=1)
    results = {r["fullName"].split("#")[1]: r for r in
               (json.loads(p.read_text()) for p in out.glob("*-result.json"))}
    ok = results["core/discovery"]
    labels = {(lab["name"], lab["value"]) for lab in ok["labels"]}
    assert {("feature", "RFC 7644 core"), ("severity", "critical"), ("tag", "smoke"),
            ("story", "ServiceProviderConfig is served")} <= labels
    assert ok["links"][0]["name"] == "code42-behaviour.md § 6. Recommended mock surface"
    assert [p["name"] for p in ok["parameters"]] == ["profile", "target"]
    assert ok["steps"][0]["name"] == "then[0] scim.request"
    exchange = ok["steps"][0]["attachments"][0]
    assert exchange["name"].startswith("harness 1: GET /scim/v2/ServiceProviderConfig -> 200")
    text = (out / exchange["source"]).read_text()
    assert "Authorization: [REDACTED]" in text and "HTTP 200" in text
    assert {a["name"] for a in ok["attachments"]} == {"scenario discovery.yaml", "timeline"}
    bad = results["core/wrong-status"]
    assert bad["status"] == "failed" and "[product defect]" in bad["statusDetails"]["message"]
    assert bad["steps"][0]["status"] == "failed"
    categories = json.loads((out / "categories.json").read_text())
    assert {c["name"] for c in categories} >= {"Product defects", "Target unreachable", "Harness errors",
                                                "Not verifiable"}
    env = (out / "environment.properties").read_text()
    assert "target=mock Code42 (in-process, simulated time)" in env and "profile=default" in env
    for path in out.iterdir():
        assert not re.search(r"(?i)authorization: (?!\[REDACTED\])", path.read_text(errors="replace")), path


def test_bare_pytest_adds_the_bundled_suite_from_testpaths(pytester):
    pytester.makeini("[pytest]\ntestpaths = tests\nbundled_scenarios = true\n")
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    result = run(pytester, "--collect-only", "-q")
    out = result.stdout.str()
    assert "tests/test_a.py::test_a" in out
    assert "rfc7644-core/discovery-service-provider-config" in out


def test_runs_without_testpaths_do_not_pick_up_the_bundled_suite(pytester):
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = run(pytester, "--collect-only", "-q")
    assert "rfc7644-core" not in result.stdout.str()

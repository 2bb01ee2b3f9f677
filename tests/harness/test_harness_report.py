"""The single-file HTML report (npm allure 3) and the CLI around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import cli
from harness.report.allure import CATEGORIES
from harness.report.html import allurerc, missing_tools, render_html


def test_allurerc_carries_the_categories(tmp_path):
    text = allurerc("x", tmp_path)
    assert text.startswith("export default ")
    config = json.loads(text[len("export default "):].rstrip().rstrip(";"))
    assert config["categories"] == CATEGORIES
    assert config["plugins"]["awesome"]["options"]["singleFile"] is True


def test_report_without_results_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["report", "--results", str(tmp_path / "none"), "--output", str(tmp_path / "html")]) == 2
    assert "no Allure results in" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(missing_tools() is not None, reason=f"HTML rendering needs Node.js: {missing_tools()}")
def test_run_then_single_file_html(pytester: pytest.Pytester, tmp_path: Path):
    """Results from a real plugin run render into one self-contained index.html (npm allure, pinned)."""
    suite = pytester.path / "suite"
    suite.mkdir()
    (suite / "d.yaml").write_text(
        "id: core/d\ntitle: SPC\narea: core\ndoc: {seed: s, section: x}\n"
        "then:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}\n")
    results = pytester.path / "results"
    pytester.runpytest("-p", "no:cacheprovider", "--scenarios", str(suite), f"--alluredir={results}"
                       ).assert_outcomes(passed=1)
    index = render_html(results, tmp_path / "html", log=lambda m: None)
    assert index.name == "index.html" and index.stat().st_size > 100_000
    assert [p.name for p in index.parent.glob("*.html")] == ["index.html"]


def test_scenarios_list_reports_invalid_files(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("id: a/b\ntitle: t\narea: a\ndoc: {seed: s, section: x}\nthen: []\n")
    assert cli.main(["scenarios", "--list", str(tmp_path)]) == 1
    assert "INVALID" in capsys.readouterr().err


def test_scenarios_list_prints_the_bundled_suite(capsys):
    assert cli.main(["scenarios", "--list"]) == 0
    assert "rfc7644-core/discovery-service-provider-config" in capsys.readouterr().out


def test_serve_without_simulator_module_says_what_is_missing(monkeypatch, capsys):
    monkeypatch.setitem(cli.SERVERS, "azure-ad", "simulators.azure_ad.no_such_module")
    assert cli.main(["serve", "azure-ad"]) == 2
    assert "simulators.azure_ad.no_such_module is not available" in capsys.readouterr().err


def test_faults_lists_the_catalogue(capsys):
    assert cli.main(["faults"]) == 0
    assert "deactivate_at_once" in capsys.readouterr().out

"""Plugin hygiene: the bundled scenarios are collected only when asked, and the documented live
invocation works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess of this interpreter (scimgate installed), with no SCIMGATE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCIMGATE_", "PYTEST_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _project(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_own.py").write_text("def test_own():\n    pass\n")
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    return root


def test_an_unrelated_project_collects_none_of_the_bundled_scenarios(tmp_path):
    project = _project(tmp_path / "other")
    done = _pytest(project, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tests/test_own.py::test_own" in done.stdout
    assert "1 test collected" in done.stdout, done.stdout
    assert "rfc7644" not in done.stdout and ".yaml" not in done.stdout
    run = _pytest(project, "-q")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr


def test_the_ini_key_asks_for_the_bundled_suite(tmp_path):
    project = _project(tmp_path / "asks")
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
                                            "bundled_scenarios = true\n")
    done = _pytest(project, "--collect-only", "-q")
    assert "tests/test_own.py::test_own" in done.stdout
    assert "rfc7644-core/" in done.stdout, done.stdout


def test_the_documented_live_invocation_works_from_any_directory(tmp_path):
    """docs/live-tenant.md: ``pytest --scim-url ... --live`` run outside a checkout collects the suite
    (and nothing of the folder it was started in)."""
    elsewhere = tmp_path / "anywhere"
    elsewhere.mkdir()
    (elsewhere / "test_stray.py").write_text("def test_stray():\n    raise AssertionError('not mine')\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                           "--scim-url", "http://127.0.0.1:9/scim/v2", "--live"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("SCIMGATE_")},
                               "SCIMGATE_SCIM_TOKEN": "unused-token"})
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "test_stray" not in out
    assert "rfc7644" in out
    assert "site-packages" not in out and "../" not in out, "scenario paths are shown relative to the suite"

"""Fixtures for the harness tests: scenario text helpers and a mock Code42 served over real HTTP."""

from __future__ import annotations

import secrets
import textwrap
from pathlib import Path

import pytest

from simulators.code42.app import create_app
from simulators.common.server import ServerThread

HEAD = """\
id: {id}
title: {title}
area: {area}
doc: {{seed: 000_fdc7d7180481efa8.txt, section: "Deactivation delay"}}
"""


def scenario_text(body: str, *, id: str = "test/x", title: str = "X", area: str = "testing") -> str:
    return HEAD.format(id=id, title=title, area=area) + textwrap.dedent(body)


@pytest.fixture
def write_scenario(tmp_path: Path):
    def write(name: str, body: str, **head: str) -> Path:
        path = tmp_path / "scenarios" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(scenario_text(body, **head), encoding="utf-8")
        return path
    return write


@pytest.fixture
def live_like_mock():
    """A mock Code42 without sim control, standing in for a live tenant (token known to the test)."""
    token = "tok-" + secrets.token_urlsafe(16)
    app = create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False,
                      "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": "sec-" + secrets.token_urlsafe(12)})
    with ServerThread(app, threads=2) as server:
        yield server.url, token


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the fault-detection score (tests/harness/test_fault_detection.py) when it ran."""
    from fault_score import SCORE_KEY

    score = config.stash.get(SCORE_KEY, None)
    if not score:
        return
    caught = sorted(name for name, ok in score.items() if ok)
    missed = sorted(name for name, ok in score.items() if not ok)
    terminalreporter.section("scimgate fault detection")
    terminalreporter.write_line(f"faults caught: {len(caught)}/{len(score)}")
    if missed:
        terminalreporter.write_line(f"not caught: {', '.join(missed)}", red=True)

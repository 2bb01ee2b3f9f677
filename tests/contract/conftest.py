"""Fixtures for the Code42 SDK contract: a served, seeded mock per test, and the two clock modes; and
the terminal summary of every SDK contract run (Code42's and the Graph SDKs').

- ``seeded``: a fresh mock (subprocess, real HTTP) holding :mod:`code42_seed`'s data.
- ``clock_mode``: ``"still"`` or ``"advancing"``; with ``"advancing"`` the contract moves the virtual
  clock by three deactivation delays before every call (issue 12: "no 401" on simulated time).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():  # the SDKs' own pydantic-v1-style deprecation noise, raised at import
    warnings.simplefilter("ignore")
    import incydr  # noqa: F401
    import py42.sdk  # noqa: F401
from code42_contract import SUMMARY_PROPERTY, Contract
from code42_seed import Seed, seed
from code42_served import served_mock
from graph_sdk_matrix import GRAPH_SUMMARY_PROPERTY


@pytest.fixture
def seeded() -> Iterator[Seed]:
    with served_mock() as mock:
        yield seed(mock)


@pytest.fixture(params=["still", "advancing"])
def clock_mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def contract(seeded: Seed, clock_mode: str, request: pytest.FixtureRequest) -> Iterator[Contract]:
    """The recorder of one contract run; its summary line becomes the test's ``code42_sdk`` property, which
    reaches the terminal summary from xdist workers too."""
    between = None
    if clock_mode == "advancing":
        step = 3 * seeded.mock.deactivation_delay_seconds()
        between = lambda: seeded.mock.advance(step)
    recorder = Contract(f"{request.node.name}, clock {clock_mode}", between=between)
    yield recorder


def pytest_terminal_summary(terminalreporter) -> None:
    """Print every contract run's ``code42 sdk: N/M calls ok`` and ``graph sdk: N/M calls ok`` line, passed
    or not (stdout is captured)."""
    for reports in list(terminalreporter.stats.values()):
        for report in reports:
            if getattr(report, "when", None) == "call":
                for name, value in getattr(report, "user_properties", ()):
                    if name in (SUMMARY_PROPERTY, GRAPH_SUMMARY_PROPERTY):
                        terminalreporter.write_line(value)

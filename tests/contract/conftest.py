"""Fixtures for the Code42 SDK contract: a served, seeded mock per test, and the two clock modes.

- ``seeded``: a fresh mock (subprocess, real HTTP) holding a small org chart pushed through SCIM (a manager
  and four reports with title, department, division, employee type, location and manager; three groups)
  and three legal hold policies made through the admin API, so every list has more than one page at the
  page sizes the tests use.
- ``clock_mode``: ``"still"`` or ``"advancing"``; with ``"advancing"`` the contract moves the virtual
  clock by three deactivation delays before every call (issue 12: "no 401" on simulated time).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

with warnings.catch_warnings():  # the SDKs' own pydantic-v1-style deprecation noise, raised at import
    warnings.simplefilter("ignore")
    import incydr  # noqa: F401
    import py42.sdk  # noqa: F401
from code42_contract import Contract
from code42_served import ServedMock, served_mock

REPORTS = [  # username, first, last, department
    ("ada.lovelace@acme.example", "Ada", "Lovelace", "Research"),
    ("bob.babbage@acme.example", "Bob", "Babbage", "Research"),
    ("cy.hopper@acme.example", "Cy", "Hopper", "Sales"),
    ("dee.turing@acme.example", "Dee", "Turing", "Sales"),
]
MANAGER = ("mia.manager@acme.example", "Mia", "Manager", "Leadership")
GROUPS = {"Research and development": [0, 1], "Sales team": [2, 3], "Everyone": [0, 1, 2, 3]}
POLICIES = ["Seed policy 1", "Seed policy 2", "Seed policy 3"]


@dataclass
class Seed:
    mock: ServedMock
    manager: dict = field(default_factory=dict)  # {"username", "scim_id", "uid", "user_id"}
    reports: list[dict] = field(default_factory=list)
    group_names: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    policy_ids: list[str] = field(default_factory=list)


def _code42_ids(mock: ServedMock, username: str) -> dict:
    """The Code42 ids of a provisioned user, read back the way the Incydr API lists users."""
    response = mock.admin("GET", "/v1/users", params={"username": username})
    response.raise_for_status()
    user = response.json()["users"][0]
    return {"uid": user["userId"], "user_id": int(user["legacyUserId"])}


def seed(mock: ServedMock) -> Seed:
    data = Seed(mock)
    username, first, last, department = MANAGER
    created = mock.scim_user(username, first=first, last=last, department=department, division="Executive",
                             title="Director")
    data.manager = {"username": username, "scim_id": created["id"], **_code42_ids(mock, username)}
    for username, first, last, department in REPORTS:
        created = mock.scim_user(username, first=first, last=last, department=department, division="R&D",
                                 title="Engineer", manager=data.manager["scim_id"])
        data.reports.append({"username": username, "scim_id": created["id"], **_code42_ids(mock, username)})
    for name, members in GROUPS.items():
        mock.scim_group(name, [data.reports[i]["scim_id"] for i in members])
    data.group_names = list(GROUPS)
    data.departments = sorted({MANAGER[3], *(r[3] for r in REPORTS)})
    for name in POLICIES:
        response = mock.admin("POST", "/v1/legal-hold/policies", json={"name": name})
        response.raise_for_status()
        data.policy_ids.append(response.json()["policyId"])
    return data


@pytest.fixture
def seeded() -> Iterator[Seed]:
    with served_mock() as mock:
        yield seed(mock)


@pytest.fixture(params=["still", "advancing"])
def clock_mode(request: pytest.FixtureRequest) -> str:
    return request.param


_SUMMARIES = pytest.StashKey[list[str]]()


@pytest.fixture
def contract(seeded: Seed, clock_mode: str, request: pytest.FixtureRequest) -> Iterator[Contract]:
    between = None
    if clock_mode == "advancing":
        step = 3 * seeded.mock.deactivation_delay_seconds()
        between = lambda: seeded.mock.advance(step)
    recorder = Contract(f"{request.node.name}, clock {clock_mode}", between=between)
    yield recorder
    request.config.stash.setdefault(_SUMMARIES, []).append(f"{recorder.summary()} ({recorder.name})")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """Print every contract run's ``code42 sdk: N/M calls ok`` line, passed or not (stdout is captured)."""
    for line in config.stash.get(_SUMMARIES, []):
        terminalreporter.write_line(line)

"""The data the SDK contract runs on, pushed through the served mock's SCIM and admin APIs: a manager and
four reports (title, department, division, employee type, location, manager), three groups, and three
legal hold policies, so every list has more than one page at the page sizes the contract uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from code42_served import ServedMock

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

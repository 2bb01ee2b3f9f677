"""Contract: Code42's Incydr SDK (``incydr`` on PyPI), unchanged and unpatched, against the served mock.

Every SDK method of the areas issue 12 names is called: users (get/list/paging, roles, move,
activate/deactivate, devices/agents), orgs, legal hold (policies, matters, custodians, a user's matters),
directory groups, departments, actors, risk profiles, customer, audit log. A call passes when it returns,
the model fields the mock has data for are filled, and its iterator stops (bounded by an item count).
The run prints ``code42 sdk: N/M calls ok``; N must equal M. It runs twice: with the virtual clock still,
and with it advanced by three deactivation delays before every call (sessions must not die on
simulated time).

Left out: the calls on one device or agent (``devices.v1.get_device``, ``agents.v1.get_agent|update|
activate|deactivate``). The mock provisions people; no agent ever registers a device with it, so there is no
device to read or act on, and what Code42 answers for an unknown agent id is not recorded anywhere.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import incydr
import pytest
from code42_contract import (
    SUMMARY_PROPERTY,
    Contract,
    all_filled,
    bounded,
    count,
    each,
    equals,
    filled,
    satisfies,
)
from code42_seed import Seed

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDKs' pydantic-v1-style calls

# Every field of incydr's User model but ``notes`` (the console's notes: nobody has any until py42 writes some).
USER_FILLED = all_filled(unset=("notes",))
# A provisioned person's actor and risk profile: empty only where nothing has set them yet (dates, notes) and,
# for an actor, its parent (each actor is its own parent, so none is named). The manager has no manager.
ACTOR_UNSET = ("start_date", "end_date", "notes", "parent_actor_id")
PROFILE_UNSET = ("start_date", "end_date", "notes")
MANAGER_UNSET = {"actor": ("manager_actor_id",), "profile": ("manager_id", "manager_username", "manager_display_name")}
# An org's deactivation date is empty while it is active; the root org has no parent; the profile's orgs
# have no external reference or notes.
ORG_UNSET = ("deactivation_date", "parent_org_guid", "org_ext_ref", "notes")
# The mock has no devices or agents: Code42 only lists those a backup/Incydr agent registered.
LIMIT = 50  # items an iterator may yield before it counts as not terminating


def _people_filled(seed: Seed, kind: str, name_of) -> Any:
    """Every seeded person in a page is filled as far as the mock knows them (the profile's local admin, who
    has no SCIM attributes, is left out); all of them must be there."""
    unset = ACTOR_UNSET if kind == "actor" else PROFILE_UNSET
    people = {r["username"]: all_filled(unset=unset) for r in seed.reports}
    people[seed.manager["username"]] = all_filled(unset=unset + MANAGER_UNSET[kind])

    def check(items: list) -> None:
        seen = {name_of(item): item for item in items}
        missing = sorted(set(people) - set(seen))
        assert not missing, f"not listed: {missing}"
        for name, inner in people.items():
            inner(seen[name])
    return check


def _actor_for(client, username):
    page = client.actors.v1.get_page(name_starts_with=username)
    return next(a for a in page.actors if a.name == username)


@dataclass
class _Run:
    """What every area of the contract uses: the recorder, the SDK client and the seeded people."""

    c: Contract
    client: Any
    seed: Seed
    tenant: Any
    tmp_path: Path

    @property
    def mock(self):
        return self.seed.mock

    @property
    def ada(self) -> dict:
        return self.seed.reports[0]

    @property
    def bob(self) -> dict:
        return self.seed.reports[1]

    @property
    def manager(self) -> dict:
        return self.seed.manager

    @property
    def n_users(self) -> int:
        return len(self.seed.reports) + 2  # the reports, their manager, and the profile's local admin


def _orgs(run: _Run) -> Any:
    """Orgs: list, create (with and without a parent), get, update, deactivate, activate."""
    c, client = run.c, run.client
    orgs = c.call("orgs.v1.list", lambda: client.orgs.v1.list(),
                  satisfies("orgs and totalCount", lambda p: p.total_count == len(p.orgs) >= 2),
                  lambda p: each(all_filled(unset=ORG_UNSET))(p.orgs))
    root = next((o for o in (orgs.orgs if orgs else []) if o.parent_org_guid is None), None)
    c.call("orgs.v1.list(active=True)", lambda: client.orgs.v1.list(active=True),
           lambda p: each(equals("active", True))(p.orgs))
    org = c.call("orgs.v1.create (no parent: the SDK picks the root)",
                 lambda: client.orgs.v1.create("Contract org", org_ext_ref="EXT-1", notes="made by incydr"),
                 all_filled(unset=("deactivation_date",)), equals("parent_org_guid", root and root.org_guid),
                 equals("org_ext_ref", "EXT-1"))
    child = c.call("orgs.v1.create(parent_org_guid=...)",
                   lambda: client.orgs.v1.create("Contract child", parent_org_guid=org.org_guid),
                   equals("parent_org_guid", org and org.org_guid))
    c.call("orgs.v1.get_org", lambda: client.orgs.v1.get_org(org.org_guid),
           all_filled(unset=("deactivation_date",)), equals("org_count", 1))
    c.call("orgs.v1.update (null ext ref leaves it alone)",
           lambda: client.orgs.v1.update(org.org_guid, "Contract org renamed", notes="renamed"),
           equals("org_name", "Contract org renamed"), equals("notes", "renamed"), equals("org_ext_ref", "EXT-1"))
    c.call("orgs.v1.deactivate", lambda: client.orgs.v1.deactivate(child.org_guid),
           satisfies("2xx", lambda r: r.ok))
    c.call("orgs.v1.get_org after deactivate", lambda: client.orgs.v1.get_org(child.org_guid),
           equals("active", False), filled("deactivation_date"))
    c.call("orgs.v1.activate", lambda: client.orgs.v1.activate(child.org_guid), satisfies("2xx", lambda r: r.ok))
    c.call("orgs.v1.get_org after activate", lambda: client.orgs.v1.get_org(child.org_guid),
           equals("active", True), equals("deactivation_date", None))
    return org


def _users(run: _Run, org: Any) -> None:
    """Users: pages, filters, iterators, roles, move, deactivate/activate, devices and agents."""
    c, client, ada, bob, n_users = run.c, run.client, run.ada, run.bob, run.n_users
    users = client and client.users.v1
    c.call("users.v1.get_page", lambda: users.get_page(),
           equals("total_count", n_users), lambda p: each(USER_FILLED, at_least=n_users)(p.users))
    c.call("users.v1.get_page(page_num=2, page_size=2)", lambda: users.get_page(page_num=2, page_size=2),
           lambda p: count(2)(p.users), equals("total_count", n_users))
    c.call("users.v1.get_page(active, blocked)", lambda: users.get_page(active=True, blocked=False),
           lambda p: each(equals("active", True), equals("blocked", False), at_least=n_users)(p.users))
    c.call("users.v1.get_page(username=...)", lambda: users.get_page(username=ada["username"]),
           lambda p: count(1)(p.users), lambda p: equals("username", ada["username"])(p.users[0]))
    c.call("users.v1.iter_all(page_size=2)", lambda: bounded(users.iter_all(page_size=2), LIMIT), count(n_users))
    c.call("users.v1.iter_all(active=True, page_size=4)",
           lambda: bounded(users.iter_all(active=True, page_size=4), LIMIT), count(n_users))
    c.call("users.v1.get_user(user id)", lambda: users.get_user(ada["uid"]), USER_FILLED,
           equals("username", ada["username"]), equals("first_name", "Ada"), equals("last_name", "Lovelace"))
    c.call("users.v1.get_user(username)", lambda: users.get_user(bob["username"]), equals("user_id", bob["uid"]))
    c.call("users.v1.list_roles", lambda: users.list_roles(),
           each(all_filled(), lambda r: each(all_filled())(r.permissions), at_least=5))
    c.call("users.v1.get_role(name)", lambda: users.get_role("Desktop User"), all_filled(),
           equals("role_id", "desktop-user"), lambda r: each(all_filled())(r.permissions))
    c.call("users.v1.get_role(id)", lambda: users.get_role("alert-emails"), equals("role_name", "Alert Emails"))
    c.call("users.v1.list_user_roles", lambda: users.list_user_roles(ada["uid"]), each(all_filled()))
    c.call("users.v1.update_roles (names and ids)",
           lambda: users.update_roles(ada["uid"], ["Desktop User", "proe-user"]), all_filled(),
           equals("processed_replacement_role_ids", ["desktop-user", "proe-user"]))
    c.call("users.v1.add_roles", lambda: users.add_roles(ada["uid"], "Alert Emails"), all_filled(),
           equals("newly_assigned_roles_ids", ["alert-emails"]))
    c.call("users.v1.list_user_roles after add", lambda: users.list_user_roles(ada["uid"]),
           satisfies("alert-emails assigned", lambda roles: "alert-emails" in [r.role_id for r in roles]))
    c.call("users.v1.remove_roles", lambda: users.remove_roles(ada["uid"], "alert-emails"), all_filled(),
           equals("unassigned_roles_ids", ["alert-emails"]))
    c.call("users.v1.move", lambda: users.move(bob["uid"], org.org_guid), satisfies("2xx", lambda r: r.ok))
    c.call("users.v1.get_user after move", lambda: users.get_user(bob["uid"]),
           equals("org_guid", org and org.org_guid), equals("org_name", "Contract org renamed"))
    c.call("users.v1.deactivate", lambda: users.deactivate(bob["uid"]), satisfies("2xx", lambda r: r.ok))
    c.call("users.v1.get_page(active=False)", lambda: users.get_page(active=False),
           lambda p: satisfies("bob deactivated", lambda us: [u.user_id for u in us] == [bob["uid"]])(p.users))
    c.call("users.v1.activate", lambda: users.activate(bob["uid"]), satisfies("2xx", lambda r: r.ok))
    c.call("users.v1.get_user after activate", lambda: users.get_user(bob["uid"]), equals("active", True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_devices is deprecated in favour of agents
        c.call("users.v1.get_devices", lambda: users.get_devices(ada["uid"]),
               equals("total_count", 0), equals("devices", []))
        c.call("devices.v1.get_page", lambda: client.devices.v1.get_page(active=True),
               equals("total_count", 0), equals("devices", []))
        c.call("devices.v1.iter_all", lambda: bounded(client.devices.v1.iter_all(page_size=2), LIMIT), count(0))
    c.call("users.v1.get_agents", lambda: users.get_agents(ada["uid"], active=True),
           equals("total_count", 0), equals("devices", []))
    c.call("agents.v1.get_page(user_id=...)", lambda: client.agents.v1.get_page(user_id=ada["uid"]),
           equals("total_count", 0), equals("agents", []), equals("page_num", 1))
    c.call("agents.v1.iter_all", lambda: bounded(client.agents.v1.iter_all(page_size=2), LIMIT), count(0))


def _legal_hold(run: _Run) -> None:
    """Legal hold: policies, matters, custodians, a user's matters."""
    c, client, mock, seed, ada, manager = run.c, run.client, run.mock, run.seed, run.ada, run.manager
    lh = client and client.legal_hold.v1
    # What an API client makes names the client as creator (principal type API_CLIENT): code42cli prints
    # matter["creator"]["username"] for matters an API-client profile lists, so it is never null.
    policy_fields = each(all_filled())
    c.call("legal_hold.v1.get_policies_page", lambda: lh.get_policies_page(),
           lambda p: policy_fields(p.policies), lambda p: count(len(seed.policy_ids))(p.policies))
    c.call("legal_hold.v1.get_policies_page(page_num=2, page_size=2)",
           lambda: lh.get_policies_page(page_num=2, page_size=2), lambda p: count(1)(p.policies))
    c.call("legal_hold.v1.iter_all_policies(page_size=2)", lambda: bounded(lh.iter_all_policies(page_size=2), LIMIT),
           count(len(seed.policy_ids)))
    policy = c.call("legal_hold.v1.create_policy", lambda: lh.create_policy("Contract policy"),
                    all_filled(), equals("name", "Contract policy"))
    c.call("legal_hold.v1.get_policy", lambda: lh.get_policy(policy.policy_id),
           all_filled(), equals("policy_id", policy and policy.policy_id))
    matter = c.call("legal_hold.v1.create_matter",
                    lambda: lh.create_matter(policy.policy_id, "Contract matter", description="d", notes="n"),
                    all_filled(), equals("policy_id", policy and policy.policy_id),
                    equals("creator_principal.principal_id", mock.client_id))
    other = c.call("legal_hold.v1.create_matter (second)",
                   lambda: lh.create_matter(seed.policy_ids[0], "Second matter"), filled("matter_id"))
    c.call("legal_hold.v1.get_matter", lambda: lh.get_matter(matter.matter_id), all_filled())
    c.call("legal_hold.v1.get_matters_page(name partial)", lambda: lh.get_matters_page(name="contract"),
           lambda p: satisfies("the matching matter", lambda ms: [m.name for m in ms] == ["Contract matter"])(
               p.matters))
    c.call("legal_hold.v1.get_matters_page(creator_user_id, active)",
           lambda: lh.get_matters_page(creator_user_id=mock.client_id, active=True),
           lambda p: count(2)(p.matters))
    c.call("legal_hold.v1.iter_all_matters(page_size=1)", lambda: bounded(lh.iter_all_matters(page_size=1), LIMIT),
           count(2), each(all_filled(unset=("description", "notes"))))  # the second matter has neither
    for person in (ada, manager):
        c.call(f"legal_hold.v1.add_custodian({person['username']})",
               lambda person=person: lh.add_custodian(matter.matter_id, person["uid"]),
               all_filled(), equals("custodian.user_id", person["uid"]), equals("matter.matter_id",
                                                                                  matter and matter.matter_id))
    c.call("legal_hold.v1.add_custodian (second matter)", lambda: lh.add_custodian(other.matter_id, ada["uid"]),
           filled("membership_active"))
    c.call("legal_hold.v1.get_custodians_page", lambda: lh.get_custodians_page(matter.matter_id),
           lambda p: each(all_filled(), at_least=2)(p.custodians),
           lambda p: satisfies("flat custodians", lambda cs: {x.user_id for x in cs} == {ada["uid"], manager["uid"]})(
               p.custodians))
    c.call("legal_hold.v1.get_custodians_page(page_num=2, page_size=1)",
           lambda: lh.get_custodians_page(matter.matter_id, page_num=2, page_size=1), lambda p: count(1)(p.custodians))
    c.call("legal_hold.v1.iter_all_custodians(page_size=1)",
           lambda: bounded(lh.iter_all_custodians(matter.matter_id, page_size=1), LIMIT), count(2))
    c.call("legal_hold.v1.get_memberships_page_for_user", lambda: lh.get_memberships_page_for_user(ada["uid"]),
           lambda p: each(all_filled(), at_least=2)(p.matters))
    c.call("legal_hold.v1.iter_all_memberships_for_user(page_size=1)",
           lambda: bounded(lh.iter_all_memberships_for_user(ada["uid"], page_size=1), LIMIT), count(2))
    c.call("legal_hold.v1.remove_custodian", lambda: lh.remove_custodian(matter.matter_id, manager["uid"]),
           satisfies("2xx", lambda r: r.ok))
    c.call("legal_hold.v1.deactivate_matter", lambda: lh.deactivate_matter(other.matter_id),
           satisfies("2xx", lambda r: r.ok))
    c.call("legal_hold.v1.get_matters_page(active=False)", lambda: lh.get_matters_page(active=False),
           lambda p: satisfies("the closed matter", lambda ms: [m.matter_id for m in ms] == [other.matter_id])(
               p.matters))
    c.call("legal_hold.v1.reactivate_matter", lambda: lh.reactivate_matter(other.matter_id),
           satisfies("2xx", lambda r: r.ok))


def _directory(run: _Run) -> None:
    """Directory groups and departments: pages, the name filter, iterators."""
    c, client, seed = run.c, run.client, run.seed
    groups = client and client.directory_groups.v1
    c.call("directory_groups.v1.get_page", lambda: groups.get_page(),
           equals("total_count", len(seed.group_names)), lambda p: each(all_filled(), at_least=3)(p.directory_groups))
    c.call("directory_groups.v1.get_page(name like)", lambda: groups.get_page(name="research"),
           lambda p: satisfies("one match", lambda gs: [g.name for g in gs] == ["Research and development"])(
               p.directory_groups))
    c.call("directory_groups.v1.get_page(page_size=2, page_num=2)", lambda: groups.get_page(page_num=2, page_size=2),
           lambda p: count(1)(p.directory_groups))
    c.call("directory_groups.v1.iter_all(page_size=1)", lambda: bounded(groups.iter_all(page_size=1), LIMIT),
           count(len(seed.group_names)))
    departments = client and client.departments.v1
    c.call("departments.v1.get_page", lambda: departments.get_page(), equals("departments", seed.departments),
           equals("total_count", len(seed.departments)))
    c.call("departments.v1.get_page(name like)", lambda: departments.get_page(name="sal"),
           equals("departments", ["Sales"]))
    c.call("departments.v1.iter_all(page_size=2)", lambda: bounded(departments.iter_all(page_size=2), LIMIT),
           count(len(seed.departments)))


def _actors(run: _Run) -> None:
    """Actors: search, by id and by name, families, updates."""
    c, client, ada, manager, n_users = run.c, run.client, run.ada, run.manager, run.n_users
    actors = client and client.actors.v1
    actor_unset = ACTOR_UNSET
    c.call("actors.v1.get_page", lambda: actors.get_page(),
           lambda p: each(filled("actor_id", "name", "active", "in_scope"), at_least=n_users)(p.actors),
           lambda p: _people_filled(run.seed, "actor", lambda a: a.name)(p.actors))
    c.call("actors.v1.get_page(name_starts_with, active)",
           lambda: actors.get_page(name_starts_with="ada", active=True),
           lambda p: satisfies("ada", lambda xs: [x.name for x in xs] == [ada["username"]])(p.actors))
    c.call("actors.v1.get_page(name_ends_with, prefer_parent)",
           lambda: actors.get_page(name_ends_with="acme.example", prefer_parent=True),
           lambda p: satisfies("every acme actor", lambda xs: len(xs) == n_users)(p.actors))
    c.call("actors.v1.iter_all(page_size=2)", lambda: bounded(actors.iter_all(page_size=2), LIMIT),
           count(n_users))
    ada_actor = c.call("actors.v1.get_page -> ada's actor", lambda: _actor_for(client, ada["username"]),
                       all_filled(unset=actor_unset), equals("department", "Research"), equals("title", "Engineer"),
                       equals("division", "R&D"), equals("employee_type", "Employee"),
                       equals("locality", "Minneapolis"), equals("region", "MN"), equals("country", "US"))
    mgr_actor = c.call("actors.v1.get_page -> the manager's actor", lambda: _actor_for(client, manager["username"]),
                       filled("actor_id"))
    c.call("actor's manager is the manager's actor", lambda: ada_actor.manager_actor_id,
           satisfies("manager actor id", lambda m: m == (mgr_actor and mgr_actor.actor_id)))
    c.call("actors.v1.get_actor_by_id", lambda: actors.get_actor_by_id(ada_actor.actor_id),
           all_filled(unset=actor_unset), equals("name", ada["username"]))
    c.call("actors.v1.get_actor_by_id(prefer_parent)",
           lambda: actors.get_actor_by_id(ada_actor.actor_id, prefer_parent=True), equals("name", ada["username"]))
    c.call("actors.v1.get_actor_by_name (parent)", lambda: actors.get_actor_by_name(ada["username"]),
           equals("actor_id", ada_actor and ada_actor.actor_id))
    c.call("actors.v1.get_actor_by_name(prefer_parent=False)",
           lambda: actors.get_actor_by_name(ada["username"], prefer_parent=False),
           equals("actor_id", ada_actor and ada_actor.actor_id))
    c.call("actors.v1.get_family_by_member_id", lambda: actors.get_family_by_member_id(ada_actor.actor_id),
           equals("parent.actor_id", ada_actor and ada_actor.actor_id), equals("children", []),
           lambda f: all_filled(unset=actor_unset)(f.parent))
    c.call("actors.v1.get_family_by_member_name", lambda: actors.get_family_by_member_name(ada["username"]),
           equals("parent.name", ada["username"]))
    c.call("actors.v1.update_actor(id, notes, dates)",
           lambda: actors.update_actor(ada_actor.actor_id, notes="watch", start_date="2024-01-02",
                                       end_date="2026-12-31"),
           equals("notes", "watch"), equals("start_date", "2024-01-02"), equals("end_date", "2026-12-31"))
    refreshed = c.call("actors.v1.get_actor_by_id after update", lambda: actors.get_actor_by_id(ada_actor.actor_id),
                       equals("notes", "watch"))
    c.call("actors.v1.update_actor(Actor)", lambda: actors.update_actor(refreshed.model_copy(update={"notes": "x"})),
           equals("notes", "x"), equals("start_date", "2024-01-02"))


def _risk_profiles(run: _Run) -> None:
    """Risk profiles (deprecated for actors): get, pages with filters, iterator, updates."""
    c, client, seed, bob, manager = run.c, run.client, run.seed, run.bob, run.manager
    n_users, tenant = run.n_users, run.tenant
    profiles = client and client.risk_profiles.v1
    profile_unset = PROFILE_UNSET  # not set until the update below
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        c.call("risk_profiles.v1.get_risk_profile", lambda: profiles.get_risk_profile(bob["uid"]),
               all_filled(unset=profile_unset), equals("manager_id", manager["uid"]),
               equals("manager_username", manager["username"]), equals("tenant_id", tenant))
        c.call("risk_profiles.v1.get_page", lambda: profiles.get_page(),
               equals("total_count", n_users), lambda p: count(n_users)(p.user_risk_profiles),
               lambda p: _people_filled(seed, "profile", lambda x: x.username)(p.user_risk_profiles))
        c.call("risk_profiles.v1.get_page(filters)",
               lambda: profiles.get_page(department="Sales", title="Engineer", country="US", active=True),
               lambda p: satisfies("the Sales reports", lambda xs: sorted(x.username for x in xs) == sorted(
                   r["username"] for r in seed.reports[2:]))(p.user_risk_profiles))
        c.call("risk_profiles.v1.get_page(manager_id)", lambda: profiles.get_page(manager_id=manager["uid"]),
               lambda p: count(len(seed.reports))(p.user_risk_profiles))
        c.call("risk_profiles.v1.iter_all(page_size=2)", lambda: bounded(profiles.iter_all(page_size=2), LIMIT),
               count(n_users))
        c.call("risk_profiles.v1.update(notes, start_date, end_date)",
               lambda: profiles.update(bob["uid"], notes="contractor", start_date="2024-03-04", end_date="2025-06-07"),
               equals("notes", "contractor"), equals("start_date.year", 2024), equals("end_date.day", 7))
        c.call("risk_profiles.v1.update(notes only) keeps the dates",
               lambda: profiles.update(bob["uid"], notes="again"),
               equals("notes", "again"), equals("start_date.month", 3))


def _audit_log(run: _Run) -> None:
    """Audit log (a tenant answers with empty pages): search, iterator, count, download."""
    c, client, ada, tmp_path = run.c, run.client, run.ada, run.tmp_path
    audit = client and client.audit_log.v1
    c.call("audit_log.v1.get_page", lambda: audit.get_page(), equals("events", []))
    c.call("audit_log.v1.get_page(filters)",
           lambda: audit.get_page(page_num=1, page_size=10, actor_names=[ada["username"]],
                                  start_time="2024-01-01", end_time="2030-01-01", event_types="user.created"),
           equals("events", []))
    c.call("audit_log.v1.iter_all", lambda: bounded(audit.iter_all(page_size=5), LIMIT), count(0))
    c.call("audit_log.v1.get_event_count", lambda: audit.get_event_count(), satisfies("0", lambda n: n == 0))
    c.call("audit_log.v1.download_events", lambda: audit.download_events(tmp_path),
           satisfies("a CSV file", lambda p: Path(p).is_file()))

def run_incydr_contract(contract: Contract, seed: Seed, tmp_path: Path) -> Contract:
    """Every call, area by area, in one order (later areas use what earlier ones made)."""
    mock, c = seed.mock, contract
    client = c.call("incydr.Client(url, id, secret): Basic /v1/oauth without grant_type",
                    lambda: incydr.Client(url=mock.root, api_client_id=mock.client_id,
                                          api_client_secret=mock.client_secret, use_rich=False))
    tenant = c.call("Client.tenant_id: the token's tenantUid claim", lambda: client.tenant_id,
                    satisfies("a non-empty tenant id", lambda t: isinstance(t, str) and bool(t)))
    c.call("customer.v1.get", lambda: client.customer.v1.get(), all_filled(), equals("tenant_id", tenant))
    run = _Run(c, client, seed, tenant, tmp_path)
    org = _orgs(run)
    _users(run, org)
    for area in (_legal_hold, _directory, _actors, _risk_profiles, _audit_log):
        area(run)
    return c


def test_incydr_sdk_contract(contract: Contract, seeded: Seed, tmp_path: Path, record_property) -> None:
    run_incydr_contract(contract, seeded, tmp_path)
    record_property(SUMMARY_PROPERTY, f"{contract.summary()} ({contract.name})")
    assert contract.ok == len(contract.outcomes), contract.report()

"""Contract: Code42's older client ``py42`` (what code42cli and CrashPlan-side tooling use), unchanged and
unpatched, against the served mock, logged in as an API client (``py42.sdk.from_api_client``).

Covered: the console user API (``/api/v1/User``, ``/api/v3/users/{uid}/...``, ``/api/v1/role``), a user's
devices (``/api/v1/Computer``), orgs (``/api/v1/Org``, ``/api/v3/orgs``, block and unblock), legal hold for
API clients (``/api/v27/legal-hold-*``), SCIM user data, the tenant (``/api/v3/customer/my``), and the two
microservices py42 finds through ``/api/v1/ServerEnv`` and its key-value store: user risk profiles (with
cloud aliases) and the audit log. Every py42 user action first resolves ``GET /api/v1/User/{userId}``;
``update_user`` sends every unset field as null, which must leave it alone.

Left out, as outside the areas issue 12 names: the org and device *backup* settings and agent states
(``orgs.get_settings|update_settings|get_agent_state|get_agent_full_disk_access_states``), per-device
actions (``devices.get_by_id|block|deactivate|deauthorize|upgrade...``: the mock provisions people, no
agent ever registers a device), and the user-login legal hold service (``py42/services/legalhold.py``),
which py42 uses only after ``from_local_account``: the mock signs no user in (docs/code42-api.md).
Same pass rule and summary line as the Incydr contract; runs with the clock still and advancing.
"""

from __future__ import annotations

from typing import Any

import py42.sdk
import pytest
from code42_contract import (
    SUMMARY_PROPERTY,
    Contract,
    bounded,
    count,
    each,
    equals,
    filled,
    raises,
    satisfies,
)
from code42_seed import Seed

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDKs' pydantic-v1-style calls
from py42.exceptions import Py42CloudAliasLimitExceededError, Py42InternalServerError, Py42NotFoundError

LEGACY_USER_FIELDS = ("userId", "userUid", "status", "username", "email", "firstName", "lastName", "orgId",
                      "orgUid", "orgName", "active", "blocked", "invited", "creationDate", "modificationDate")
LEGACY_ORG_FIELDS = ("orgId", "orgUid", "orgGuid", "orgName", "status", "active", "blocked", "type",
                     "registrationKey", "creationDate", "modificationDate")
MATTER_FIELDS = ("legalHoldUid", "name", "active", "creationDate", "holdPolicyUid", "creator.username")
MEMBERSHIP_FIELDS = ("legalHoldMembershipUid", "active", "creationDate", "legalHold.legalHoldUid",
                     "legalHold.name", "user.userUid", "user.username", "user.email")
RISK_PROFILE_FIELDS = ("userId", "tenantId", "username", "displayName", "managerId", "managerUsername",
                       "managerDisplayName", "title", "division", "department", "employmentType", "country",
                       "region", "locality", "active", "deleted", "supportUser", "cloudAliases")
PAGE_LIMIT = 20  # pages a py42 get_all generator may yield before it counts as not terminating


def _items(pages, key=None):
    """Flatten py42 get_all pages (``key`` None: the page itself is the list, as /api/v27 answers)."""
    return [item for page in pages for item in (page[key] if key else page)]


def _orgs(c: Contract, sdk: Any) -> tuple[dict, Any]:
    """Orgs: pages, get_all, create under the root, get by id and uid, partial update, deactivate, reactivate.
    Returns the root org and the org made here."""
    orgs = sdk and sdk.orgs
    page = c.call("orgs.get_page", lambda: orgs.get_page(), lambda r: each(filled(*LEGACY_ORG_FIELDS), at_least=2)(
        r["orgs"]), lambda r: equals("totalCount", len(r["orgs"]))(r.data))
    root = next((o for o in (page["orgs"] if page else []) if o.get("parentOrgId") is None), {})
    c.call("orgs.get_page(page_num=2, page_size=1)", lambda: orgs.get_page(page_num=2, page_size=1),
           lambda r: count(1)(r["orgs"]))
    c.call("orgs.get_all", lambda: _items(bounded(orgs.get_all(), PAGE_LIMIT), "orgs"),
           satisfies("every org", lambda xs: len(xs) >= 2))
    org = c.call("orgs.create_org(parent_org_uid=root)",
                 lambda: orgs.create_org("Py42 org", org_ext_ref="P-1", notes="made by py42",
                                         parent_org_uid=root.get("orgUid")),
                 filled(*LEGACY_ORG_FIELDS), equals("parentOrgGuid", root.get("orgGuid")))
    c.call("orgs.get_by_id", lambda: orgs.get_by_id(org["orgId"]), filled(*LEGACY_ORG_FIELDS),
           equals("orgExtRef", "P-1"))
    c.call("orgs.get_by_uid", lambda: orgs.get_by_uid(org["orgUid"]), equals("orgGuid", org and org["orgGuid"]))
    c.call("orgs.update_org(name only)", lambda: orgs.update_org(org["orgId"], name="Py42 org renamed"))
    c.call("orgs.get_by_id after update: unset fields kept", lambda: orgs.get_by_id(org["orgId"]),
           equals("orgName", "Py42 org renamed"), equals("orgExtRef", "P-1"), equals("notes", "made by py42"))
    c.call("orgs.deactivate", lambda: orgs.deactivate(org["orgId"]), satisfies("2xx", lambda r: r.status_code < 300))
    c.call("orgs.get_by_id after deactivate", lambda: orgs.get_by_id(org["orgId"]), equals("active", False),
           equals("status", "Deactivated"))
    c.call("orgs.reactivate", lambda: orgs.reactivate(org["orgId"]), satisfies("2xx", lambda r: r.status_code < 300))
    c.call("orgs.get_by_id after reactivate", lambda: orgs.get_by_id(org["orgId"]), equals("active", True))
    child = c.call("orgs.create_org(parent_org_uid=the new org)",
                   lambda: orgs.create_org("Py42 child", parent_org_uid=org["orgUid"]),
                   equals("parentOrgGuid", org and org["orgGuid"]))
    c.call("orgs.block (the org and its children)", lambda: orgs.block(org["orgId"]),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("orgs.get_by_id(child) after block", lambda: orgs.get_by_id(child["orgId"]), equals("blocked", True))
    c.call("orgs.unblock", lambda: orgs.unblock(org["orgId"]), satisfies("2xx", lambda r: r.status_code < 300))
    c.call("orgs.get_all after unblock", lambda: _items(bounded(orgs.get_all(), PAGE_LIMIT), "orgs"),
           satisfies("none blocked", lambda xs: not [o["orgName"] for o in xs if o["blocked"]]))
    c.call("orgs.get_current (API clients get Code42's 500)",
           raises(Py42InternalServerError, lambda: orgs.get_current()))
    return root, org


def _users(c: Contract, sdk: Any, seed: Seed, root: dict, org: Any) -> None:
    """Users: the console records, lookups, create, partial updates, roles, move, block, deactivate."""
    ada, cy, manager = seed.reports[0], seed.reports[2], seed.manager
    n_users = len(seed.reports) + 2
    users = sdk and sdk.users
    c.call("users.get_current (API clients get Code42's 404)", raises(Py42NotFoundError, lambda: users.get_current()))
    c.call("users.get_page", lambda: users.get_page(1), lambda r: each(filled(*LEGACY_USER_FIELDS), at_least=n_users)(
        r["users"]), lambda r: equals("totalCount", n_users)(r.data))
    c.call("users.get_page(2, page_size=2)", lambda: users.get_page(2, page_size=2), lambda r: count(2)(r["users"]))
    c.call("users.get_page(active, org_uid)", lambda: users.get_page(1, active=True, org_uid=root.get("orgUid")),
           lambda r: each(equals("orgUid", root.get("orgUid")), equals("active", True))(r["users"]))
    c.call("users.get_page(q, email, role_id)",
           lambda: users.get_page(1, q="lovelace", email=ada["username"], role_id="desktop-user"),
           lambda r: satisfies("ada", lambda us: [u["username"] for u in us] == [ada["username"]])(r["users"]))
    c.call("users.get_all", lambda: _items(bounded(users.get_all(), PAGE_LIMIT), "users"), count(n_users))
    c.call("users.get_all(active=True)", lambda: _items(bounded(users.get_all(active=True), PAGE_LIMIT), "users"),
           count(n_users))
    c.call("users.get_by_id", lambda: users.get_by_id(ada["user_id"]), filled(*LEGACY_USER_FIELDS),
           equals("userUid", ada["uid"]), equals("firstName", "Ada"))
    c.call("users.get_by_id(incRoles=True)", lambda: users.get_by_id(ada["user_id"], incRoles=True),
           satisfies("role names", lambda r: "Desktop User" in (r["roles"] or [])))
    c.call("users.get_by_uid", lambda: users.get_by_uid(ada["uid"]), equals("userId", ada["user_id"]))
    c.call("users.get_by_username", lambda: users.get_by_username(ada["username"]),
           lambda r: satisfies("ada", lambda us: [u["userUid"] for u in us] == [ada["uid"]])(r["users"]))
    c.call("users.get_by_username (unknown: empty list)", lambda: users.get_by_username("nobody@acme.example"),
           lambda r: count(0)(r["users"]))
    c.call("users.get_scim_data_by_uid", lambda: users.get_scim_data_by_uid(ada["uid"]),
           equals("department", "Research"), equals("title", "Engineer"), equals("division", "R&D"),
           equals("managerUserId", manager["uid"]), equals("country", "US"))
    created = c.call("users.create_user", lambda: users.create_user(
        root.get("orgUid"), "pat.py42@acme.example", "pat.py42@acme.example", first_name="Pat",
        last_name="Py42", notes="console user"), filled(*LEGACY_USER_FIELDS), equals("notes", "console user"))
    c.call("users.update_user(notes only): nulls leave the rest alone",
           lambda: users.update_user(created["userUid"], notes="edited"), equals("notes", "edited"),
           equals("lastName", "Py42"), equals("username", "pat.py42@acme.example"))
    c.call("users.get_by_uid after update_user", lambda: users.get_by_uid(created["userUid"]),
           equals("lastName", "Py42"), equals("firstName", "Pat"), equals("email", "pat.py42@acme.example"))
    c.call("users.update_user(first_name, quota)",
           lambda: users.update_user(created["userUid"], first_name="Patricia", archive_size_quota_bytes=1024),
           equals("firstName", "Patricia"), equals("notes", "edited"), equals("quotaInBytes", 1024))
    c.call("users.get_available_roles", lambda: users.get_available_roles(),
           lambda r: each(filled("roleId", "roleName", "permissions", "creationDate"), at_least=5)(r.data))
    c.call("users.get_roles", lambda: users.get_roles(ada["user_id"]),
           lambda r: each(filled("roleId", "roleName", "permissionIds"))(r.data))
    c.call("users.add_role(name)", lambda: users.add_role(ada["user_id"], "Alert Emails"),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.get_roles after add", lambda: users.get_roles(ada["user_id"]),
           lambda r: satisfies("alert-emails", lambda ids: "alert-emails" in ids)([x["roleId"] for x in r.data]))
    c.call("users.remove_role(id)", lambda: users.remove_role(ada["user_id"], "alert-emails"),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.change_org_assignment", lambda: users.change_org_assignment(cy["user_id"], org["orgId"]),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.get_by_id after move", lambda: users.get_by_id(cy["user_id"]),
           equals("orgId", org and org["orgId"]), equals("orgName", "Py42 org renamed"))
    c.call("users.block", lambda: users.block(cy["user_id"]), satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.get_by_id after block", lambda: users.get_by_id(cy["user_id"]), equals("blocked", True))
    c.call("users.unblock", lambda: users.unblock(cy["user_id"]), satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.deactivate(block_user=True)", lambda: users.deactivate(cy["user_id"], block_user=True),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.get_by_id after deactivate", lambda: users.get_by_id(cy["user_id"]), equals("active", False),
           equals("status", "Deactivated"), equals("blocked", True))
    c.call("users.reactivate(unblock_user=True)", lambda: users.reactivate(cy["user_id"], unblock_user=True),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("users.get_by_id after reactivate", lambda: users.get_by_id(cy["user_id"]), equals("active", True),
           equals("blocked", False))
    c.call("orgs.block blocks the org's users", lambda: sdk.orgs.block(org["orgId"]) and users.get_by_id(cy["user_id"]),
           equals("blocked", True))
    c.call("orgs.unblock: users stay blocked until unblocked one by one",
           lambda: sdk.orgs.unblock(org["orgId"]) and users.get_by_id(cy["user_id"]), equals("blocked", True))
    c.call("users.unblock after the org's block", lambda: users.unblock(cy["user_id"]) and users.get_by_id(cy["user_id"]),
           equals("blocked", False))
    c.call("devices.get_page(user_uid)", lambda: sdk.devices.get_page(1, user_uid=ada["uid"], active=True),
           equals("totalCount", 0), lambda r: count(0)(r["computers"]))
    c.call("devices.get_all(org_uid)", lambda: _items(bounded(sdk.devices.get_all(org_uid=root.get("orgUid")),
                                                              PAGE_LIMIT), "computers"), count(0))


def _legal_hold(c: Contract, sdk: Any, seed: Seed) -> None:
    """Legal hold through the API-client service (/api/v27): policies, matters, memberships."""
    ada, bob = seed.reports[0], seed.reports[1]
    lh = sdk and sdk.legalhold
    c.call("legalhold.get_policy_list", lambda: lh.get_policy_list(),
           lambda r: each(filled("legalHoldPolicyUid", "name", "creationDate"), at_least=len(seed.policy_ids))(r.data))
    policy = c.call("legalhold.create_policy", lambda: lh.create_policy("Py42 policy"),
                    filled("legalHoldPolicyUid", "name", "creationDate"))
    c.call("legalhold.get_policy_by_uid", lambda: lh.get_policy_by_uid(policy["legalHoldPolicyUid"]),
           equals("name", "Py42 policy"))
    matter = c.call("legalhold.create_matter",
                    lambda: lh.create_matter("Py42 matter", policy["legalHoldPolicyUid"], description="d", notes="n",
                                             hold_ext_ref="H-1"),
                    filled(*MATTER_FIELDS), equals("holdExtRef", "H-1"))
    c.call("legalhold.get_matter_by_uid", lambda: lh.get_matter_by_uid(matter["legalHoldUid"]),
           filled(*MATTER_FIELDS), equals("name", "Py42 matter"))
    c.call("legalhold.get_matters_page(name, ext ref)",
           lambda: lh.get_matters_page(1, name="py42", hold_ext_ref="H-1"),
           lambda r: satisfies("the matter", lambda ms: [m["legalHoldUid"] for m in ms] == [matter["legalHoldUid"]])(
               r.data))
    c.call("legalhold.get_all_matters", lambda: _items(bounded(lh.get_all_matters(), PAGE_LIMIT)),
           each(filled(*MATTER_FIELDS)))
    membership = c.call("legalhold.add_to_matter", lambda: lh.add_to_matter(bob["uid"], matter["legalHoldUid"]),
                        filled(*MEMBERSHIP_FIELDS))
    c.call("legalhold.add_to_matter (second custodian)", lambda: lh.add_to_matter(ada["uid"], matter["legalHoldUid"]),
           filled("legalHoldMembershipUid"))
    c.call("legalhold.get_custodians_page(matter)",
           lambda: lh.get_custodians_page(1, legal_hold_matter_uid=matter["legalHoldUid"]),
           lambda r: each(filled(*MEMBERSHIP_FIELDS), at_least=2)(r.data))
    c.call("legalhold.get_custodians_page(user_uid, page_size=1)",
           lambda: lh.get_custodians_page(1, user_uid=bob["uid"], page_size=1), lambda r: count(1)(r.data))
    c.call("legalhold.get_custodians_page(user search)", lambda: lh.get_custodians_page(1, user="babbage"),
           lambda r: satisfies("bob", lambda ms: [m["user"]["userUid"] for m in ms] == [bob["uid"]])(r.data))
    c.call("legalhold.get_all_matter_custodians",
           lambda: _items(bounded(lh.get_all_matter_custodians(legal_hold_matter_uid=matter["legalHoldUid"]),
                                  PAGE_LIMIT)), count(2))
    c.call("legalhold.remove_from_matter", lambda: lh.remove_from_matter(membership["legalHoldMembershipUid"]),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("legalhold.get_all_matter_custodians(active=None) keeps the released one",
           lambda: _items(bounded(lh.get_all_matter_custodians(user_uid=bob["uid"], active=None), PAGE_LIMIT)),
           lambda ms: satisfies("inactive", lambda xs: [m["active"] for m in xs] == [False])(ms))
    c.call("legalhold.deactivate_matter", lambda: lh.deactivate_matter(matter["legalHoldUid"]),
           satisfies("2xx", lambda r: r.status_code < 300))
    c.call("legalhold.get_matters_page(active=False)", lambda: lh.get_matters_page(1, active=False),
           lambda r: satisfies("the closed matter", lambda ms: [m["legalHoldUid"] for m in ms] == [
               matter["legalHoldUid"]])(r.data))
    c.call("legalhold.reactivate_matter", lambda: lh.reactivate_matter(matter["legalHoldUid"]),
           satisfies("2xx", lambda r: r.status_code < 300))


def _risk_profiles(c: Contract, sdk: Any, seed: Seed) -> None:
    """User risk profiles (py42 finds their host as ``watchlists-API_URL``): get, pages, updates, aliases."""
    ada, bob, manager = seed.reports[0], seed.reports[1], seed.manager
    profiles = sdk and sdk.userriskprofile
    n_users = len(seed.reports) + 3  # the reports, their manager, the local admin, the console user _users made
    c.call("userriskprofile.get_by_id", lambda: profiles.get_by_id(ada["uid"]), filled(*RISK_PROFILE_FIELDS),
           equals("managerId", manager["uid"]), equals("department", "Research"), equals("cloudAliases", []))
    c.call("userriskprofile.get_by_username", lambda: profiles.get_by_username(bob["username"]),
           filled(*RISK_PROFILE_FIELDS), equals("userId", bob["uid"]))
    c.call("userriskprofile.get_page(page_size=2)", lambda: profiles.get_page(page_num=2, page_size=2),
           lambda r: count(2)(r["userRiskProfiles"]), equals("totalCount", n_users))
    c.call("userriskprofile.get_page(filters)",
           lambda: profiles.get_page(department="Research", manager_id=manager["uid"], active=True),
           lambda r: satisfies("the Research reports", lambda xs: sorted(x["username"] for x in xs) == sorted(
               r["username"] for r in seed.reports[:2]))(r["userRiskProfiles"]))
    c.call("userriskprofile.get_all", lambda: _items(bounded(profiles.get_all(), PAGE_LIMIT), "userRiskProfiles"),
           count(n_users))
    c.call("userriskprofile.get_all(title, country)",
           lambda: _items(bounded(profiles.get_all(title="Engineer", country="US"), PAGE_LIMIT), "userRiskProfiles"),
           count(len(seed.reports)))
    c.call("userriskprofile.update(start, end, notes): paths 'startDate, endDate, notes'",
           lambda: profiles.update(ada["uid"], start_date="2024-01-02", end_date="2025-02-03", notes="py42"),
           equals("notes", "py42"), equals("startDate.year", 2024), equals("endDate.day", 3))
    c.call("userriskprofile.update(notes='') clears only the notes", lambda: profiles.update(ada["uid"], notes=""),
           equals("notes", None), equals("startDate.month", 1))
    c.call("userriskprofile.add_cloud_aliases",
           lambda: profiles.add_cloud_aliases(ada["uid"], "ada@cloud.example") and profiles.get_by_id(ada["uid"]),
           equals("cloudAliases", ["ada@cloud.example"]))
    c.call("userriskprofile.add_cloud_aliases beyond the limit",
           raises(Py42CloudAliasLimitExceededError,
                  lambda: profiles.add_cloud_aliases(ada["uid"], ["b@cloud.example", "c@cloud.example"])))
    c.call("userriskprofile.delete_cloud_aliases",
           lambda: profiles.delete_cloud_aliases(ada["uid"], ["ada@cloud.example"]) and profiles.get_by_id(ada["uid"]),
           equals("cloudAliases", []))


def _audit_log(c: Contract, sdk: Any, seed: Seed) -> None:
    """The audit log (py42 finds its host as ``AUDIT-LOG_API-URL``; a tenant answers with empty pages)."""
    audit = sdk and sdk.auditlogs
    c.call("auditlogs.get_page", lambda: audit.get_page(), lambda r: equals("events", [])(r.data))
    c.call("auditlogs.get_page(filters)",
           lambda: audit.get_page(page_num=2, page_size=10, begin_time="2024-01-01 00:00:00",
                                  end_time="2030-01-01 00:00:00", event_types="user.created",
                                  usernames=seed.reports[0]["username"], user_ids=[seed.reports[0]["uid"]],
                                  user_ip_addresses="10.0.0.1", affected_user_ids=seed.manager["uid"],
                                  affected_usernames=[seed.manager["username"]]),
           lambda r: equals("events", [])(r.data))
    c.call("auditlogs.get_page(format='CSV')", lambda: audit.get_page(format="CSV"),
           satisfies("a CSV header", lambda r: r.text.startswith("timestamp,")))
    c.call("auditlogs.get_all", lambda: _items(bounded(audit.get_all(), PAGE_LIMIT), "events"), count(0))


def run_py42_contract(contract: Contract, seed: Seed) -> Contract:
    """Every call, area by area, in one order (later areas use what earlier ones made)."""
    mock, c = seed.mock, contract

    sdk = c.call("py42.sdk.from_api_client: /api/v3/oauth/token",
                 lambda: py42.sdk.from_api_client(mock.root, mock.client_id, mock.client_secret))
    tenant = c.call("usercontext.get_current_tenant_id: /api/v3/customer/my",
                    lambda: sdk.usercontext.get_current_tenant_id(), satisfies("a tenant id", bool))
    c.call("serveradmin.get_current_tenant", lambda: sdk.serveradmin.get_current_tenant(),
           filled("tenantUid", "name", "registrationKey"), lambda r: equals("tenantUid", tenant)(r.data))
    root, org = _orgs(c, sdk)
    _users(c, sdk, seed, root, org)
    _legal_hold(c, sdk, seed)
    _risk_profiles(c, sdk, seed)
    _audit_log(c, sdk, seed)
    return c


def test_py42_sdk_contract(contract: Contract, seeded: Seed, record_property) -> None:
    run_py42_contract(contract, seeded)
    record_property(SUMMARY_PROPERTY, f"{contract.summary()} ({contract.name})")
    assert contract.ok == len(contract.outcomes), contract.report()

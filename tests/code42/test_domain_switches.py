"""The remaining [INF] switches and boundaries, through the app (one test per switch value that changes
behaviour), plus the simulation-control clock route driving the delay."""

from __future__ import annotations

from code42_tenant import ENTERPRISE, Tenant


def test_clock_advance_route_fires_the_deactivation_and_reports_it():
    tenant = Tenant()
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    early = tenant.client.post("/_sim/clock/advance", json={"seconds": 899})
    assert early.status_code == 200 and early.get_json()["fired"] == []
    due = tenant.client.post("/_sim/clock/advance", json={"seconds": 1}).get_json()
    assert due["fired"] == [tenant.user("alice@acme.example")["userId"]]


def test_reset_reseeds_the_tenant_from_the_profile():
    tenant = Tenant({"orgs": [{"name": "Provisioned"}], "org_mapping": {"default_org": "Provisioned"},
                     "local_users": [{"username": "admin@acme.example"}]})
    tenant.create_user("alice@acme.example")
    assert tenant.client.post("/_sim/reset").status_code in (200, 204)
    usernames = [u["username"] for u in tenant.admin("GET", "/v1/users", expect=200).get_json()["users"]]
    assert usernames == ["admin@acme.example"]
    tenant.create_user("alice@acme.example")
    assert tenant.org_name("alice@acme.example") == "Provisioned"


def test_missing_attribute_moves_existing_users_to_the_default_org_when_switched():
    tenant = Tenant({"orgs": [{"name": "Fallback"}], "org_mapping": {"method": "ATTRIBUTE", "default_org": "Fallback"},
                     "switches": {"org_attribute_missing": "default-org-all"}})
    a = tenant.create_user("a@acme.example", c42OrgName="One")
    tenant.patch_user(a["id"], [{"op": "remove", "path": "c42OrgName"}])
    assert tenant.org_name("a@acme.example") == "Fallback"


def test_exact_org_name_match_creates_a_new_org_for_another_case():
    tenant = Tenant({"orgs": [{"name": "Berlin"}], "org_mapping": {"method": "ATTRIBUTE"}})
    tenant.create_user("a@acme.example", c42OrgName="BERLIN")
    assert tenant.org_name("a@acme.example") == "BERLIN"
    assert sorted(o["orgName"] for o in tenant.admin("GET", "/v1/orgs").get_json()["orgs"]).count("Berlin") == 1


def test_duplicate_org_names_pick_the_oldest_with_a_warning():
    tenant = Tenant({"org_mapping": {"method": "ATTRIBUTE"}})
    first = tenant.admin("POST", "/v1/orgs", {"orgName": "Twin"}, expect=201).get_json()
    tenant.admin("POST", "/v1/orgs", {"orgName": "Twin"}, expect=201)
    tenant.create_user("a@acme.example", c42OrgName="Twin")
    assert tenant.user("a@acme.example")["orgGuid"] == first["orgGuid"]
    assert any(e["status"] == "WARNING" and "Twin" in e["message"] for e in tenant.sync_log())


def test_membership_changes_do_not_remap_when_switched_off():
    profile = {"orgs": [{"name": "Default"}, {"name": "Sales"}],
               "org_mapping": {"method": "MAPPING", "default_org": "Default",
                               "groups": [{"group": "Sales", "org": "Sales"}]},
               "switches": {"remap_on_membership_change": False}}
    tenant = Tenant(profile)
    a = tenant.create_user("a@acme.example")
    tenant.create_group("Sales", [a["id"]])
    assert tenant.org_name("a@acme.example") == "Default"
    tenant.patch_user(a["id"], [{"op": "replace", "path": "title", "value": "Rep"}])  # a Users update remaps
    assert tenant.org_name("a@acme.example") == "Sales"


def test_manager_by_username_only_when_switched_on():
    boss_profile = {"switches": {"manager_value_kinds": ["scim-id", "user-uid", "username"]}}
    for profile, expected in (({}, None), (boss_profile, "boss@acme.example")):
        tenant = Tenant(profile)
        tenant.create_user("boss@acme.example")
        tenant.create_user("e@acme.example", **{ENTERPRISE: {"manager": {"value": "boss@acme.example"}}})
        uid = tenant.user("e@acme.example")["userId"]
        assert tenant.admin("GET", f"/v1/user-risk-profiles/{uid}").get_json()["managerUsername"] == expected


def test_manager_by_code42_user_uid():
    tenant = Tenant()
    tenant.create_user("boss@acme.example")
    boss_uid = tenant.user("boss@acme.example")["userId"]
    tenant.create_user("e@acme.example", **{ENTERPRISE: {"manager": {"value": boss_uid}}})
    uid = tenant.user("e@acme.example")["userId"]
    assert tenant.admin("GET", f"/api/v18/scim-user-data/collated-view?userId={uid}").get_json()["managerUserId"] == boss_uid


def test_scim_reactivation_of_an_admin_deactivated_user_is_switchable():
    for reactivates in (True, False):
        tenant = Tenant({"switches": {"scim_reactivation_reactivates_admin_deactivated": reactivates}})
        a = tenant.create_user("a@acme.example")
        tenant.disable(a["id"])
        uid = tenant.user("a@acme.example")["userId"]
        tenant.admin("POST", f"/v1/users/{uid}/deactivate", expect=204)
        tenant.enable(a["id"])
        assert tenant.user("a@acme.example")["active"] is reactivates


def test_console_delay_bounds():
    tenant = Tenant()
    url = "/v1/scim-providers/c42-scim-provider-1"
    assert tenant.admin("PATCH", url, {"provisioningDeactivationDelay": 129600}).status_code == 200
    assert tenant.admin("PATCH", url, {"provisioningDeactivationDelay": 0}).get_json()["provisioningDeactivationDelay"] == 0
    assert tenant.admin("PATCH", url, {"provisioningDeactivationDelay": -1}).status_code == 400
    assert tenant.admin("PATCH", url, {"provisioningDeactivationDelay": "15"}).status_code == 400

"""Org and role mapping through the app (seed Steps 2 and 5)."""

from __future__ import annotations

from code42_tenant import Tenant

GROUP_PRIORITY = {
    "plan": "incydr-advanced",
    "orgs": [{"name": "Unmapped"}, {"name": "Engineering"}, {"name": "Sales"}],
    "org_mapping": {"method": "MAPPING", "default_org": "Unmapped",
                    "groups": [{"group": "Engineering", "org": "Engineering"}, {"group": "Sales", "org": "Sales"}]},
}


def test_default_method_applies_the_org_at_creation_only():
    tenant = Tenant({"orgs": [{"name": "Provisioned"}, {"name": "Elsewhere"}],
                     "org_mapping": {"method": "DEFAULT", "default_org": "Provisioned"}})
    alice = tenant.create_user("alice@acme.example")
    assert tenant.org_name("alice@acme.example") == "Provisioned"
    uid = tenant.user("alice@acme.example")["userId"]
    tenant.admin("POST", f"/v1/users/{uid}/move", {"orgGuid": tenant.org_guid("Elsewhere")}, expect=204)
    tenant.patch_user(alice["id"], [{"op": "replace", "path": "title", "value": "Moved"}])
    # "Users that are subsequently moved outside of this organization remain in their new organization."
    assert tenant.org_name("alice@acme.example") == "Elsewhere"


def test_group_priority_first_match_wins_and_unmapped_go_to_default():
    tenant = Tenant(GROUP_PRIORITY)
    a = tenant.create_user("a@acme.example")
    b = tenant.create_user("b@acme.example")
    assert tenant.org_name("a@acme.example") == "Unmapped"
    tenant.create_group("Sales", [a["id"], b["id"]])
    tenant.create_group("Engineering", [a["id"]])
    assert tenant.org_name("a@acme.example") == "Engineering"  # in both: the first mapping wins
    assert tenant.org_name("b@acme.example") == "Sales"


def test_leaving_a_mapped_group_moves_back_to_the_default_org():
    tenant = Tenant(GROUP_PRIORITY)
    a = tenant.create_user("a@acme.example")
    sales = tenant.create_group("Sales", [a["id"]])
    assert tenant.org_name("a@acme.example") == "Sales"
    tenant.remove_member(sales["id"], a["id"])
    assert tenant.org_name("a@acme.example") == "Unmapped"


def test_attribute_method_creates_and_reuses_orgs():
    tenant = Tenant({"orgs": [{"name": "Fallback"}],
                     "org_mapping": {"method": "ATTRIBUTE", "default_org": "Fallback"}})
    tenant.create_user("a@acme.example", c42OrgName="Paris Office")
    tenant.create_user("b@acme.example", **{"urn:ietf:params:scim:schemas:extension:code42:2.0:User":
                                            {"c42OrgName": "Paris Office"}})
    tenant.create_user("c@acme.example")
    assert tenant.org_name("a@acme.example") == "Paris Office"
    assert tenant.user("a@acme.example")["orgGuid"] == tenant.user("b@acme.example")["orgGuid"]
    assert tenant.org_name("c@acme.example") == "Fallback"  # missing value: the default org


def test_attribute_change_moves_the_user_and_missing_value_keeps_existing_users():
    tenant = Tenant({"orgs": [{"name": "Fallback"}], "org_mapping": {"method": "ATTRIBUTE", "default_org": "Fallback"}})
    a = tenant.create_user("a@acme.example", c42OrgName="One")
    tenant.patch_user(a["id"], [{"op": "replace", "path": "c42OrgName", "value": "Two"}])
    assert tenant.org_name("a@acme.example") == "Two"
    tenant.patch_user(a["id"], [{"op": "remove", "path": "c42OrgName"}])
    assert tenant.org_name("a@acme.example") == "Two"


def test_custom_attribute_name_and_case_insensitive_match():
    tenant = Tenant({"orgs": [{"name": "Berlin"}],
                     "org_mapping": {"method": "ATTRIBUTE", "attribute": "costCenterOrg"},
                     "switches": {"org_name_match": "case-insensitive"}})
    tenant.create_user("a@acme.example", costCenterOrg="BERLIN")
    assert tenant.org_name("a@acme.example") == "Berlin"


def test_basic_roles_by_plan():
    pro = Tenant({"plan": "incydr-professional"})
    pro.create_user("a@acme.example")
    assert pro.roles("a@acme.example") == {"agent-user"}
    cloud = Tenant({"plan": "crashplan-cloud"})
    cloud.create_user("a@acme.example")
    assert cloud.roles("a@acme.example") == {"desktop-user", "proe-user"}


ROLE_GROUPS = {
    "orgs": [{"name": "Staff"}],
    "org_mapping": {"method": "DEFAULT", "default_org": "Staff"},
    "role_mapping": {"method": "GROUP", "groups": [{"group": "Security", "roles": ["security-administrator"]}]},
}


def test_group_roles_are_added_and_removed_but_hand_granted_roles_stay():
    tenant = Tenant(ROLE_GROUPS)
    a = tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("PUT", f"/v1/users/{uid}/roles", {"roleIds": ["desktop-user", "proe-user", "alert-emails"]}, expect=200)
    security = tenant.create_group("Security", [a["id"]])
    assert tenant.roles("a@acme.example") == {"desktop-user", "proe-user", "alert-emails", "security-administrator"}
    tenant.remove_member(security["id"], a["id"])
    assert tenant.roles("a@acme.example") == {"desktop-user", "proe-user", "alert-emails"}


def test_scim_owns_all_roles_switch_removes_hand_granted_roles():
    tenant = Tenant({**ROLE_GROUPS, "switches": {"scim_owns_roles": "all"}})
    a = tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("PUT", f"/v1/users/{uid}/roles", {"roleIds": ["alert-emails"]}, expect=200)
    tenant.create_group("Security", [a["id"]])
    assert tenant.roles("a@acme.example") == {"desktop-user", "proe-user", "security-administrator"}


def test_unmapped_users_inherit_the_orgs_default_roles():
    tenant = Tenant({"orgs": [{"name": "Staff", "default_roles": ["alert-emails"]}],
                     "org_mapping": {"method": "DEFAULT", "default_org": "Staff"},
                     "role_mapping": {"method": "GROUP", "groups": [{"group": "Sec", "roles": ["org-admin"]}]},
                     "switches": {"base_roles": "when-unmapped"}})
    a = tenant.create_user("a@acme.example")
    assert tenant.roles("a@acme.example") == {"alert-emails", "desktop-user", "proe-user"}
    tenant.create_group("Sec", [a["id"]])
    assert tenant.roles("a@acme.example") == {"org-admin"}


def test_attribute_roles_limited_to_the_allow_list():
    tenant = Tenant({"plan": "incydr-enterprise",
                     "role_mapping": {"method": "ATTRIBUTE", "allow_list": ["insider-risk-analyst"]}})
    tenant.create_user("a@acme.example", c42Roles=["insider-risk-analyst", "customer-cloud-admin"])
    assert tenant.roles("a@acme.example") == {"agent-user", "insider-risk-analyst"}
    assert any(e["status"] == "WARNING" and "customer-cloud-admin" in e["message"] for e in tenant.sync_log())


def test_mapping_edits_reach_existing_users_only_after_apply_settings():
    tenant = Tenant(GROUP_PRIORITY)
    a = tenant.create_user("a@acme.example")
    sales = tenant.create_group("Sales", [a["id"]])
    assert tenant.org_name("a@acme.example") == "Sales"
    provider = tenant.admin("GET", "/v1/scim-providers/c42-scim-provider-1", expect=200).get_json()
    tenant.admin("PATCH", f"/v1/scim-providers/{provider['scimServerUid']}", {
        "scimGroupOrgMap": [{"scimGroupUid": sales["id"], "orgId": tenant.org_id("Engineering")}]}, expect=200)
    assert tenant.org_name("a@acme.example") == "Sales"
    tenant.admin("POST", f"/v1/scim-providers/{provider['scimServerUid']}/apply-settings", expect=200)
    assert tenant.org_name("a@acme.example") == "Engineering"


def test_console_cannot_map_a_group_that_was_never_pushed():
    tenant = Tenant(GROUP_PRIORITY)
    response = tenant.admin("PATCH", "/v1/scim-providers/c42-scim-provider-1", {
        "scimGroupOrgMap": [{"scimGroupUid": "never-pushed", "orgId": tenant.org_id("Sales")}]})
    assert response.status_code == 400 and "SCIM_GROUP_NOT_FOUND" in response.get_data(as_text=True)


def test_directory_groups_list_only_pushed_groups():
    tenant = Tenant(GROUP_PRIORITY)
    assert tenant.admin("GET", "/v1/directory-groups", expect=200).get_json()["directoryGroups"] == []
    tenant.create_group("Sales")
    groups = tenant.admin("GET", "/v1/directory-groups", expect=200).get_json()
    assert [g["name"] for g in groups["directoryGroups"]] == ["Sales"] and groups["totalCount"] == 1

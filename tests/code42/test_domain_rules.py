"""Code42's validation and ownership rules on SCIM writes, through the app."""

from __future__ import annotations

import pytest
from code42_tenant import ENTERPRISE, Tenant

LOCAL = {"local_users": [{"username": "admin@acme.example", "first_name": "Local"}]}


@pytest.fixture
def tenant() -> Tenant:
    return Tenant(LOCAL)


def test_username_must_be_an_email(tenant: Tenant):
    body = tenant.create_user("not-an-email", expect=400)
    assert body["scimType"] == "invalidValue" and "USERNAME_NOT_AN_EMAIL" in body["detail"]
    assert any(e["status"] == "ERROR" and e["username"] == "not-an-email" for e in tenant.sync_log())


def test_only_a_changed_username_is_checked_for_an_email(tmp_path):
    """A userName stored while fault username_email_not_enforced was on (a database file kept across
    restarts) does not block later updates that leave it alone; renaming to another non-email is still
    refused."""
    database = str(tmp_path / "c42.db")
    legacy = Tenant(faults=["username_email_not_enforced"], database=database).create_user("legacy-login")
    tenant = Tenant(database=database)
    tenant.patch_user(legacy["id"], [{"op": "replace", "path": "title", "value": "Engineer"}])
    response = tenant.patch_user(legacy["id"], [{"op": "replace", "path": "userName", "value": "other-login"}],
                                 expect=400)
    assert "USERNAME_NOT_AN_EMAIL" in response.get_json()["detail"]


@pytest.mark.parametrize("country, status", [("US", 201), ("gb", 201), ("XX", 400), ("USA", 400), ("United States", 400)])
def test_country_is_iso_3166_alpha_2(tenant: Tenant, country, status):
    body = tenant.create_user("c@acme.example", expect=status,
                              addresses=[{"type": "work", "country": country, "locality": "Paris"}])
    if status == 400:
        assert body["scimType"] == "invalidValue"


def test_local_user_cannot_be_created_over(tenant: Tenant):
    body = tenant.create_user("admin@acme.example", expect=409)
    assert body["scimType"] == "uniqueness"
    assert tenant.user("admin@acme.example")["localUser"] is True
    assert any(e["status"] == "ERROR" and e["username"] == "admin@acme.example" for e in tenant.sync_log())


def test_local_user_cannot_be_renamed_into(tenant: Tenant):
    bob = tenant.create_user("bob@acme.example")
    response = tenant.scim("PATCH", f"/Users/{bob['id']}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "userName", "value": "admin@acme.example"}]})
    assert response.status_code in (400, 409)


def test_unknown_manager_is_accepted_and_dropped_with_a_warning(tenant: Tenant):
    tenant.create_user("e@acme.example", **{ENTERPRISE: {"manager": {"value": "no-such-id"}}})
    uid = tenant.user("e@acme.example")["userId"]
    data = tenant.admin("GET", f"/api/v18/scim-user-data/collated-view?userId={uid}", expect=200).get_json()
    assert data["managerUserId"] is None
    assert any(e["status"] == "WARNING" and "no-such-id" in e["message"] for e in tenant.sync_log())


def test_known_manager_is_stored_as_the_managers_uid(tenant: Tenant):
    boss = tenant.create_user("boss@acme.example")
    tenant.create_user("e@acme.example", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})
    uid = tenant.user("e@acme.example")["userId"]
    profile = tenant.admin("GET", f"/v1/user-risk-profiles/{uid}", expect=200).get_json()
    assert profile["managerId"] == tenant.user("boss@acme.example")["userId"]
    assert profile["managerUsername"] == "boss@acme.example"


def test_unknown_manager_reject_switch():
    tenant = Tenant({"switches": {"unknown_manager": "reject"}})
    body = tenant.create_user("e@acme.example", expect=400, **{ENTERPRISE: {"manager": {"value": "nobody"}}})
    assert body["scimType"] == "invalidValue"


def test_updates_overwrite_console_changes(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    uid = tenant.user("alice@acme.example")["userId"]
    tenant.admin("PUT", f"/api/v1/User/{uid}?idType=uid", {"firstName": "Console"}, expect=200)
    assert tenant.user("alice@acme.example")["firstName"] == "Console"
    tenant.patch_user(alice["id"], [{"op": "replace", "path": "name.givenName", "value": "Azure"}])
    assert tenant.user("alice@acme.example")["firstName"] == "Azure"


def test_provisioned_attributes_reach_the_risk_profile(tenant: Tenant):
    tenant.create_user("a@acme.example", title="Engineer", userType="Contractor", externalId="obj-1",
                       addresses=[{"type": "work", "locality": "Lyon", "region": "ARA", "country": "FR"}],
                       **{ENTERPRISE: {"department": "R&D", "division": "Labs"}})
    uid = tenant.user("a@acme.example")["userId"]
    p = tenant.admin("GET", f"/v1/user-risk-profiles/{uid}", expect=200).get_json()
    assert (p["title"], p["department"], p["division"], p["employmentType"]) == ("Engineer", "R&D", "Labs", "Contractor")
    assert (p["locality"], p["region"], p["country"]) == ("Lyon", "ARA", "FR")


def test_post_with_active_false_creates_an_active_user(tenant: Tenant):
    tenant.create_user("d@acme.example", active=False)
    assert tenant.user("d@acme.example")["active"] is True


def test_post_with_active_false_create_disabled_switch():
    tenant = Tenant({"switches": {"post_inactive": "create-disabled"}})
    tenant.create_user("d@acme.example", active=False)
    assert tenant.user("d@acme.example")["active"] is False


def test_post_of_existing_console_user_is_a_conflict_or_adopted():
    tenant = Tenant()
    tenant.admin("POST", "/v1/users", {"username": "c@acme.example", "localUser": False}, expect=201)
    assert tenant.create_user("c@acme.example", expect=409)["scimType"] == "uniqueness"
    adopting = Tenant({"switches": {"post_existing_username": "adopt"}})
    adopting.admin("POST", "/v1/users", {"username": "c@acme.example", "localUser": False}, expect=201)
    uid = adopting.user("c@acme.example")["userId"]
    adopting.create_user("c@acme.example", title="Adopted")
    assert adopting.user("c@acme.example")["userId"] == uid


def test_delete_deactivates_after_the_delay_and_answers_204(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    assert tenant.scim("DELETE", f"/Users/{alice['id']}").status_code == 204
    assert tenant.user("alice@acme.example")["blocked"] is True
    tenant.advance(15 * 60)
    assert tenant.user("alice@acme.example")["active"] is False


def test_delete_405_switch():
    tenant = Tenant({"switches": {"delete_users": "405"}})
    alice = tenant.create_user("alice@acme.example")
    assert tenant.scim("DELETE", f"/Users/{alice['id']}").status_code == 405
    assert tenant.user("alice@acme.example")["active"] is True

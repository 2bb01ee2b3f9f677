"""Admin-API rules the SDK contract (tests/contract) does not reach: what the SDKs' routes refuse, and
what they do to other records (docs/code42-api.md)."""

from __future__ import annotations

import pytest
from code42_tenant import Tenant


@pytest.fixture
def tenant() -> Tenant:
    return Tenant({"orgs": [{"name": "Provisioned"}], "org_mapping": {"default_org": "Provisioned"}})


def test_org_deactivation_deactivates_its_users_and_a_custodian_stops_it(tenant: Tenant):
    tenant.create_user("a@acme.example")
    tenant.create_user("b@acme.example")
    guid = tenant.org_guid("Provisioned")
    matter = tenant.hold("b@acme.example")
    refused = tenant.admin("POST", f"/v1/orgs/{guid}/deactivate")
    assert refused.status_code == 400 and "ACTIVE_LEGAL_HOLD" in refused.get_data(as_text=True)
    assert tenant.user("a@acme.example")["active"] is True  # nothing changed
    tenant.release("b@acme.example", matter)
    tenant.admin("POST", f"/v1/orgs/{guid}/deactivate", expect=204)
    org = tenant.admin("GET", f"/v1/orgs/{guid}", expect=200).get_json()
    assert org["active"] is False and org["deactivationDate"]
    assert [tenant.user(u)["active"] for u in ("a@acme.example", "b@acme.example")] == [False, False]
    tenant.admin("POST", f"/v1/orgs/{guid}/activate", expect=204)
    assert tenant.admin("GET", f"/v1/orgs/{guid}", expect=200).get_json()["deactivationDate"] is None
    assert tenant.user("a@acme.example")["active"] is False  # reactivating an org leaves its users as they are


def test_console_update_leaves_null_fields_and_checks_the_rest(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    path = f"/api/v1/User/{uid}?idType=uid"
    body = {"username": None, "email": None, "password": None, "firstName": None, "lastName": None, "notes": "n",
            "quotaInBytes": None}
    answer = tenant.admin("PUT", path, body, expect=200).get_json()["data"]
    assert (answer["lastName"], answer["notes"], answer["username"]) == ("Tester", "n", "a@acme.example")
    assert "USERNAME_NOT_AN_EMAIL" in tenant.admin("PUT", path, {"username": "nope"}, expect=500).get_data(True)
    assert tenant.admin("PUT", path, {"quotaInBytes": -2}).status_code == 400
    tenant.create_user("b@acme.example")
    assert "USER_DUPLICATE" in tenant.admin("PUT", path, {"username": "b@acme.example"}, expect=500).get_data(True)


def test_console_user_lookup_by_integer_id_or_uid(tenant: Tenant):
    tenant.create_user("a@acme.example")
    v1 = tenant.user("a@acme.example")
    by_id = tenant.admin("GET", f"/api/v1/User/{v1['legacyUserId']}", expect=200).get_json()["data"]
    assert by_id["userUid"] == v1["userId"] and by_id["userId"] == int(v1["legacyUserId"])
    assert tenant.admin("GET", f"/api/v1/User/{v1['legacyUserId']}?idType=uid").status_code == 404
    assert tenant.admin("GET", "/api/v1/User/my").status_code == 404
    unknown_org = tenant.admin("GET", "/api/v1/User?orgUid=nope")
    assert unknown_org.status_code == 400 and "Organization was not found" in unknown_org.get_data(as_text=True)


def test_console_memberships_need_a_criterion(tenant: Tenant):
    response = tenant.admin("GET", "/api/v27/legal-hold-membership/list")
    assert response.status_code == 400
    assert "At least one criteria must be specified" in response.get_data(as_text=True)
    assert tenant.admin("POST", "/api/v27/legal-hold-membership/deactivate",
                        {"legalHoldMembershipUid": "nope"}).status_code == 403
    assert tenant.admin("GET", "/api/v27/legal-hold-matter/view?legalHoldUid=nope").status_code == 403


def test_risk_profile_and_actor_updates_share_notes_and_dates(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("PATCH", f"/v1/user-risk-profiles/{uid}?paths=notes&paths=startDate",
                 {"notes": "n", "startDate": {"year": 2024, "month": 2, "day": 29}}, expect=200)
    actor = tenant.admin("GET", f"/v1/actors/actor/id/{uid}", expect=200).get_json()
    assert (actor["notes"], actor["startDate"]) == ("n", "2024-02-29")
    assert tenant.admin("PATCH", f"/v1/user-risk-profiles/{uid}?paths=title", {"title": "x"}).status_code == 400
    assert tenant.admin("PATCH", f"/v1/user-risk-profiles/{uid}?paths=endDate",
                        {"endDate": {"year": 2023, "month": 2, "day": 29}}).status_code == 400
    assert tenant.admin("PATCH", f"/v1/actors/actor/id/{uid}", {"endDate": "31/12/2026"}).status_code == 400
    cleared = tenant.admin("PATCH", f"/v1/actors/actor/id/{uid}", {"notes": ""}, expect=200).get_json()
    assert cleared["notes"] is None and cleared["startDate"] == "2024-02-29"
    assert tenant.admin("GET", "/v1/actors/actor/id/nope").status_code == 404


def test_audit_export_token_is_redeemed_once(tenant: Tenant):
    token = tenant.admin("POST", "/v1/audit/export", {"actorNames": ["a"]}, expect=200).get_json()["downloadToken"]
    first = tenant.admin("GET", f"/v1/audit/redeem-download-token?downloadToken={token}", expect=200)
    assert first.mimetype == "text/csv" and first.get_data(as_text=True).startswith("timestamp,")
    assert tenant.admin("GET", f"/v1/audit/redeem-download-token?downloadToken={token}").status_code == 404
    assert tenant.admin("POST", "/v1/audit/search-audit-log", {"actorNames": "a"}).status_code == 400


def test_unrouted_requests_are_admin_json_and_scim_paths_stay_scim(tenant: Tenant):
    missing = tenant.client.get("/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()[0]["name"] == "NOT_FOUND"
    wrong = tenant.client.delete("/v1/orgs")
    assert wrong.status_code == 405 and wrong.get_json()[0]["name"] == "METHOD_NOT_ALLOWED"
    scim = tenant.scim("GET", "/NoSuchResource")
    assert scim.status_code == 404 and "urn:ietf:params:scim:api:messages:2.0:Error" in scim.get_json()["schemas"]

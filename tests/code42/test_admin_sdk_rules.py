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


def test_org_block_reaches_child_orgs_and_users_and_unblock_leaves_users_blocked(tenant: Tenant):
    tenant.create_user("a@acme.example")
    guid = tenant.org_guid("Provisioned")
    child = tenant.admin("POST", "/api/v3/orgs", {"orgName": "Child", "parentOrgGuid": guid}, expect=201).get_json()
    tenant.admin("POST", f"/api/v3/orgs/{guid}/block", expect=204)
    assert tenant.admin("GET", f"/api/v3/orgs/{child['orgGuid']}", expect=200).get_json()["blocked"] is True
    assert tenant.user("a@acme.example")["blocked"] is True
    root = next(o for o in tenant.admin("GET", "/api/v1/Org", expect=200).get_json()["data"]["orgs"]
                if o["parentOrgId"] is None)
    assert root["blocked"] is False  # a block reaches down, never up
    tenant.admin("POST", f"/api/v3/orgs/{guid}/unblock", expect=204)
    assert tenant.admin("GET", f"/api/v3/orgs/{child['orgGuid']}", expect=200).get_json()["blocked"] is False
    assert tenant.user("a@acme.example")["blocked"] is True  # py42: users stay blocked until unblocked one by one


def test_cloud_aliases_are_the_actor_alternate_names_and_are_checked(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    base = f"/v1/user-risk-profiles/{uid}"
    tenant.admin("POST", f"{base}/add-cloud-aliases", {"cloudAliases": ["a@cloud.example"], "userId": uid},
                 expect=200)
    actor = tenant.admin("GET", f"/v1/actors/actor/id/{uid}", expect=200).get_json()
    assert "a@cloud.example" in actor["alternateNames"]
    too_many = tenant.admin("POST", f"{base}/add-cloud-aliases", {"cloudAliases": ["b@x.example", "c@x.example"]})
    assert too_many.status_code == 400 and "Cloud usernames must be less than or equal to" in too_many.get_data(True)
    assert tenant.admin("POST", f"{base}/add-cloud-aliases", {"cloudAliases": ["x" * 51]}).status_code == 400
    assert tenant.admin("POST", f"{base}/add-cloud-aliases", {"cloudAliases": "a"}).status_code == 400
    assert tenant.admin("POST", f"{base}/add-cloud-aliases", {"cloudAliases": ["b@x"], "userId": "9"}).status_code == 400
    tenant.admin("POST", f"{base}/delete-cloud-aliases", {"cloudAliases": ["a@cloud.example", "never@x.example"]},
                 expect=200)
    assert tenant.admin("GET", base, expect=200).get_json()["cloudAliases"] == []


def test_py42_discovers_its_microservices_on_the_mock_itself(tenant: Tenant):
    env = tenant.admin("GET", "/api/v1/ServerEnv", expect=200).get_json()
    assert env["stsBaseUrl"].endswith("/sts")
    client = tenant.app.test_client()
    for key in ("AUDIT-LOG_API-URL", "watchlists-API_URL"):  # asked without credentials, as py42 does
        answer = client.get(f"/v1/{key}")
        assert answer.status_code == 200 and answer.get_data(as_text=True) == "http://localhost"
    assert client.get("/v1/FedObserver-API_URL").status_code == 404  # a service the mock does not run


def test_audit_search_takes_py42_timestamps_and_formats(tenant: Tenant):
    query = {"page": 0, "pageSize": 5, "dateRange": {"startTime": "2024-01-01T00:00:00.000000Z"},
             "affectedUserNames": ["a@acme.example"]}
    assert tenant.admin("POST", "/rpc/search/search-audit-log", query, expect=200).get_json()["events"] == []
    bad = dict(query, dateRange={"startTime": "yesterday"})
    assert tenant.admin("POST", "/rpc/search/search-audit-log", bad).status_code == 400
    assert tenant.admin("POST", "/v1/audit/search-audit-log", {"dateRange": {"endTime": 1700000000.5}},
                        expect=200).get_json()["events"] == []


def test_console_devices_list_checks_its_org(tenant: Tenant):
    page = tenant.admin("GET", "/api/v1/Computer?pgNum=1&pgSize=10&active=true", expect=200).get_json()["data"]
    assert page == {"totalCount": 0, "computers": []}
    unknown = tenant.admin("GET", "/api/v1/Computer?orgUid=nope")
    assert unknown.status_code == 400 and "Unable to find org" in unknown.get_data(as_text=True)
    assert tenant.admin("GET", "/api/v1/Computer?active=maybe").status_code == 400

"""The Code42-shaped admin API: OAuth, users, roles, orgs, legal hold, provider settings, error tokens."""

from __future__ import annotations

import base64
import time

import pytest
from code42_tenant import CLIENT_ID, CLIENT_SECRET, SCIM_TOKEN, Tenant

from simulators.code42.http.admin.context import TOKENS_KEY


@pytest.fixture
def tenant() -> Tenant:
    return Tenant({"orgs": [{"name": "Provisioned"}], "org_mapping": {"default_org": "Provisioned"}})


def _basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def test_oauth_basic_and_form_and_bad_secret(tenant: Tenant):
    ok = tenant.client.post("/v1/oauth?grant_type=client_credentials", headers=_basic(CLIENT_ID, CLIENT_SECRET))
    assert ok.status_code == 200
    assert ok.get_json()["token_type"] == "bearer" and ok.get_json()["expires_in"] == 900
    form = tenant.client.post("/v1/oauth", data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                 "client_secret": CLIENT_SECRET})
    assert form.status_code == 200
    bad = tenant.client.post("/v1/oauth?grant_type=client_credentials", headers=_basic(CLIENT_ID, "wrong"))
    assert bad.status_code == 401 and "wrong" not in bad.get_data(as_text=True)


def test_token_lives_15_wall_clock_minutes_whatever_the_virtual_clock(tenant: Tenant):
    """Code42's SDKs time a token's 900 seconds on their own wall clock (incydr never retries a 401), so
    simulated time must not end a session (issue 12); a token 15 wall-clock minutes old is refused."""
    token = tenant.client.post("/v1/oauth?grant_type=client_credentials",
                               headers=_basic(CLIENT_ID, CLIENT_SECRET)).get_json()["access_token"]
    tenant.advance(7 * 24 * 3600)
    assert tenant.client.get("/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    issuer = tenant.app.extensions[TOKENS_KEY]
    stale = issuer.issue(CLIENT_ID, "tenant", issued_at=time.time() - issuer.lifetime)
    response = tenant.client.get("/v1/users", headers={"Authorization": f"Bearer {stale}"})
    assert response.status_code == 401 and "invalid_token" in response.headers["WWW-Authenticate"]


def test_oauth_takes_basic_without_grant_type_and_answers_oauth_errors(tenant: Tenant):
    """incydr posts ``/v1/oauth`` with Basic only; token-endpoint errors are RFC 6749 bodies."""
    ok = tenant.client.post("/v1/oauth", headers=_basic(CLIENT_ID, CLIENT_SECRET))
    assert ok.status_code == 200 and ok.get_json()["access_token"].count(".") == 2
    bad = tenant.client.post("/v1/oauth", headers=_basic(CLIENT_ID, "wrong"))
    assert bad.status_code == 401 and bad.get_json()["error"] == "invalid_client"
    assert bad.headers["WWW-Authenticate"].startswith("Basic")
    grant = tenant.client.post("/v1/oauth?grant_type=password", headers=_basic(CLIENT_ID, CLIENT_SECRET))
    assert grant.status_code == 400 and grant.get_json()["error"] == "unsupported_grant_type"


def test_missing_or_scim_token_is_401(tenant: Tenant):
    assert tenant.client.get("/v1/users").status_code == 401
    assert tenant.client.get("/v1/users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 401


def test_users_list_filters_and_paging(tenant: Tenant):
    for name in ("a", "b", "c"):
        tenant.create_user(f"{name}@acme.example")
    uid = tenant.user("b@acme.example")["userId"]
    tenant.admin("POST", f"/api/v3/users/{uid}/block", expect=204)
    blocked = tenant.admin("GET", "/v1/users?blocked=true", expect=200).get_json()
    assert [u["username"] for u in blocked["users"]] == ["b@acme.example"]
    page = tenant.admin("GET", "/v1/users?page=2&pageSize=2", expect=200).get_json()
    assert page["totalCount"] == 3 and len(page["users"]) == 1
    assert tenant.admin("GET", "/v1/users?active=maybe").status_code == 400


def test_user_by_uid_and_legacy_id(tenant: Tenant):
    tenant.create_user("a@acme.example")
    user = tenant.user("a@acme.example")
    assert tenant.admin("GET", f"/v1/users/{user['userId']}", expect=200).get_json()["username"] == "a@acme.example"
    assert tenant.admin("GET", f"/v1/users/{user['legacyUserId']}", expect=200).get_json()["userId"] == user["userId"]
    assert "USER_NOT_FOUND" in tenant.admin("GET", "/v1/users/999", expect=404).get_data(as_text=True)


def test_deactivate_custodian_is_400_active_legal_hold(tenant: Tenant):
    tenant.create_user("a@acme.example")
    tenant.hold("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    response = tenant.admin("POST", f"/api/v3/users/{uid}/deactivate", {"block": True})
    assert response.status_code == 400 and "ACTIVE_LEGAL_HOLD" in response.get_data(as_text=True)
    assert tenant.user("a@acme.example")["active"] is True


def test_v3_deactivate_with_block_and_activate_with_unblock(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("POST", f"/api/v3/users/{uid}/deactivate", {"block": True}, expect=204)
    assert (tenant.user("a@acme.example")["active"], tenant.user("a@acme.example")["blocked"]) == (False, True)
    tenant.admin("POST", f"/api/v3/users/{uid}/activate", {"unblock": True}, expect=204)
    assert (tenant.user("a@acme.example")["active"], tenant.user("a@acme.example")["blocked"]) == (True, False)


def test_custodian_rules(tenant: Tenant):
    tenant.create_user("a@acme.example")
    matter = tenant.hold("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    again = tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/custodians", {"userId": uid})
    assert again.status_code == 400 and "USER_ALREADY_IN_HOLD" in again.get_data(as_text=True)
    custodians = tenant.admin("GET", f"/v1/legal-hold/matters/{matter}/custodians", expect=200).get_json()
    assert custodians["custodians"][0]["userId"] == uid  # flat, as incydr's Custodian model reads it
    assert tenant.admin("GET", f"/v1/legal-hold/custodians/{uid}", expect=200).get_json()["matters"][0]["matterId"] == matter
    tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/deactivate", expect=204)
    closed = tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/deactivate")
    assert closed.status_code == 400 and "ALREADY_DEACTIVATED" in closed.get_data(as_text=True)
    tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/reactivate", expect=204)
    assert "ALREADY_ACTIVE" in tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/reactivate",
                                            expect=400).get_data(as_text=True)
    assert tenant.admin("GET", "/v1/legal-hold/matters/nope").status_code == 403


def test_deactivated_user_cannot_be_added_to_a_hold(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("POST", f"/v1/users/{uid}/deactivate", expect=204)
    matter = tenant.admin("POST", "/v1/legal-hold/matters", {"name": "M"}, expect=201).get_json()["matterId"]
    assert tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/custodians", {"userId": uid}).status_code == 400


def test_roles_replace_reports_the_difference(tenant: Tenant):
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    result = tenant.admin("PUT", f"/v1/users/{uid}/roles", {"roleIds": ["desktop-user", "Alert Emails"]},
                          expect=200).get_json()
    assert result["newlyAssignedRolesIds"] == ["alert-emails"] and result["unassignedRolesIds"] == ["proe-user"]
    assert {r["roleId"] for r in tenant.admin("GET", f"/api/v3/users/{uid}/roles", expect=200).get_json()} == \
        {"desktop-user", "alert-emails"}
    assert tenant.admin("PUT", f"/v1/users/{uid}/roles", {"roleIds": ["emperor"]}).status_code == 400
    names = {r["roleName"] for r in tenant.admin("GET", "/v1/users/roles", expect=200).get_json()}
    assert {"Desktop User", "PROe User", "Agent User", "Identity Management Administrator"} <= names


def test_orgs_create_get_and_move(tenant: Tenant):
    created = tenant.admin("POST", "/v1/orgs", {"orgName": "Sub"}, expect=201).get_json()
    assert created["parentOrgGuid"] == next(o["orgGuid"] for o in tenant.admin("GET", "/v1/orgs").get_json()["orgs"]
                                            if o["parentOrgGuid"] is None)
    assert tenant.admin("GET", f"/v1/orgs/{created['orgGuid']}", expect=200).get_json()["orgName"] == "Sub"
    tenant.create_user("a@acme.example")
    uid = tenant.user("a@acme.example")["userId"]
    tenant.admin("POST", f"/api/v3/users/{uid}/move", {"orgId": created["orgId"]}, expect=204)
    assert tenant.org_name("a@acme.example") == "Sub"
    missing = tenant.admin("POST", f"/v1/users/{uid}/move", {"orgGuid": "nope"})
    assert missing.status_code == 400 and "Organization was not found" in missing.get_data(as_text=True)


def test_console_user_creation_errors(tenant: Tenant):
    assert "USERNAME_NOT_AN_EMAIL" in tenant.admin("POST", "/v1/users", {"username": "x"}, expect=400).get_data(True)
    tenant.admin("POST", "/v1/users", {"username": "l@acme.example"}, expect=201)
    assert "USER_DUPLICATE" in tenant.admin("POST", "/v1/users", {"username": "l@acme.example"},
                                            expect=500).get_data(as_text=True)


def test_provider_record_and_patch_validation(tenant: Tenant):
    record = tenant.admin("GET", "/v1/scim-providers/c42-scim-provider-1", expect=200).get_json()
    assert record["orgMappingType"] == "DEFAULT" and record["provisioningDeactivationDelay"] == 15
    assert record["scimBaseUrl"].endswith("/scim/v2") and record["defaultOrgId"] == tenant.org_id("Provisioned")
    bad = tenant.admin("PATCH", "/v1/scim-providers/c42-scim-provider-1", {"provisioningDeactivationDelay": 129601})
    assert bad.status_code == 400
    ok = tenant.admin("PATCH", "/v1/scim-providers/c42-scim-provider-1", {"provisioningDeactivationDelay": 5,
                                                                          "orgMappingType": "ATTRIBUTE"}, expect=200)
    assert ok.get_json()["provisioningDeactivationDelay"] == 5 and ok.get_json()["defaultOrgId"] is not None
    assert tenant.admin("GET", "/v1/scim-providers/other").status_code == 404


def test_delay_edit_applies_to_later_deactivations(tenant: Tenant):
    tenant.admin("PATCH", "/v1/scim-providers/c42-scim-provider-1", {"provisioningDeactivationDelay": 1}, expect=200)
    a = tenant.create_user("a@acme.example")
    tenant.disable(a["id"])
    tenant.advance(59)
    assert tenant.user("a@acme.example")["active"] is True
    tenant.advance(1)
    assert tenant.user("a@acme.example")["active"] is False


def test_regenerate_credentials_kills_the_old_token(tenant: Tenant):
    assert tenant.scim("GET", "/Users").status_code == 200
    body = tenant.admin("POST", "/v1/scim-providers/c42-scim-provider-1/regenerate-credentials", expect=200).get_json()
    assert tenant.scim("GET", "/Users").status_code == 401
    assert tenant.scim("GET", "/Users", token=body["token"]).status_code == 200

"""Regression tests for bugs found after the first release of the mock Code42 (each failed before its fix)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.code42.code42_tenant import PATCH_SCHEMA, USER_SCHEMA, Tenant

SCIMGATE_URN = "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User"
CUSTOM_ATTRIBUTE = {
    "plan": "incydr-basic", "root_org": {"name": "Acme"}, "orgs": [{"name": "Fallback"}],
    "org_mapping": {"method": "ATTRIBUTE", "attribute": "costCenterOrg", "attribute_urn": SCIMGATE_URN,
                    "default_org": "Fallback"},
}


# ---------------------------------------------------------------- 1. configured org/role attribute


@pytest.fixture
def custom() -> Tenant:
    return Tenant(profile=CUSTOM_ATTRIBUTE)


def test_configured_attribute_patched_by_full_urn_path_moves_the_user(custom: Tenant):
    user = custom.create_user("a@acme.example", schemas=[USER_SCHEMA, SCIMGATE_URN],
                              **{SCIMGATE_URN: {"costCenterOrg": "Finance"}})
    assert custom.org_name("a@acme.example") == "Finance"
    custom.patch_user(user["id"], [{"op": "Replace", "path": f"{SCIMGATE_URN}:costCenterOrg", "value": "Legal"}])
    assert custom.org_name("a@acme.example") == "Legal"


@pytest.mark.parametrize("path", ["costCenterOrg", "COSTCENTERORG", f"{SCIMGATE_URN.upper()}:costcenterorg"])
def test_configured_attribute_resolves_bare_and_in_any_case(custom: Tenant, path: str):
    user = custom.create_user("a@acme.example")
    custom.patch_user(user["id"], [{"op": "add", "path": path, "value": "Ops"}])
    assert custom.org_name("a@acme.example") == "Ops"


def test_configured_attribute_is_filterable_and_type_checked(custom: Tenant):
    custom.create_user("a@acme.example", **{SCIMGATE_URN: {"costCenterOrg": "Finance"}})
    found = custom.scim("GET", f'/Users?filter={SCIMGATE_URN}:costCenterOrg eq "finance"').get_json()
    assert found["totalResults"] == 1
    bad = custom.scim("POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "b@acme.example",
                                         SCIMGATE_URN: {"costCenterOrg": 42}})
    assert bad.status_code == 400 and "costCenterOrg" in bad.get_json()["detail"]


def test_configured_attribute_follows_a_console_rename(custom: Tenant):
    user = custom.create_user("a@acme.example")
    provider = custom.runtime.profile.provider["id"]
    custom.admin("PATCH", f"/v1/scim-providers/{provider}", {"scimOrgAttribute": "region42"}, expect=200)
    custom.patch_user(user["id"], [{"op": "replace", "path": f"{SCIMGATE_URN}:region42", "value": "Emea"}])
    response = custom.scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "replace", "path": f"{SCIMGATE_URN}:costCenterOrg", "value": "x"}]})
    assert response.status_code == 400 and response.get_json()["scimType"] == "invalidPath"


def test_role_attribute_accepts_a_list_or_a_comma_string_under_the_configured_urn():
    t = Tenant(profile={"role_mapping": {"method": "ATTRIBUTE", "attribute": "c42Roles",
                                         "allow_list": ["insider-risk-analyst", "customer-cloud-admin"]}})
    user = t.create_user("a@acme.example")
    urn = t.runtime.profile.org_mapping.attribute_urn
    t.patch_user(user["id"], [{"op": "replace", "path": f"{urn}:c42Roles", "value": "insider-risk-analyst"}])
    assert "insider-risk-analyst" in t.roles("a@acme.example")
    t.patch_user(user["id"], [{"op": "replace", "path": "c42Roles",
                               "value": ["insider-risk-analyst", "customer-cloud-admin"]}])
    assert {"insider-risk-analyst", "customer-cloud-admin"} <= t.roles("a@acme.example")


def test_unconfigured_attribute_is_still_unknown():
    t = Tenant()
    user = t.create_user("a@acme.example")
    response = t.scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "replace", "path": f"{SCIMGATE_URN}:costCenterOrg", "value": "x"}]})
    assert response.status_code == 400 and response.get_json()["scimType"] == "invalidPath"


# ---------------------------------------------------------------- 2. rename onto a local user


def test_rename_onto_a_local_username_with_local_users_writable_is_409_not_500():
    t = Tenant(profile={"local_users": [{"username": "admin@acme.example"}]}, faults=["local_users_writable"])
    user = t.create_user("a@acme.example")
    response = t.scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "replace", "path": "userName", "value": "ADMIN@acme.example"}]})
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.get_json()["scimType"] == "uniqueness"
    put = t.scim("PUT", f"/Users/{user['id']}", {"schemas": [USER_SCHEMA], "userName": "admin@acme.example"})
    assert put.status_code == 409
    assert t.user("a@acme.example")["username"] == "a@acme.example"


# ---------------------------------------------------------------- 3. /_sim/reset reaches the rules


def test_reset_drops_deferred_sync_log_entries():
    t = Tenant()
    t.scim("POST", "/Users", {"schemas": [USER_SCHEMA], "userName": "not-an-email"})  # rejected: deferred entry
    assert t.runtime.rules.synclog.has_deferred()
    assert t.client.post("/_sim/reset").status_code == 200
    assert not t.runtime.rules.synclog.has_deferred()
    assert all("not-an-email" not in (e.get("message") or "") for e in t.sync_log())


def test_reset_drops_pending_deactivations_held_in_memory():
    t = Tenant(faults=["pending_deactivations_lost_on_restart"])
    user = t.create_user("a@acme.example")
    t.disable(user["id"])
    assert t.runtime.rules.lifecycle.pending.earliest(None) is not None
    assert t.client.post("/_sim/reset").status_code == 200
    assert t.runtime.rules.lifecycle.pending.earliest(None) is None
    t.create_user("a@acme.example")  # the same username again after the reset
    t.advance(timedelta(days=2).total_seconds())
    assert t.user("a@acme.example")["active"] is True


def test_no_rules_have_a_reset_hook():
    from simulators.code42.domain.hooks import NoRules

    assert NoRules().reset() is None


# ---------------------------------------------------------------- 4. regenerate inside a failed transaction


@pytest.mark.parametrize("credential_type", ["oauth", "basic"])
def test_regenerate_in_a_rolled_back_transaction_keeps_the_old_secret(credential_type: str):
    from simulators.code42.app import create_app

    app = create_app({"SCIM_TOKEN": "old-token", "SCIM_BASIC": ("sync", "old-password"),
                      "PROFILE": {"provider": {"credential_type": credential_type}}})
    credentials = app.extensions["scimgate"].credentials
    store = app.extensions["scimgate"].store
    with pytest.raises(RuntimeError):
        with store.transaction():
            credentials.regenerate()
            raise RuntimeError("the caller fails after regenerating")
    assert credentials.token == "old-token" and credentials.basic == ("sync", "old-password")
    assert credentials.check("Bearer old-token")
    new = credentials.regenerate()
    assert (credentials.basic if credential_type == "basic" else credentials.token) == new


# ---------------------------------------------------------------- tick fast path


def test_tick_without_anything_due_opens_no_transaction():
    t = Tenant()
    t.create_user("a@acme.example")
    store = t.runtime.store
    calls: list[Any] = []
    original = store.transaction
    store.transaction = lambda: calls.append(1) or original()  # type: ignore[method-assign]
    try:
        assert t.runtime.rules.tick(t.clock.now() + timedelta(days=400)) == []
    finally:
        store.transaction = original  # type: ignore[method-assign]
    assert calls == []


def test_tick_fires_a_due_deactivation_after_a_restart_with_a_file_database(tmp_path):
    database = str(tmp_path / "c42.sqlite")
    t = Tenant(database=database)
    user = t.create_user("a@acme.example")
    t.disable(user["id"])
    t.runtime.store.close()
    t2 = Tenant(database=database, clock=t.clock)
    t2.advance(timedelta(days=1).total_seconds())
    assert t2.runtime.rules.tick(t2.clock.now())
    assert t2.user("a@acme.example")["active"] is False


# ---------------------------------------------------------------- 6. case_sensitive_filters covers names too


def test_case_sensitive_filters_fault_makes_attribute_names_case_sensitive():
    t = Tenant(faults=["case_sensitive_filters"])
    t.create_user("a@acme.example")
    assert t.scim("GET", '/Users?filter=userName eq "a@acme.example"').get_json()["totalResults"] == 1
    response = t.scim("GET", '/Users?filter=USERNAME eq "a@acme.example"')
    assert response.status_code == 400 and response.get_json()["scimType"] == "invalidFilter"
    assert Tenant().scim("GET", '/Users?filter=USERNAME eq "x@acme.example"').status_code == 200

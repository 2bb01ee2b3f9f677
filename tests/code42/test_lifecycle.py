"""Lifecycle through the app: immediate block, delayed deactivation at the boundary, re-enable, legal hold,
restart with a file database. Seed "Deactivate users" and "Users on legal hold cannot be deactivated"."""

from __future__ import annotations

import pytest
from code42_tenant import Tenant

DELAY = 15 * 60


@pytest.fixture
def tenant() -> Tenant:
    return Tenant()


def test_disable_blocks_at_once_and_deactivates_exactly_at_the_delay(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    user = tenant.user("alice@acme.example")
    assert user["blocked"] is True and user["active"] is True  # "immediately blocks users"
    tenant.advance(DELAY - 1)
    assert tenant.user("alice@acme.example")["active"] is True  # one second before: not yet
    tenant.advance(1)
    user = tenant.user("alice@acme.example")
    assert user["active"] is False and user["status"] == "Deactivated"


def test_tick_fires_due_deactivations(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY)
    assert tenant.runtime.rules.tick(tenant.clock.now()) == [tenant.user("alice@acme.example")["userId"]]


def test_reenable_within_the_delay_cancels_and_unblocks(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY - 60)
    tenant.enable(alice["id"])
    tenant.advance(3600)
    user = tenant.user("alice@acme.example")
    assert user["active"] is True and user["blocked"] is False


def test_reenable_after_deactivation_reactivates(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY)
    assert tenant.user("alice@acme.example")["active"] is False
    tenant.enable(alice["id"])
    user = tenant.user("alice@acme.example")
    assert user["active"] is True and user["blocked"] is False


def test_scim_reactivation_keeps_an_admin_block_by_default(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    uid = tenant.user("alice@acme.example")["userId"]
    tenant.admin("POST", f"/api/v3/users/{uid}/unblock", expect=204)
    tenant.admin("POST", f"/api/v3/users/{uid}/block", expect=204)
    tenant.enable(alice["id"])
    assert tenant.user("alice@acme.example")["blocked"] is True


def test_switch_lets_scim_reactivation_lift_admin_blocks():
    tenant = Tenant({"switches": {"scim_reactivation_lifts_admin_block": True}})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    uid = tenant.user("alice@acme.example")["userId"]
    tenant.admin("POST", f"/api/v3/users/{uid}/block", expect=204)
    tenant.enable(alice["id"])
    assert tenant.user("alice@acme.example")["blocked"] is False


def test_custom_delay_is_honoured_at_its_boundary():
    tenant = Tenant({"deactivation_delay_minutes": 60})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(3600 - 1)
    assert tenant.user("alice@acme.example")["active"] is True
    tenant.advance(1)
    assert tenant.user("alice@acme.example")["active"] is False


def test_delay_zero_deactivates_in_the_same_request():
    tenant = Tenant({"deactivation_delay_minutes": 0})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    assert tenant.user("alice@acme.example")["active"] is False


@pytest.mark.parametrize("plan", ["incydr-professional", "incydr-enterprise"])
def test_incydr_pro_is_not_blocked_during_the_delay(plan):
    tenant = Tenant({"plan": plan})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    assert tenant.user("alice@acme.example")["blocked"] is False
    tenant.advance(DELAY)
    assert tenant.user("alice@acme.example")["active"] is False


def test_incydr_pro_block_switch():
    tenant = Tenant({"plan": "incydr-professional", "switches": {"block_on_deactivation_incydr_pro_enterprise": True}})
    alice = tenant.create_user("alice@acme.example")
    tenant.disable(alice["id"])
    assert tenant.user("alice@acme.example")["blocked"] is True


def test_custodian_is_blocked_not_deactivated_then_deactivated_on_release(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    matter = tenant.hold("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY * 4)
    user = tenant.user("alice@acme.example")
    assert user["active"] is True and user["blocked"] is True  # "Users are blocked instead of deactivated."
    tenant.release("alice@acme.example", matter)
    assert tenant.user("alice@acme.example")["active"] is False  # "automatically deactivated"


def test_release_before_the_delay_waits_for_the_delay(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    matter = tenant.hold("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(60)
    tenant.release("alice@acme.example", matter)
    assert tenant.user("alice@acme.example")["active"] is True
    tenant.advance(DELAY - 60)
    assert tenant.user("alice@acme.example")["active"] is False


def test_closing_the_matter_releases_its_custodians(tenant: Tenant):
    alice = tenant.create_user("alice@acme.example")
    matter = tenant.hold("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY)
    assert tenant.user("alice@acme.example")["active"] is True
    tenant.admin("POST", f"/v1/legal-hold/matters/{matter}/deactivate", expect=204)
    assert tenant.user("alice@acme.example")["active"] is False


def test_pending_deactivation_survives_a_restart_with_a_file_database(tmp_path):
    db = str(tmp_path / "code42.sqlite")
    first = Tenant(database=db)
    alice = first.create_user("alice@acme.example")
    first.disable(alice["id"])
    second = Tenant(database=db, clock=first.clock)
    second.advance(DELAY)
    assert second.user("alice@acme.example")["active"] is False


def test_admin_deactivation_has_no_delay(tenant: Tenant):
    tenant.create_user("alice@acme.example")
    uid = tenant.user("alice@acme.example")["userId"]
    tenant.admin("POST", f"/v1/users/{uid}/deactivate", expect=204)
    assert tenant.user("alice@acme.example")["active"] is False


@pytest.mark.parametrize("protects, active", [(True, True), (False, False)])
def test_legal_hold_on_incydr_pro_is_a_switch(protects: bool, active: bool):
    tenant = Tenant({"plan": "incydr-professional",
                     "switches": {"legal_hold_protects_incydr_pro_enterprise": protects}})
    alice = tenant.create_user("alice@acme.example")
    tenant.hold("alice@acme.example")
    tenant.disable(alice["id"])
    tenant.advance(DELAY)
    assert tenant.user("alice@acme.example")["active"] is active

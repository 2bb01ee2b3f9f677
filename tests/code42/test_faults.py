"""Every fault in the catalogue really changes behaviour: each probe returns True for the documented
behaviour; it must hold with the fault off and fail with the fault on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from code42_tenant import ENTERPRISE, Tenant

from simulators.code42.domain.faults import FAULTS, Faults, UnknownFaultError

DELAY = 15 * 60
PROBES: dict[str, tuple[dict, Callable[..., bool]]] = {}


def probe(name: str, profile: dict | None = None):
    def register(fn):
        PROBES[name] = (profile or {}, fn)
        return fn
    return register


@probe("case_sensitive_filters")
def _(t: Tenant) -> bool:
    t.create_user("Alice@acme.example")
    found = t.scim("GET", '/Users?filter=USERNAME eq "alice@acme.example"').get_json()
    return found.get("totalResults") == 1


@probe("string_false_ignored")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.disable(a["id"])
    return t.user("a@acme.example")["blocked"] is True


@probe("regenerated_token_still_valid")
def _(t: Tenant) -> bool:
    t.admin("POST", "/v1/scim-providers/c42-scim-provider-1/regenerate-credentials", expect=200)
    return t.scim("GET", "/Users").status_code == 401


@probe("deactivate_at_once")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.disable(a["id"])
    return t.user("a@acme.example")["active"] is True


@probe("no_block_on_disable")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.disable(a["id"])
    return t.user("a@acme.example")["blocked"] is True


@probe("legal_hold_ignored")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.hold("a@acme.example")
    t.disable(a["id"])
    t.advance(DELAY)
    return t.user("a@acme.example")["active"] is True


@probe("no_deactivation_on_release")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    matter = t.hold("a@acme.example")
    t.disable(a["id"])
    t.advance(DELAY)
    t.release("a@acme.example", matter)
    t.advance(DELAY)
    return t.user("a@acme.example")["active"] is False


@probe("manager_not_validated")
def _(t: Tenant) -> bool:
    t.create_user("a@acme.example", **{ENTERPRISE: {"manager": {"value": "ghost"}}})
    uid = t.user("a@acme.example")["userId"]
    return t.admin("GET", f"/v1/user-risk-profiles/{uid}", expect=200).get_json()["managerId"] is None


GROUPS = {"orgs": [{"name": "Default"}, {"name": "First"}, {"name": "Second"}],
          "org_mapping": {"method": "MAPPING", "default_org": "Default",
                          "groups": [{"group": "G1", "org": "First"}, {"group": "G2", "org": "Second"}]}}


@probe("group_priority_reversed", GROUPS)
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.create_group("G1", [a["id"]])
    t.create_group("G2", [a["id"]])
    return t.org_name("a@acme.example") == "First"


@probe("default_org_ignored", GROUPS)
def _(t: Tenant) -> bool:
    t.create_user("a@acme.example")
    return t.org_name("a@acme.example") == "Default"


@probe("roles_not_applied", {"role_mapping": {"method": "GROUP", "groups": [{"group": "Sec", "roles": ["org-admin"]}]}})
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.create_group("Sec", [a["id"]])
    return "org-admin" in t.roles("a@acme.example")


@probe("country_not_validated")
def _(t: Tenant) -> bool:
    response = t.scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                         "userName": "a@acme.example", "addresses": [{"type": "work", "country": "ZZ"}]})
    return response.status_code == 400


@probe("local_users_writable", {"local_users": [{"username": "admin@acme.example"}]})
def _(t: Tenant) -> bool:
    response = t.scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                         "userName": "admin@acme.example"})
    return response.status_code == 409


@probe("reenable_does_not_cancel")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.disable(a["id"])
    t.advance(60)
    t.enable(a["id"])
    t.advance(DELAY)
    return t.user("a@acme.example")["active"] is True


@probe("delay_ignored_custom", {"deactivation_delay_minutes": 60})
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    t.disable(a["id"])
    t.advance(DELAY)
    return t.user("a@acme.example")["active"] is True


@probe("updates_do_not_overwrite")
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    uid = t.user("a@acme.example")["userId"]
    t.admin("PUT", f"/api/v1/User/{uid}?idType=uid", {"firstName": "Console"}, expect=200)
    t.patch_user(a["id"], [{"op": "replace", "path": "name.givenName", "value": "Azure"}])
    return t.user("a@acme.example")["firstName"] == "Azure"


@probe("username_email_not_enforced")
def _(t: Tenant) -> bool:
    return t.scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                     "userName": "plainname"}).status_code == 400


@probe("groups_visible_before_sync", GROUPS)
def _(t: Tenant) -> bool:
    return t.admin("GET", "/v1/directory-groups", expect=200).get_json()["totalCount"] == 0


@probe("apply_settings_noop", GROUPS)
def _(t: Tenant) -> bool:
    a = t.create_user("a@acme.example")
    g1 = t.create_group("G1", [a["id"]])
    t.admin("PATCH", "/v1/scim-providers/c42-scim-provider-1",
            {"scimGroupOrgMap": [{"scimGroupUid": g1["id"], "orgId": t.org_id("Second")}]}, expect=200)
    t.admin("POST", "/v1/scim-providers/c42-scim-provider-1/apply-settings", expect=200)
    return t.org_name("a@acme.example") == "Second"


@probe("org_attribute_ignored", {"org_mapping": {"method": "ATTRIBUTE"}})
def _(t: Tenant) -> bool:
    t.create_user("a@acme.example", c42OrgName="Made From Attribute")
    return t.org_name("a@acme.example") == "Made From Attribute"


@probe("basic_roles_missing", {"plan": "incydr-professional"})
def _(t: Tenant) -> bool:
    t.create_user("a@acme.example")
    return "agent-user" in t.roles("a@acme.example")


#: Faults that need more than one tenant, each with its own test below.
OWN_TESTS = {"pending_deactivations_lost_on_restart": "test_restart_fault"}


def test_every_fault_has_a_probe():
    assert set(PROBES) | set(OWN_TESTS) == set(FAULTS)
    assert all(name in globals() for name in OWN_TESTS.values())
    assert len(FAULTS) >= 20


@pytest.mark.parametrize("name", sorted(PROBES))
def test_fault_off_documented_on_deviates(name: str):
    profile, check = PROBES[name]
    assert check(Tenant(profile)) is True, f"{name} off: the documented behaviour must hold"
    assert check(Tenant(profile, faults=[name])) is False, f"{name} on: the deviation must show"


@pytest.mark.parametrize("fault_on", [False, True])
def test_restart_fault(tmp_path, fault_on: bool):
    faults = ["pending_deactivations_lost_on_restart"] if fault_on else []
    db = str(tmp_path / "c42.sqlite")
    first = Tenant(database=db, faults=faults)
    a = first.create_user("a@acme.example")
    first.disable(a["id"])
    second = Tenant(database=db, faults=faults, clock=first.clock)
    second.advance(DELAY)
    assert second.user("a@acme.example")["active"] is fault_on


def test_catalogue_entries_quote_and_locate_their_rule():
    for fault in FAULTS.values():
        assert fault.summary and fault.breaks and fault.seed, fault.name
        assert isinstance(fault.caught_by, list)


def test_unknown_fault_names_list_the_catalogue():
    with pytest.raises(UnknownFaultError, match="known faults: .*deactivate_at_once"):
        Faults(["deactivate_at_one"])
    with pytest.raises(UnknownFaultError):
        Faults([]).on("typo")
    assert Faults(["deactivate_at_once"]).on("deactivate_at_once") is True

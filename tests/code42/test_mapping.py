"""Pure mapping decisions (the through-the-app behaviour is in test_domain_mapping.py)."""

from __future__ import annotations

from simulators.code42.domain.org_mapping import MISSING, choose_org_by_groups, find_attribute
from simulators.code42.domain.role_mapping import merge_roles, role_values
from simulators.code42.domain.roles import basic_roles, resolve_role


def test_first_mapping_in_priority_order_wins():
    mappings = [("g-eng", 1), ("g-sales", 2)]
    assert choose_org_by_groups(mappings, {"g-sales", "g-eng"}) == 1
    assert choose_org_by_groups(mappings, {"g-sales"}) == 2
    assert choose_org_by_groups(mappings, {"g-sales", "g-eng"}, reverse=True) == 2


def test_unmapped_and_unsynced_groups_do_not_match():
    assert choose_org_by_groups([("g-eng", 1)], {"other"}) is None
    assert choose_org_by_groups([(None, 1)], {"g-eng"}) is None


def test_attribute_found_top_level_under_any_extension_and_case_insensitively():
    assert find_attribute({"c42OrgName": "A"}, "c42OrgName") == "A"
    assert find_attribute({"urn:x:ext": {"C42ORGNAME": "B"}}, "c42orgname") == "B"
    assert find_attribute({"urn:mine": {"c42OrgName": "C"}}, "c42OrgName", "urn:mine") == "C"
    assert find_attribute({"c42OrgName": "  "[:0]}, "c42OrgName") is MISSING
    assert find_attribute({"userName": "x"}, "c42OrgName") is MISSING


def test_role_values_accepts_lists_objects_and_csv():
    assert role_values(["a", {"value": "b"}]) == ["a", "b"]
    assert role_values("a, b") == ["a", "b"]
    assert role_values(MISSING) == []


def test_merge_keeps_hand_granted_roles_unless_scim_owns_all():
    current = ["desktop-user", "org-admin", "alert-emails"]   # org-admin granted by hand
    previous = ["desktop-user", "alert-emails"]
    assert merge_roles(current, previous, ["desktop-user"], scim_owns_all=False) == ["desktop-user", "org-admin"]
    assert merge_roles(current, previous, ["desktop-user"], scim_owns_all=True) == ["desktop-user"]


def test_basic_roles_by_plan():
    assert basic_roles("incydr-professional") == ["agent-user"]
    assert basic_roles("incydr-enterprise") == ["agent-user"]
    for plan in ("incydr-basic", "incydr-advanced", "crashplan-cloud", "other"):
        assert basic_roles(plan) == ["desktop-user", "proe-user"]


def test_roles_resolve_by_id_or_name():
    assert resolve_role("PROe User").role_id == "proe-user"
    assert resolve_role("desktop-user").name == "Desktop User"
    assert resolve_role("no such role") is None

"""Directory, mappings and scoping: pure-Python units."""

from __future__ import annotations

import pytest

from simulators.azure_ad.directory import DEFAULT_ACCESS, Directory, DirectoryError
from simulators.azure_ad.provisioning.mappings import (
    ACTIVE_EXPRESSION_SWITCH,
    ENTERPRISE_URN,
    AttributeMapping,
    MappingError,
    MappingType,
    TargetType,
    default_code42_group_mappings,
    default_code42_user_mappings,
)
from simulators.azure_ad.provisioning.scoping_filters import ScopingError, clause, filter_set


def test_faker_fills_gaps_deterministically():
    a, b = Directory(seed=7), Directory(seed=7)
    ua, ub = a.add_user(department="Legal"), b.add_user(department="Legal")
    assert ua.attributes == ub.attributes and ua.object_id == ub.object_id
    assert ua.attributes["department"] == "Legal"
    assert ua.attributes["userPrincipalName"].endswith("@contoso.example")
    assert ua.attributes["userType"] == "Member" and ua.attributes["accountEnabled"] is True


def test_directory_rejects_unknown_attributes_and_managers():
    d = Directory()
    with pytest.raises(DirectoryError, match="unknown user attributes"):
        d.add_user(favouriteColour="red")
    with pytest.raises(DirectoryError, match="manager"):
        d.add_user(manager="nope")


def test_change_log_and_watermark():
    d = Directory()
    u = d.add_user()
    g = d.add_group("Sales", members=[u.object_id])
    mark = d.watermark
    d.assign(g.object_id, DEFAULT_ACCESS)
    d.soft_delete(u.object_id)
    kinds = [(c.object_type, c.kind) for c in d.changes_since(mark)]
    assert kinds == [("Group", "assigned"), ("User", "assigned"), ("User", "soft_deleted")]
    d.restore(u.object_id)
    d.hard_delete(u.object_id)
    assert u.object_id not in d.users and g.members == []


def test_nested_groups_transitive_members():
    d = Directory()
    u1, u2 = d.add_user(), d.add_user()
    inner = d.add_group("inner", members=[u2.object_id])
    outer = d.add_group("outer", members=[u1.object_id, inner.object_id])
    assert d.transitive_members(outer.object_id) == {u1.object_id, u2.object_id}


def test_default_user_mappings_follow_the_tutorial_table():
    m = default_code42_user_mappings()
    # seed 002 step 5.9, in order
    assert m.targets() == [
        "userName", "active", "title", 'emails[type eq "work"].value', "name.givenName", "name.familyName",
        'addresses[type eq "work"].locality', 'addresses[type eq "work"].region',
        'addresses[type eq "work"].country', "externalId", "userType", f"{ENTERPRISE_URN}:department",
        f"{ENTERPRISE_URN}:division", f"{ENTERPRISE_URN}:manager",
    ]
    assert m["userName"].source == "userPrincipalName" and m.matching() == [m["userName"]]
    assert m['addresses[type eq "work"].country'].source == "usageLocation"  # seed 000
    assert m["userType"].source == "userType"  # the conflict with seed 000 stays visible
    assert m["active"].source == ACTIVE_EXPRESSION_SWITCH and m["active"].target_type is TargetType.BOOLEAN
    assert m[f"{ENTERPRISE_URN}:manager"].is_reference


def test_default_group_mappings_and_editing():
    g = default_code42_group_mappings()
    assert g.targets() == ["displayName", "externalId", "members"]
    assert g["externalId"].source == "objectId"
    u = default_code42_user_mappings()
    u.remove("userType")
    u.add(AttributeMapping("userType", "employeeType"))
    u.update('addresses[type eq "work"].country', source="country")
    assert u["userType"].source == "employeeType"
    with pytest.raises(MappingError, match="already mapped"):
        u.add(AttributeMapping("title", "jobTitle"))
    with pytest.raises(MappingError, match="matching"):
        u.remove("userName")
    with pytest.raises(MappingError, match="id"):
        AttributeMapping("id", "objectId")


def test_direct_and_constant_mappings_evaluate():
    assert AttributeMapping("title", "jobTitle").evaluate({"jobTitle": ""}) is None  # empty = null
    assert AttributeMapping("title", "jobTitle").evaluate({"jobTitle": "Dev"}) == "Dev"
    assert AttributeMapping("userType", "Employee", mapping_type=MappingType.CONSTANT).evaluate({}) == "Employee"


@pytest.mark.parametrize(
    ("operator", "values", "value", "expected"),
    [
        ("EQUALS", ("Sales",), "Sales", True), ("EQUALS", ("Sales",), "sales", False),
        ("NOT EQUALS", ("Sales",), "Legal", True), ("NOT EQUALS", ("Sales",), None, False),
        ("ENDS_WITH", ("@x.com",), "a@x.com", True), ("Includes", ("ale",), "Sales", True),
        ("Includes", ("ALE",), "Sales", False), ("&", ("Sales,Legal",), "Legal", True),
        ("!&", ("Sales,Legal",), "Finance", True), ("!&", ("Sales",), "", False),
        ("Greater_Than", ("10",), "11", True), ("Greater_Than", ("10",), "10", False),
        ("Greater_Than_OR_EQUALS", ("10",), "10", True), ("REGEX MATCH", ("^S.*s$",), "Sales", True),
        ("NOT REGEX MATCH", ("^S",), "Legal", True), ("NOT REGEX MATCH", ("^S",), None, False),
        ("IS NULL", (), None, True), ("IS NULL", (), "", True), ("IS NOT NULL", (), "x", True),
        ("IS TRUE", (), True, True), ("IS TRUE", (), "True", True), ("IS FALSE", (), False, True),
        ("IS FALSE", (), None, False),
    ],
)
def test_scoping_operators(operator, values, value, expected):
    assert clause("department", operator, *values).matches({"department": value}) is expected


def test_scoping_filters_and_or_and_unsupported():
    fs = filter_set([clause("department", "EQUALS", "Sales"), clause("city", "EQUALS", "Oslo")],
                    [clause("jobTitle", "EQUALS", "CEO")])
    assert fs.matches({"department": "Sales", "city": "Oslo"})
    assert not fs.matches({"department": "Sales", "city": "Bergen"})
    assert fs.matches({"jobTitle": "CEO"})
    with pytest.raises(ScopingError, match="userType"):
        clause("userType", "EQUALS", "Member")
    with pytest.raises(ScopingError, match="unknown scoping operator"):
        clause("city", "CONTAINS", "x")
    with pytest.raises(ScopingError, match="integer"):
        clause("employeeId", "Greater_Than", "ten")

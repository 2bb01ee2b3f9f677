"""Filter parsing and evaluation (RFC 7644 §3.4.2.2), index narrowing and PATCH path parsing."""

from __future__ import annotations

import pytest

from simulators.common.scim import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
)
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import candidate_keys, parse_filter, parse_library_ast, parse_path

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")
ENT = ENTERPRISE_USER_URN

BJENSEN = {
    "schemas": [USER_URN, ENT],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "externalId": "Bjensen",
    "userName": "Bjensen@example.com",
    "name": {"familyName": "Jensen", "givenName": "Barbara"},
    "title": "Tour Guide",
    "userType": "Employee",
    "active": True,
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "addresses": [{"type": "work", "locality": "Hollywood", "country": "US"}],
    "meta": {"created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z", "version": 'W/"a330"'},
    ENT: {"employeeNumber": "701984", "department": "Tour Operations", "manager": {"value": "26118915"}},
    CODE42_USER_URN: {"c42OrgName": "Sales"},
}


def matches(text, resource=BJENSEN, schema=USER, **kw):
    return parse_filter(text, schema, **kw).matches(resource)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # attribute names and operators are case-insensitive; userName values too (caseExact false)
        ('userName eq "bjensen@example.com"', True),
        ('USERNAME EQ "BJENSEN@EXAMPLE.COM"', True),
        ('username Eq "bjensen@example.com"', True),  # PingOne's default filter shape
        ('userName ne "bjensen@example.com"', False),
        ('userName co "example"', True),
        ('userName sw "bjen"', True),
        ('userName ew ".COM"', True),
        ('userName sw "example"', False),
        ('userName gt "a"', True),
        ('userName lt "a"', False),
        ('userName ge "bjensen@example.com"', True),
        ('userName le "BJENSEN@example.com"', True),
        # id and externalId are caseExact (RFC 7643 §3.1)
        ('id eq "2819c223-7f76-453a-919d-413861904646"', True),
        ('id eq "2819C223-7F76-453A-919D-413861904646"', False),
        ('externalId eq "bjensen"', False),
        ('externalId eq "Bjensen"', True),
        # presence and null
        ("title pr", True),
        ("nickName pr", False),
        ("nickName eq null", True),
        ("title eq null", False),
        ("title ne null", True),
        ("name pr", True),
        ("emails pr", True),
        ("phoneNumbers pr", False),
        # sub-attributes, multi-valued, value paths
        ('name.familyName eq "jensen"', True),
        ('emails.value eq "babs@jensen.org"', True),
        ('emails.value ne "babs@jensen.org"', False),
        ('emails co "jensen.org"', True),  # complex without sub-attribute: its "value"
        ('emails[type eq "work"]', True),
        ('emails[type eq "other"]', False),
        ('emails[type eq "work" and value co "@example.com"]', True),
        ('emails[type eq "home" and value co "@example.com"]', False),
        ('emails[type eq "work"].value eq "bjensen@example.com"', True),
        ('emails[type eq "home"].value eq "bjensen@example.com"', False),
        ('emails[type eq "work"].value pr', True),
        ('emails[not (type eq "work")].value ew ".org"', True),
        ('addresses[type eq "work"].locality eq "hollywood"', True),
        ('emails[primary eq true].value sw "bjensen"', True),
        ('emails[type eq "work"] and emails[type eq "home"]', True),
        # URN-prefixed core and extension attributes
        (f'{USER_URN}:userName eq "bjensen@example.com"', True),
        (f'{USER_URN}:name.givenName eq "barbara"', True),
        (f'{ENT}:employeeNumber eq "701984"', True),
        (f'{ENT}:employeeNumber eq 701984', False),  # a number is not the string "701984"
        (f'{ENT}:manager.value eq "26118915"', True),
        (f'{ENT.upper()}:DEPARTMENT eq "tour operations"', True),
        (f'{CODE42_USER_URN}:c42OrgName eq "sales"', True),
        ('manager.value eq "26118915"', True),  # bare extension name, unique among extensions
        # booleans: typed literals, not strings
        ("active eq true", True),
        ("active eq false", False),
        ('active eq "true"', False),
        ("active ne false", True),
        # dateTime: chronological, offsets honoured
        ('meta.lastModified gt "2011-05-13T04:42:33Z"', True),
        ('meta.lastModified gt "2011-05-13T04:42:34Z"', False),
        ('meta.lastModified ge "2011-05-13T04:42:34Z"', True),
        ('meta.lastModified eq "2011-05-13T06:42:34+02:00"', True),
        ('meta.lastModified lt "2011-05-13T04:42:34.5Z"', True),
        ('meta.created lt "2011-01-01T00:00:00Z" and meta.lastModified gt "2011-01-01T00:00:00Z"', True),
        ('meta.lastModified sw "2011-05"', True),
        ('meta.version eq "w/\\"a330\\""', False),  # caseExact
        ('meta.version eq "W/\\"a330\\""', True),  # escaped quotes
        # logic, precedence (and binds tighter than or), grouping, not
        ('title eq "x" or title eq "Tour Guide" and userType eq "Employee"', True),
        ('title eq "Tour Guide" or title eq "x" and userType eq "Contractor"', True),
        ('(title eq "Tour Guide" or title eq "x") and userType eq "Contractor"', False),
        ('userType eq "Contractor" and title eq "x" or title eq "Tour Guide"', True),
        ('not (title eq "Tour Guide")', False),
        ('not (title eq "x") and not (userType eq "y")', True),
        ('not (title eq "x" or title eq "Tour Guide")', False),
        ('userName eq "x" or userName eq "y" or userName eq "bjensen@example.com"', True),
    ],
)
def test_hand_cases(text, expected):
    assert matches(text) is expected


def test_case_sensitive_fault_switch_compares_values_exactly():
    assert matches('userName eq "bjensen@example.com"')
    assert not matches('userName eq "bjensen@example.com"', case_sensitive=True)
    assert matches('userName eq "Bjensen@example.com"', case_sensitive=True)
    assert matches('USERNAME eq "Bjensen@example.com"', case_sensitive=True)  # names stay case-insensitive


def test_numbers_multi_digit_negative_decimal():
    from simulators.common.scim import filters

    f = parse_filter(f"{ENT}:employeeNumber eq 701984", USER)
    assert f.root.value == 701984
    assert parse_filter('title eq -12', USER).root.value == -12
    assert parse_filter('title eq 1.5e3', USER).root.value == 1500.0
    assert isinstance(filters.Filter, type)


def test_group_filters():
    group = {"schemas": [GROUP_URN], "id": "g1", "displayName": "Sales", "members": [{"value": "u1"}, {"value": "u2"}]}
    assert matches('displayName eq "sales"', group, GROUP)
    assert matches('members[value eq "u2"]', group, GROUP)
    assert matches('members.value eq "u1"', group, GROUP)
    assert not matches('members[value eq "u3"]', group, GROUP)
    with pytest.raises(ScimError, match="unknown attribute 'userName'"):
        parse_filter('userName eq "x"', GROUP)


def test_matching_tolerates_odd_resources():
    odd = {"userName": 7, "emails": "not-a-list", "name": ["x"], ENT: "oops", "meta": {"lastModified": "never"}}
    for text in ('userName eq "7"', 'emails[type eq "work"]', 'name.familyName pr', f'{ENT}:department pr',
                 'meta.lastModified gt "2011-01-01T00:00:00Z"', 'emails.value co "x"'):
        assert parse_filter(text, USER).matches(odd) is False


def test_resource_keys_are_matched_case_insensitively():
    doc = {"USERNAME": "a", "Emails": [{"VALUE": "x@y", "Type": "work"}], ENT.lower(): {"Department": "D"}}
    assert matches('userName eq "a"', doc)
    assert matches('emails[type eq "work"].value eq "x@y"', doc)
    assert matches(f'{ENT}:department eq "d"', doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('unknownAttr eq "z"', "unknown attribute 'unknownAttr'"),
        # scim2-filter-parser silently drops the unknown half; we refuse the whole filter
        ('userName eq "bjensen" and unknownAttr eq "z"', "unknown attribute 'unknownAttr'"),
        ('name.nope eq "x"', "unknown attribute 'name.nope'"),
        ('emails[nope eq "x"]', "'emails' has no sub-attribute 'nope'"),
        ('emails[type eq "work"].nope eq "x"', "'emails' has no sub-attribute 'nope'"),
        ('urn:example:ext:1.0:User:foo eq "x"', "unknown attribute"),
        ('userName[value eq "x"]', "not a complex attribute"),
        ('name eq "x"', "'name' is complex"),
        ("active gt true", "'gt' is not defined for the boolean"),
        ('active co "t"', "'co' needs a string attribute"),
        ('meta.created gt "yesterday"', "not a dateTime"),
        ("title gt null", "cannot compare with null"),
        ('userName eq', "ends too early"),
        ('userName eq "x" and', "ends too early"),
        ('(userName eq "x"', "ends too early"),
        ('userName eq "x")', "unexpected ')'"),
        ('userName equals "x"', "unexpected"),
        ('userName eq "x" "y"', "unexpected"),
        ('userName eq "unterminated', "illegal character"),
        ("userName eq 'single'", "illegal character"),
        ("userName eq True", "unexpected"),
        ("", "it is empty"),
        ("   ", "it is empty"),
    ],
)
def test_bad_filters_are_invalid_filter_quoting_the_text(text, message):
    with pytest.raises(ScimError) as info:
        parse_filter(text, USER)
    err = info.value
    assert (err.status, err.scim_type) == (400, "invalidFilter")
    assert message in err.detail and repr(text) in err.detail


@pytest.mark.parametrize(
    ("text", "indexed", "expected"),
    [
        ('userName eq "Bob"', {"userName"}, [("userName", "Bob")]),
        ('USERNAME eq "Bob"', {"userName"}, [("userName", "Bob")]),
        ('userName eq "Bob"', {"externalId"}, None),
        ('userName co "Bob"', {"userName"}, None),
        ('title eq "x" and externalId eq "E"', {"externalId"}, [("externalId", "E")]),
        ('externalId eq "E" and userName eq "u"', {"externalId", "userName"}, [("externalId", "E")]),
        ('userName eq "a" or userName eq "b"', {"userName"}, [("userName", "a"), ("userName", "b")]),
        ('userName eq "a" or title eq "b"', {"userName"}, None),
        ('not (userName eq "a")', {"userName"}, None),
        ('emails[type eq "work" and value eq "x@y"]', {"emails.value"}, [("emails.value", "x@y")]),
        ('emails[type eq "work"].value eq "x@y"', {"emails.value"}, [("emails.value", "x@y")]),
        ('emails.value eq "x@y"', {"emails.value"}, [("emails.value", "x@y")]),
        ('id eq "1" and (userName eq "a" or userName eq "b")', {"userName"}, [("userName", "a"), ("userName", "b")]),
        ("userName eq null", {"userName"}, None),
    ],
)
def test_candidate_keys(text, indexed, expected):
    assert candidate_keys(parse_filter(text, USER), indexed) == expected


def test_candidate_keys_group_display_name():
    assert candidate_keys(parse_filter('displayName eq "Sales"', GROUP), {"displayName"}) == [("displayName", "Sales")]


def test_parse_library_ast_is_fresh_each_time():
    assert parse_library_ast('a eq 1') is not parse_library_ast('a eq 1')


@pytest.mark.parametrize(
    ("text", "attr", "filter_text", "sub"),
    [
        ("userName", "userName", None, None),
        ("name.givenName", "name", None, "givenName"),
        ('emails[type eq "work"].value', "emails", 'type eq "work"', "value"),
        ('addresses[type eq "work"].locality', "addresses", 'type eq "work"', "locality"),
        ('members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]', None, None, None),
        (f"{ENT}:manager", "manager", None, None),
        (f"{ENT}:employeeNumber", "employeeNumber", None, None),
        ('manager[value eq "m1"]', "manager", 'value eq "m1"', None),
    ],
)
def test_parse_path_forms(text, attr, filter_text, sub):
    schema = GROUP if text.startswith("members") else USER
    path = parse_path(text, schema)
    assert path.attr.attr.name == (attr or "members")
    if filter_text:
        assert path.filter.text == filter_text
    assert (path.sub_attr.name if path.sub_attr else None) == sub


def test_parse_path_extension_urn_is_resolved():
    path = parse_path(f"{ENT.lower()}:MANAGER", USER)
    assert path.urn == ENT and path.attr.in_extension


def test_path_filter_equalities_for_element_creation():
    assert parse_path('addresses[type eq "work"].locality', USER).filter.equalities() == {"type": "work"}
    assert parse_path('emails[type eq "work" and primary eq true].value', USER).filter.equalities() == {
        "type": "work", "primary": True}
    assert parse_path('emails[type eq "work" or type eq "home"].value', USER).filter.equalities() is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope", "unknown attribute 'nope'"),
        ("name.nope", "unknown attribute 'name.nope'"),
        ('emails[type eq]', "unexpected ']'"),
        ('userName eq "x"', "expected one attribute path"),
        ('emails[type eq "work"] and title', "expected one attribute path"),
        ('emails[nope eq "x"].value', "no sub-attribute 'nope'"),
        ('emails[type eq "work"].nope', "no sub-attribute 'nope'"),
        ("", "it is empty"),
        (None, "it is empty"),
    ],
)
def test_bad_paths_are_invalid_path(text, message):
    with pytest.raises(ScimError) as info:
        parse_path(text, USER)
    assert (info.value.status, info.value.scim_type) == (400, "invalidPath")
    assert message in info.value.detail


# --- the filters Azure AD sends (azure-ad-behaviour.md §2, §3.1, §3.3, §4, §5) ----------------------


@pytest.mark.parametrize(
    ("text", "schema", "expected"),
    [
        ('userName eq "6f3b3e2c-5a7b-4d0e-9b61-1f3f0c9a8d21"', USER, False),  # Test Connection probe
        ('userName eq "non-existent user"', USER, False),
        ('userName eq "BJENSEN@EXAMPLE.COM"', USER, True),  # match query, value case differs
        ('emails[type eq "work"].value eq "BJensen@example.com"', USER, True),  # multi-valued matching attribute
        ('displayName eq "6f3b3e2c-5a7b-4d0e-9b61-1f3f0c9a8d21"', GROUP, False),  # group probe
        ('displayName eq "Sales"', GROUP, True),
    ],
)
def test_azure_filters(text, schema, expected):
    group = {"schemas": [GROUP_URN], "id": "g1", "displayName": "Sales"}
    assert matches(text, BJENSEN if schema is USER else group, schema) is expected


def test_azure_legacy_manager_precheck_is_not_scim_syntax():
    """The legacy pre-check (§4) compares with unquoted ids, which RFC 7644 grammar does not allow."""
    text = "id eq 54D382A4-2050-4C03-94D1-E769F1D15682 and manager eq 2819c223-7f76-453a-919d-413861904646"
    with pytest.raises(ScimError) as info:
        parse_filter(text, USER)
    assert info.value.scim_type == "invalidFilter"

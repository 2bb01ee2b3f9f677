"""Regression tests for bugs in the shared SCIM model, PATCH and filters (each failed before its fix)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from simulators.common.scim import ENTERPRISE_USER_URN, USER_URN, ResourceSchema, validate
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import parse_filter
from simulators.common.scim.patch import apply_patch
from tests.strategies.scim_filters import filters

USER = ResourceSchema.for_type("User")
CUSTOM_URN = "urn:example:params:scim:schemas:extension:acme:2.0:User"


def _user(**extra):
    return {"schemas": [USER_URN, ENTERPRISE_USER_URN], "id": "u1", "userName": "bjensen",
            ENTERPRISE_USER_URN: {"department": "Sales", "employeeNumber": "7"}, **extra}


# ---------------------------------------------------------------- bare extension URN as a PATCH path


@pytest.mark.parametrize("op", ["add", "replace", "Replace"])
def test_bare_extension_urn_path_merges_into_the_extension(op: str):
    out = apply_patch(_user(), [{"op": op, "path": ENTERPRISE_USER_URN,
                                 "value": {"department": "Legal", "costCenter": "42"}}], USER)
    assert out[ENTERPRISE_USER_URN] == {"department": "Legal", "employeeNumber": "7", "costCenter": "42"}


def test_bare_extension_urn_path_creates_the_extension_in_any_case():
    user = {"schemas": [USER_URN], "id": "u1", "userName": "bjensen"}
    out = apply_patch(user, [{"op": "add", "path": ENTERPRISE_USER_URN.upper(), "value": {"division": "R&D"}}], USER)
    assert out[ENTERPRISE_USER_URN] == {"division": "R&D"} and ENTERPRISE_USER_URN in out["schemas"]


def test_bare_extension_urn_path_remove_drops_the_extension():
    out = apply_patch(_user(), [{"op": "remove", "path": ENTERPRISE_USER_URN}], USER)
    assert ENTERPRISE_USER_URN not in out and out["schemas"] == [USER_URN]


@pytest.mark.parametrize("value,scim_type", [("Legal", "invalidValue"), ({"nosuch": 1}, "invalidPath"),
                                             ({"department": 5}, "invalidValue")])
def test_bare_extension_urn_path_rejects_bad_values(value, scim_type: str):
    with pytest.raises(ScimError) as exc:
        apply_patch(_user(), [{"op": "replace", "path": ENTERPRISE_USER_URN, "value": value}], USER)
    assert exc.value.status == 400 and exc.value.scim_type == scim_type
    assert exc.value.detail.startswith("operation 1 (replace ")


# ---------------------------------------------------------------- case-sensitive attribute names


@pytest.mark.parametrize("text", ['username eq "bjensen"', 'emails.VALUE eq "b@x"', 'emails[TYPE eq "work"]',
                                  'name.givenname eq "B"',
                                  f'{USER_URN.upper()}:userName eq "bjensen"'])
def test_case_sensitive_names_reject_other_spellings(text: str):
    parse_filter(text, USER)  # RFC 7643 §2.1: fine by default
    with pytest.raises(ScimError) as exc:
        parse_filter(text, USER, case_sensitive_names=True)
    assert exc.value.scim_type == "invalidFilter" and "case-sensitive" in exc.value.detail


@pytest.mark.parametrize("text", ['userName eq "BJENSEN"', 'emails[type eq "work"].value eq "b@x"',
                                  f'{ENTERPRISE_USER_URN}:department eq "Sales"', 'name.givenName pr'])
def test_case_sensitive_names_accept_the_schema_spelling(text: str):
    parse_filter(text, USER, case_sensitive_names=True)


# ---------------------------------------------------------------- schemas extended with configured attributes


def test_extended_schema_knows_new_attributes_and_leaves_the_bundled_one_alone():
    ext = USER.with_extension_attributes(CUSTOM_URN, [{"name": "costCenterOrg", "type": "string"},
                                                      {"name": "roles42", "type": "string"}], untyped=["roles42"])
    assert ext.resolve(f"{CUSTOM_URN}:costcenterorg").attr.name == "costCenterOrg"
    assert ext.resolve("costCenterOrg").in_extension
    assert USER.resolve(f"{CUSTOM_URN}:costCenterOrg") is None and ResourceSchema.for_type("User") is USER
    body = {"schemas": [USER_URN], "userName": "b", CUSTOM_URN.upper(): {"COSTCENTERORG": "Fin", "roles42": ["a"]}}
    assert validate(body, ext)[CUSTOM_URN] == {"costCenterOrg": "Fin", "roles42": ["a"]}
    validate({**body, CUSTOM_URN: {"roles42": "a,b"}}, ext)
    with pytest.raises(ScimError):
        validate({**body, CUSTOM_URN: {"costCenterOrg": 1}}, ext)
    out = apply_patch({"schemas": [USER_URN], "id": "1", "userName": "b"},
                      [{"op": "add", "path": f"{CUSTOM_URN}:costCenterOrg", "value": "Ops"}], ext)
    assert out[CUSTOM_URN] == {"costCenterOrg": "Ops"}
    assert parse_filter(f'{CUSTOM_URN}:costCenterOrg eq "ops"', ext).matches(out)


# ---------------------------------------------------------------- the fast validity check agrees with jsonschema


@pytest.mark.parametrize("doc", [
    {"schemas": [USER_URN], "userName": "b"},
    {"schemas": [USER_URN], "userName": ""},
    {"schemas": [USER_URN]},
    {"schemas": ["urn:other"], "userName": "b"},
    {"schemas": [USER_URN], "userName": "b", "active": 1},
    {"schemas": [USER_URN], "userName": "b", "active": None},
    {"schemas": [USER_URN], "userName": "b", "emails": [{"value": "x", "primary": "true"}]},
    {"schemas": [USER_URN], "userName": "b", "emails": {"value": "x"}},
    {"schemas": [USER_URN], "userName": "b", "meta": {"created": "2026-01-02T03:04:05Z"}},
    {"schemas": [USER_URN], "userName": "b", "meta": {"created": "yesterday"}},
    {"schemas": [USER_URN], "userName": "b", "x509Certificates": [{"value": 5}]},
    {"schemas": [USER_URN], "userName": "b", ENTERPRISE_USER_URN: {"manager": {"value": "m"}}},
    {"schemas": [USER_URN], "userName": "b", ENTERPRISE_USER_URN: {"manager": "m"}},
    {"schemas": [USER_URN], "userName": "b", ENTERPRISE_USER_URN: []},
    {"schemas": [USER_URN], "userName": "b", "unknownAttr": {"anything": [1, True]}},
    {"schemas": [USER_URN], "userName": True},
    {"schemas": [USER_URN], "userName": 1.0},
])
def test_fast_validity_check_agrees_with_jsonschema(doc):
    assert USER.is_valid(doc) == USER.validator.is_valid(doc)


# ---------------------------------------------------------------- filters parsed once per shape


def _direct(text: str, schema: ResourceSchema = USER, **kw):
    from simulators.common.scim.filters import _parse

    tree, resolver = _parse(text, schema, "invalidFilter", "filter", **kw)
    return resolver.node(tree, None)


@pytest.mark.parametrize("text", [
    'userName eq "bjensen"', 'userName eq "BJensen"', 'externalId eq "a\\"b"', 'title co "\\\\"',
    'emails[type eq "work" and value ew "@example.com"]', 'emails[type eq "work"].value eq "x"',
    'userName eq "a" or (title sw "b" and not (displayName eq "c"))', 'active eq true and userName eq "z"',
    f'{ENTERPRISE_USER_URN}:department eq "Sales"', 'userName eq "true"', 'userName eq "7"', 'title eq "\\u00e9"',
])
def test_template_parse_gives_the_direct_tree(text: str):
    from simulators.common.scim.filters import _from_template

    assert _from_template(text, USER, False) == _direct(text)
    assert parse_filter(text, USER).root == _direct(text)


@pytest.mark.parametrize("text", ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'title eq "\\ud800"',
                                  'meta.created gt "yesterday"', 'title eq "a" "b"', 'title eq "\ue0000"',
                                  'nosuch eq "x"', 'title eq 5'])
def test_unusual_filters_take_the_direct_path(text: str):
    from simulators.common.scim.filters import _from_template

    assert _from_template(text, USER, False) is None


def test_template_parse_keeps_errors_and_case_sensitive_names():
    with pytest.raises(ScimError) as exc:
        parse_filter('USERNAME eq "x"', USER, case_sensitive_names=True)
    assert "case-sensitive" in exc.value.detail
    parse_filter('userName eq "x"', USER, case_sensitive_names=True)
    with pytest.raises(ScimError) as exc:
        parse_filter('meta.created gt "yesterday"', USER)
    assert "dateTime" in exc.value.detail


@settings(max_examples=300, deadline=None)
@given(filters(USER))
def test_template_parse_equals_direct_parse_for_generated_filters(text: str):
    from simulators.common.scim.filters import _from_template

    try:
        direct = _direct(text)
    except ScimError:
        assert _from_template(text, USER, False) is None
        return
    fast = _from_template(text, USER, False)
    assert fast is None or fast == direct

"""The attribute model, canonicalize, validate and project (RFC 7643 §2, §7; RFC 7644 §3.4.2.5)."""

from __future__ import annotations

import json

import pytest

from simulators.common.scim import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
    canonicalize,
    json_schema,
    json_schema_path,
    project,
    schema_documents,
    scim_document,
    validate,
)
from simulators.common.scim.errors import ScimError

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")


def bjensen(**extra):
    doc = {
        "schemas": [USER_URN, ENTERPRISE_USER_URN],
        "id": "2819c223",
        "externalId": "bjensen",
        "userName": "bjensen@example.com",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "active": True,
        "password": "t1meMa$heen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "version": 'W/"1"'},
        ENTERPRISE_USER_URN: {"department": "Tour Operations", "manager": {"value": "26118915"}},
    }
    doc.update(extra)
    return doc


@pytest.mark.parametrize(
    ("path", "full"),
    [
        ("userName", f"{USER_URN}:userName"),
        ("USERNAME", f"{USER_URN}:userName"),
        ("name.givenName", f"{USER_URN}:name.givenName"),
        ("Name.GIVENNAME", f"{USER_URN}:name.givenName"),
        ("emails.value", f"{USER_URN}:emails.value"),
        (f"{USER_URN}:userName", f"{USER_URN}:userName"),
        (f"{USER_URN.upper()}:name.familyName", f"{USER_URN}:name.familyName"),
        (f"{ENTERPRISE_USER_URN}:manager", f"{ENTERPRISE_USER_URN}:manager"),
        (f"{ENTERPRISE_USER_URN}:manager.value", f"{ENTERPRISE_USER_URN}:manager.value"),
        (f"{CODE42_USER_URN}:c42OrgName", f"{CODE42_USER_URN}:c42OrgName"),
        # Azure's bare 'manager' (azure-ad-behaviour.md §4) falls back to the only extension defining it.
        ("manager", f"{ENTERPRISE_USER_URN}:manager"),
        ("meta.lastModified", f"{USER_URN}:meta.lastModified"),
    ],
)
def test_resolve_known_paths(path, full):
    assert USER.resolve(path).full == full


@pytest.mark.parametrize(
    "path",
    ["nope", "name.nope", "userName.sub", "a.b.c", "", f"{GROUP_URN}:displayName", "urn:x:y:userName", "name."],
)
def test_resolve_unknown_paths(path):
    assert USER.resolve(path) is None


def test_characteristics_from_rfc7643():
    assert USER.attribute("id").case_exact and USER.attribute("id").returned == "always"
    assert USER.attribute("externalId").case_exact
    assert not USER.attribute("userName").case_exact and USER.attribute("userName").uniqueness == "server"
    assert USER.attribute("password").returned == "never"
    assert USER.attribute("groups").mutability == "readOnly"
    assert USER.attribute("emails").multi_valued and USER.attribute("emails.type").canonical_values == (
        "work", "home", "other")
    assert GROUP.attribute("members.value").mutability == "immutable"
    assert GROUP.attribute("displayName").required


def test_resource_type_lookup_by_urn():
    assert ResourceSchema.for_schema_urn(ENTERPRISE_USER_URN).name == "User"
    assert ResourceSchema.for_schema_urn(GROUP_URN.upper()).name == "Group"
    assert ResourceSchema.for_schema_urn("urn:x") is None
    with pytest.raises(KeyError, match="known: User, Group"):
        ResourceSchema.for_type("Device")


def test_code42_extension_says_it_is_invented():
    doc = next(d for d in schema_documents() if d["id"] == CODE42_USER_URN)
    assert "scimgate's own invention" in doc["description"]
    assert {a["name"] for a in doc["attributes"]} == {"c42OrgName", "employeeType"}


def test_service_provider_config_matches_mock_capabilities():
    spc = scim_document("ServiceProviderConfig")
    assert spc["patch"]["supported"] and spc["filter"] == {"supported": True, "maxResults": 200}
    assert not spc["bulk"]["supported"] and not spc["sort"]["supported"] and not spc["changePassword"]["supported"]
    assert spc["etag"]["supported"]
    assert [s["type"] for s in spc["authenticationSchemes"]] == ["oauthbearertoken", "httpbasic"]
    types = {rt["name"]: rt for rt in scim_document("ResourceTypes")}
    assert [e["schema"] for e in types["User"]["schemaExtensions"]] == [ENTERPRISE_USER_URN, CODE42_USER_URN]


@pytest.mark.parametrize("name", ["User", "Group"])
def test_json_schema_files_match_the_model(name):
    """schemas/resources/*.schema.json are generated from schemas/scim; a drift is a failure."""
    schema = ResourceSchema.for_type(name)
    assert json.loads(json_schema_path(schema).read_text()) == json_schema(schema)


def test_canonicalize_rewrites_names_and_urns():
    doc = {"SCHEMAS": [USER_URN.upper()], "USERNAME": "x", "Name": {"GIVENNAME": "B"},
           "emails": [{"VALUE": "a", "Type": "work"}], ENTERPRISE_USER_URN.lower(): {"Department": "D"},
           "c42OrgName": "Org"}
    assert canonicalize(doc, USER) == {
        "schemas": [USER_URN], "userName": "x", "name": {"givenName": "B"},
        "emails": [{"value": "a", "type": "work"}], ENTERPRISE_USER_URN: {"department": "D"}, "c42OrgName": "Org"}


def test_canonicalize_does_not_touch_input():
    doc = bjensen()
    before = json.dumps(doc, sort_keys=True)
    canonicalize(doc, USER)["name"]["givenName"] = "changed"
    assert json.dumps(doc, sort_keys=True) == before


def test_validate_accepts_full_user_and_unknown_attributes():
    assert validate(bjensen(c42OrgName="Sales", nickName=None), USER)["c42OrgName"] == "Sales"
    validate({"schemas": [GROUP_URN], "displayName": "G", "members": [{"value": "u1", "$ref": None}]}, GROUP)


@pytest.mark.parametrize(
    ("doc", "scim_type", "message"),
    [
        ({"schemas": [USER_URN]}, "invalidValue", "'userName' is required"),
        ({"schemas": [USER_URN], "userName": ""}, "invalidValue", "'userName' must not be empty"),
        ({"userName": "x"}, "invalidValue", "'schemas' is required"),
        ({"schemas": ["urn:other"], "userName": "x"}, "invalidValue", f"must list '{USER_URN}'"),
        ({"schemas": [USER_URN], "userName": "x", "active": "True"}, "invalidValue", "'active'"),
        ({"schemas": [USER_URN], "userName": "x", "emails": [{"value": 3}]}, "invalidValue", "'emails[0].value'"),
        ({"schemas": [USER_URN], "userName": "x", "emails": {"value": "a"}}, "invalidValue", "'emails'"),
        ({"schemas": [USER_URN], "userName": "x", "meta": {"created": "Monday"}}, "invalidValue", "dateTime"),
        ({"schemas": [USER_URN], "userName": "x", ENTERPRISE_USER_URN: {"manager": 7}}, "invalidValue",
         f"'{ENTERPRISE_USER_URN}.manager'"),
        ({"schemas": [USER_URN], "userName": "x", "name": "Barbara"}, "invalidValue", "'name'"),
        ([], "invalidSyntax", "must be a JSON object"),
        ("x", "invalidSyntax", "must be a JSON object"),
    ],
)
def test_validate_rejects_with_named_attribute(doc, scim_type, message):
    with pytest.raises(ScimError) as info:
        validate(doc, USER)
    assert info.value.status == 400 and info.value.scim_type == scim_type
    assert message in info.value.detail


def test_validate_group_requires_display_name():
    with pytest.raises(ScimError, match="'displayName' is required"):
        validate({"schemas": [GROUP_URN]}, GROUP)


def test_project_default_hides_never_and_keeps_the_rest():
    out = project(bjensen(), USER)
    assert "password" not in out and out["userName"] == "bjensen@example.com"
    assert out[ENTERPRISE_USER_URN]["manager"] == {"value": "26118915"}


def test_project_attributes_keeps_always_and_named_only():
    out = project(bjensen(), USER, attributes="userName,name.givenName,emails.value")
    assert out == {"schemas": [USER_URN, ENTERPRISE_USER_URN], "id": "2819c223", "userName": "bjensen@example.com",
                   "name": {"givenName": "Barbara"}, "emails": [{"value": "bjensen@example.com"}]}


def test_project_attributes_id_only_as_azure_legacy_precheck():
    assert project(bjensen(), USER, attributes=["id"]) == {"schemas": [USER_URN, ENTERPRISE_USER_URN],
                                                             "id": "2819c223"}


def test_project_attributes_password_is_never_returned():
    assert "password" not in project(bjensen(), USER, attributes="password")


def test_project_whole_extension_and_extension_attribute():
    out = project(bjensen(), USER, attributes=[ENTERPRISE_USER_URN])
    assert out[ENTERPRISE_USER_URN] == {"department": "Tour Operations", "manager": {"value": "26118915"}}
    out = project(bjensen(), USER, attributes=f"{ENTERPRISE_USER_URN}:department")
    assert out[ENTERPRISE_USER_URN] == {"department": "Tour Operations"}


def test_project_excluded_attributes():
    out = project(bjensen(), USER, excluded=["emails", "name.givenName", "id", f"{ENTERPRISE_USER_URN}:manager"])
    assert "emails" not in out and out["name"] == {"familyName": "Jensen"}
    assert out["id"] == "2819c223"  # returned: always survives exclusion
    assert out[ENTERPRISE_USER_URN] == {"department": "Tour Operations"}


def test_project_excluded_members_on_groups_as_azure_sends():
    group = {"schemas": [GROUP_URN], "id": "g1", "displayName": "Sales", "members": [{"value": "u1"}]}
    assert project(group, GROUP, excluded="members") == {"schemas": [GROUP_URN], "id": "g1", "displayName": "Sales"}
    assert project(group, GROUP)["members"] == [{"value": "u1"}]


def test_project_is_case_insensitive_and_ignores_unknown_names():
    out = project(bjensen(), USER, attributes="USERNAME,noSuchThing")
    assert out == {"schemas": [USER_URN, ENTERPRISE_USER_URN], "id": "2819c223", "userName": "bjensen@example.com"}


def test_project_unknown_top_level_attribute_follows_default_rules():
    doc = bjensen(c42OrgName="Sales")
    assert project(doc, USER)["c42OrgName"] == "Sales"
    assert "c42OrgName" not in project(doc, USER, attributes="userName")
    assert project(doc, USER, attributes="c42orgname")["c42OrgName"] == "Sales"
    assert "c42OrgName" not in project(doc, USER, excluded="c42OrgName")


# --- the bodies Azure AD POSTs (azure-ad-behaviour.md §3.2, §3.7, §5) -------------------------------


def test_azure_create_user_body_validates():
    body = {
        "schemas": [USER_URN, ENTERPRISE_USER_URN],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        "active": True,
        "emails": [{"primary": True, "type": "work",
                    "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
    }
    assert validate(body, USER) == body


def test_azure_custom_extension_not_listed_in_schemas_is_accepted():
    body = {"schemas": [USER_URN], "userName": "u@x", CODE42_USER_URN: {"c42OrgName": "Sales"}}
    assert validate(body, USER)[CODE42_USER_URN] == {"c42OrgName": "Sales"}


def test_azure_legacy_body_with_explicit_nulls_validates():
    body = {"schemas": [USER_URN, ENTERPRISE_USER_URN], "userName": "u@x", "addresses": None, "phoneNumbers": None,
            ENTERPRISE_USER_URN: {"manager": None}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User": {}}
    validate(body, USER)


def test_azure_single_app_role_body_validates():
    validate({"schemas": [USER_URN], "userName": "alias@contoso.OnMicrosoft.com",
              "roles": [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "Admin"}]}, USER)


def test_azure_create_group_body_with_microsoft_urn_validates():
    body = {"schemas": [GROUP_URN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName",
            "meta": {"resourceType": "Group"}}
    assert validate(body, GROUP) == body

"""PATCH (RFC 7644 §3.5.2) with every Azure AD form quoted in azure-ad-behaviour.md §3.4-§6."""

from __future__ import annotations

import copy

import pytest

from simulators.common.scim import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
)
from simulators.common.scim.errors import ScimError
from simulators.common.scim.patch import PATCH_OP_URN, apply_patch, parse_patch_body

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")
ENT = ENTERPRISE_USER_URN


def user(**extra):
    doc = {
        "schemas": [USER_URN],
        "id": "6764549bef60420686bc",
        "externalId": "6c75de36-30fa-4d2d-a196-6bdcdb6b6539",
        "meta": {"resourceType": "User", "created": "2018-03-27T19:59:26.000Z",
                 "lastModified": "2018-03-27T19:59:26.000Z"},
        "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "active": True,
        "emails": [{"value": "Test_User_11bb11bb@testuser.com", "type": "work", "primary": True}],
    }
    doc.update(extra)
    return doc


def group(**extra):
    doc = {"schemas": [GROUP_URN], "id": "a99962b9f99d4c4fac67", "displayName": "displayName", "members": []}
    doc.update(extra)
    return doc


def body(*ops):
    return {"schemas": [PATCH_OP_URN], "Operations": list(ops)}


def patch(resource, *ops, schema=USER, **kw):
    before = copy.deepcopy(resource)
    out = apply_patch(resource, parse_patch_body(body(*ops)), schema, **kw)
    assert resource == before, "apply_patch must not modify its input"
    return out


# --- Azure AD forms, verbatim --------------------------------------------------------------------


def test_azure_update_multi_valued_properties():  # §3.4 "Update User [Multi-valued properties]"
    out = patch(user(),
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"})
    assert out["emails"] == [{"value": "updatedEmail@microsoft.com", "type": "work", "primary": True}]
    assert out["name"]["familyName"] == "updatedFamilyName" and out["name"]["givenName"] == "givenName"


def test_azure_update_single_valued_property():  # §3.4 "Update User [Single-valued properties]"
    out = patch(user(), {"op": "Replace", "path": "userName",
                         "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"})
    assert out["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"


@pytest.mark.parametrize(
    "path",
    ["title", "displayName", "externalId", "preferredLanguage", "nickName", "userType", "name.givenName",
     "name.formatted", f"{ENT}:department", f"{ENT}:employeeNumber", f"{ENT}:division",
     f"{CODE42_USER_URN}:c42OrgName"],
)
def test_azure_simple_and_extension_paths(path):  # §3.4 "Path forms the engine emits"
    out = patch(user(), {"op": "Add", "path": path, "value": "V"})
    ref = USER.resolve(path)
    holder = out[ref.schema_urn] if ref.in_extension else out
    value = holder[ref.attr.name][ref.sub_attr.name] if ref.sub_attr else holder[ref.attr.name]
    assert value == "V"
    if ref.in_extension:
        assert ref.schema_urn in out["schemas"]


@pytest.mark.parametrize("kind", ["work", "mobile", "fax"])
def test_azure_phone_numbers_created_when_missing(kind):
    out = patch(user(), {"op": "Add", "path": f"phoneNumbers[type eq \"{kind}\"].value", "value": "+1 555"})
    assert out["phoneNumbers"] == [{"type": kind, "value": "+1 555"}]


@pytest.mark.parametrize("sub", ["streetAddress", "locality", "region", "postalCode", "country", "formatted"])
def test_azure_work_address_parts_build_one_element(sub):
    out = patch(user(), {"op": "Replace", "path": f"addresses[type eq \"work\"].{sub}", "value": "X"},
                {"op": "Replace", "path": "addresses[type eq \"work\"].country", "value": "US"})
    assert len(out["addresses"]) == 1 and out["addresses"][0]["type"] == "work"
    assert out["addresses"][0]["country"] == "US"
    if sub != "country":
        assert out["addresses"][0][sub] == "X"


def test_azure_disable_without_flag_string_false():  # §3.5 / §6.2 "Disable user — without flag"
    assert patch(user(), {"op": "Replace", "path": "active", "value": "False"})["active"] is False
    assert patch(user(active=False), {"op": "Replace", "path": "active", "value": "True"})["active"] is True


@pytest.mark.parametrize("text", ["false", "FALSE", "False", "fAlSe"])
def test_string_booleans_any_case(text):
    assert patch(user(), {"op": "replace", "path": "active", "value": text})["active"] is False


def test_azure_disable_with_flag_boolean():  # §6.2 "with flag"
    assert patch(user(), {"op": "replace", "path": "active", "value": False})["active"] is False


def test_string_false_ignored_fault():
    """string_booleans=False is the fault 'string False ignored': the user stays active, the rest applies."""
    out = patch(user(), {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Replace", "path": "title", "value": "T"}, string_booleans=False)
    assert out["active"] is True and out["title"] == "T"
    assert patch(user(), {"op": "replace", "path": "active", "value": False}, string_booleans=False)["active"] is False
    out = patch(user(), {"op": "replace", "value": {"active": "False", "title": "T"}}, string_booleans=False)
    assert out["active"] is True and out["title"] == "T"


def test_non_boolean_string_for_active_is_invalid_value():
    with pytest.raises(ScimError) as info:
        patch(user(), {"op": "replace", "path": "active", "value": "maybe"})
    assert (info.value.status, info.value.scim_type) == (400, "invalidValue") and "'active'" in info.value.detail


def test_azure_add_single_value_string_both_modes():  # §6.2 "Add single-value string attribute"
    assert patch(user(), {"op": "Add", "path": "nickName", "value": "Babs"})["nickName"] == "Babs"
    assert patch(user(), {"op": "add", "path": "nickName", "value": "Babs"})["nickName"] == "Babs"


def test_azure_replace_multiple_without_flag():  # §6.2 "Replace multiple attributes — without flag"
    out = patch(user(),
                {"op": "Replace", "path": "displayName", "value": "Pvlo"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
                {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
                {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
                {"op": "Replace", "path": "externalId", "value": "Eqpj"},
                {"op": "Replace", "path": f"{ENT}:employeeNumber", "value": "Eqpj"})
    assert out["displayName"] == "Pvlo" and out["externalId"] == "Eqpj"
    assert out["emails"][0]["value"] == "TestBcwqnm@test.microsoft.com"
    assert out["name"] == {"formatted": "givenName familyName", "familyName": "Pkqf", "givenName": "Gtfd"}
    assert out[ENT] == {"employeeNumber": "Eqpj"} and out["schemas"] == [USER_URN, ENT]


def test_azure_replace_multiple_with_flag_pathless_dotted_and_urn_keys():  # §6.2 "with flag"
    out = patch(user(),
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
                {"op": "replace", "value": {"displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua",
                                            f"{ENT}:employeeNumber": "Aklq"}})
    assert out["emails"][0]["value"] == "TestMhvaes@test.microsoft.com"
    assert out["displayName"] == "Bjfe" and out["name"]["givenName"] == "Kkom" and out["name"]["familyName"] == "Unua"
    assert out[ENT]["employeeNumber"] == "Aklq"


def test_pathless_value_with_extension_object():
    out = patch(user(), {"op": "add", "value": {ENT: {"department": "D", "manager": {"value": "m1"}}}})
    assert out[ENT] == {"department": "D", "manager": {"value": "m1"}}


def test_azure_manager_bare_id_under_enterprise_urn():  # §4 current scim job
    out = patch(user(), {"op": "Add", "path": f"{ENT}:manager", "value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"})
    assert out[ENT]["manager"] == {"value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}
    out = patch(out, {"op": "Replace", "path": f"{ENT}:manager", "value": "new-manager"})
    assert out[ENT]["manager"] == {"value": "new-manager"}


def test_azure_manager_legacy_complex_form():  # §4 "Example 5"
    out = patch(user(), {"op": "Add", "path": "manager", "value": [
        {"$ref": "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
         "value": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}]})
    assert out[ENT]["manager"]["value"] == "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"


@pytest.mark.parametrize(
    "op",
    [
        {"op": "remove", "path": "manager[value eq \"manager-id\"]"},  # observed, §4
        {"op": "Remove", "path": f"{ENT}:manager"},  # [INF] form, §4
        {"op": "remove", "path": f"{ENT}:manager[value eq \"manager-id\"]"},
        {"op": "remove", "path": f"{ENT}:manager.value"},
    ],
)
def test_azure_manager_removal_forms(op):
    start = patch(user(), {"op": "add", "path": f"{ENT}:manager", "value": "manager-id"},
                  {"op": "add", "path": f"{ENT}:department", "value": "D"})
    out = patch(start, op)
    assert "manager" not in out[ENT] and out[ENT]["department"] == "D"


def test_manager_removal_of_another_id_is_a_no_op():
    start = patch(user(), {"op": "add", "path": f"{ENT}:manager", "value": "m1"})
    assert patch(start, {"op": "remove", "path": "manager[value eq \"m2\"]"})[ENT]["manager"] == {"value": "m1"}


def test_removing_last_extension_attribute_drops_object_and_urn():
    start = patch(user(), {"op": "add", "path": f"{ENT}:manager", "value": "m1"})
    out = patch(start, {"op": "remove", "path": f"{ENT}:manager"})
    assert ENT not in out and out["schemas"] == [USER_URN]


def test_azure_group_add_members():  # §5 "Add Members"
    out = patch(group(), {"op": "Add", "path": "members", "value": [{"$ref": None, "value": "f648f8d5ea4e4cd38e9c"}]},
                schema=GROUP)
    assert out["members"] == [{"value": "f648f8d5ea4e4cd38e9c"}]


def test_group_add_members_batched_and_deduplicated():
    start = group(members=[{"value": "u1"}])
    out = patch(start, {"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}, {"value": "u3"}]},
                schema=GROUP)
    assert [m["value"] for m in out["members"]] == ["u1", "u2", "u3"]


def test_azure_group_remove_members_without_flag():  # §5 / §6.2 "Remove a group member — without flag"
    start = group(members=[{"value": "u1091"}, {"value": "u2"}])
    out = patch(start, {"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}, schema=GROUP)
    assert out["members"] == [{"value": "u2"}]
    out = patch(start, {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": "u1091"}]}, schema=GROUP)
    assert out["members"] == [{"value": "u2"}]


def test_azure_group_remove_member_with_flag():  # §6.2 "with flag"
    start = group(members=[{"value": "7f4bc1a3-285e-48ae-8202-5accb43efb0e"}, {"value": "u2"}])
    out = patch(start, {"op": "remove", "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"},
                schema=GROUP)
    assert out["members"] == [{"value": "u2"}]


def test_removing_an_absent_member_is_a_no_op_so_retries_succeed():
    start = group(members=[{"value": "u2"}])
    assert patch(start, {"op": "remove", "path": "members[value eq \"gone\"]"}, schema=GROUP)["members"] == [
        {"value": "u2"}]


def test_remove_members_without_value_removes_all():  # RFC 7644 §3.5.2.2
    assert "members" not in patch(group(members=[{"value": "u1"}]), {"op": "remove", "path": "members"}, schema=GROUP)


def test_azure_group_replace_display_name():  # §5
    out = patch(group(), {"op": "Replace", "path": "displayName",
                          "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}, schema=GROUP)
    assert out["displayName"] == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"


def test_group_replace_members_list():
    out = patch(group(members=[{"value": "u1"}]), {"op": "replace", "path": "members", "value": [{"value": "u9"}]},
                schema=GROUP)
    assert out["members"] == [{"value": "u9"}]


def test_azure_single_app_role_path_with_string_primary():  # §3.7 SingleAppRoleAssignment
    out = patch(user(), {"op": "Add", "path": "roles[primary eq \"True\"].value", "value": "Admin"},
                {"op": "Add", "path": "roles[primary eq \"True\"].type", "value": "WindowsAzureActiveDirectoryRole"})
    assert out["roles"] == [{"primary": True, "value": "Admin", "type": "WindowsAzureActiveDirectoryRole"}]
    out = patch(out, {"op": "Replace", "path": "roles[primary eq \"True\"].value", "value": "User"})
    assert out["roles"][0]["value"] == "User" and len(out["roles"]) == 1


def test_azure_stringified_role_objects_are_stored_as_strings():  # §3.7 PATCH format mismatch
    role = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}'
    out = patch(user(), {"op": "Add", "path": "roles", "value": [{"value": role}]})
    assert out["roles"] == [{"value": role}]


def test_azure_assertive_roles_replace_whole_list():  # §3.7 AssertiveAppRoleAssignmentsComplex
    start = user(roles=[{"value": "Old", "primary": False}])
    out = patch(start, {"op": "replace", "path": "roles", "value": [
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "User", "value": "User"}]})
    assert [r["value"] for r in out["roles"]] == ["User"]


# --- RFC 7644 semantics --------------------------------------------------------------------------


def test_add_to_multi_valued_appends_and_primary_moves():
    out = patch(user(), {"op": "add", "path": "emails", "value": [{"value": "h@x", "type": "home", "primary": True}]})
    assert [e.get("primary") for e in out["emails"]] == [False, True]


def test_add_complex_merges_replace_multi_valued_replaces():
    out = patch(user(), {"op": "add", "path": "name", "value": {"middleName": "M"}})
    assert out["name"]["middleName"] == "M" and out["name"]["givenName"] == "givenName"
    out = patch(user(), {"op": "replace", "path": "emails", "value": [{"value": "only@x", "type": "home"}]})
    assert out["emails"] == [{"value": "only@x", "type": "home"}]


def test_replace_with_filter_replaces_matching_elements_whole():
    start = user(emails=[{"value": "w@x", "type": "work"}, {"value": "h@x", "type": "home"}])
    out = patch(start, {"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "h2@x", "type": "home"}})
    assert out["emails"] == [{"value": "w@x", "type": "work"}, {"value": "h2@x", "type": "home"}]


def test_add_with_filter_merges_into_matching_elements():
    out = patch(user(), {"op": "add", "path": "emails[type eq \"work\"]", "value": {"display": "Work"}})
    assert out["emails"][0]["display"] == "Work" and out["emails"][0]["value"] == "Test_User_11bb11bb@testuser.com"


def test_remove_by_filter_and_sub_attribute():
    start = user(emails=[{"value": "w@x", "type": "work"}, {"value": "h@x", "type": "home"}])
    assert patch(start, {"op": "remove", "path": "emails[type eq \"home\"]"})["emails"] == [
        {"value": "w@x", "type": "work"}]
    assert patch(start, {"op": "remove", "path": "emails[type eq \"home\"].value"})["emails"][1] == {"type": "home"}
    assert "title" not in patch(user(title="T"), {"op": "remove", "path": "title"})
    assert "givenName" not in patch(user(), {"op": "remove", "path": "name.givenName"})["name"]


def test_remove_last_element_unassigns_attribute():
    assert "emails" not in patch(user(), {"op": "remove", "path": "emails[type eq \"work\"]"})


def test_unknown_top_level_key_is_updated_in_place():
    """A c42OrgName POSTed at the top level stays there when PATCHed by its bare name."""
    out = patch(user(c42OrgName="Old"), {"op": "replace", "path": "c42OrgName", "value": "New"})
    assert out["c42OrgName"] == "New" and CODE42_USER_URN not in out
    out = patch(user(), {"op": "replace", "path": "c42OrgName", "value": "New"})
    assert out[CODE42_USER_URN]["c42OrgName"] == "New"


def test_op_and_key_names_are_case_insensitive():
    out = apply_patch(user(), [{"OP": "REPLACE", "PATH": "TITLE", "VALUE": "t"}], USER)
    assert out["title"] == "t"


def test_resending_read_only_current_value_is_allowed():
    out = patch(user(), {"op": "replace", "value": {"id": "6764549bef60420686bc", "title": "T"}})
    assert out["title"] == "T"


# --- errors: status, scimType, and the input left alone -------------------------------------------


@pytest.mark.parametrize(
    ("ops", "scim_type", "message"),
    [
        ([{"op": "remove"}], "noTarget", "remove needs a 'path'"),
        ([{"op": "replace", "path": "id", "value": "x"}], "mutability", "'id' is readOnly"),
        ([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}], "mutability", "readOnly"),
        ([{"op": "add", "path": "groups", "value": [{"value": "g"}]}], "mutability", "'groups' is readOnly"),
        ([{"op": "add", "path": "nope", "value": 1}], "invalidPath", "unknown attribute 'nope'"),
        ([{"op": "add", "value": {"nope": 1}}], "invalidPath", "unknown attribute 'nope'"),
        ([{"op": "add", "path": "emails[type eq]", "value": 1}], "invalidPath", "invalid path"),
        ([{"op": "replace", "path": "emails.value", "value": "x"}], "invalidPath", "select one with a filter"),
        ([{"op": "replace", "path": "emails[type eq \"work\" or type eq \"home\"].value", "value": "x"},
          {"op": "remove", "path": "emails"}], "invalidValue", None),
        ([{"op": "add", "path": "phoneNumbers[type eq \"work\" or type eq \"home\"].value", "value": "1"}],
         "noTarget", "does not say how to create one"),
        ([{"op": "add", "path": "emails[type eq \"work\"]", "value": "x"}], "invalidValue", "must be an object"),
        ([{"op": "add", "value": "x"}], "invalidSyntax", "needs an object 'value'"),
        ([{"op": "add", "path": "title"}], "invalidSyntax", "needs a 'value'"),
        ([{"op": "frob", "path": "title", "value": 1}], "invalidSyntax", "'op' must be add, replace or remove"),
        ([{"op": "add", "path": 7, "value": 1}], "invalidPath", "'path' must be a string"),
        (["add"], "invalidSyntax", "must be a JSON object"),
        ([{"op": "replace", "path": "active", "value": "yes"}], "invalidValue", "'active'"),
        ([{"op": "remove", "path": "userName"}], "mutability", "'userName' is required and cannot be removed"),
        ([{"op": "replace", "path": "userName", "value": None}], "invalidValue", "'userName'"),
        ([{"op": "replace", "path": "userName", "value": ""}], "invalidValue", "'userName' must not be empty"),
        ([{"op": "replace", "path": "name", "value": "Barbara"}], "invalidValue", "'name'"),
        ([], "invalidSyntax", "non-empty list"),
    ],
)
def test_errors(ops, scim_type, message):
    start = user()
    before = copy.deepcopy(start)
    if scim_type == "invalidValue" and message is None:  # a valid op followed by a failing one
        ops = [ops[0], {"op": "replace", "path": "active", "value": 3}]
    with pytest.raises(ScimError) as info:
        apply_patch(start, ops, USER)
    assert (info.value.status, info.value.scim_type) == (400, scim_type)
    if message:
        assert message in info.value.detail
    assert start == before


def test_error_names_the_failing_operation():
    with pytest.raises(ScimError, match=r"operation 2 \(replace id\)"):
        apply_patch(user(), [{"op": "replace", "path": "title", "value": "t"},
                             {"op": "replace", "path": "id", "value": "x"}], USER)


def test_immutable_member_value_cannot_be_rewritten():
    start = group(members=[{"value": "u1"}])
    with pytest.raises(ScimError) as info:
        apply_patch(start, [{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u2"}], GROUP)
    assert info.value.scim_type == "mutability"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object"),
        ({"Operations": [{"op": "add", "path": "title", "value": "x"}]}, "must list"),
        ({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": []}, "must list"),
        ({"schemas": [PATCH_OP_URN]}, "needs 'Operations'"),
        ({"schemas": [PATCH_OP_URN], "Operations": []}, "needs 'Operations'"),
        ({"schemas": [PATCH_OP_URN], "Operations": {"op": "add"}}, "needs 'Operations'"),
        ({"schemas": [PATCH_OP_URN], "Operations": [{"path": "title"}]}, "'op' must be"),
    ],
)
def test_parse_patch_body_rejects_bad_envelopes(body, message):
    with pytest.raises(ScimError) as info:
        parse_patch_body(body)
    assert (info.value.status, info.value.scim_type) == (400, "invalidSyntax") and message in info.value.detail


def test_parse_patch_body_normalizes_ops():
    ops = parse_patch_body({"schemas": [PATCH_OP_URN.upper()], "operations": [
        {"op": "Replace", "path": "active", "value": "False"}, {"Op": "remove", "Path": "title"}]})
    assert ops == [{"op": "replace", "path": "active", "value": "False"}, {"op": "remove", "path": "title"}]

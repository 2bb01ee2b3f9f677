"""Discovery documents rendered from a ResourceSchema (RFC 7643 §6 ResourceType, §7 schema representation),
so an extended schema describes the attributes it accepts."""

from __future__ import annotations

import pytest

from simulators.common.scim import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
    resource_type_documents,
    schema_documents,
    scim_document,
)

USER = ResourceSchema.for_type("User")
NEW_URN = "urn:example:tenant:2.0:User"


def _by_id(docs: list[dict]) -> dict[str, dict]:
    return {d["id"]: d for d in docs}


@pytest.mark.parametrize("name", ["User", "Group"])
def test_a_bundled_schema_renders_the_bundled_documents(name: str):
    schema = ResourceSchema.for_type(name)
    catalog = _by_id(schema_documents())
    own = schema.schema_documents()
    assert own == [catalog[u] for u in (schema.core_urn, *schema.extension_urns)]
    bundled_type = next(rt for rt in scim_document("ResourceTypes") if rt["name"] == name)
    assert schema.resource_type_document() == bundled_type
    assert schema_documents([schema]) == schema_documents()
    assert resource_type_documents([schema]) == scim_document("ResourceTypes")


def test_a_short_attribute_representation_is_rendered_with_every_characteristic():
    ext = USER.with_extension_attributes(NEW_URN, [{"name": "region", "type": "string", "caseExact": True}],
                                         schema_name="TenantUser", schema_description="configured here")
    doc = _by_id(ext.schema_documents())[NEW_URN]
    assert doc == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": NEW_URN, "name": "TenantUser",
        "description": "configured here",
        "attributes": [{"name": "region", "type": "string", "multiValued": False, "required": False,
                        "caseExact": True, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}],
        "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{NEW_URN}"},
    }


def test_complex_sub_attributes_are_rendered_too():
    ext = USER.with_extension_attributes(NEW_URN, [{"name": "site", "type": "complex", "subAttributes": [
        {"name": "code", "type": "string", "description": "site code"}]}])
    site = _by_id(ext.schema_documents())[NEW_URN]["attributes"][0]
    assert site["subAttributes"] == [{"name": "code", "type": "string", "multiValued": False,
                                      "description": "site code", "required": False, "caseExact": False,
                                      "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]


def test_a_new_urn_without_a_name_still_gets_a_named_document():
    doc = _by_id(USER.with_extension_attributes(NEW_URN, [{"name": "x", "type": "string"}]).schema_documents())[NEW_URN]
    assert doc["name"] and doc["description"]


def test_a_new_urn_is_listed_last_and_as_an_optional_extension():
    ext = USER.with_extension_attributes(NEW_URN, [{"name": "region", "type": "string"}])
    assert [d["id"] for d in schema_documents([ext])] == [d["id"] for d in schema_documents()] + [NEW_URN]
    user_type = _by_id(resource_type_documents([ext]))["User"]
    assert user_type["schemaExtensions"] == [{"schema": ENTERPRISE_USER_URN, "required": False},
                                             {"schema": CODE42_USER_URN, "required": False},
                                             {"schema": NEW_URN, "required": False}]
    assert _by_id(resource_type_documents([ext]))["Group"] == _by_id(scim_document("ResourceTypes"))["Group"]
    assert _by_id(schema_documents([ext]))[GROUP_URN] == _by_id(schema_documents())[GROUP_URN]


@pytest.mark.parametrize("urn", [ENTERPRISE_USER_URN, ENTERPRISE_USER_URN.upper(), USER_URN, CODE42_USER_URN])
def test_a_known_urn_gains_the_attribute_and_no_document(urn: str):
    ext = USER.with_extension_attributes(urn, [{"name": "region", "type": "string"}])
    docs = _by_id(schema_documents([ext]))
    assert set(docs) == set(_by_id(schema_documents()))
    canonical = urn if urn in docs else ENTERPRISE_USER_URN
    bundled = _by_id(schema_documents())[canonical]["attributes"]
    assert docs[canonical]["attributes"] == bundled + [docs[canonical]["attributes"][-1]]
    assert docs[canonical]["attributes"][-1]["name"] == "region"
    assert ext.resource_type_document() == USER.resource_type_document()


def test_an_added_attribute_replaces_a_bundled_one_of_the_same_name_in_place():
    ext = USER.with_extension_attributes(CODE42_USER_URN, [{"name": "C42ORGNAME", "type": "string",
                                                            "caseExact": True}])
    attrs = _by_id(ext.schema_documents())[CODE42_USER_URN]["attributes"]
    assert [a["name"] for a in attrs] == ["C42ORGNAME", "employeeType"] and attrs[0]["caseExact"] is True


def test_extending_twice_keeps_both_additions_and_the_first_name():
    once = USER.with_extension_attributes(NEW_URN, [{"name": "a", "type": "string"}], schema_name="First")
    twice = once.with_extension_attributes(NEW_URN, [{"name": "b", "type": "string"}], schema_name="Second")
    doc = _by_id(twice.schema_documents())[NEW_URN]
    assert doc["name"] == "First" and [a["name"] for a in doc["attributes"]] == ["a", "b"]
    assert [a["name"] for a in _by_id(once.schema_documents())[NEW_URN]["attributes"]] == ["a"]


def test_rendered_documents_are_fresh_copies():
    ext = USER.with_extension_attributes(NEW_URN, [{"name": "region", "type": "string"}])
    first = schema_documents([ext])
    for doc in first:
        doc["meta"]["location"] = "changed"
        doc["attributes"].clear()
    ext.resource_type_document()["schemaExtensions"].clear()
    assert all(d["meta"]["location"] != "changed" and d["attributes"] for d in schema_documents([ext]))
    assert len(ext.resource_type_document()["schemaExtensions"]) == 3
    assert schema_documents() == schema_documents([USER])


def test_an_extension_under_another_types_urn_does_not_replace_that_types_schema():
    ext = USER.with_extension_attributes(GROUP_URN, [{"name": "region", "type": "string"}])
    assert _by_id(ext.schema_documents())[GROUP_URN]["attributes"][0]["name"] == "region"
    assert schema_documents([ext]) == schema_documents()
    assert ext.bundled_schema_urns() == {USER_URN.lower(), ENTERPRISE_USER_URN.lower(), CODE42_USER_URN.lower()}

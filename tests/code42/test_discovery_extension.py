"""Discovery describes the tenant's User schema (RFC 7643 §6/§7, RFC 7644 §4): the org/role attribute the
provider settings configure is listed in the schema document of its URN, and follows the settings as the
console changes them."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.common.scim import CODE42_USER_URN, schema_documents, scim_document
from tests.code42.code42_tenant import ENTERPRISE, PATCH_SCHEMA, USER_SCHEMA, Tenant
from tests.code42.conftest import ERROR_URN, base_config

ACME_URN = "urn:example:acme:scim:2.0:User"
BASE = "http://localhost/scim/v2"
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _org_attribute(attribute: str, urn: str = CODE42_USER_URN, method: str = "ATTRIBUTE") -> dict[str, Any]:
    return {"orgs": [{"name": "Fallback"}],
            "org_mapping": {"method": method, "attribute": attribute, "attribute_urn": urn, "default_org": "Fallback"}}


def _schemas(t: Tenant) -> dict[str, dict[str, Any]]:
    body = t.scim("GET", "/Schemas").get_json()
    assert body["totalResults"] == len(body["Resources"])
    return {doc["id"]: doc for doc in body["Resources"]}


def _user_type(t: Tenant) -> dict[str, Any]:
    response = t.scim("GET", "/ResourceTypes/User")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _names(doc: dict[str, Any]) -> list[str]:
    return [a["name"] for a in doc["attributes"]]


def _not_found(response: Any) -> None:
    assert response.status_code == 404 and response.get_json()["schemas"] == [ERROR_URN], response.get_data()


def _absolute(doc: dict[str, Any]) -> dict[str, Any]:
    """A bundled document as the mock serves it: its meta.location made absolute."""
    return {**doc, "meta": {**doc["meta"], "location": "http://localhost" + doc["meta"]["location"]}}


# ---------------------------------------------------------------- nothing configured: the bundled catalog


@pytest.mark.parametrize("profile", [
    {},
    {"role_mapping": {"method": "GROUP"}},
    _org_attribute("costCenterOrg", ACME_URN, method="MAPPING"),  # a URN alone adds nothing
    _org_attribute("c42OrgName"),  # already in the bundled Code42 extension
])
def test_without_new_attributes_discovery_is_the_bundled_catalog(profile: dict[str, Any]):
    t = Tenant(profile=profile)
    assert list(_schemas(t).values()) == [_absolute(d) for d in schema_documents()]
    types = t.scim("GET", "/ResourceTypes").get_json()["Resources"]
    assert types == [_absolute(d) for d in scim_document("ResourceTypes")]


# ---------------------------------------------------------------- a configured attribute is listed


def test_custom_org_attribute_under_the_default_urn_joins_the_code42_extension():
    t = Tenant(profile=_org_attribute("costCenterOrg"))
    schemas = _schemas(t)
    assert set(schemas) == {d["id"] for d in schema_documents()}  # no new document
    assert _names(schemas[CODE42_USER_URN]) == ["c42OrgName", "employeeType", "costCenterOrg"]
    one = t.scim("GET", f"/Schemas/{CODE42_USER_URN}").get_json()
    assert one == schemas[CODE42_USER_URN]
    added = one["attributes"][-1]
    assert added == {"name": "costCenterOrg", "type": "string", "multiValued": False,
                     "description": added["description"], "required": False, "caseExact": False,
                     "mutability": "readWrite", "returned": "default", "uniqueness": "none"}
    assert "scimOrgAttribute" in added["description"]
    assert {"schema": CODE42_USER_URN, "required": False} in _user_type(t)["schemaExtensions"]


def test_attribute_under_a_new_urn_gets_its_own_schema_and_resource_type_entry():
    t = Tenant(profile=_org_attribute("costCenterOrg", ACME_URN))
    schemas = _schemas(t)
    assert set(schemas) == {d["id"] for d in schema_documents()} | {ACME_URN}
    doc = t.scim("GET", f"/Schemas/{ACME_URN.upper()}").get_json()
    assert doc == schemas[ACME_URN]
    assert doc["schemas"] == [SCHEMA_URN] and doc["id"] == ACME_URN and _names(doc) == ["costCenterOrg"]
    assert doc["meta"] == {"resourceType": "Schema", "location": f"{BASE}/Schemas/{ACME_URN}"}
    assert "configured for this tenant" in doc["description"] and doc["name"]
    extensions = _user_type(t)["schemaExtensions"]
    assert extensions[-1] == {"schema": ACME_URN, "required": False}
    assert [e["schema"] for e in extensions[:-1]] == [ENTERPRISE, CODE42_USER_URN]
    listed = {rt["id"]: rt for rt in t.scim("GET", "/ResourceTypes").get_json()["Resources"]}
    assert listed["User"] == _user_type(t)
    assert listed["Group"] == _absolute(next(d for d in scim_document("ResourceTypes") if d["id"] == "Group"))


def test_org_and_role_attributes_share_the_new_urn_document():
    profile = {**_org_attribute("costCenterOrg", ACME_URN),
               "role_mapping": {"method": "ATTRIBUTE", "attribute": "roles42", "allow_list": ["customer-cloud-admin"]}}
    doc = _schemas(Tenant(profile=profile))[ACME_URN]
    assert _names(doc) == ["costCenterOrg", "roles42"]
    assert "comma-separated" in doc["attributes"][1]["description"]


def test_attribute_under_the_enterprise_urn_joins_the_enterprise_schema():
    t = Tenant(profile=_org_attribute("orgUnit", ENTERPRISE))
    schemas = _schemas(t)
    assert set(schemas) == {d["id"] for d in schema_documents()}
    bundled = next(d for d in schema_documents() if d["id"] == ENTERPRISE)
    assert _names(schemas[ENTERPRISE]) == _names(bundled) + ["orgUnit"]
    assert t.scim("GET", f"/Schemas/{ENTERPRISE}").get_json() == schemas[ENTERPRISE]
    assert [e["schema"] for e in _user_type(t)["schemaExtensions"]] == [ENTERPRISE, CODE42_USER_URN]


def test_attribute_under_the_core_urn_joins_the_core_user_schema():
    t = Tenant(profile=_org_attribute("orgUnit", USER_SCHEMA))
    schemas = _schemas(t)
    assert set(schemas) == {d["id"] for d in schema_documents()}
    assert _names(schemas[USER_SCHEMA])[-1] == "orgUnit"
    assert [e["schema"] for e in _user_type(t)["schemaExtensions"]] == [ENTERPRISE, CODE42_USER_URN]


@pytest.mark.parametrize("urn", [ACME_URN, CODE42_USER_URN, ENTERPRISE, USER_SCHEMA])
def test_every_discovered_attribute_is_accepted_where_discovery_puts_it(urn: str):
    """What /Schemas lists is what the server takes: a PATCH by the full path and a filter on it."""
    t = Tenant(profile=_org_attribute("orgUnit", urn))
    doc = t.scim("GET", f"/Schemas/{urn}").get_json()
    assert "orgUnit" in _names(doc)
    user = t.create_user("a@acme.example")
    t.patch_user(user["id"], [{"op": "replace", "path": f"{doc['id']}:orgUnit", "value": "Finance"}])
    found = t.scim("GET", f'/Users?filter={doc["id"]}:orgUnit eq "finance"').get_json()
    assert found["totalResults"] == 1 and t.org_name("a@acme.example") == "Finance"


# ---------------------------------------------------------------- settings changed at runtime


def test_console_settings_changes_reach_the_next_discovery_request():
    t = Tenant(profile=_org_attribute("costCenterOrg", ACME_URN, method="DEFAULT"))
    provider = f"/v1/scim-providers/{t.runtime.profile.provider['id']}"
    assert ACME_URN not in _schemas(t)
    t.admin("PATCH", provider, {"orgMappingType": "ATTRIBUTE"}, expect=200)
    assert _names(_schemas(t)[ACME_URN]) == ["costCenterOrg"]
    assert {"schema": ACME_URN, "required": False} in _user_type(t)["schemaExtensions"]
    t.admin("PATCH", provider, {"scimOrgAttribute": "region42"}, expect=200)
    assert _names(t.scim("GET", f"/Schemas/{ACME_URN}").get_json()) == ["region42"]
    t.admin("PATCH", provider, {"orgMappingType": "DEFAULT"}, expect=200)
    _not_found(t.scim("GET", f"/Schemas/{ACME_URN}"))
    assert ACME_URN not in {e["schema"] for e in _user_type(t)["schemaExtensions"]}


def test_a_discovery_response_cannot_change_the_next_one():
    """The routes adjust meta.location on their documents; the catalog they come from stays as it was."""
    t = Tenant(profile=_org_attribute("costCenterOrg", ACME_URN))
    first = t.scim("GET", "/Schemas").get_json()
    assert t.scim("GET", "/Schemas").get_json() == first
    assert _user_type(t) == _user_type(t)


@pytest.mark.parametrize("app_config", [base_config(SCIM_DISCOVERY=False,
                                                    PROFILE=_org_attribute("costCenterOrg", ACME_URN))])
def test_discovery_switched_off_stays_off_with_an_extension(scim) -> None:
    for path in ("/Schemas", f"/Schemas/{ACME_URN}", "/ResourceTypes", "/ResourceTypes/User"):
        _not_found(scim("GET", path))
    assert scim("PATCH", "/Users/nope", {"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "add", "path": f"{ACME_URN}:costCenterOrg", "value": "x"}]}).status_code == 404

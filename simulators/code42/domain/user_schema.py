"""The per-tenant SCIM User schema: the bundled one plus the attributes the provider settings name.

Why: Code42's org attribute is free text (``ScimServerData.scimOrgAttribute``, "SCIM custom attribute
that names a user's organization", 1–100 chars) and role mapping has an ATTRIBUTE mode too
(code42-open-questions.md Q4 and Q7). Q4: "the mock should look for it by name **anywhere**: top level,
under any extension object, or as a full ``urn:…:attr`` path in PATCH" [INF]. Finding it in a stored
document is :func:`simulators.code42.domain.org_mapping.find_attribute`'s job; this module makes the SCIM
layer *accept* it: validation, filters and PATCH paths resolve the configured name under the configured
extension URN (``attribute_urn``), and a bare name resolves there as well. The same schema object
renders ``/Schemas`` and ``/ResourceTypes``, so discovery lists the attribute where it is accepted: in
the bundled Code42, enterprise or core schema document, or in a document of its own for a new URN.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from simulators.common.scim import ResourceSchema


def user_schema_for(settings: dict[str, Any] | None) -> ResourceSchema:
    """The User schema for provider ``settings`` (as :mod:`simulators.code42.domain.settings` stores them)."""
    if not settings:
        return ResourceSchema.for_type("User")
    om, rm = settings.get("org_mapping") or {}, settings.get("role_mapping") or {}
    org_attr = om.get("attribute") if om.get("method") == "ATTRIBUTE" else None
    role_attr = rm.get("attribute") if rm.get("method") == "ATTRIBUTE" else None
    return _build(org_attr, role_attr, om.get("attribute_urn"))


@lru_cache(maxsize=32)
def _build(org_attr: str | None, role_attr: str | None, urn: str | None) -> ResourceSchema:
    base = ResourceSchema.for_type("User")
    if not urn or not (org_attr or role_attr):
        return base
    docs: list[dict[str, Any]] = []
    untyped: list[str] = []
    existing = base.attributes_of(urn) if (base.is_core_urn(urn) or base.extension_urn(urn)) else {}
    if org_attr and org_attr.lower() not in existing:
        # an org name: "This value becomes the name for the Code42 org" (console doc, Q4)
        docs.append(_attribute(org_attr, "Name of the Code42 organization (the configured scimOrgAttribute)"))
    if role_attr and role_attr.lower() not in existing and role_attr.lower() != (org_attr or "").lower():
        # role ids as a list, a list of {"value": ...} or a comma-separated string (role_mapping.role_values)
        docs.append(_attribute(role_attr, "Code42 role ids (the configured role attribute): a comma-separated "
                                          "string; a list of ids or of {\"value\": id} objects is accepted too"))
        untyped.append(role_attr)
    if not docs:
        return base
    return base.with_extension_attributes(urn, docs, untyped=untyped, schema_name="Code42TenantUser",
                                          schema_description=_NEW_URN_DESCRIPTION)


# Why the words: the URN is this tenant's provider setting (org_mapping.attribute_urn), not a Code42 one.
_NEW_URN_DESCRIPTION = (
    "scimgate's invention, configured for this tenant: the extension URN the provider settings name "
    "(org_mapping.attribute_urn) for the org and/or role attribute. Code42 documents no SCIM extension URN "
    "(code42-behaviour.md §3.3)."
)


def _attribute(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "type": "string", "multiValued": False, "description": description, "required": False,
            "caseExact": False, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}

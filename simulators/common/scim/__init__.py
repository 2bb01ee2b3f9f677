"""SCIM 2.0 (RFC 7643/7644) as both simulators' resources speak it: the attribute model, discovery,
canonical form, validation, projection; filters, PATCH, errors and pagination in their own modules.

This package's namespace is the public facade of the resource model: callers import
``from simulators.common.scim import ResourceSchema, validate, project``; the modules behind it are
free to move. Filters, PATCH, errors and pagination are imported from their modules
(``simulators.common.scim.filters`` and so on), as their names would crowd this namespace.
"""

from simulators.common.scim.attributes import AttributeDef, AttrRef
from simulators.common.scim.canonical import canonicalize
from simulators.common.scim.discovery import resource_type_documents, schema_documents, scim_document
from simulators.common.scim.json_schemas import json_schema, json_schema_path
from simulators.common.scim.projection import project
from simulators.common.scim.schema import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    ResourceSchema,
)
from simulators.common.scim.validation import check_canonical, validate, write_json_schemas

__all__ = [
    "CODE42_USER_URN",
    "ENTERPRISE_USER_URN",
    "GROUP_URN",
    "USER_URN",
    "AttrRef",
    "AttributeDef",
    "ResourceSchema",
    "canonicalize",
    "check_canonical",
    "json_schema",
    "json_schema_path",
    "project",
    "resource_type_documents",
    "schema_documents",
    "scim_document",
    "validate",
    "write_json_schemas",
]

"""The discovery documents (RFC 7644 §4): ``/Schemas``, ``/ResourceTypes`` and the fixed ones.

A deployment may add attributes of its own (:meth:`ResourceSchema.with_extension_attributes`); such a
schema renders its own documents, and these functions put them in the bundled catalog's place, so
``/Schemas`` and ``/ResourceTypes`` describe exactly what the server accepts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from simulators.common.bundled import data_dir
from simulators.common.scim.catalog import catalog
from simulators.common.scim.schema import ResourceSchema


def scim_document(name: str) -> Any:
    """A discovery document from ``schemas/scim/`` (e.g. ``"ServiceProviderConfig"``), as a fresh copy."""
    path = data_dir("schemas") / "scim" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def schema_documents(resource_schemas: Iterable[ResourceSchema] = ()) -> list[dict]:
    """Every RFC 7643 §7 schema representation, for ``GET /Schemas`` (fresh copies).

    Each of ``resource_schemas`` (a deployment's extended User, say) replaces the bundled documents of
    its schemas with its own rendering; documents of schemas new to the catalog come last. Why: RFC 7644
    §4 has a client learn the attributes from ``/Schemas``, so it must list the configured ones too.
    A bundled document of another resource type is never replaced (an extension configured under, say,
    the Group URN must not take the Group schema's place).
    """
    docs = {urn: copy.deepcopy(doc) for urn, doc in catalog()[0].items()}
    for schema in resource_schemas:
        own = schema.bundled_schema_urns()
        for doc in schema.schema_documents():
            key = doc["id"].lower()
            if key in own or key not in docs:
                docs[key] = doc
    return list(docs.values())


def resource_type_documents(resource_schemas: Iterable[ResourceSchema] = ()) -> list[dict]:
    """Every RFC 7643 §6 ResourceType document, for ``GET /ResourceTypes`` (fresh copies); each of
    ``resource_schemas`` replaces the bundled document of its type (its ``schemaExtensions`` then list
    the extensions it added)."""
    docs = {rt["name"].lower(): copy.deepcopy(rt) for rt in catalog()[1]}
    for schema in resource_schemas:
        docs[schema.name.lower()] = schema.resource_type_document()
    return list(docs.values())

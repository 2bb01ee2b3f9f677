"""The SCIM attribute model: what each attribute of a User or Group is, and what follows from it.

The model comes from one place: the RFC 7643 §7 schema representations in ``schemas/scim/*.json``
(:mod:`simulators.common.scim.catalog`), the very documents the Code42 mock serves at ``/Schemas``.
A deployment may add attributes of its own (:meth:`ResourceSchema.with_extension_attributes`); such a
schema renders its own discovery documents (:meth:`ResourceSchema.schema_documents`,
:meth:`ResourceSchema.resource_type_document`). The common attributes ``id``, ``externalId`` and
``meta`` (RFC 7643 §3.1) are not part of any schema representation, so they are added here from the
RFC's text.

Attribute names and schema URNs are case-insensitive (RFC 7643 §2.1); the model answers for any case
(:func:`simulators.common.scim.canonical.canonicalize` rewrites a resource into the schema's spelling).

Path resolution (:meth:`ResourceSchema.resolve`) accepts ``attr``, ``attr.sub``, and the
URN-prefixed forms ``urn:...:User:attr[.sub]`` for the core schema and each extension. A bare name
that the core schema lacks resolves to an extension attribute when exactly one extension defines
it: Azure AD sends the enterprise ``manager`` as bare ``manager`` in its removal and legacy forms
(azure-ad-behaviour.md §4: ``{"op":"remove","path":"manager[value eq \\"manager-id\\"]"}``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema

from simulators.common.scim import json_schemas
from simulators.common.scim.attributes import AttributeDef, AttrRef
from simulators.common.scim.catalog import catalog

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# scimgate's own URN: Code42 documents none (code42-behaviour.md §3.3), see schemas/scim/Code42User.json.
CODE42_USER_URN = "urn:ietf:params:scim:schemas:extension:code42:2.0:User"



# RFC 7643 §3.1 common attributes. "id" is caseExact and returned always; "externalId" is caseExact.
def _common_attributes(core_urn: str) -> dict[str, AttributeDef]:
    def ro(name: str, type_: str = "string", **kw: Any) -> AttributeDef:
        return AttributeDef(name, type_, mutability="readOnly", schema_urn=core_urn, parent="meta", **kw)

    meta_subs = {
        s.name.lower(): s
        for s in (
            ro("resourceType", case_exact=True),
            ro("created", "dateTime"),
            ro("lastModified", "dateTime"),
            ro("location", "reference", case_exact=True, reference_types=("uri",)),
            ro("version", case_exact=True),
        )
    }
    attrs = (
        AttributeDef(
            "id", "string", case_exact=True, mutability="readOnly", returned="always", uniqueness="server",
            schema_urn=core_urn,
        ),
        AttributeDef("externalId", "string", case_exact=True, schema_urn=core_urn),
        AttributeDef("meta", "complex", mutability="readOnly", sub_attributes=meta_subs, schema_urn=core_urn),
    )
    return {a.name.lower(): a for a in attrs}


def _attribute_from_json(doc: Mapping[str, Any], schema_urn: str, parent: str | None = None) -> AttributeDef:
    name = doc["name"]
    subs = {
        s["name"].lower(): _attribute_from_json(s, schema_urn, parent=name) for s in doc.get("subAttributes", ())
    }
    return AttributeDef(
        name=name,
        type=doc["type"],
        multi_valued=bool(doc.get("multiValued", False)),
        case_exact=bool(doc.get("caseExact", False)),
        mutability=doc.get("mutability", "readWrite"),
        returned=doc.get("returned", "default"),
        uniqueness=doc.get("uniqueness", "none"),
        sub_attributes=subs,
        canonical_values=tuple(doc.get("canonicalValues", ())),
        required=bool(doc.get("required", False)),
        reference_types=tuple(doc.get("referenceTypes", ())),
        schema_urn=schema_urn,
        parent=parent,
    )


class ResourceSchema:
    """A resource type (User or Group) with its core schema and extensions: the attribute model."""

    def __init__(self, resource_type: Mapping[str, Any], schemas: Mapping[str, Mapping[str, Any]]):
        self.name: str = resource_type["name"]
        self.endpoint: str = resource_type["endpoint"]
        self._resource_type = resource_type  # the bundled RFC 7643 §6 document (never changed)
        core_doc = schemas[resource_type["schema"].lower()]
        self.core_urn: str = core_doc["id"]
        self.core: dict[str, AttributeDef] = _common_attributes(self.core_urn)
        for a in core_doc["attributes"]:
            self.core[a["name"].lower()] = _attribute_from_json(a, self.core_urn)
        self.extensions: dict[str, dict[str, AttributeDef]] = {}
        self._ext_urns: dict[str, str] = {}
        for ext in resource_type.get("schemaExtensions", ()):
            doc = schemas[ext["schema"].lower()]
            self._ext_urns[doc["id"].lower()] = doc["id"]
            self.extensions[doc["id"]] = {a["name"].lower(): _attribute_from_json(a, doc["id"]) for a in doc["attributes"]}
        self._untyped: set[tuple[str, str]] = set()  # (urn, name) of attributes without a type check
        # What with_extension_attributes added, for the discovery documents: canonical URN -> lower-cased
        # name -> RFC 7643 §7 attribute representation; and (name, description) of schemas it created.
        self._added: dict[str, dict[str, dict[str, Any]]] = {}
        self._new_schemas: dict[str, tuple[str, str]] = {}
        self._validator: jsonschema.protocols.Validator | None = None
        self._fast: Any = None

    def __repr__(self) -> str:
        return f"ResourceSchema({self.name!r})"

    @classmethod
    def for_type(cls, name: str) -> ResourceSchema:
        """The schema for resource type ``"User"`` or ``"Group"`` (case-insensitive; one instance per type)."""
        return _schema_for(name.lower())

    @classmethod
    def for_schema_urn(cls, urn: str) -> ResourceSchema | None:
        """The resource type whose core schema or one of whose extensions is ``urn``."""
        for rt in catalog()[1]:
            urns = [rt["schema"], *(e["schema"] for e in rt.get("schemaExtensions", ()))]
            if any(u.lower() == urn.lower() for u in urns):
                return cls.for_type(rt["name"])
        return None

    def with_extension_attributes(
        self, urn: str, attributes: Iterable[Mapping[str, Any]], untyped: Iterable[str] = (), *,
        schema_name: str | None = None, schema_description: str | None = None,
    ) -> ResourceSchema:
        """A copy of this schema where extension ``urn`` (added if new) also defines ``attributes``.

        Why: a deployment can name attributes of its own (Code42's ``scimOrgAttribute`` is free text,
        code42-open-questions.md Q4), and validation, filters and PATCH paths must know them as they
        know the bundled ones. ``attributes`` are RFC 7643 §7 attribute representations; ``urn`` may
        also be the core schema's URN. Attributes named in ``untyped`` get no JSON Schema type check
        (for values whose shape a lenient reader interprets, e.g. a role list or a comma-separated
        string). The bundled instance returned by :meth:`for_type` is never changed.

        ``schema_name`` and ``schema_description`` name the RFC 7643 §7 schema document of a URN new to
        this resource type (what :meth:`schema_documents` renders); they are ignored for a known URN.
        """
        clone = copy.copy(self)
        clone.core = dict(self.core)
        clone.extensions = {u: dict(a) for u, a in self.extensions.items()}
        clone._ext_urns = dict(self._ext_urns)
        clone._untyped = set(self._untyped)
        clone._added = {u: dict(a) for u, a in self._added.items()}
        clone._new_schemas = dict(self._new_schemas)
        clone._validator = None
        clone._fast = None
        if self.is_core_urn(urn):
            target, canonical_urn = clone.core, self.core_urn
        else:
            canonical_urn = self.extension_urn(urn) or urn
            if canonical_urn not in self.extensions:
                clone._new_schemas[canonical_urn] = (
                    schema_name or f"{self.name}Extension",
                    schema_description or f"Attributes this deployment configured for {self.name} resources.")
            clone._ext_urns[canonical_urn.lower()] = canonical_urn
            target = clone.extensions.setdefault(canonical_urn, {})
        added = clone._added.setdefault(canonical_urn, {})
        untyped_names = {n.lower() for n in untyped}
        for doc in attributes:
            attr = _attribute_from_json(doc, canonical_urn)
            target[doc["name"].lower()] = attr
            added[doc["name"].lower()] = _attribute_document(attr, doc)
            if doc["name"].lower() in untyped_names:
                clone._untyped.add((canonical_urn, doc["name"]))
        return clone

    def schema_documents(self) -> list[dict[str, Any]]:
        """RFC 7643 §7 representations of this type's core schema and extensions (fresh copies).

        The bundled documents, with the attributes :meth:`with_extension_attributes` added in their
        schema's ``attributes`` (an added name replaces a bundled one, as it does in the model); a URN
        new to this type gets a document of its own, located beside the core schema's.
        """
        bundled = catalog()[0]
        docs = []
        for urn in (self.core_urn, *self.extensions):
            if urn in self._new_schemas:
                doc = self._new_schema_document(urn)
            else:
                doc = copy.deepcopy(bundled[urn.lower()])
            added = self._added.get(urn)
            if added:
                doc["attributes"] = _merged_attributes(doc["attributes"], added)
            docs.append(doc)
        return docs

    def resource_type_document(self) -> dict[str, Any]:
        """The RFC 7643 §6 ResourceType document; an extension URN this schema added is listed with
        ``required: false`` (a resource without it stays valid)."""
        doc = copy.deepcopy(dict(self._resource_type))
        listed = doc.setdefault("schemaExtensions", [])
        known = {e["schema"].lower() for e in listed}
        listed.extend({"schema": urn, "required": False} for urn in self.extensions if urn.lower() not in known)
        return doc

    def bundled_schema_urns(self) -> set[str]:
        """Lower-cased URNs of the bundled core schema and extensions of this resource type."""
        rt = self._resource_type
        return {rt["schema"].lower(), *(e["schema"].lower() for e in rt.get("schemaExtensions", ()))}

    def _new_schema_document(self, urn: str) -> dict[str, Any]:
        name, description = self._new_schemas[urn]
        core_location = catalog()[0][self.core_urn.lower()]["meta"]["location"]
        doc: dict[str, Any] = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": urn, "name": name,
                               "description": description, "attributes": []}
        # beside the core schema's: the bundled locations are ".../Schemas/<id>", and a core URN has no "/"
        doc["meta"] = {"resourceType": "Schema", "location": f"{core_location.rpartition('/')[0]}/{urn}"}
        return doc

    def is_valid(self, resource: Any) -> bool:
        """Does ``resource`` pass the JSON Schema? A generated-code check (``fastjsonschema``), about ten
        times faster than ``jsonschema`` on a User; :func:`check_canonical` asks ``jsonschema`` only
        when this says no, for a precise message."""
        if self._fast is None:
            self._fast = json_schemas.fast_check(self.validator.schema)
        try:
            self._fast(resource)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    @property
    def validator(self) -> jsonschema.protocols.Validator:
        """The compiled JSON Schema validator (compiled once per schema object, as compiling is slow)."""
        if self._validator is None:
            self._validator = json_schemas.bundled_validator(self.name) if not self._untyped and self is _schema_for(
                self.name.lower()) else json_schemas.compile_validator(json_schemas.json_schema(self))
        return self._validator

    def is_typed(self, urn: str, name: str) -> bool:
        """Does the JSON Schema type-check attribute ``name`` of schema ``urn``? (No for the ``untyped``
        names given to :meth:`with_extension_attributes`.)"""
        return (urn, name) not in self._untyped

    @property
    def extension_urns(self) -> tuple[str, ...]:
        return tuple(self.extensions)

    def extension_urn(self, text: str) -> str | None:
        """The canonical spelling of extension URN ``text``, or None if it is not one of ours."""
        return self._ext_urns.get(text.lower())

    def is_core_urn(self, text: str) -> bool:
        return text.lower() == self.core_urn.lower()

    def resolve_parts(self, urn: str | None, name: str, sub: str | None = None) -> AttrRef | None:
        """Resolve an already-split path (what the filter parser hands over)."""
        if urn is None:
            attr, ext_urn = self.core.get(name.lower()), None
            if attr is None:
                hits = [(u, attrs[name.lower()]) for u, attrs in self.extensions.items() if name.lower() in attrs]
                if len(hits) != 1:
                    return None
                ext_urn, attr = hits[0]
        elif self.is_core_urn(urn):
            attr, ext_urn = self.core.get(name.lower()), None
        else:
            ext_urn = self.extension_urn(urn)
            attr = self.extensions[ext_urn].get(name.lower()) if ext_urn else None
        if attr is None:
            return None
        sub_def = None
        if sub is not None:
            sub_def = attr.sub_attribute(sub)
            if sub_def is None:
                return None
        return AttrRef(ext_urn or self.core_urn, attr, sub_def, ext_urn is not None)

    def resolve(self, path: str) -> AttrRef | None:
        """Resolve ``attr``, ``attr.sub`` or ``urn:...:attr[.sub]`` (case-insensitive); None if unknown."""
        urn: str | None = None
        rest = path
        if ":" in path:
            urn, _, rest = path.rpartition(":")
        parts = rest.split(".")
        if not parts[0] or len(parts) > 2 or (len(parts) == 2 and not parts[1]):
            return None
        return self.resolve_parts(urn, parts[0], parts[1] if len(parts) == 2 else None)

    def attribute(self, path: str) -> AttributeDef | None:
        """The definition of the attribute or sub-attribute at ``path``, or None if unknown."""
        ref = self.resolve(path)
        return ref.target if ref else None

    def attributes_of(self, urn: str) -> Mapping[str, AttributeDef]:
        """Top-level attributes of the core schema or an extension, keyed by lower-cased name."""
        return self.core if self.is_core_urn(urn) else self.extensions[self.extension_urn(urn) or urn]


def _attribute_document(attr: AttributeDef, given: Mapping[str, Any]) -> dict[str, Any]:
    """A full RFC 7643 §7 attribute representation: ``given``'s description with every characteristic
    spelled out (a caller may leave the defaults implicit; a client reading ``/Schemas`` must not have to)."""
    doc: dict[str, Any] = {"name": attr.name, "type": attr.type, "multiValued": attr.multi_valued}
    if isinstance(given.get("description"), str):
        doc["description"] = given["description"]
    doc.update(required=attr.required, caseExact=attr.case_exact, mutability=attr.mutability,
               returned=attr.returned, uniqueness=attr.uniqueness)
    if attr.canonical_values:
        doc["canonicalValues"] = list(attr.canonical_values)
    if attr.reference_types:
        doc["referenceTypes"] = list(attr.reference_types)
    if attr.sub_attributes:
        given_subs = {s["name"].lower(): s for s in given.get("subAttributes", ())}
        doc["subAttributes"] = [_attribute_document(s, given_subs.get(key, {})) for key, s in attr.sub_attributes.items()]
    return doc


def _merged_attributes(bundled: list[dict[str, Any]], added: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``bundled`` attribute representations with ``added`` ones (keyed by lower-cased name) replacing
    those of the same name in place, the others appended in the order they were added."""
    out = [copy.deepcopy(added.get(a["name"].lower(), a)) for a in bundled]
    names = {a["name"].lower() for a in bundled}
    out.extend(copy.deepcopy(a) for key, a in added.items() if key not in names)
    return out


@cache
def _schema_for(lower_name: str) -> ResourceSchema:
    schemas, resource_types = catalog()
    for rt in resource_types:
        if rt["name"].lower() == lower_name:
            return ResourceSchema(rt, schemas)
    known = ", ".join(rt["name"] for rt in resource_types)
    raise KeyError(f"no SCIM resource type {lower_name!r}; known: {known}")

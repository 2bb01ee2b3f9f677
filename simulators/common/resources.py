"""The SCIM attribute model: what each attribute of a User or Group is, and what follows from it.

Filters, PATCH, validation and projection all need the same facts about an attribute (its type,
whether it is multi-valued, caseExact, mutability, returned), so they come from one place: the
RFC 7643 §7 schema representations in ``schemas/scim/*.json``, the very documents the Code42 mock
serves at ``/Schemas``. A deployment may add attributes of its own
(:meth:`ResourceSchema.with_extension_attributes`); such a schema renders its own discovery documents
(:meth:`ResourceSchema.schema_documents`, :meth:`ResourceSchema.resource_type_document`), so
``/Schemas`` and ``/ResourceTypes`` describe exactly what the server accepts. The common attributes
``id``, ``externalId`` and ``meta`` (RFC 7643 §3.1) are not part of any schema representation, so they
are added here from the RFC's text.

Attribute names and schema URNs are case-insensitive (RFC 7643 §2.1); the model answers for any
case and :func:`canonicalize` rewrites a resource into the schema's spelling, so everything
downstream (JSON Schema validation, storage, responses) can be case-sensitive.

Path resolution (:meth:`ResourceSchema.resolve`) accepts ``attr``, ``attr.sub``, and the
URN-prefixed forms ``urn:...:User:attr[.sub]`` for the core schema and each extension. A bare name
that the core schema lacks resolves to an extension attribute when exactly one extension defines
it: Azure AD sends the enterprise ``manager`` as bare ``manager`` in its removal and legacy forms
(azure-ad-behaviour.md §4: ``{"op":"remove","path":"manager[value eq \\"manager-id\\"]"}``).

Validation goes through the JSON Schemas (draft 2020-12) in ``schemas/resources/``; they are
generated from this model by :func:`json_schema` and a test keeps the files and the model in step.
Attributes the model does not know are allowed (the Code42 mock accepts ``c42OrgName`` at the top
level, code42-behaviour.md §3.3), but every known attribute is type-checked.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from simulators.common.bundled import data_dir
from simulators.common.errors import ScimError

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# scimgate's own URN: Code42 documents none (code42-behaviour.md §3.3), see schemas/scim/Code42User.json.
CODE42_USER_URN = "urn:ietf:params:scim:schemas:extension:code42:2.0:User"

_DATETIME_PATTERN = r"^-?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|z|[+-][0-9]{2}:[0-9]{2})?$"


@dataclass(frozen=True)
class AttributeDef:
    """One attribute or sub-attribute, as RFC 7643 §7 describes it.

    ``sub_attributes`` is keyed by the lower-cased sub-attribute name; use :meth:`sub_attribute`
    for a case-insensitive lookup. ``schema_urn`` is the schema that defines the attribute and
    ``parent`` the name of the complex attribute a sub-attribute belongs to.
    """

    name: str
    type: str
    multi_valued: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    sub_attributes: Mapping[str, AttributeDef] = field(default_factory=dict)
    canonical_values: tuple[str, ...] = ()
    required: bool = False
    reference_types: tuple[str, ...] = ()
    schema_urn: str = ""
    parent: str | None = None

    def sub_attribute(self, name: str) -> AttributeDef | None:
        return self.sub_attributes.get(name.lower())

    @property
    def is_complex(self) -> bool:
        return self.type == "complex"

    @property
    def path(self) -> str:
        """The dotted name without URN, e.g. ``name.givenName``."""
        return f"{self.parent}.{self.name}" if self.parent else self.name

    def description_annotation(self) -> str:
        """A one-line summary of the characteristics, written into the generated JSON Schemas."""
        parts = [self.type + ("[]" if self.multi_valued else "")]
        if self.type in ("string", "reference", "binary"):
            parts.append("caseExact" if self.case_exact else "caseIgnore")
        parts += [self.mutability, f"returned {self.returned}"]
        if self.uniqueness != "none":
            parts.append(f"uniqueness {self.uniqueness}")
        return ", ".join(parts)


@dataclass(frozen=True)
class AttrRef:
    """A resolved attribute path: which schema, which top-level attribute, which sub-attribute.

    Values of core attributes live at ``resource[attr.name]``, values of extension attributes at
    ``resource[schema_urn][attr.name]``; :meth:`container` and :meth:`get` hide the difference.
    """

    schema_urn: str
    attr: AttributeDef
    sub_attr: AttributeDef | None
    in_extension: bool

    @property
    def target(self) -> AttributeDef:
        return self.sub_attr or self.attr

    @property
    def dotted(self) -> str:
        """``emails.value``-style name without URN (what store indexes are named after)."""
        return f"{self.attr.name}.{self.sub_attr.name}" if self.sub_attr else self.attr.name

    @property
    def full(self) -> str:
        return f"{self.schema_urn}:{self.dotted}"

    def container(self, resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object holding the top-level attribute (the resource, or its extension object)."""
        if not self.in_extension:
            return resource
        ext = resource.get(self.schema_urn)
        return ext if isinstance(ext, Mapping) else None

    def get(self, resource: Mapping[str, Any]) -> Any:
        """The top-level attribute's value (``None`` when unassigned); sub-attributes are the caller's job."""
        holder = self.container(resource)
        return None if holder is None else holder.get(self.attr.name)


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


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, dict], list[dict]]:
    """Schema documents by lower-cased URN, and the ResourceType documents (read once per process)."""
    folder = data_dir("schemas") / "scim"
    schemas: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "attributes" in doc:
            schemas[doc["id"].lower()] = doc
    resource_types = json.loads((folder / "ResourceTypes.json").read_text(encoding="utf-8"))
    return schemas, resource_types


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
    docs = {urn: copy.deepcopy(doc) for urn, doc in _catalog()[0].items()}
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
    docs = {rt["name"].lower(): copy.deepcopy(rt) for rt in _catalog()[1]}
    for schema in resource_schemas:
        docs[schema.name.lower()] = schema.resource_type_document()
    return list(docs.values())


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
        for rt in _catalog()[1]:
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
        bundled = _catalog()[0]
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
        core_location = _catalog()[0][self.core_urn.lower()]["meta"]["location"]
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
            self._fast = _fast_check(self.validator.schema)
        try:
            self._fast(resource)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    @property
    def validator(self) -> jsonschema.protocols.Validator:
        """The compiled JSON Schema validator (compiled once per schema object, as compiling is slow)."""
        if self._validator is None:
            self._validator = _validator(self.name) if not self._untyped and self is _schema_for(
                self.name.lower()) else _compile(json_schema(self))
        return self._validator

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
    schemas, resource_types = _catalog()
    for rt in resource_types:
        if rt["name"].lower() == lower_name:
            return ResourceSchema(rt, schemas)
    known = ", ".join(rt["name"] for rt in resource_types)
    raise KeyError(f"no SCIM resource type {lower_name!r}; known: {known}")


# --- canonicalize -------------------------------------------------------------------------------


def _canonical_value(attr: AttributeDef, value: Any) -> Any:
    if not attr.is_complex:
        return value
    if attr.multi_valued and isinstance(value, list):
        return [_canonical_complex(attr, v) for v in value]
    return _canonical_complex(attr, value)


def _canonical_complex(attr: AttributeDef, value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, v in value.items():
        sub = attr.sub_attribute(key) if isinstance(key, str) else None
        out[sub.name if sub else key] = v
    return out


def _canonical_object(attrs: Mapping[str, AttributeDef], obj: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        attr = attrs.get(key.lower()) if isinstance(key, str) else None
        if attr is None:
            out[key] = value
        else:
            out[attr.name] = _canonical_value(attr, value)
    return out


def canonicalize(resource: Mapping[str, Any], schema: ResourceSchema) -> dict[str, Any]:
    """A deep copy of ``resource`` with attribute names and schema URNs in the schema's spelling.

    Unknown keys are kept as they are; known URNs inside ``schemas`` get their canonical case.
    """
    known_urns = {schema.core_urn.lower(): schema.core_urn, **{u.lower(): u for u in schema.extensions}}
    out: dict[str, Any] = {}
    for key, value in copy.deepcopy(dict(resource)).items():
        if not isinstance(key, str):
            out[key] = value
            continue
        if key.lower() == "schemas":
            out["schemas"] = (
                [known_urns.get(u.lower(), u) if isinstance(u, str) else u for u in value]
                if isinstance(value, list)
                else value
            )
            continue
        ext = schema.extension_urn(key)
        if ext is not None:
            out[ext] = _canonical_object(schema.extensions[ext], value) if isinstance(value, Mapping) else value
            continue
        attr = schema.core.get(key.lower())
        if attr is None:
            out[key] = value
        else:
            out[attr.name] = _canonical_value(attr, value)
    return out


# --- validate -----------------------------------------------------------------------------------

_SIMPLE_JSON_TYPES = {
    "string": {"type": "string"},
    "reference": {"type": "string"},
    "binary": {"type": "string"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "dateTime": {"type": "string", "pattern": _DATETIME_PATTERN},
}


def _nullable(s: dict[str, Any]) -> dict[str, Any]:
    # RFC 7643 §2.5: null is the same as unassigned, so a null value is never a type error. A type
    # list rather than anyOf: "properties"/"items"/"pattern" ignore null anyway, and anyOf triples
    # the validator's work on a Group with thousands of members.
    return {**s, "type": [s["type"], "null"]}


def _attr_json_schema(attr: AttributeDef) -> dict[str, Any]:
    if attr.is_complex:
        single: dict[str, Any] = {
            "type": "object",
            "properties": {s.name: _attr_json_schema(s) for s in attr.sub_attributes.values()},
        }
    else:
        single = dict(_SIMPLE_JSON_TYPES[attr.type])
    if attr.description_annotation():
        single["description"] = attr.description_annotation()
    if attr.multi_valued:
        single = {"type": "array", "items": single}
    if attr.mutability == "readOnly":
        single["readOnly"] = True
    if attr.mutability == "writeOnly":
        single["writeOnly"] = True
    if attr.required:
        if single.get("type") == "string":
            single["minLength"] = 1
        return single
    return _nullable(single)




def json_schema(schema: ResourceSchema) -> dict[str, Any]:
    """The draft 2020-12 JSON Schema for a resource of this type (what ``schemas/resources/`` holds).

    Unknown attributes are allowed; known ones are type-checked; required ones must be present and,
    for strings, non-empty (RFC 7643 §4.1.1: "Each User MUST include a non-empty userName value").
    """
    properties: dict[str, Any] = {
        "schemas": {
            "type": "array",
            "items": {"type": "string"},
            "contains": {"const": schema.core_urn},
            "description": f"RFC 7643 §3: REQUIRED, lists {schema.core_urn} and any extension used",
        }
    }
    required = ["schemas"]
    def attr_schema(urn: str, attr: AttributeDef) -> dict[str, Any]:
        if (urn, attr.name) in schema._untyped:
            return {"description": f"{attr.name}: any JSON value (not type-checked)"}
        return _attr_json_schema(attr)

    for attr in schema.core.values():
        properties[attr.name] = attr_schema(schema.core_urn, attr)
        if attr.required:
            required.append(attr.name)
    for urn, attrs in schema.extensions.items():
        properties[urn] = _nullable(
            {"type": "object", "properties": {a.name: attr_schema(urn, a) for a in attrs.values()}}
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:scimgate:schemas:resources:{schema.name}",
        "title": f"SCIM {schema.name} resource (generated from schemas/scim by simulators.common.resources)",
        "type": "object",
        "properties": properties,
        "required": required,
    }


def json_schema_path(schema: ResourceSchema) -> Path:
    return data_dir("schemas") / "resources" / f"{schema.name}.schema.json"


def write_json_schemas() -> list[Path]:
    """Regenerate ``schemas/resources/*.schema.json`` after editing ``schemas/scim/*.json``.

    Run ``python -c "from simulators.common.resources import write_json_schemas; write_json_schemas()"``;
    ``tests/common/test_resources.py`` fails while the two disagree.
    """
    written = []
    for rt in _catalog()[1]:
        schema = ResourceSchema.for_type(rt["name"])
        path = json_schema_path(schema)
        path.write_text(json.dumps(json_schema(schema), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = ResourceSchema.for_type(name)
    return _compile(json.loads(json_schema_path(schema).read_text(encoding="utf-8")))


def _fast_check(doc: Mapping[str, Any]) -> Any:
    """``doc`` compiled by fastjsonschema. It knows drafts 4 to 7; the generated schemas use only
    keywords whose meaning draft 7 shares with 2020-12 (type, properties, items, contains, const,
    pattern, minLength, required), so they compile as draft 7 (a test checks both agree)."""
    draft7 = {k: v for k, v in doc.items() if k != "$schema"}
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **draft7})


def _compile(doc: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(doc)
    cls.check_schema(doc)
    return cls(doc)


def _error_path(error: jsonschema.ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate(resource: Any, schema: ResourceSchema) -> dict[str, Any]:
    """Check ``resource`` against its type's JSON Schema; return the canonicalized copy.

    Raises ``ScimError(400, ..., "invalidSyntax")`` when the body is not a JSON object and
    ``ScimError(400, ..., "invalidValue")`` for a missing required attribute or a wrongly typed
    value, with a message naming the attribute.
    """
    if not isinstance(resource, Mapping):
        raise ScimError(400, f"a {schema.name} resource must be a JSON object, got {type(resource).__name__}",
                        "invalidSyntax")
    canonical = canonicalize(resource, schema)
    check_canonical(canonical, schema)
    return canonical


def check_canonical(canonical: Mapping[str, Any], schema: ResourceSchema) -> None:
    """:func:`validate` for a resource already in canonical spelling (no copy made); raises the same errors."""
    if schema.is_valid(canonical):
        return
    validator = schema.validator
    errors = sorted(validator.iter_errors(canonical), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        where = _error_path(error)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            where = f"{where}.{missing}" if where else missing
            detail = f"attribute {where!r} is required"
        elif error.validator == "contains" and where == "schemas":
            detail = f"attribute 'schemas' must list {schema.core_urn!r}"
        elif error.validator == "minLength":
            detail = f"attribute {where!r} must not be empty"
        else:
            detail = f"attribute {where!r} has the wrong type: {_short(error.instance)} is not {_expected(error)}"
        raise ScimError(400, detail, "invalidValue")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "pattern" in schema:
        return "an RFC 7643 dateTime (xsd:dateTime, e.g. 2026-01-02T03:04:05Z)"
    types = schema.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t not in (None, "null")]
    return f"of type {types[0]}" if types else error.message


# --- project ------------------------------------------------------------------------------------


def _split_names(names: str | Iterable[str] | None) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = names.split(",")
    out = [n.strip() for n in names if n and n.strip()]
    return out or None


@dataclass
class _Selection:
    whole: set[str] = field(default_factory=set)  # "urn|attr" keys, lower-cased
    subs: dict[str, set[str]] = field(default_factory=dict)  # "urn|attr" -> lower-cased sub names
    extensions: set[str] = field(default_factory=set)  # whole extension objects
    unknown: set[str] = field(default_factory=set)  # top-level keys the model does not know


def _selection(names: list[str], schema: ResourceSchema) -> _Selection:
    sel = _Selection()
    for name in names:
        ext = schema.extension_urn(name)
        if ext is not None:
            sel.extensions.add(ext)
            continue
        if ":" not in name and "." not in name:
            sel.unknown.add(name.lower())  # may also name a top-level key the model does not know
        ref = schema.resolve(name)
        if ref is None:
            continue  # RFC 7644 gives no error for unknown names here; they select nothing
        key = f"{ref.schema_urn}|{ref.attr.name}".lower()
        if ref.sub_attr is None:
            sel.whole.add(key)
        else:
            sel.subs.setdefault(key, set()).add(ref.sub_attr.name.lower())
    return sel


def _project_attr(attr: AttributeDef, value: Any, keep_subs: set[str] | None, drop_subs: set[str] | None) -> Any:
    """Apply sub-attribute selection to a complex value (single or multi-valued)."""
    if not attr.is_complex:
        return value

    def one(item: Any) -> Any:
        if not isinstance(item, Mapping):
            return item
        out = {}
        for k, v in item.items():
            sub = attr.sub_attribute(k) if isinstance(k, str) else None
            if sub is not None and sub.returned == "never":
                continue
            always = sub is not None and sub.returned == "always"
            lk = k.lower() if isinstance(k, str) else k
            if keep_subs is not None and lk not in keep_subs and not always:
                continue
            if drop_subs is not None and lk in drop_subs and not always:
                continue
            out[k] = v
        return out

    if attr.multi_valued and isinstance(value, list):
        return [one(v) for v in value]
    return one(value)


def _project_object(
    obj: Mapping[str, Any],
    attrs: Mapping[str, AttributeDef],
    urn: str,
    include: _Selection | None,
    exclude: _Selection | None,
    whole_included: bool,
    whole_excluded: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        attr = attrs.get(key.lower()) if isinstance(key, str) else None
        if attr is None:
            lk = key.lower() if isinstance(key, str) else key
            if include is not None and not whole_included and lk not in include.unknown:
                continue
            if exclude is not None and (whole_excluded or lk in exclude.unknown):
                continue
            out[key] = value
            continue
        sel_key = f"{urn}|{attr.name}".lower()
        if attr.returned == "never":
            continue
        if attr.returned == "always":
            out[key] = _project_attr(attr, value, None, None)
            continue
        if include is not None:
            if whole_included or sel_key in include.whole:
                out[key] = _project_attr(attr, value, None, None)
            elif sel_key in include.subs:
                out[key] = _project_attr(attr, value, include.subs[sel_key], None)
            continue
        if attr.returned == "request":
            continue
        if exclude is not None:
            if whole_excluded or sel_key in exclude.whole:
                continue
            out[key] = _project_attr(attr, value, None, exclude.subs.get(sel_key))
            continue
        out[key] = _project_attr(attr, value, None, None)
    return out


def project(
    resource: Mapping[str, Any],
    schema: ResourceSchema,
    attributes: str | Iterable[str] | None = None,
    excluded: str | Iterable[str] | None = None,
) -> dict[str, Any]:
    """The representation to return, per RFC 7644 §3.4.2.5 and the ``returned`` characteristic.

    ``attributes``/``excluded`` take a list or the raw comma-separated query value. With
    ``attributes`` only the named attributes (plus ``returned: always`` ones such as ``id``) come
    back, and ``returned: request`` attributes only when named; with ``excluded`` the default set
    minus the named ones (``returned: always`` survives); ``returned: never`` (``password``) never
    comes back. ``attributes`` wins when both are given, as RFC 7644 lets a client send only one.
    Unknown names select nothing rather than failing. ``schemas`` is always kept.
    """
    canonical = canonicalize(resource, schema)
    include_names, exclude_names = _split_names(attributes), _split_names(excluded)
    include = _selection(include_names, schema) if include_names else None
    exclude = _selection(exclude_names, schema) if exclude_names and include is None else None
    out: dict[str, Any] = {}
    core_obj = {k: v for k, v in canonical.items() if k != "schemas" and not (isinstance(k, str) and k in schema.extensions)}
    if "schemas" in canonical:
        out["schemas"] = canonical["schemas"]
    out.update(_project_object(core_obj, schema.core, schema.core_urn, include, exclude, False, False))
    for urn, attrs in schema.extensions.items():
        ext_obj = canonical.get(urn)
        if not isinstance(ext_obj, Mapping):
            continue
        projected = _project_object(
            ext_obj, attrs, urn, include, exclude,
            whole_included=include is not None and urn in include.extensions,
            whole_excluded=exclude is not None and urn in exclude.extensions,
        )
        if projected:
            out[urn] = projected
    return out

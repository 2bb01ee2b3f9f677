"""SCIM PATCH (RFC 7644 §3.5.2), including every form Azure AD sends (azure-ad-behaviour.md §3.4-§6).

:func:`apply_patch` works on a canonicalized deep copy and returns it only when every operation
succeeded and the result passes :func:`~simulators.common.scim.validation.validate`, so a PATCH is
all-or-nothing and the caller's dict is never touched.

Where RFC 7644 and Azure AD disagree, or the RFC is silent, this module chooses:

- op names are case-insensitive: Azure sends ``Replace``/``Add``/``Remove`` without the
  ``aadOptscim062020`` flag and lower case with it (§6.1);
- ``add``/``replace`` without ``path`` take an object whose keys may be attribute paths:
  ``"name.givenName"``, ``"urn:...:enterprise:2.0:User:employeeNumber"`` (§6.2 "with flag"), or
  an extension URN whose value is an object of that extension's attributes;
- a value filter that matches no element, in ``add`` or ``replace``, creates the element from the
  filter's ``eq`` terms: ``emails[type eq "work"].value`` on a user without a work email adds
  ``{"type": "work", "value": ...}`` (Azure relies on it; RFC 7644 would answer ``noTarget``).
  A filter that is not an ``and`` of ``eq`` terms gives ``400 noTarget`` instead;
- ``remove`` whose filter matches nothing is a no-op, so Azure's retries of a member removal
  succeed; ``remove`` without ``path`` is ``400 noTarget`` (RFC 7644 §3.5.2.2);
- ``remove`` of a multi-valued attribute *with* a ``value`` list removes only the listed elements
  (matched on their ``value`` sub-attribute): Azure's default member removal
  ``{"op":"Remove","path":"members","value":[{"value":"u1091"}]}`` (§6.2). Without ``value`` the
  whole attribute goes, as RFC 7644 says;
- boolean attributes given as the strings ``"True"``/``"False"`` (any case), which Azure sends
  because ``Switch()`` returns strings (§3.5), become booleans when ``string_booleans=True``;
  so do such strings compared with a boolean in a path filter (``roles[primary eq "True"].value``,
  §3.7).
  With ``string_booleans=False`` (the fault "string False ignored") such a value is *ignored*:
  the attribute keeps its old value and the rest of the PATCH applies;
- the enterprise ``manager`` accepts Azure's bare id string (``"value": "2c2f..."``, §4) and the
  legacy one-element list ``[{"$ref": ..., "value": ...}]`` (§4 "Example 5"); both are stored as
  ``{"value": id[, "$ref": ...]}``. Bare ``manager`` resolves to the enterprise extension, so
  ``{"op":"remove","path":"manager[value eq \\"id\\"]"}`` works;
- a bare attribute name that only an extension defines (``manager``, ``c42OrgName``) goes to that
  extension, unless the resource already has a top-level key of that name: then that key is
  updated, so a ``c42OrgName`` a client POSTed at the top level stays in one place;
- readOnly attributes (``id``, ``meta``, ``groups``) give ``400 mutability`` unless the new value
  equals the current one; immutable ones (``members.value``) may only be set when unassigned;
  removing a required attribute (``userName``, a Group's ``displayName``) is ``400 mutability``
  (RFC 7644 §3.5.2.2);
- nulls inside complex values are dropped (RFC 7643 §2.5: null is unassigned), as are attributes
  left empty (``[]``/``{}``) and empty extension objects (with their URN in ``schemas``);
- when an added or replaced element has ``"primary": true``, the others lose it (RFC 7643 §2.4);
- a bare extension URN as ``path`` (``"path": "urn:...:enterprise:2.0:User"``, which scim2-tester
  sends and many service providers accept) takes an object: ``add``/``replace`` merge it into the
  extension, ``remove`` drops the extension object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace as dc_replace
from typing import Any

from simulators.common.scim.attributes import AttributeDef, AttrRef
from simulators.common.scim.canonical import canonicalize
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import ElementFilter, ValuePath, parse_path
from simulators.common.scim.schema import ResourceSchema
from simulators.common.scim.validation import check_canonical

PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_OPS = ("add", "replace", "remove")


class _Ignore:
    """Marks a value dropped by ``string_booleans=False``."""


_IGNORED = _Ignore()


def _get_ci(obj: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return True, value
    return False, None


def parse_patch_body(body: Any) -> list[dict[str, Any]]:
    """Check the PatchOp envelope; return the operations as ``{"op", ["path"], ["value"]}`` dicts.

    ``op`` comes back lower-cased. Anything malformed is ``ScimError(400, ..., "invalidSyntax")``.
    """
    if not isinstance(body, Mapping):
        raise ScimError(400, "a PATCH body must be a JSON object with 'schemas' and 'Operations'", "invalidSyntax")
    _, schemas = _get_ci(body, "schemas")
    if not isinstance(schemas, list) or not any(
        isinstance(s, str) and s.lower() == PATCH_OP_URN.lower() for s in schemas
    ):
        raise ScimError(400, f"a PATCH body's 'schemas' must list {PATCH_OP_URN!r}", "invalidSyntax")
    found, operations = _get_ci(body, "Operations")
    if not found or not isinstance(operations, list) or not operations:
        raise ScimError(400, "a PATCH body needs 'Operations': a non-empty list of operations", "invalidSyntax")
    return [_normalize_op(op, i) for i, op in enumerate(operations, start=1)]


def _normalize_op(op: Any, number: int) -> dict[str, Any]:
    if not isinstance(op, Mapping):
        raise ScimError(400, f"operation {number} must be a JSON object", "invalidSyntax")
    _, name = _get_ci(op, "op")
    if not isinstance(name, str) or name.lower() not in _OPS:
        raise ScimError(400, f"operation {number}: 'op' must be add, replace or remove, got {name!r}", "invalidSyntax")
    out: dict[str, Any] = {"op": name.lower()}
    has_path, path = _get_ci(op, "path")
    if has_path and path is not None:
        if not isinstance(path, str):
            raise ScimError(400, f"operation {number}: 'path' must be a string, got {path!r}", "invalidPath")
        out["path"] = path
    has_value, value = _get_ci(op, "value")
    if has_value:
        out["value"] = value
    elif out["op"] != "remove":
        raise ScimError(400, f"operation {number} ({out['op']}) needs a 'value'", "invalidSyntax")
    return out


def apply_patch(
    resource: Mapping[str, Any],
    operations: list[Mapping[str, Any]],
    schema: ResourceSchema,
    *,
    string_booleans: bool = True,
) -> dict[str, Any]:
    """Apply PATCH ``operations`` to a copy of ``resource``; return the validated, canonical result.

    The resource is checked (:func:`check_canonical`, i.e. :func:`validate`) after every operation.

    ``operations`` may be raw (``Operations`` items) or from :func:`parse_patch_body`. Raises
    ``ScimError`` (400 with ``invalidSyntax``, ``invalidPath``, ``noTarget``, ``mutability`` or
    ``invalidValue``) naming the failing operation; ``resource`` is never modified.
    """
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "a PATCH needs a non-empty list of operations", "invalidSyntax")
    doc = canonicalize(resource, schema)
    patcher = _Patcher(doc, schema, string_booleans)
    for number, raw in enumerate(operations, start=1):
        op = _normalize_op(raw, number)
        try:
            patcher.apply(op)
            patcher.tidy()
            # each operation must leave a valid resource, so a bad value is reported with its own
            # operation even when a later one would overwrite it; the last check covers the result
            check_canonical(doc, schema)
        except ScimError as exc:
            where = f"operation {number} ({op['op']}{' ' + op['path'] if 'path' in op else ''})"
            raise ScimError(exc.status, f"{where}: {exc.detail}", exc.scim_type) from None
    return doc


class _Patcher:
    def __init__(self, doc: dict[str, Any], schema: ResourceSchema, string_booleans: bool):
        self.doc, self.schema, self.string_booleans = doc, schema, string_booleans

    # -- dispatch --------------------------------------------------------------------------------

    def apply(self, op: dict[str, Any]) -> None:
        kind, path, value = op["op"], op.get("path"), op.get("value")
        if path is None:
            if kind == "remove":
                raise ScimError(400, "remove needs a 'path' (RFC 7644 §3.5.2.2)", "noTarget")
            if not isinstance(value, Mapping):
                raise ScimError(400, f"{kind} without 'path' needs an object 'value', got {_short(value)}",
                                "invalidSyntax")
            for key, item in value.items():
                if not isinstance(key, str) or key.lower() == "schemas":
                    continue
                ext = self.schema.extension_urn(key)
                if ext is not None:
                    if not isinstance(item, Mapping):
                        raise ScimError(400, f"{key!r} needs an object of its attributes", "invalidValue")
                    for sub_key, sub_item in item.items():
                        self.apply_at(kind, self.key_path(f"{ext}:{sub_key}"), sub_item)
                    continue
                self.apply_at(kind, self.key_path(key), item)
            return
        ext = self.schema.extension_urn(path.strip())
        if ext is not None:
            self.apply_extension(kind, ext, value)
            return
        self.apply_at(kind, self.op_path(path), value, has_value="value" in op)

    def apply_extension(self, kind: str, urn: str, value: Any) -> None:
        """A bare extension URN as the path (scim2-tester sends it, many service providers accept it,
        although RFC 7644 §3.5.2's ``attrPath = [URI ":"] ATTRNAME`` has no such form): ``add`` and
        ``replace`` merge the object's attributes into the extension, as ``{"urn:...": {...}}`` without
        a path does; ``remove`` drops the whole extension object (and its URN from ``schemas``)."""
        if kind == "remove":
            for attrs_key in [k for k in self.doc if isinstance(k, str) and k.lower() == urn.lower()]:
                for attr in self.schema.attributes_of(urn).values():
                    if attr.required or attr.mutability == "readOnly":
                        raise ScimError(400, f"{urn!r} holds {attr.name!r}, which cannot be removed", "mutability")
                del self.doc[attrs_key]
            return
        if not isinstance(value, Mapping):
            raise ScimError(400, f"{kind} of {urn!r} needs an object of its attributes, got {_short(value)}",
                            "invalidValue")
        for key, item in value.items():
            if isinstance(key, str) and key.lower() != "schemas":
                self.apply_at(kind, self.key_path(f"{urn}:{key}"), item)

    def op_path(self, text: str) -> ValuePath:
        vp = parse_path(text, self.schema, string_booleans=self.string_booleans)
        return self.prefer_top_level(vp, text)

    def key_path(self, key: str) -> ValuePath:
        ref = self.schema.resolve(key)
        if ref is None:
            raise ScimError(400, f"unknown attribute {key!r} for {self.schema.name} resources", "invalidPath")
        vp = ValuePath(key, AttrRef(ref.schema_urn, ref.attr, None, ref.in_extension), None, ref.sub_attr)
        return self.prefer_top_level(vp, key)

    def prefer_top_level(self, vp: ValuePath, text: str) -> ValuePath:
        if vp.attr.in_extension and ":" not in text:
            name = vp.attr.attr.name.lower()
            for key in self.doc:
                if isinstance(key, str) and key.lower() == name:
                    return dc_replace(vp, attr=AttrRef(self.schema.core_urn, dc_replace(vp.attr.attr, name=key),
                                                       None, False))
        return vp

    def apply_at(self, kind: str, vp: ValuePath, value: Any, has_value: bool = True) -> None:
        self.check_mutability(kind, vp, value)
        if kind == "remove":
            self.remove(vp, value if has_value else None, has_value)
            return
        value = self.coerce(vp, value)
        if value is _IGNORED:
            return
        if vp.filter is not None:
            self.set_filtered(kind, vp, value)
        elif vp.sub_attr is not None:
            self.set_sub(vp, value)
        else:
            self.set_whole(kind, vp, value)

    # -- containers ------------------------------------------------------------------------------

    def holder(self, vp: ValuePath, create: bool) -> dict[str, Any] | None:
        if not vp.attr.in_extension:
            return self.doc
        urn = vp.attr.schema_urn
        ext = self.doc.get(urn)
        if not isinstance(ext, dict):
            if not create:
                return None
            ext = self.doc[urn] = {}
            schemas = self.doc.setdefault("schemas", [self.schema.core_urn])
            if isinstance(schemas, list) and urn not in schemas:
                schemas.append(urn)
        return ext

    def current(self, vp: ValuePath) -> Any:
        holder = self.holder(vp, create=False)
        return None if holder is None else holder.get(vp.attr.attr.name)

    def store(self, vp: ValuePath, value: Any) -> None:
        self.holder(vp, create=True)[vp.attr.attr.name] = value  # type: ignore[index]

    # -- checks and coercion ---------------------------------------------------------------------

    def check_mutability(self, kind: str, vp: ValuePath, value: Any) -> None:
        attr = vp.attr.attr
        for definition in (attr, vp.sub_attr):
            if definition is None:
                continue
            if definition.mutability == "readOnly":
                if kind != "remove" and vp.sub_attr is None and vp.filter is None and value == self.current(vp):
                    continue  # resending the current value of id/meta changes nothing
                raise ScimError(400, f"attribute {definition.path!r} is readOnly", "mutability")
        target = vp.sub_attr or attr
        if kind == "remove" and target.required:
            # RFC 7644 §3.5.2.2: removing a required attribute SHALL be a "mutability" error
            raise ScimError(400, f"attribute {target.path!r} is required and cannot be removed", "mutability")
        current = self.current(vp)
        if (target.mutability == "immutable" and not attr.multi_valued and current not in (None, "", [], {})
                and (kind == "remove" or value != current)):
            raise ScimError(400, f"attribute {target.path!r} is immutable and already set", "mutability")
        if target.mutability == "immutable" and attr.multi_valued and vp.sub_attr is not None:
            raise ScimError(400, f"attribute {target.path!r} is immutable: add or remove whole elements",
                            "mutability")

    def coerce(self, vp: ValuePath, value: Any) -> Any:
        """Turn Azure's shapes into the schema's: string booleans, bare manager ids, one-element lists."""
        if vp.sub_attr is not None:
            return self.coerce_simple(vp.sub_attr, value)
        attr = vp.attr.attr
        if vp.filter is not None:  # replaces or merges into selected elements: one element's worth
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            return self.coerce_element(attr, value)
        if attr.multi_valued:
            items = value if isinstance(value, list) else [value]
            items = [self.coerce_element(attr, v) for v in items]
            return [v for v in items if v is not _IGNORED and v is not None]
        if attr.is_complex:
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], Mapping):
                value = value[0]  # Azure's legacy manager form: [{"$ref": ..., "value": ...}]
            return self.coerce_element(attr, value)
        return self.coerce_simple(attr, value)

    def coerce_element(self, attr: AttributeDef, value: Any) -> Any:
        if not attr.is_complex:
            return self.coerce_simple(attr, value)
        if isinstance(value, str) and not attr.multi_valued and attr.sub_attribute("value") is not None:
            value = {"value": value}  # Azure's manager: the target id as a bare string
        if not isinstance(value, Mapping):
            return value  # validate() names the type error
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = attr.sub_attribute(key) if isinstance(key, str) else None
            if item is None:
                continue
            if sub is not None:
                item = self.coerce_simple(sub, item)
                if item is _IGNORED:
                    continue
            out[sub.name if sub else key] = item
        return out

    def coerce_simple(self, attr: AttributeDef, value: Any) -> Any:
        if attr.type == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true" if self.string_booleans else _IGNORED
        return value

    # -- add / replace ---------------------------------------------------------------------------

    def set_whole(self, kind: str, vp: ValuePath, value: Any) -> None:
        attr = vp.attr.attr
        existing = self.current(vp)
        if attr.multi_valued:
            if kind == "replace" or not isinstance(existing, list):
                merged: list[Any] = []
                base: list[Any] = []
            else:
                base = existing
                merged = list(existing)
            for item in value:
                if not any(_same_element(attr, item, old) for old in merged):
                    merged.append(item)
            self.store(vp, merged)
            _one_primary(merged, [v for v in value if v not in base])
        elif attr.is_complex and isinstance(value, Mapping):
            merged_obj = dict(existing) if isinstance(existing, Mapping) else {}
            merged_obj.update(value)
            self.store(vp, merged_obj)
        else:
            self.store(vp, value)

    def set_sub(self, vp: ValuePath, value: Any) -> None:
        attr = vp.attr.attr
        if attr.multi_valued:
            raise ScimError(400, f"{vp.text!r} names a sub-attribute of every {attr.name!r} element: "
                            f"select one with a filter, e.g. {attr.name}[type eq \"work\"].{vp.sub_attr.name}",
                            "invalidPath")
        existing = self.current(vp)
        obj = dict(existing) if isinstance(existing, Mapping) else {}
        if value is None:
            obj.pop(vp.sub_attr.name, None)
        else:
            obj[vp.sub_attr.name] = value
        self.store(vp, obj)

    def set_filtered(self, kind: str, vp: ValuePath, value: Any) -> None:
        attr = vp.attr.attr
        existing = self.current(vp)
        elements = existing if isinstance(existing, list) else ([existing] if isinstance(existing, Mapping) else [])
        elements = [dict(e) if isinstance(e, Mapping) else e for e in elements]
        hits = [i for i, e in enumerate(elements) if vp.filter.matches(e)]
        if vp.sub_attr is None and not isinstance(value, Mapping):
            raise ScimError(400, f"{vp.text!r} selects {attr.name!r} elements, so the value must be an object, "
                            f"got {_short(value)}", "invalidValue")
        if not hits:
            elements.append(self.new_element(vp, value))
            hits = [len(elements) - 1]
        else:
            for i in hits:
                if vp.sub_attr is not None:
                    elements[i][vp.sub_attr.name] = value
                elif kind == "replace":
                    elements[i] = dict(value)
                else:
                    elements[i].update(value)
        if attr.multi_valued:
            self.store(vp, elements)
            _one_primary(elements, [elements[i] for i in hits])
        else:
            self.store(vp, elements[0])

    def new_element(self, vp: ValuePath, value: Any) -> dict[str, Any]:
        base = vp.filter.equalities() if vp.filter else None
        if base is None:
            raise ScimError(400, f"no {vp.attr.attr.name!r} element matches [{vp.filter.text}] and the filter "
                            "does not say how to create one (only 'eq' terms joined by 'and' do)", "noTarget")
        element: dict[str, Any] = {}
        for name, item in base.items():
            sub = vp.attr.attr.sub_attribute(name)
            item = self.coerce_simple(sub, item) if sub is not None else item
            if item is not _IGNORED:
                element[name] = item
        if vp.sub_attr is not None:
            return {**element, vp.sub_attr.name: value}
        return {**element, **value}

    # -- remove ----------------------------------------------------------------------------------

    def remove(self, vp: ValuePath, value: Any, has_value: bool) -> None:
        attr = vp.attr.attr
        holder = self.holder(vp, create=False)
        if holder is None or attr.name not in holder:
            return
        existing = holder[attr.name]
        if vp.filter is not None:
            self.remove_filtered(vp, holder, existing)
            return
        if vp.sub_attr is not None:
            for element in existing if isinstance(existing, list) else [existing]:
                if isinstance(element, dict):
                    element.pop(vp.sub_attr.name, None)
            return
        if attr.multi_valued and has_value and isinstance(existing, list):
            # Azure's non-RFC member removal: {"op":"Remove","path":"members","value":[{"value":"u1"}]}
            doomed = [self.coerce_element(attr, v) for v in (value if isinstance(value, list) else [value])]
            holder[attr.name] = [e for e in existing if not any(_same_element(attr, d, e) for d in doomed)]
            return
        del holder[attr.name]

    def remove_filtered(self, vp: ValuePath, holder: dict[str, Any], existing: Any) -> None:
        flt: ElementFilter = vp.filter  # type: ignore[assignment]
        name = vp.attr.attr.name
        if isinstance(existing, list):
            if vp.sub_attr is None:
                holder[name] = [e for e in existing if not flt.matches(e)]
            else:
                for e in existing:
                    if isinstance(e, dict) and flt.matches(e):
                        e.pop(vp.sub_attr.name, None)
        elif isinstance(existing, dict) and flt.matches(existing):
            if vp.sub_attr is None:
                del holder[name]
            else:
                existing.pop(vp.sub_attr.name, None)

    # -- finish ----------------------------------------------------------------------------------

    def tidy(self) -> None:
        """Drop attributes left empty and extension objects left empty (and their URN in ``schemas``)."""
        for container in [self.doc, *(self.doc[u] for u in self.schema.extensions if isinstance(self.doc.get(u), dict))]:
            for key in [k for k, v in container.items() if k != "schemas" and v in ([], {}, None)]:
                del container[key]
        schemas = self.doc.get("schemas")
        for urn in self.schema.extensions:
            if urn not in self.doc and isinstance(schemas, list):
                self.doc["schemas"] = schemas = [s for s in schemas if not (isinstance(s, str) and s.lower() == urn.lower())]


def _same_element(attr: AttributeDef, a: Any, b: Any) -> bool:
    """Whether two values of a multi-valued attribute are the same entry (complex: same ``value``)."""
    value_def = attr.sub_attribute("value") if attr.is_complex else None
    if value_def is not None and isinstance(a, Mapping) and isinstance(b, Mapping) and "value" in a and "value" in b:
        x, y = a["value"], b["value"]
        if isinstance(x, str) and isinstance(y, str) and not value_def.case_exact:
            return x.casefold() == y.casefold()
        return x == y
    return a == b


def _one_primary(elements: list[Any], new: list[Any]) -> None:
    """RFC 7643 §2.4: "primary" true appears at most once; the newest one wins."""
    winners = [e for e in new if isinstance(e, dict) and e.get("primary") is True and any(e is x for x in elements)]
    if not winners:
        return
    keep = winners[-1]
    for e in elements:
        if isinstance(e, dict) and e is not keep and e.get("primary") is True:
            e["primary"] = False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["PATCH_OP_URN", "apply_patch", "parse_patch_body"]

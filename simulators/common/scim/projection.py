"""The representation to return (RFC 7644 §3.4.2.5): ``attributes``, ``excluded`` and ``returned``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.common.scim.attributes import AttributeDef
from simulators.common.scim.canonical import canonicalize
from simulators.common.scim.schema import ResourceSchema


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

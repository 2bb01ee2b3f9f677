"""A resource rewritten into its schema's spelling, so everything downstream can be case-sensitive.

Attribute names and schema URNs are case-insensitive (RFC 7643 §2.1); :func:`canonicalize` rewrites
them as the schema spells them, so JSON Schema validation, storage and responses need not care.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simulators.common.scim.attributes import AttributeDef
from simulators.common.scim.schema import ResourceSchema

_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value: dicts and lists rebuilt, scalars shared (they are immutable),
    anything else through ``copy.deepcopy``. Three times faster than ``copy.deepcopy`` on a User,
    which canonicalizes every POST, PUT and PATCH."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if kind is list:
        return [_copy(v) for v in value]
    return copy.deepcopy(value)


def _canonical_value(attr: AttributeDef, value: Any) -> Any:
    if not attr.is_complex:
        return _copy(value)
    if attr.multi_valued and isinstance(value, list):
        return [_canonical_complex(attr, v) for v in value]
    return _canonical_complex(attr, value)


def _canonical_complex(attr: AttributeDef, value: Any) -> Any:
    if not isinstance(value, Mapping):
        return _copy(value)
    out: dict[str, Any] = {}
    for key, v in value.items():
        sub = attr.sub_attribute(key) if isinstance(key, str) else None
        out[sub.name if sub else key] = _copy(v)
    return out


def _canonical_object(attrs: Mapping[str, AttributeDef], obj: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        attr = attrs.get(key.lower()) if isinstance(key, str) else None
        if attr is None:
            out[key] = _copy(value)
        else:
            out[attr.name] = _canonical_value(attr, value)
    return out


def canonicalize(resource: Mapping[str, Any], schema: ResourceSchema) -> dict[str, Any]:
    """A deep copy of ``resource`` with attribute names and schema URNs in the schema's spelling.

    Unknown keys are kept as they are; known URNs inside ``schemas`` get their canonical case. The copy
    is made on the way (every value placed in the result is rebuilt or :func:`_copy`-ed), not up front.
    """
    known_urns = {schema.core_urn.lower(): schema.core_urn, **{u.lower(): u for u in schema.extensions}}
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if not isinstance(key, str):
            out[key] = _copy(value)
            continue
        if key.lower() == "schemas":
            out["schemas"] = (
                [known_urns.get(u.lower(), u) if isinstance(u, str) else _copy(u) for u in value]
                if isinstance(value, list)
                else _copy(value)
            )
            continue
        ext = schema.extension_urn(key)
        if ext is not None:
            out[ext] = _canonical_object(schema.extensions[ext], value) if isinstance(value, Mapping) else _copy(value)
            continue
        attr = schema.core.get(key.lower())
        if attr is None:
            out[key] = _copy(value)
        else:
            out[attr.name] = _canonical_value(attr, value)
    return out

"""SCIM request bodies exactly as Entra builds them (azure-ad-behaviour.md §3.2, §3.4, §4, §5, §6.2):
POST resources from mapped values, PATCH operation lists in the legacy and ``aadOptscim062020``
forms, and the comparison of mapped values with the target's current resource."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from simulators.azure_ad.provisioning.mappings import ENTERPRISE_URN, TargetType

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LEGACY_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

_FILTERED = re.compile(r'^(?P<attr>\w+)\[type eq "(?P<type>[^"]+)"\]\.(?P<sub>\w+)$')


@dataclass(frozen=True)
class TargetPath:
    """A mapping target: ``userName``, ``name.givenName``, ``emails[type eq "work"].value`` or
    ``urn:...:User:department``."""

    text: str
    urn: str | None
    attr: str
    sub: str | None
    type_filter: str | None

    @property
    def value_filtered(self) -> bool:
        return self.type_filter is not None

    @classmethod
    def parse(cls, text: str) -> TargetPath:
        if text.startswith("urn:"):
            urn, _, attr = text.rpartition(":")
            return cls(text, urn, attr, None, None)
        m = _FILTERED.match(text)
        if m:
            return cls(text, None, m["attr"], m["sub"], m["type"])
        attr, _, sub = text.partition(".")
        return cls(text, None, attr, sub or None, None)


def _get_ci(obj: Any, key: str) -> Any:
    if not isinstance(obj, dict):
        return None
    if key in obj:
        return obj[key]
    for k, v in obj.items():
        if k.lower() == key.lower():
            return v
    return None


def read_path(resource: dict[str, Any], path: TargetPath) -> Any:
    """The value at ``path`` in a resource the target returned (case-insensitive names)."""
    container = _get_ci(resource, path.urn) if path.urn else resource
    value = _get_ci(container, path.attr)
    if path.type_filter is not None:
        for element in value or []:
            if isinstance(element, dict) and str(_get_ci(element, "type") or "").lower() == path.type_filter.lower():
                return _get_ci(element, path.sub or "value")
        return None
    if path.sub:
        return _get_ci(value, path.sub)
    return value


def normalise(value: Any) -> Any:
    """Compare-form of a value: booleans and their "True"/"False" strings compare equal; a manager given
    as ``{"value": id}`` equals the bare id (§4: "normalise the server's manager representation")."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    if value == "":
        return None
    return value if not isinstance(value, (int, float)) else str(value)


def values_equal(desired: Any, current: Any) -> bool:
    return normalise(desired) == normalise(current)


def coerce_for_post(value: Any, target_type: TargetType) -> Any:
    """POST bodies carry JSON booleans for Boolean targets (the doc's Create User example: ``"active": true``)."""
    if target_type is TargetType.BOOLEAN and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def coerce_for_patch(value: Any, target_type: TargetType, scim062020: bool) -> Any:
    """Legacy PATCH keeps what the mapping produced (``Switch`` → ``"False"``); the flag sends booleans (§6.2)."""
    if scim062020:
        return coerce_for_post(value, target_type)
    return value


def build_resource(object_type: str, values: list[tuple[TargetPath, Any]], *, legacy_group_schema: bool = False) -> dict[str, Any]:
    """The POST body: ``schemas`` first, mapped attributes in mapping order, ``meta.resourceType`` last.

    Enterprise attributes go under the enterprise URN key (listed in ``schemas`` only when used); custom
    extension URNs are not listed ("it isn't sent in requests from the Microsoft Entra SCIM client").
    """
    body: dict[str, Any] = {}
    schemas = [USER_SCHEMA] if object_type == "User" else [GROUP_SCHEMA]
    if object_type == "Group" and legacy_group_schema:
        schemas.append(LEGACY_GROUP_SCHEMA)
    for path, value in values:
        if path.urn:
            if path.urn == ENTERPRISE_URN and ENTERPRISE_URN not in schemas:
                schemas.append(ENTERPRISE_URN)
            body.setdefault(path.urn, {})[path.attr] = value
        elif path.type_filter is not None:
            items = body.setdefault(path.attr, [])
            element = next((e for e in items if e.get("type") == path.type_filter), None)
            if element is None:
                element = {"type": path.type_filter}
                if path.attr == "emails" and path.type_filter == "work":
                    element["primary"] = True  # "emails[type eq "work"] gets "primary": true in the examples"
                items.append(element)
            element[path.sub or "value"] = value
        elif path.sub:
            body.setdefault(path.attr, {})[path.sub] = value
        else:
            body[path.attr] = value
    return {"schemas": schemas, **body, "meta": {"resourceType": object_type}}


def op_name(kind: str, scim062020: bool) -> str:
    """"Microsoft Entra ID emits the values of op as Add, Replace, and Remove"; lower-case with the flag."""
    return kind.lower() if scim062020 else kind.capitalize()


def patch_body(operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemas": [PATCH_SCHEMA], "Operations": operations}


def attribute_operations(changes: list[tuple[str, TargetPath, Any]], scim062020: bool, *,
                         lone_replace_keeps_path: bool = True) -> list[dict[str, Any]]:
    """PATCH operations for changed attributes ``(kind, path, value)`` with kind "add"/"replace".

    Legacy: one op per attribute. With the flag (§6.2 "Replace multiple attributes"): value-filtered paths
    stay their own op, the other replaces merge into one path-less ``replace`` whose value uses dotted and
    full-URN keys; a lone replace keeps its path (the flag's disable example) unless
    ``lone_replace_keeps_path`` is off [INF for the lone case]."""
    if not scim062020:
        return [{"op": op_name(kind, False), "path": path.text, "value": value} for kind, path, value in changes]
    ops: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}
    for kind, path, value in changes:
        if kind == "replace" and not path.value_filtered:
            merged[path.text] = value
        else:
            ops.append({"op": op_name(kind, True), "path": path.text, "value": value})
    if len(merged) == 1 and lone_replace_keeps_path:
        (text, value), = merged.items()
        ops.append({"op": "replace", "path": text, "value": value})
    elif merged:
        ops.append({"op": "replace", "value": merged})
    return ops


def _member_values(target_ids: list[str], ref_null: bool) -> list[dict[str, Any]]:
    return [{"$ref": None, "value": tid} if ref_null else {"value": tid} for tid in target_ids]


def member_add_operation(target_ids: list[str], scim062020: bool, *, ref_null: bool = True) -> dict[str, Any]:
    """§5 "Add Members" verbatim shape: ``{"$ref": null, "value": id}`` per member in one op (``ref_null``
    off: ``{"value": id}``)."""
    return {"op": op_name("add", scim062020), "path": "members", "value": _member_values(target_ids, ref_null)}


def member_remove_operations(target_ids: list[str], scim062020: bool, *, ref_null: bool = True) -> list[dict[str, Any]]:
    """Legacy: one ``Remove`` op with a ``value`` list (non-RFC, §5); flag: one ``members[value eq "id"]`` op each."""
    if scim062020:
        return [{"op": "remove", "path": f'members[value eq "{tid}"]'} for tid in target_ids]
    return [{"op": "Remove", "path": "members", "value": _member_values(target_ids, ref_null)}]


def filter_query(attribute: str, value: str) -> str:
    """``filter=userName+eq+%22value%22``: URL-encoded with ``+`` for spaces, value in double quotes (§1.5)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return "filter=" + quote_plus(f'{attribute} eq "{escaped}"')

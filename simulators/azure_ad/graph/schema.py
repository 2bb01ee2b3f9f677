"""The job's ``synchronizationSchema`` in Graph's shape, built from (and parsed back into) the
engine's :class:`~simulators.azure_ad.provisioning.mappings.JobMappings`, plus the ``functions`` and
``filterOperators`` catalogues.

Shapes (azure-ad-behaviour.md §9): ``synchronizationSchema{id, version, synchronizationRules[],
directories[]}``; ``synchronizationRule{id, name, editable, priority, sourceDirectoryName,
targetDirectoryName, metadata[], objectMappings[]}``; ``objectMapping{name, enabled, flowTypes,
sourceObjectName, targetObjectName, scope, metadata[], attributeMappings[]}``; ``attributeMapping``
as in the Graph objectMapping example (``defaultValue``, ``exportMissingReferences``,
``flowBehavior``, ``flowType``, ``matchingPriority``, ``source``, ``targetAttributeName``).
A ``PUT`` is all-or-nothing: any invalid mapping, expression or scoping clause is a 400 and the
job keeps its old schema.
"""

from __future__ import annotations

from typing import Any

from simulators.azure_ad.expressions import parse_expression
from simulators.azure_ad.expressions.functions import FUNCTIONS
from simulators.azure_ad.expressions.syntax import ExpressionError
from simulators.azure_ad.graph.common import GraphError, bad_request
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.azure_ad.provisioning.mappings import (
    ENTERPRISE_URN,
    ApplyOn,
    AttributeMapping,
    JobMappings,
    MappingError,
    MappingSet,
    MappingType,
    TargetType,
)
from simulators.azure_ad.provisioning.scoping_filters import (
    OPERATORS,
    UNARY,
    ScopingError,
    ScopingFilterSet,
    clause,
)

SOURCE_DIRECTORY = "Azure Active Directory"
TARGET_DIRECTORY = "customappsso"
USER_TARGET_OBJECT = ENTERPRISE_URN
GROUP_TARGET_OBJECT = "urn:ietf:params:scim:schemas:core:2.0:Group"
_FLOW_TYPES = ("Add", "Update", "Delete")


def _source(mapping: AttributeMapping) -> dict[str, Any]:
    if mapping.mapping_type is MappingType.EXPRESSION:
        return parse_expression(mapping.source or "").to_graph()
    if mapping.mapping_type is MappingType.CONSTANT:
        return {"expression": '"' + (mapping.source or "").replace('"', '\\"') + '"', "name": mapping.source,
                "parameters": [], "type": "Constant"}
    if mapping.mapping_type is MappingType.NONE:
        return {"expression": None, "name": None, "parameters": [], "type": "Attribute"}
    return {"expression": f"[{mapping.source}]", "name": mapping.source, "parameters": [], "type": "Attribute"}


def attribute_mapping_graph(mapping: AttributeMapping) -> dict[str, Any]:
    return {"defaultValue": mapping.default_value, "exportMissingReferences": False,
            "flowBehavior": "FlowWhenChanged", "flowType": mapping.apply_on.value,
            "matchingPriority": mapping.matching_priority, "source": _source(mapping),
            "targetAttributeName": mapping.target}


def _object_mapping(mappings: MappingSet, scoping: ScopingFilterSet, *, enabled: bool, flow_types: frozenset[str],
                    target_object: str) -> dict[str, Any]:
    kind = mappings.object_type
    return {
        "name": f"Synchronize Azure Active Directory {kind}s to {TARGET_DIRECTORY}",
        "enabled": enabled,
        "flowTypes": ", ".join(f for f in _FLOW_TYPES if f in flow_types),
        "sourceObjectName": kind,
        "targetObjectName": target_object,
        "scope": scoping.to_graph(),
        "metadata": [{"key": "EscrowBehavior", "value": '"Default"'},
                     {"key": "DisableMonitoringForChanges", "value": "False"}],
        "attributeMappings": [attribute_mapping_graph(m) for m in mappings],
    }


def schema_graph(mappings: JobMappings, flags: EngineFlags, *, rule_id: str, job_id: str, version: int) -> dict[str, Any]:
    users = _object_mapping(mappings.users, mappings.user_scoping, enabled=True, flow_types=flags.user_flow_types,
                            target_object=USER_TARGET_OBJECT)
    groups = _object_mapping(mappings.groups, mappings.group_scoping, enabled=flags.provision_groups,
                             flow_types=flags.group_flow_types, target_object=GROUP_TARGET_OBJECT)
    return {
        "id": job_id,
        "version": f"Date:{version}",
        "synchronizationRules": [{
            "id": rule_id, "name": "USER_OUTBOUND_USER", "editable": True, "priority": 1,
            "sourceDirectoryName": SOURCE_DIRECTORY, "targetDirectoryName": TARGET_DIRECTORY,
            "metadata": [{"key": "defaultSourceObjectMappings", "value": "User, Group"}],
            "objectMappings": [users, groups],
        }],
        "directories": [
            {"id": "AAD", "name": SOURCE_DIRECTORY, "objects": [
                {"name": "User", "attributes": sorted({a for m in mappings.users for a in m.source_attributes()})},
                {"name": "Group", "attributes": sorted({a for m in mappings.groups for a in m.source_attributes()})}]},
            {"id": "SCIM", "name": TARGET_DIRECTORY, "objects": [
                {"name": USER_TARGET_OBJECT, "attributes": [{"name": m.target, "type": m.target_type.value}
                                                            for m in mappings.users]},
                {"name": GROUP_TARGET_OBJECT, "attributes": [{"name": m.target, "type": m.target_type.value}
                                                             for m in mappings.groups]}]},
        ],
    }


# ---------------------------------------------------------------------------------------------- PUT
def _field(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str, *, required: bool = True) -> Any:
    value = obj.get(name)
    if value is None:
        if required:
            raise bad_request(f"{where}: '{name}' is required.")
        return None
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise bad_request(f"{where}: '{name}' has the wrong type.")
    if not isinstance(value, kind):
        raise bad_request(f"{where}: '{name}' has the wrong type.")
    return value


def _parse_attribute_mapping(raw: Any, old: MappingSet, where: str) -> AttributeMapping:
    if not isinstance(raw, dict):
        raise bad_request(f"{where}: an attributeMapping must be an object.")
    target = _field(raw, "targetAttributeName", str, where)
    where = f"{where} '{target}'"
    source = _field(raw, "source", dict, where)
    kind = _field(source, "type", str, where)
    flow = _field(raw, "flowType", str, where, required=False) or "Always"
    if flow not in (ApplyOn.ALWAYS.value, ApplyOn.ON_CREATE.value):
        raise bad_request(f"{where}: flowType '{flow}' is not supported (use Always or ObjectAddOnly).")
    priority = _field(raw, "matchingPriority", int, where, required=False) or 0
    default = _field(raw, "defaultValue", str, where, required=False)
    if kind == "Attribute":
        mapping_type, text = MappingType.DIRECT, _field(source, "name", str, where)
    elif kind == "Constant":
        mapping_type, text = MappingType.CONSTANT, _field(source, "name", str, where)
    elif kind == "Function":
        mapping_type, text = MappingType.EXPRESSION, _field(source, "expression", str, where)
        try:
            parse_expression(text)
        except ExpressionError as exc:
            raise GraphError(400, "ExpressionParseFailure", f"{where}: {exc}") from None
    else:
        raise bad_request(f"{where}: source type '{kind}' must be Attribute, Constant or Function.")
    previous = old.get(target)
    if previous is not None:
        target_type = previous.target_type
    elif target.lower() in ("members", f"{ENTERPRISE_URN}:manager".lower(), "manager"):
        target_type = TargetType.REFERENCE
    elif target.lower() == "active":
        target_type = TargetType.BOOLEAN
    else:
        target_type = TargetType.STRING
    try:
        return AttributeMapping(target=target, source=text, mapping_type=mapping_type, apply_on=ApplyOn(flow),
                                matching_priority=priority, default_value=default, target_type=target_type)
    except MappingError as exc:
        raise bad_request(f"{where}: {exc}") from None


def _parse_scope(raw: Any, where: str) -> ScopingFilterSet:
    result = ScopingFilterSet()
    if raw is None:
        return result
    if not isinstance(raw, dict) or not isinstance(raw.get("groups"), list):
        raise bad_request(f"{where}: scope must be null or {{\"groups\": [{{\"clauses\": [...]}}]}}.")
    try:
        for group in raw["groups"]:
            clauses = group.get("clauses") if isinstance(group, dict) else None
            if not isinstance(clauses, list) or not clauses:
                raise bad_request(f"{where}: every scope group needs a non-empty 'clauses' list.")
            parsed = []
            for c in clauses:
                if not isinstance(c, dict):
                    raise bad_request(f"{where}: a scope clause must be an object.")
                values = (c.get("targetOperand") or {}).get("values") or []
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    raise bad_request(f"{where}: targetOperand.values must be a list of strings.")
                parsed.append(clause(_field(c, "sourceOperandName", str, where), _field(c, "operatorName", str, where),
                                     *values))
            result.add(*parsed)
    except ScopingError as exc:
        raise bad_request(f"{where}: {exc}") from None
    return result


def _flow_types(text: Any, where: str) -> frozenset[str]:
    if not isinstance(text, str):
        raise bad_request(f"{where}: flowTypes must be a string such as \"Add, Update, Delete\".")
    parts = frozenset(p.strip() for p in text.split(",") if p.strip())
    unknown = parts - set(_FLOW_TYPES)
    if unknown:
        raise bad_request(f"{where}: unknown flowTypes {sorted(unknown)}; use Add, Update, Delete.")
    return parts


def parse_schema(body: dict[str, Any], current: JobMappings, flags: EngineFlags, rule_id: str
                 ) -> tuple[JobMappings, EngineFlags]:
    """The new mappings and flags a ``PUT .../schema`` body asks for (nothing is applied here)."""
    rules = body.get("synchronizationRules")
    if not isinstance(rules, list) or not rules:
        raise bad_request("synchronizationSchema: 'synchronizationRules' must be a non-empty list.")
    rule = next((r for r in rules if isinstance(r, dict) and r.get("id") == rule_id), None)
    if rule is None:
        raise bad_request(f"synchronizationSchema: no synchronizationRule with id '{rule_id}' (the job's rule).")
    object_mappings = rule.get("objectMappings")
    if not isinstance(object_mappings, list):
        raise bad_request("synchronizationRule: 'objectMappings' must be a list.")
    result = JobMappings(users=current.users.copy(), groups=current.groups.copy(),
                         user_scoping=current.user_scoping, group_scoping=current.group_scoping)
    changes: dict[str, Any] = {}
    seen = set()
    for om in object_mappings:
        if not isinstance(om, dict):
            raise bad_request("synchronizationRule: every objectMapping must be an object.")
        kind = om.get("sourceObjectName")
        if kind not in ("User", "Group") or kind in seen:
            raise bad_request(f"objectMapping: sourceObjectName must be User or Group, once each (got {kind!r}).")
        seen.add(kind)
        where = f"objectMapping {kind}"
        old = current.users if kind == "User" else current.groups
        raw_mappings = om.get("attributeMappings")
        if not isinstance(raw_mappings, list):
            raise bad_request(f"{where}: 'attributeMappings' must be a list.")
        new = MappingSet(kind, [])
        try:
            for raw in raw_mappings:
                new.add(_parse_attribute_mapping(raw, old, where))
        except MappingError as exc:
            raise bad_request(f"{where}: {exc}") from None
        if not new.matching():
            raise bad_request(f"{where}: at least one attribute mapping must be used for matching (matchingPriority > 0).")
        scope = _parse_scope(om.get("scope"), where)
        flow_types = _flow_types(om.get("flowTypes", "Add, Update, Delete"), where)
        enabled = om.get("enabled", True)
        if not isinstance(enabled, bool):
            raise bad_request(f"{where}: 'enabled' must be a boolean.")
        if kind == "User":
            if not enabled:
                raise bad_request("objectMapping User: the users mapping cannot be disabled.")
            result.users, result.user_scoping = new, scope
            changes["user_flow_types"] = flow_types
        else:
            result.groups, result.group_scoping = new, scope
            changes.update(group_flow_types=flow_types, provision_groups=enabled)
    return result, flags.with_(**changes)


# ---------------------------------------------------------------------------------------------- catalogues
def functions_graph() -> list[dict[str, Any]]:
    """``attributeMappingFunctionSchema[]``: every function the expression language knows."""
    result = []
    for name in sorted(FUNCTIONS):
        spec = FUNCTIONS[name]
        parameters = [{"name": p, "allowMultipleOccurrences": False, "required": i < spec.min_args, "type": "String"}
                      for i, p in enumerate(spec.params)]
        parameters += [{"name": p, "allowMultipleOccurrences": True, "required": False, "type": "String"}
                       for p in spec.repeat]
        result.append({"name": name, "parameters": parameters})
    return result


def filter_operators_graph() -> list[dict[str, Any]]:
    """``filterOperatorSchema[]``: the scoping-filter operators (§7.3)."""
    numeric = {"Greater_Than", "Greater_Than_OR_EQUALS"}
    boolean = {"IS TRUE", "IS FALSE"}
    return [{"name": op, "arity": "Unary" if op in UNARY else "Binary", "multivaluedComparisonType": "All",
             "supportedAttributeTypes": (["Integer"] if op in numeric else ["Boolean"] if op in boolean
                                         else ["String", "Integer", "Boolean", "DateTime", "Reference"])}
            for op in OPERATORS]


__all__ = ["attribute_mapping_graph", "filter_operators_graph", "functions_graph", "parse_schema", "schema_graph"]

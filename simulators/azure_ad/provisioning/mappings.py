"""Attribute mappings (source attribute/expression/constant → SCIM target path) and the default
Code42 user and group mappings of Microsoft's Code42 provisioning tutorial.

Model: azure-ad-behaviour.md §8.1 (Graph ``attributeMapping``): mapping types Direct, Constant,
Expression, None; "default value if null (applied on create only)"; matching precedence
(``matchingPriority`` > 0, lower first); apply "Always" | "Only during object creation"
(``flowType`` ``Always`` | ``ObjectAddOnly``).

Sources of the default tables:
* target attributes and their types — the tutorial (seed 002), step 5.9/5.11 tables, verbatim;
* source attributes — Code42's article (seed 000) "Supported attributes" table (userPrincipalName →
  username *and* email, manager, jobTitle, givenName, surname, city, state, usageLocation → country,
  department), the article's Step 4 table (objectId → externalId) and azure-ad-behaviour.md §8.4
  (objectId → group externalId);
* ``userType`` → ``userType`` and ``division`` are kept because the tutorial's table sends them, even
  though Code42's article warns "The UserType attribute in Azure AD is not equivalent to the
  EmployeeType SCIM attribute" — the conflict stays visible in the traffic on purpose.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from simulators.azure_ad.expressions import parse_expression
from simulators.azure_ad.provisioning.scoping_filters import ScopingFilterSet

ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

#: How Entra derives ``active`` by default. azure-ad-behaviour.md §3.5: "Default mapping:
#: ``Switch([IsSoftDeleted], , "False", "True", "True", "False")`` → ``active`` [OBS, near-universal in
#: vendor guides; INF that this is the custom-app default]. Because ``Switch`` returns strings, the legacy
#: PATCH carries the **string** ``"False"``." (§11 item 1 lists it as the default to confirm.) The Graph
#: objectMapping example's ``Not([IsSoftDeleted])`` is available as :data:`ACTIVE_EXPRESSION_NOT`.
ACTIVE_EXPRESSION_SWITCH = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
ACTIVE_EXPRESSION_NOT = "Not([IsSoftDeleted])"

#: [INF] Entra has no division property; see directory.py's module docstring.
DIVISION_SOURCE = "extensionAttribute1"


class MappingType(str, enum.Enum):
    DIRECT = "Direct"
    CONSTANT = "Constant"
    EXPRESSION = "Expression"
    NONE = "None"


class ApplyOn(str, enum.Enum):
    ALWAYS = "Always"  # Graph flowType "Always"
    ON_CREATE = "ObjectAddOnly"  # "Only during object creation"


class TargetType(str, enum.Enum):
    STRING = "String"
    BOOLEAN = "Boolean"
    INTEGER = "Integer"
    DATETIME = "DateTime"
    REFERENCE = "Reference"
    BINARY = "Binary"


class MappingError(ValueError):
    """A mapping that Entra's editor would refuse to save."""


@dataclass(frozen=True)
class AttributeMapping:
    """One row of the attribute-mapping editor.

    ``source`` is the source attribute name for Direct mappings (``userPrincipalName``), the expression
    text for Expression mappings and the literal for Constant ones.
    """

    target: str
    source: str | None = None
    mapping_type: MappingType = MappingType.DIRECT
    apply_on: ApplyOn = ApplyOn.ALWAYS
    matching_priority: int = 0
    default_value: str | None = None
    target_type: TargetType = TargetType.STRING

    def __post_init__(self) -> None:
        if not self.target:
            raise MappingError("a mapping needs a target attribute")
        if self.target.lower() == "id":
            raise MappingError("don't map 'id': it is the target's own identifier (customize-application-attributes)")
        if self.mapping_type in (MappingType.DIRECT, MappingType.EXPRESSION, MappingType.CONSTANT) and self.source is None:
            raise MappingError(f"{self.mapping_type.value} mapping to {self.target!r} needs a source")
        if self.mapping_type is MappingType.EXPRESSION and len(self.source or "") > 10_000:
            raise MappingError("expressions are limited to 10,000 characters")
        if self.matching_priority < 0:
            raise MappingError("matching_priority must be 0 (not matching) or positive")

    @property
    def expression(self) -> str | None:
        return self.source if self.mapping_type is MappingType.EXPRESSION else None

    @property
    def is_reference(self) -> bool:
        return self.target_type is TargetType.REFERENCE

    @property
    def is_matching(self) -> bool:
        return self.matching_priority > 0

    @cached_property
    def _compiled(self) -> Any:
        return parse_expression(self.source or "")

    def source_attributes(self) -> set[str]:
        """The directory attributes this mapping reads (for "did it change?" decisions)."""
        if self.mapping_type is MappingType.DIRECT:
            return {self.source or ""}
        if self.mapping_type is MappingType.EXPRESSION:
            import re

            return set(re.findall(r"\[([^\]]+)\]", self.source or ""))
        return set()

    def evaluate(self, source: Mapping[str, Any], *, now: datetime | None = None) -> Any:
        """The value to flow: ``None`` means null (nothing flows, §1.8), the expressions module's
        ``IGNORE`` sentinel means IgnoreFlowIfNullOrEmpty dropped it. Default values are not applied
        here; the engine applies them on create only (§8.1)."""
        if self.mapping_type is MappingType.NONE:
            return None
        if self.mapping_type is MappingType.CONSTANT:
            return self.source
        if self.mapping_type is MappingType.DIRECT:
            value = source.get(self.source or "")
            return None if value == "" else value
        return self._compiled.evaluate(source, now=now)

    def to_graph(self) -> dict[str, Any]:
        """Graph ``attributeMapping`` shape (for the Graph surface and for reports)."""
        kind = {MappingType.DIRECT: "Attribute", MappingType.CONSTANT: "Constant",
                MappingType.EXPRESSION: "Function", MappingType.NONE: "Attribute"}[self.mapping_type]
        return {
            "defaultValue": self.default_value,
            "exportMissingReferences": False,
            "flowBehavior": "FlowWhenChanged",
            "flowType": self.apply_on.value,
            "matchingPriority": self.matching_priority,
            "source": {"expression": self._source_text(), "name": self.source, "parameters": [], "type": kind},
            "targetAttributeName": self.target,
        }

    def _source_text(self) -> str | None:
        if self.mapping_type is MappingType.DIRECT:
            return f"[{self.source}]"
        if self.mapping_type is MappingType.CONSTANT:
            return '"' + (self.source or "").replace('"', '\\"') + '"'
        return self.source


@dataclass
class MappingSet:
    """An editable, ordered list of mappings for one object type (the "Attribute Mapping" page)."""

    object_type: str  # "User" | "Group"
    mappings: list[AttributeMapping] = field(default_factory=list)

    def __iter__(self) -> Iterator[AttributeMapping]:
        return iter(self.mappings)

    def __len__(self) -> int:
        return len(self.mappings)

    def get(self, target: str) -> AttributeMapping | None:
        for mapping in self.mappings:
            if mapping.target.lower() == target.lower():
                return mapping
        return None

    def __getitem__(self, target: str) -> AttributeMapping:
        found = self.get(target)
        if found is None:
            raise KeyError(f"no {self.object_type} mapping targets {target!r}; targets: {self.targets()}")
        return found

    def targets(self) -> list[str]:
        return [m.target for m in self.mappings]

    def add(self, mapping: AttributeMapping) -> None:
        if self.get(mapping.target) is not None:
            raise MappingError(f"{mapping.target!r} is already mapped; use replace()")
        self.mappings.append(mapping)

    def remove(self, target: str) -> AttributeMapping:
        found = self[target]
        if found.is_matching and len(self.matching()) == 1:
            raise MappingError("at least one mapping must be used for matching (customize-application-attributes)")
        self.mappings.remove(found)
        return found

    def replace(self, mapping: AttributeMapping) -> AttributeMapping:
        """Replace the mapping with the same target, keeping its position."""
        old = self[mapping.target]
        self.mappings[self.mappings.index(old)] = mapping
        return old

    def update(self, target: str, **changes: Any) -> AttributeMapping:
        """Edit fields of one mapping (e.g. ``update("active", source=ACTIVE_EXPRESSION_NOT)``)."""
        old = self[target]
        self.mappings[self.mappings.index(old)] = new = replace(old, **changes)
        return new

    def matching(self) -> list[AttributeMapping]:
        """Matching attributes in evaluation order (lowest precedence number first)."""
        return sorted((m for m in self.mappings if m.is_matching), key=lambda m: m.matching_priority)

    def copy(self) -> MappingSet:
        return MappingSet(self.object_type, list(self.mappings))


def _m(target: str, source: str, **kw: Any) -> AttributeMapping:
    return AttributeMapping(target=target, source=source, **kw)


def default_code42_user_mappings() -> MappingSet:
    """The tutorial's user table (seed 002, step 5.9), in its order, with sources per the Code42
    article (seed 000) and azure-ad-behaviour.md §8.4/§10."""
    return MappingSet("User", [
        # "userPrincipalName | Code42 username" (seed 000); matching precedence 1 (§3.1, §11.1)
        _m("userName", "userPrincipalName", matching_priority=1),
        _m("active", ACTIVE_EXPRESSION_SWITCH, mapping_type=MappingType.EXPRESSION, target_type=TargetType.BOOLEAN),
        _m("title", "jobTitle"),  # "jobTitle | Job title"
        _m('emails[type eq "work"].value', "userPrincipalName"),  # "userPrincipalName | Email" (seed 000)
        _m("name.givenName", "givenName"),
        _m("name.familyName", "surname"),
        _m('addresses[type eq "work"].locality', "city"),
        _m('addresses[type eq "work"].region', "state"),
        # "The default country value in Code42 is mapped to the usageLocation Azure AD attribute." (seed 000)
        _m('addresses[type eq "work"].country', "usageLocation"),
        # Code42's article, Step 4 table: "objectId | externalId" (the custom-app default of §8.4 would be
        # mailNickname; the Code42 app follows the article).
        _m("externalId", "objectId"),
        # Tutorial sends userType; seed 000: "The UserType attribute in Azure AD is not equivalent to the
        # EmployeeType SCIM attribute" — kept so the conflict is visible.
        _m("userType", "userType"),
        _m(f"{ENTERPRISE_URN}:department", "department"),
        _m(f"{ENTERPRISE_URN}:division", DIVISION_SOURCE),
        _m(f"{ENTERPRISE_URN}:manager", "manager", target_type=TargetType.REFERENCE),
    ])


def default_code42_group_mappings() -> MappingSet:
    """The tutorial's group table (seed 002, step 5.11); sources per §8.4 (``objectId`` → externalId)."""
    return MappingSet("Group", [
        _m("displayName", "displayName", matching_priority=1),  # groups are matched by displayName (§1.5, §5)
        _m("externalId", "objectId"),
        _m("members", "members", target_type=TargetType.REFERENCE),
    ])


@dataclass
class JobMappings:
    """Both object mappings of a provisioning job ("Synchronize Azure Active Directory Users/Groups to
    Code42"), each with its attribute mappings and scoping filters (Graph ``objectMapping.scope``)."""

    users: MappingSet = field(default_factory=default_code42_user_mappings)
    groups: MappingSet = field(default_factory=default_code42_group_mappings)
    user_scoping: ScopingFilterSet = field(default_factory=ScopingFilterSet)
    group_scoping: ScopingFilterSet = field(default_factory=ScopingFilterSet)

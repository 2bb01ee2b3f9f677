"""Who is in provisioning scope: the "Scope" setting (sync only assigned vs all users and groups) and
attribute-based scoping filters (azure-ad-behaviour.md §7.2, §7.3, from
define-conditional-rules-for-provisioning-user-accounts and the Graph ``filter`` resource).

A filter set is ``filter.groups[]`` ORed, each group's ``clauses[]`` ANDed; an empty set lets
everything through. "Every clause returns false when the value is null/empty (except the null tests)."
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ScopingError(ValueError):
    """A clause the scoping-filter editor would refuse."""


OPERATORS: tuple[str, ...] = (
    "&", "!&", "ENDS_WITH", "EQUALS", "Greater_Than", "Greater_Than_OR_EQUALS", "Includes", "IS FALSE",
    "IS NOT NULL", "IS NULL", "IS TRUE", "NOT EQUALS", "NOT REGEX MATCH", "REGEX MATCH",
)
UNARY = frozenset({"IS FALSE", "IS NOT NULL", "IS NULL", "IS TRUE"})

#: "Not supported: IsMemberOf, group members, multi-valued attributes, appRoleAssignments, userType,
#: manager, date attributes, multi-valued directory extensions" (§7.3).
UNSUPPORTED_ATTRIBUTES = frozenset({"ismemberof", "members", "approleassignments", "usertype", "manager"})


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _as_int(text: Any) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ScopingError(f"{text!r} is not an integer: Greater_Than operators work on integers only") from None


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


@dataclass(frozen=True)
class ScopingClause:
    """``sourceOperandName`` ``operatorName`` ``targetOperand.values``."""

    attribute: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ScopingError(f"unknown scoping operator {self.operator!r}; use one of: {', '.join(OPERATORS)}")
        if self.attribute.lower() in UNSUPPORTED_ATTRIBUTES:
            raise ScopingError(f"scoping filters cannot use {self.attribute!r} (define-conditional-rules: not supported)")
        if self.operator not in UNARY and not self.values:
            raise ScopingError(f"operator {self.operator!r} needs a value")
        if self.operator in ("Greater_Than", "Greater_Than_OR_EQUALS"):
            _as_int(self.values[0])
        if self.operator in ("REGEX MATCH", "NOT REGEX MATCH"):
            try:
                re.compile(self.values[0])
            except re.error as exc:
                raise ScopingError(f"invalid regular expression {self.values[0]!r}: {exc}") from None

    def matches(self, source: Mapping[str, Any]) -> bool:
        value = source.get(self.attribute)
        op = self.operator
        if op == "IS NULL":
            return _empty(value)
        if op == "IS NOT NULL":
            return not _empty(value)
        if op in ("IS TRUE", "IS FALSE"):
            truth = _truthy(value)
            return truth is (op == "IS TRUE")
        if _empty(value):
            return False  # "NOT REGEX MATCH (false if attribute null/empty)" and every other binary clause
        text = str(value)
        target = self.values[0]
        if op == "EQUALS":
            return text == target
        if op == "NOT EQUALS":
            return text != target
        if op == "ENDS_WITH":
            return text.endswith(target)
        if op == "Includes":
            return target in text  # case-sensitive String.Contains
        if op == "&":
            return text in target  # "attribute value exists in input string"
        if op == "!&":
            return text not in target
        if op == "REGEX MATCH":
            return re.search(target, text) is not None
        if op == "NOT REGEX MATCH":
            return re.search(target, text) is None
        try:
            number = int(text.strip())
        except ValueError:
            return False
        if op == "Greater_Than":
            return number > _as_int(target)
        return number >= _as_int(target)  # Greater_Than_OR_EQUALS

    def to_graph(self) -> dict[str, Any]:
        return {"operatorName": self.operator, "sourceOperandName": self.attribute,
                "targetOperand": {"values": list(self.values)}}


@dataclass(frozen=True)
class ScopingFilter:
    """One scoping filter: every clause must hold."""

    clauses: tuple[ScopingClause, ...]

    def matches(self, source: Mapping[str, Any]) -> bool:
        return all(clause.matches(source) for clause in self.clauses)


@dataclass
class ScopingFilterSet:
    """All scoping filters of an object mapping: any filter may hold. Empty = no filtering."""

    filters: list[ScopingFilter] = field(default_factory=list)

    def add(self, *clauses: ScopingClause) -> ScopingFilter:
        if not clauses:
            raise ScopingError("a scoping filter needs at least one clause")
        f = ScopingFilter(tuple(clauses))
        self.filters.append(f)
        return f

    def matches(self, source: Mapping[str, Any]) -> bool:
        return not self.filters or any(f.matches(source) for f in self.filters)

    def failing_reason(self, source: Mapping[str, Any]) -> str | None:
        if self.matches(source):
            return None
        return "; ".join(
            " and ".join(f"{c.attribute} {c.operator} {list(c.values)}" for c in f.clauses if not c.matches(source))
            for f in self.filters
        )

    def to_graph(self) -> dict[str, Any] | None:
        if not self.filters:
            return None
        return {"groups": [{"clauses": [c.to_graph() for c in f.clauses]} for f in self.filters]}


def clause(attribute: str, operator: str, *values: str) -> ScopingClause:
    return ScopingClause(attribute, operator, tuple(values))


def filter_set(*filters: Iterable[ScopingClause]) -> ScopingFilterSet:
    result = ScopingFilterSet()
    for clauses in filters:
        result.add(*clauses)
    return result

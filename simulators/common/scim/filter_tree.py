"""A resolved SCIM filter as an immutable tree, and how it matches a resource (RFC 7644 §3.4.2.2).

:mod:`simulators.common.scim.filters` builds the tree from the parser's AST; this module holds the
evaluation semantics its docstring lists (any-value matching of multi-valued attributes, ``ne`` as
``not eq``, null and presence, case-exactness, chronological dateTimes). Matching never raises on odd
resource content: a value of the wrong type simply does not match.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulators.common.scim.attributes import AttributeDef, AttrRef

SUBSTRING_OPS = {"co", "sw", "ew"}


class Node:
    """A node of a resolved filter; ``matches`` takes the resource (or, inside brackets, the element)."""

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class MatchContext:
    case_sensitive: bool


@dataclass(frozen=True)
class And(Node):
    left: Node
    right: Node

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:
        return self.left.matches(obj, ctx) and self.right.matches(obj, ctx)


@dataclass(frozen=True)
class Or(Node):
    left: Node
    right: Node

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:
        return self.left.matches(obj, ctx) or self.right.matches(obj, ctx)


@dataclass(frozen=True)
class Not(Node):
    node: Node

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:
        return not self.node.matches(obj, ctx)


@dataclass(frozen=True)
class ValueFilter(Node):
    """``emails[type eq "work"]``: true when an element of the attribute matches ``inner``."""

    ref: AttrRef
    inner: Node

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:
        return any(self.inner.matches(e, ctx) for e in _elements(_get_top(obj, self.ref)))


@dataclass(frozen=True)
class Compare(Node):
    """``attr op value``, ``attr pr``, or ``attr[filter].sub op value`` (``element_filter`` set).

    ``ref`` is the attribute compared; for the bracket form it names the top-level attribute and
    ``ref.sub_attr`` the compared sub-attribute, and only elements matching ``element_filter`` count.
    """

    ref: AttrRef
    op: str
    value: Any = None
    element_filter: Node | None = None

    def matches(self, obj: Mapping[str, Any], ctx: MatchContext) -> bool:
        values = _values(obj, self.ref, self.element_filter, ctx)
        target = self.ref.target
        if self.op == "pr":
            return any(_present(v) for v in values)
        if self.value is None:  # eq null / ne null
            present = any(_present(v) for v in values)
            return not present if self.op == "eq" else present
        if self.op == "ne":
            return not any(_compare(target, "eq", v, self.value, ctx) for v in values)
        return any(_compare(target, self.op, v, self.value, ctx) for v in values)


def _get_ci(obj: Mapping[str, Any], name: str) -> Any:
    """``obj[name]`` with RFC 7643 §2.1 case-insensitive names (exact spelling tried first)."""
    if name in obj:
        return obj[name]
    lower = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lower:
            return value
    return None


def _get_top(obj: Mapping[str, Any], ref: AttrRef) -> Any:
    holder: Any = obj
    if ref.in_extension:
        holder = _get_ci(obj, ref.schema_urn)
        if not isinstance(holder, Mapping):
            return None
    return _get_ci(holder, ref.attr.name)


def _elements(value: Any) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [e for e in items if isinstance(e, Mapping)]


def _values(obj: Mapping[str, Any], ref: AttrRef, element_filter: Node | None, ctx: MatchContext) -> list[Any]:
    top = _get_top(obj, ref)
    if ref.sub_attr is None:
        return [v for v in (top if isinstance(top, list) else [top]) if v is not None]
    elements = _elements(top)
    if element_filter is not None:
        elements = [e for e in elements if element_filter.matches(e, ctx)]
    out = []
    for e in elements:
        v = _get_ci(e, ref.sub_attr.name)
        out.extend(x for x in (v if isinstance(v, list) else [v]) if x is not None)
    return out


def _present(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return False
    if isinstance(value, Mapping):
        return any(_present(v) for v in value.values())
    return True


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "co": lambda a, b: b in a,
    "sw": lambda a, b: a.startswith(b),
    "ew": lambda a, b: a.endswith(b),
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _compare(attr: AttributeDef, op: str, actual: Any, literal: Any, ctx: MatchContext) -> bool:
    kind = attr.type
    if kind == "boolean":
        return isinstance(actual, bool) and isinstance(literal, bool) and actual == literal  # eq only (parse-checked)
    if kind in ("integer", "decimal"):
        if not (_is_number(actual) and _is_number(literal)):
            return False
        a, b = actual, literal
    elif kind == "dateTime" and op not in SUBSTRING_OPS:
        a, b = parse_datetime(actual), parse_datetime(literal)
        if a is None or b is None:
            return False
    else:  # strings, references, binary; dateTime under co/sw/ew compares its text
        if not (isinstance(actual, str) and isinstance(literal, str)):
            return False
        a, b = actual, literal
        if not (attr.case_exact or ctx.case_sensitive):
            a, b = a.casefold(), b.casefold()
    return _OPERATORS[op](a, b)  # ops are checked at parse time

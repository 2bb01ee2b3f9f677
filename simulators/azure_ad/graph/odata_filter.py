"""The OData ``$filter`` subset Graph clients send to ``/users``, ``/groups`` and
``/auditLogs/provisioning``: ``eq ne gt ge lt le``, ``and or not``, parentheses, and the functions
``startswith``/``endswith``/``contains`` over property paths (``sourceIdentity/id``).

Parsed with lark (the grammar below) rather than by hand; evaluation is over the JSON shape the route
renders, so what a client filters on is exactly what it reads back. Properties a collection does not
support filtering on are refused the way Graph refuses them (``Request_UnsupportedQuery``).
Comparisons of strings are case-insensitive, as Graph's directory comparisons are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput

from simulators.azure_ad.graph.common import GraphError

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr OR and_expr -> or_
?and_expr: not_expr | and_expr AND not_expr -> and_
?not_expr: atom | NOT not_expr -> not_
?atom: comparison | call | "(" or_expr ")"
comparison: operand CMP operand
call: FUNC "(" operand "," operand ")"
?operand: path | STRING -> string | NUMBER -> number | TRUE -> true | FALSE -> false | NULL -> null
        | DATETIME -> datetime | GUID -> guid
path: NAME ("/" NAME)*

OR.2: /or\b/i
AND.2: /and\b/i
NOT.2: /not\b/i
CMP.2: /(eq|ne|gt|ge|lt|le)\b/i
FUNC.2: /(startswith|endswith|contains)(?=\s*\()/i
TRUE.2: /true\b/i
FALSE.2: /false\b/i
NULL.2: /null\b/i
DATETIME.3: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?/
GUID.3: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/
STRING: /'([^']|'')*'/
NUMBER: /-?\d+(\.\d+)?/
NAME: /[A-Za-z_@][A-Za-z0-9_.@]*/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "/".join(self.parts)


@dataclass(frozen=True)
class Literal:
    value: Any


Node = Any  # tuples: ("cmp", op, left, right) | ("call", name, a, b) | ("and"/"or", l, r) | ("not", x)


class _Build(Transformer):  # type: ignore[type-arg]
    def path(self, items: list[Token]) -> Path:
        return Path(tuple(str(t) for t in items))

    def string(self, items: list[Token]) -> Literal:
        return Literal(str(items[0])[1:-1].replace("''", "'"))

    def number(self, items: list[Token]) -> Literal:
        text = str(items[0])
        return Literal(float(text) if "." in text else int(text))

    def true(self, _items: list[Token]) -> Literal:
        return Literal(True)

    def false(self, _items: list[Token]) -> Literal:
        return Literal(False)

    def null(self, _items: list[Token]) -> Literal:
        return Literal(None)

    def datetime(self, items: list[Token]) -> Literal:
        return Literal(_as_datetime(str(items[0])))

    def guid(self, items: list[Token]) -> Literal:
        return Literal(str(items[0]))

    def comparison(self, items: list[Any]) -> Node:
        return ("cmp", str(items[1]).lower(), items[0], items[2])

    def call(self, items: list[Any]) -> Node:
        return ("call", str(items[0]).lower(), items[1], items[2])

    def and_(self, items: list[Any]) -> Node:
        return ("and", items[0], items[2])

    def or_(self, items: list[Any]) -> Node:
        return ("or", items[0], items[2])

    def not_(self, items: list[Any]) -> Node:
        return ("not", items[1])


def _as_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class ODataFilter:
    text: str
    tree: Node

    def matches(self, resource: Mapping[str, Any]) -> bool:
        return bool(_eval(self.tree, resource))


def parse_odata_filter(text: str, allowed: Iterable[str], resource_name: str) -> ODataFilter:
    """Parse ``text``; a syntax error is a 400 ``Request_BadRequest`` naming the position, a property
    outside ``allowed`` (case-insensitive ``a/b`` paths) a 400 ``Request_UnsupportedQuery``."""
    try:
        tree = _Build().transform(_PARSER.parse(text))
    except UnexpectedInput as exc:
        raise GraphError(400, "BadRequest",
                         f"Invalid filter clause: syntax error at position {exc.column} in '{text}'.") from None
    known = {a.lower() for a in allowed}
    for path in _paths(tree):
        if path.text.lower() not in known:
            raise GraphError(400, "Request_UnsupportedQuery",
                             f"Unsupported or invalid query filter clause specified for property '{path.text}' "
                             f"of resource '{resource_name}'.")
    return ODataFilter(text, tree)


def _paths(node: Node) -> Iterable[Path]:
    if isinstance(node, Path):
        yield node
    elif isinstance(node, tuple):
        for child in node[1:]:
            yield from _paths(child)


def _resolve(node: Any, resource: Mapping[str, Any]) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Path):
        value: Any = resource
        for part in node.parts:
            if not isinstance(value, Mapping):
                return None
            value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
        return value
    return _eval(node, resource)


def _norm(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(b, datetime) and isinstance(a, str):
        a = _as_datetime(a)
    if isinstance(a, datetime) and isinstance(b, str):
        b = _as_datetime(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold(), b.casefold()
    return a, b


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}


def _eval(node: Node, resource: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "and":
        return _eval(node[1], resource) and _eval(node[2], resource)
    if kind == "or":
        return _eval(node[1], resource) or _eval(node[2], resource)
    if kind == "not":
        return not _eval(node[1], resource)
    a, b = _norm(_resolve(node[2], resource), _resolve(node[3], resource))
    if kind == "call":
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        return {"startswith": a.startswith, "endswith": a.endswith, "contains": a.__contains__}[node[1]](b)
    if node[1] in ("eq", "ne"):
        return _COMPARE[node[1]](a, b)
    if a is None or b is None:
        return False
    try:
        return _COMPARE[node[1]](a, b)
    except TypeError:
        return False


__all__ = ["ODataFilter", "parse_odata_filter"]

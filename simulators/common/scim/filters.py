"""SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parse with scim2-filter-parser, evaluate here.

scim2-filter-parser 0.7.0 has no in-memory matcher and four parsing bugs that matter here
(libraries-and-style.md §1.3): one-digit numbers only, ``and``/``or`` at one precedence level,
string and typed literals indistinguishable, no escaped quotes. So the text goes through
:class:`TypedLexer` (quotes kept, full JSON numbers, ``\\"`` escapes), the library's parser, and
:func:`fix_precedence` (rebuilds unparenthesised chains as and-before-or). The library AST is then
turned into this module's own immutable tree, resolved against the :class:`ResourceSchema`, so an
unknown attribute is a ``400 invalidFilter`` here instead of being silently dropped as the
library's transpilers do. Transpilers mutate the library AST; :func:`parse_library_ast` parses
afresh for any such consumer.

Evaluation semantics, where RFC 7644 leaves room:

- a multi-valued attribute matches when any value matches (§3.4.2.2); ``ne`` is ``not eq``, so
  ``emails.value ne "x"`` is true when no value equals "x" (also when there are no emails);
- ``eq null`` matches an unassigned attribute (absent, null or empty list), ``ne null`` an assigned one;
- a complex attribute without sub-attribute (``emails co "@x"``) compares its ``value``
  sub-attribute; a complex attribute without one is ``invalidFilter``;
- ``gt/ge/lt/le`` on boolean or binary attributes, and ``co/sw/ew`` on boolean or numeric ones,
  are ``invalidFilter`` (§3.4.2.2 table 3); a literal of the wrong JSON type for the attribute is
  valid but never matches (``active eq "true"`` is false);
- strings compare case-insensitively unless the attribute is caseExact (``id``, ``externalId``,
  ``meta.version``...); ``case_sensitive=True`` (a fault switch) compares every string exactly, and
  ``case_sensitive_names=True`` requires names spelled as the schema spells them;
- dateTimes compare chronologically (``datetime.fromisoformat``); a literal that is not a
  dateTime string is ``invalidFilter`` (a non-string literal just never matches); a stored value
  that is not a dateTime never matches.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import Any

from scim2_filter_parser import ast as A
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

from simulators.common.json_body import has_lone_surrogate
from simulators.common.scim.attributes import AttributeDef, AttrRef
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filter_tree import (
    SUBSTRING_OPS,
    And,
    Compare,
    MatchContext,
    Node,
    Not,
    Or,
    ValueFilter,
    parse_datetime,
)
from simulators.common.scim.schema import ResourceSchema

_ORDERING = {"gt", "ge", "lt", "le"}


class TypedLexer(SCIMLexer):
    """Keep quotes on strings (so "7" differs from 7, "true" from true); lex full JSON numbers."""

    tokens = SCIMLexer.tokens

    # sly injects `_`; the rule also accepts \" escapes. The lexer calls the rule by its token name.
    @_(r'"(?:[^"\\]|\\.)*"')  # noqa: F821, V105
    def COMP_VALUE(self, t):
        return t  # the value stays a JSON literal; json.loads() gives the typed value

    NUMBER = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"  # noqa: V107  (a sly token pattern, read by name)


def fix_precedence(node: Any) -> Any:
    """The parser gives and/or equal precedence; rebuild unparenthesised chains as and-before-or.

    A parenthesised group always carries an extra ``Filter`` wrapper, so it stays one operand.
    """

    def is_chain(n: Any) -> bool:
        return isinstance(n, A.Filter) and n.namespace is None and not n.negated and isinstance(n.expr, A.LogExpr)

    if is_chain(node):
        items: list[Any] = []
        ops: list[str] = []

        def walk(n: Any) -> None:
            if is_chain(n):
                walk(n.expr.expr1)
                ops.append(n.expr.op.lower())
                walk(n.expr.expr2)
            else:
                items.append(fix_precedence(n))

        walk(node)
        groups = [[items[0]]]
        for op, item in zip(ops, items[1:]):
            if op == "or":
                groups.append([item])
            else:
                groups[-1].append(item)

        def join(op: str, parts: list[Any]) -> Any:
            return reduce(lambda a, b: A.Filter(A.LogExpr(op, a, b), False, None), parts)

        return join("or", [join("and", g) for g in groups])
    if isinstance(node, A.Filter):
        node.expr = fix_precedence(node.expr)
    elif isinstance(node, A.AttrExpr) and isinstance(node.attr_path.attr_name, A.Filter):
        node.attr_path.attr_name = fix_precedence(node.attr_path.attr_name)
    return node


def parse_library_ast(text: str) -> Any:
    """A fresh scim2-filter-parser AST (typed literals, and-before-or), for transpilers that mutate it.

    Raises ``ValueError`` or ``SCIMParserError`` as the library does; :func:`parse_filter` wraps them.
    """
    tree = SCIMParser().parse(TypedLexer().tokenize(text))
    if tree is None:
        raise SCIMParserError("empty filter")
    return fix_precedence(tree)


# --- parse and resolve --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """A parsed, schema-checked filter. ``matches`` never raises on odd resource content."""

    text: str
    root: Node
    schema: ResourceSchema
    case_sensitive: bool = False

    def matches(self, resource: Mapping[str, Any]) -> bool:
        return self.root.matches(resource, MatchContext(self.case_sensitive))


class _Resolver:
    """Turns the library AST into our tree, raising ``ScimError(400, ..., scim_type)`` on any problem."""

    def __init__(self, text: str, schema: ResourceSchema, scim_type: str, what: str, string_booleans: bool = False,
                 case_sensitive_names: bool = False):
        self.text, self.schema, self.scim_type, self.what = text, schema, scim_type, what
        self.string_booleans = string_booleans
        self.case_sensitive_names = case_sensitive_names

    def exact(self, spelled: str | None, definition: str, what: str) -> None:
        """With ``case_sensitive_names``, a name must be spelled as the schema spells it."""
        if self.case_sensitive_names and spelled is not None and spelled != definition:
            raise self.fail(f"unknown {what} {spelled!r} (names are case-sensitive here; the schema has {definition!r})")

    def fail(self, reason: str) -> ScimError:
        return ScimError(400, f"invalid {self.what} {self.text!r}: {reason}", self.scim_type)

    def node(self, n: Any, scope: AttrRef | None) -> Node:
        if isinstance(n, A.Filter):
            if n.namespace is not None:
                node: Node = self.value_filter(n, scope)
            else:
                node = self.node(n.expr, scope)
            return Not(node) if n.negated else node
        if isinstance(n, A.LogExpr):
            cls = And if n.op.lower() == "and" else Or
            return cls(self.node(n.expr1, scope), self.node(n.expr2, scope))
        if isinstance(n, A.AttrExpr):
            return self.attr_expr(n, scope)
        raise self.fail(f"unexpected {type(n).__name__}")  # pragma: no cover - parser grammar

    def attr_ref(self, path: Any, scope: AttrRef | None) -> AttrRef:
        """Resolve an ``AttrPath`` at the top level or, inside brackets, among ``scope``'s sub-attributes."""
        name = path.attr_name
        sub = path.sub_attr.value if path.sub_attr is not None else None
        spelled = f"{path.uri + ':' if path.uri else ''}{name}{'.' + sub if sub else ''}"
        if scope is not None:
            if path.uri is not None or sub is not None:
                raise self.fail(f"{spelled!r} inside brackets must be a sub-attribute of {scope.attr.name!r}")
            sub_def = scope.attr.sub_attribute(name)
            if sub_def is None:
                raise self.fail(f"{scope.attr.name!r} has no sub-attribute {name!r}")
            self.exact(name, sub_def.name, "sub-attribute")
            return AttrRef(scope.schema_urn, sub_def, None, False)
        ref = self.schema.resolve_parts(path.uri, name, sub)
        if ref is None:
            raise self.fail(f"unknown attribute {spelled!r} for {self.schema.name} resources")
        self.exact(path.uri, ref.schema_urn, "schema URN")
        self.exact(name, ref.attr.name, "attribute")
        if ref.sub_attr is not None:
            self.exact(sub, ref.sub_attr.name, "sub-attribute")
        return ref

    def complex_scope(self, path: Any, scope: AttrRef | None) -> AttrRef:
        """The top-level complex attribute before ``[``; its ``.sub`` after ``]`` is the caller's business."""
        ref = self.attr_ref(A.AttrPath(path.attr_name, None, path.uri), scope)
        if not ref.attr.is_complex or scope is not None:
            raise self.fail(f"{ref.attr.name!r} is not a complex attribute, so it takes no [filter]")
        return ref

    def value_filter(self, n: Any, scope: AttrRef | None) -> Node:
        ref = self.complex_scope(n.namespace, scope)
        if n.namespace.sub_attr is not None:
            raise self.fail("a value path with a sub-attribute needs an operator")
        return ValueFilter(ref, self.node(n.expr, ref))

    def attr_expr(self, n: Any, scope: AttrRef | None) -> Node:
        op = n.value.lower()
        path = n.attr_path
        element_filter = None
        if isinstance(path.attr_name, A.Filter):  # emails[type eq "work"].value op x
            inner = path.attr_name
            top = self.complex_scope(inner.namespace, scope)
            element_filter = self.node(inner.expr, top)
            sub_name = inner.namespace.sub_attr.value if inner.namespace.sub_attr is not None else None
            if sub_name is None:
                raise self.fail("missing sub-attribute after ']'")  # pragma: no cover - grammar
            sub_def = top.attr.sub_attribute(sub_name)
            if sub_def is None:
                raise self.fail(f"{top.attr.name!r} has no sub-attribute {sub_name!r}")
            self.exact(sub_name, sub_def.name, "sub-attribute")
            ref = AttrRef(top.schema_urn, top.attr, sub_def, top.in_extension)
        else:
            ref = self.attr_ref(path, scope)
        if ref.target.is_complex and op != "pr":
            implied = ref.target.sub_attribute("value")
            if implied is None or ref.sub_attr is not None:
                raise self.fail(f"{ref.target.name!r} is complex: name one of its sub-attributes")
            ref = AttrRef(ref.schema_urn, ref.attr, implied, ref.in_extension)
        if op == "pr":
            return Compare(ref, "pr", None, element_filter)
        literal = self.literal(n.comp_value)
        if self.string_booleans and ref.target.type == "boolean" and isinstance(literal, str) \
                and literal.lower() in ("true", "false"):
            literal = literal.lower() == "true"  # Azure's roles[primary eq "True"] (azure-ad-behaviour.md §3.7)
        self.check_operator(ref.target, op, literal)
        return Compare(ref, op, literal, element_filter)

    def literal(self, comp_value: Any) -> Any:
        try:
            value = json.loads(comp_value.value)
        except (ValueError, AttributeError, TypeError):
            raise self.fail(f"cannot read the value {getattr(comp_value, 'value', comp_value)!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail("numbers must be finite")
        if isinstance(value, str) and has_lone_surrogate(value):
            # "\ud800" is a JSON string but no Unicode text: SQLite would raise on it as a parameter.
            raise self.fail("the value has a lone UTF-16 surrogate escape, which is no Unicode character")
        return value

    def check_operator(self, attr: AttributeDef, op: str, literal: Any) -> None:
        if literal is None and op not in ("eq", "ne"):
            raise self.fail(f"'{op}' cannot compare with null")
        if op in _ORDERING and attr.type in ("boolean", "binary"):
            raise self.fail(f"'{op}' is not defined for the {attr.type} attribute {attr.name!r} (RFC 7644 §3.4.2.2)")
        if op in SUBSTRING_OPS and attr.type in ("boolean", "integer", "decimal"):
            raise self.fail(f"'{op}' needs a string attribute; {attr.name!r} is {attr.type}")
        if (attr.type == "dateTime" and op not in SUBSTRING_OPS and isinstance(literal, str)
                and parse_datetime(literal) is None):
            raise self.fail(f"{literal!r} is not a dateTime (e.g. \"2011-05-13T04:42:34Z\") for {attr.name!r}")


_TOKEN_ERROR = re.compile(r"Parsing error at: Token\(type='\w+', value=(?P<value>.*), lineno=\d+, index=(?P<index>\d+)")


def _parse(
    text: Any, schema: ResourceSchema, scim_type: str, what: str, *, shown: str | None = None,
    case_sensitive_names: bool = False,
) -> tuple[Any, _Resolver]:
    """Library AST for ``text``; errors quote ``shown`` (the caller's text) rather than ``text``."""
    resolver = _Resolver(str(text) if shown is None else shown, schema, scim_type, what,
                         case_sensitive_names=case_sensitive_names)
    if not isinstance(text, str) or not text.strip():
        raise resolver.fail("it is empty")
    try:
        tree = parse_library_ast(text)
    except (SCIMParserError, ValueError) as exc:
        reason = str(exc).replace("Illegal character in filter query", "illegal character")
        token = _TOKEN_ERROR.match(reason)
        if token and shown is not None and int(token["index"]) >= len(shown):
            reason = "expected one attribute path (attr, attr.sub, attr[filter] or attr[filter].sub)"
        elif token:
            reason = f"unexpected {token['value']} at position {int(token['index']) + 1}"
        elif "Parsing error at: None" in reason:
            reason = "it ends too early"
        raise resolver.fail(reason) from None
    except Exception as exc:  # noqa: BLE001  (sly raises odd errors on odd input; never a traceback)
        raise resolver.fail(f"cannot parse ({type(exc).__name__})") from None
    return tree, resolver


def parse_filter(
    text: str, schema: ResourceSchema, *, case_sensitive: bool = False, case_sensitive_names: bool = False
) -> Filter:
    """Parse and check ``text`` against ``schema``; ``ScimError(400, ..., "invalidFilter")`` on any problem.

    ``case_sensitive`` compares string values exactly; ``case_sensitive_names`` requires attribute
    names, sub-attribute names and schema URNs spelled as the schema spells them (``username eq "x"``
    is then an unknown attribute). RFC 7643 §2.1 makes both case-insensitive; a service provider that
    gets this wrong usually gets both wrong, hence two switches the fault ``case_sensitive_filters``
    turns on together.
    """
    root = _from_template(text, schema, case_sensitive_names)
    if root is None:
        tree, resolver = _parse(text, schema, "invalidFilter", "filter", case_sensitive_names=case_sensitive_names)
        root = resolver.node(tree, None)
    return Filter(text, root, schema, case_sensitive)


# --- parse once per filter shape ------------------------------------------------------------------
#
# Parsing (sly) is about 40% of a filtered GET, and clients send the same few filter shapes with
# different values (``userName eq "<name>"``). So string literals are swapped for numbered
# placeholders, the template is parsed and resolved once (cached), and the values are put back into a
# copy of the tree. This gives exactly the tree a direct parse gives: quotes start no token but a
# string literal, and :class:`TypedLexer` lexes literals with the same regular expression, so the
# token stream differs only in literal contents, and the only value-dependent checks (lone surrogates,
# dateTime literals) are re-run on the real values. Anything unusual (an error, a placeholder character
# in the text, a dateTime literal) takes the direct path, which also words every error.

_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
_PLACEHOLDER = "\ue000"


class _NotFromTemplate(Exception):
    pass


def _from_template(text: Any, schema: ResourceSchema, case_sensitive_names: bool) -> Node | None:
    if not isinstance(text, str) or _PLACEHOLDER in text:
        return None
    literals = _STRING_LITERAL.findall(text)
    if not literals:
        return None
    numbered = iter(range(len(literals)))
    template = _STRING_LITERAL.sub(lambda _: f'"{_PLACEHOLDER}{next(numbered)}"', text)
    try:
        values = [json.loads(literal) for literal in literals]
        root = _template_root(template, schema, case_sensitive_names)
        used: set[int] = set()
        filled = _fill(root, values, used)
    except (ScimError, ValueError, _NotFromTemplate):
        return None
    return filled if len(used) == len(values) else None


@lru_cache(maxsize=512)
def _template_root(template: str, schema: ResourceSchema, case_sensitive_names: bool) -> Node:
    tree, resolver = _parse(template, schema, "invalidFilter", "filter", case_sensitive_names=case_sensitive_names)
    return resolver.node(tree, None)


def _fill(node: Node, values: list[Any], used: set[int]) -> Node:
    """A copy of template ``node`` with placeholder literals replaced by ``values``."""
    if isinstance(node, (And, Or)):
        return type(node)(_fill(node.left, values, used), _fill(node.right, values, used))
    if isinstance(node, Not):
        return Not(_fill(node.node, values, used))
    if isinstance(node, ValueFilter):
        return ValueFilter(node.ref, _fill(node.inner, values, used))
    if isinstance(node, Compare):
        inner = _fill(node.element_filter, values, used) if node.element_filter is not None else None
        value = node.value
        if isinstance(value, str) and value.startswith(_PLACEHOLDER):
            index = int(value[len(_PLACEHOLDER):])
            if index in used:
                raise _NotFromTemplate
            used.add(index)
            value = values[index]
            if not isinstance(value, str) or has_lone_surrogate(value) or node.ref.target.type == "dateTime":
                raise _NotFromTemplate
        return Compare(node.ref, node.op, value, inner)
    raise _NotFromTemplate


# --- index narrowing ----------------------------------------------------------------------------


def candidate_keys(filter: Filter, indexed: Iterable[str]) -> list[tuple[str, object]] | None:
    """Equality lookups whose union is a superset of the filter's matches, or None (full scan).

    ``indexed`` names the indexed attributes (``"userName"``, ``"externalId"``, ``"id"``,
    ``"emails.value"``, ``"displayName"``; extension attributes by full URN path), matched
    case-insensitively; the names returned are spelled as in ``indexed``. ``eq`` with a string gives
    a key; ``and`` takes the left side's keys, else the right's; ``or`` the union when both sides have
    keys; anything else None. The caller must look keys up case-insensitively for attributes that
    are not caseExact, or the superset promise breaks.
    """
    names = {n.lower(): n for n in indexed}
    return _keys(filter.root, names, None)


def _keys(node: Node, names: dict[str, str], parent: AttrRef | None) -> list[tuple[str, object]] | None:
    if isinstance(node, And):
        left = _keys(node.left, names, parent)
        return left if left is not None else _keys(node.right, names, parent)
    if isinstance(node, Or):
        left, right = _keys(node.left, names, parent), _keys(node.right, names, parent)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ValueFilter):
        return _keys(node.inner, names, node.ref)
    if isinstance(node, Compare) and node.op == "eq" and isinstance(node.value, str):
        if parent is not None:  # inside brackets: the element's sub-attribute
            dotted, full = f"{parent.attr.name}.{node.ref.attr.name}", f"{parent.schema_urn}:{parent.attr.name}.{node.ref.attr.name}"
            in_ext = parent.in_extension
        else:
            dotted, full, in_ext = node.ref.dotted, node.ref.full, node.ref.in_extension
        for candidate in ((full,) if in_ext else (dotted, full)):
            if candidate.lower() in names:
                return [(names[candidate.lower()], node.value)]
    return None


# --- PATCH paths --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementFilter:
    """The ``[...]`` part of a PATCH path, evaluated against one element of the attribute."""

    text: str
    root: Node
    case_sensitive: bool = False

    def matches(self, element: Mapping[str, Any]) -> bool:
        return isinstance(element, Mapping) and self.root.matches(element, MatchContext(self.case_sensitive))

    def equalities(self) -> dict[str, Any] | None:
        """For ``type eq "work"`` (or an ``and`` of such): the sub-attribute values an element must have.

        PATCH uses this to create the element Azure AD expects when none matches
        (``addresses[type eq "work"].locality``); None when the filter is not such a conjunction.
        """
        out: dict[str, Any] = {}

        def walk(n: Node) -> bool:
            if isinstance(n, And):
                return walk(n.left) and walk(n.right)
            if isinstance(n, Compare) and n.op == "eq" and n.value is not None and n.element_filter is None \
                    and n.ref.sub_attr is None:
                out[n.ref.attr.name] = n.value
                return True
            return False

        return out if walk(self.root) else None


@dataclass(frozen=True)
class ValuePath:
    """A PATCH ``path`` (RFC 7644 §3.5.2): ``attr``, ``attr.sub``, ``attr[filter]`` or ``attr[filter].sub``.

    ``attr`` is the top-level attribute (its ``sub_attr`` is None), URN prefix resolved;
    ``filter`` selects elements; ``sub_attr`` the sub-attribute inside each selected element.
    """

    text: str
    attr: AttrRef
    filter: ElementFilter | None = None
    sub_attr: AttributeDef | None = None

    @property
    def urn(self) -> str:
        return self.attr.schema_urn

    @property
    def target(self) -> AttributeDef:
        return self.sub_attr or self.attr.attr


def parse_path(text: str, schema: ResourceSchema, *, string_booleans: bool = False) -> ValuePath:
    """Parse a PATCH path (see :func:`_parse_path`); the result is immutable, so repeated paths
    (Azure sends the same few on every update) come from a cache instead of the parser."""
    if not isinstance(text, str):
        return _parse_path(text, schema, string_booleans=string_booleans)
    return _cached_path(text, schema, string_booleans)


@lru_cache(maxsize=1024)
def _cached_path(text: str, schema: ResourceSchema, string_booleans: bool) -> ValuePath:
    return _parse_path(text, schema, string_booleans=string_booleans)


def _parse_path(text: str, schema: ResourceSchema, *, string_booleans: bool = False) -> ValuePath:
    """Parse a PATCH path; ``ScimError(400, ..., "invalidPath")`` when it is malformed or unknown.

    The library's grammar has no start symbol for a bare path, so ``<path> pr`` is parsed and the
    ``pr`` dropped: a path is exactly what may stand before an operator. With ``string_booleans``
    a ``"True"``/``"False"`` string compared with a boolean sub-attribute in the filter is read as
    the boolean, as Azure AD writes ``roles[primary eq "True"].value``.
    """
    if not isinstance(text, str) or not text.strip():
        raise ScimError(400, f"invalid path {text!r}: it is empty", "invalidPath")
    tree, resolver = _parse(f"{text} pr", schema, "invalidPath", "path", shown=text)
    resolver.string_booleans = string_booleans
    expr = tree.expr if isinstance(tree, A.Filter) and not tree.negated and tree.namespace is None else None
    if not isinstance(expr, A.AttrExpr) or expr.value.lower() != "pr":
        raise resolver.fail("expected one attribute path (attr, attr.sub, attr[filter] or attr[filter].sub)")
    path = expr.attr_path
    if isinstance(path.attr_name, A.Filter):
        inner = path.attr_name
        if inner.negated or inner.namespace is None:
            raise resolver.fail("a path names one attribute")  # pragma: no cover - grammar
        top = resolver.complex_scope(inner.namespace, None)
        root = resolver.node(inner.expr, top)
        sub_def = None
        if inner.namespace.sub_attr is not None:
            sub_def = top.attr.sub_attribute(inner.namespace.sub_attr.value)
            if sub_def is None:
                raise resolver.fail(f"{top.attr.name!r} has no sub-attribute {inner.namespace.sub_attr.value!r}")
        inner_text = text[text.index("[") + 1 : text.rindex("]")]
        return ValuePath(text, top, ElementFilter(inner_text, root), sub_def)
    ref = resolver.attr_ref(path, None)
    return ValuePath(text, AttrRef(ref.schema_urn, ref.attr, None, ref.in_extension), None, ref.sub_attr)

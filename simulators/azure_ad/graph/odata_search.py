"""``$search`` on directory collections, as Microsoft Graph documents it ("Use the $search query
parameter", section "Using $search on directory object collections"):

- the syntax is ``"clause1" [AND | OR] "clauseX"``, any number of clauses, parentheses for
  precedence; each clause is ``"<property>:<text to search>"`` inside double quotes (``\\"`` and
  ``\\\\`` escape a quote or backslash); ``AND``/``OR`` stand outside the quotes, in upper case;
- "Any property that can be used in ``$filter`` can also be used inside ``$search``";
- on ``displayName`` and ``description`` the match is tokenized: words are split at spaces, at a
  change from lower to upper case, between letters and numbers and at symbols, words separated only
  by symbols are also combined ("searching for helloworld will find hello-world"), and the tokens are
  "matched independently of the original casing, and ... in any order"; a search token matches a
  word it begins (``displayName:Guthr`` finds "Guthrie", the documented example); other properties
  "default to ``$filter`` ``startsWith`` behavior";
- directory objects support ``$search`` only with the ``ConsistencyLevel: eventual`` header (checked
  by the caller, odata_query.py).

Parsed with lark, like ``$filter`` (odata_filter.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regex
from lark import Lark, Token, Transformer, UnexpectedInput
from lark.exceptions import VisitError

from simulators.azure_ad.graph.common import GraphError

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr OR and_expr -> or_
?and_expr: atom | and_expr AND atom -> and_
?atom: CLAUSE -> clause | "(" or_expr ")"
OR: "OR"
AND: "AND"
CLAUSE: /"(\\.|[^"\\])*"/
%import common.WS
%ignore WS
"""
_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)
TOKENIZED = frozenset({"displayname", "description"})
_WORDS = regex.compile(r"\p{Lu}*\p{Ll}+|\p{Lu}+|\p{Lo}+|\p{N}+|[^\p{L}\p{N}\s]")


@dataclass(frozen=True)
class Clause:
    prop: str
    text: str


class _Build(Transformer):  # type: ignore[type-arg]
    def clause(self, items: list[Token]) -> Clause:
        body = regex.sub(r"\\(.)", r"\1", str(items[0])[1:-1])
        prop, colon, text = body.partition(":")
        if not colon or not prop.strip():
            raise _ClauseError(body)
        return Clause(prop.strip(), text)

    def and_(self, items: list[Any]) -> Any:
        return ("and", items[0], items[2])

    def or_(self, items: list[Any]) -> Any:
        return ("or", items[0], items[2])


class _ClauseError(ValueError):
    pass


def tokens(text: str) -> list[str]:
    """The words of ``text`` as Graph's directory search splits them, lower-cased; runs of words joined
    only by symbols also yield their concatenation."""
    result: list[str] = []
    for chunk in text.split():
        parts = [m.group(0) for m in _WORDS.finditer(chunk)]
        words = [p.casefold() for p in parts if regex.match(r"[\p{L}\p{N}]", p)]
        result += words
        if len(words) > 1 and any(not regex.match(r"[\p{L}\p{N}]", p) for p in parts):
            result.append("".join(words))
    return result


@dataclass(frozen=True)
class ODataSearch:
    text: str
    tree: Any

    def matches(self, resource: Mapping[str, Any]) -> bool:
        return _eval(self.tree, resource)


def parse_odata_search(text: str, allowed: Iterable[str], resource_name: str) -> ODataSearch:
    """Parse a ``$search`` value; bad syntax is a 400 ``Request_BadRequest``, a property that cannot be
    filtered on a 400 ``Request_UnsupportedQuery`` (Graph's wording for ``$filter``)."""
    try:
        tree = _Build().transform(_PARSER.parse(text))
    except UnexpectedInput as exc:
        raise GraphError(400, "Request_BadRequest", f"Syntax error: the $search value '{text}' is not valid at "
                         f"position {exc.column}; use \"property:text\" clauses joined by AND or OR.") from None
    except VisitError as exc:  # lark wraps what the transformer raises
        if not isinstance(exc.orig_exc, _ClauseError):
            raise
        raise GraphError(400, "Request_BadRequest", f"Invalid $search clause '{exc.orig_exc}': a clause is "
                         "\"<property>:<text to search>\".") from None
    known = {a.lower() for a in allowed}
    for clause in _clauses(tree):
        if clause.prop.lower() not in known:
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause specified "
                             f"for property '{clause.prop}' of resource '{resource_name}'.")
    return ODataSearch(text, tree)


def _clauses(node: Any) -> Iterable[Clause]:
    if isinstance(node, Clause):
        yield node
    else:
        yield from _clauses(node[1])
        yield from _clauses(node[2])


def _value(resource: Mapping[str, Any], prop: str) -> Any:
    return next((v for k, v in resource.items() if k.lower() == prop.lower()), None)


def _clause_matches(clause: Clause, resource: Mapping[str, Any]) -> bool:
    value = _value(resource, clause.prop)
    values = value if isinstance(value, list) else [value]
    texts = [v for v in values if isinstance(v, str)]
    if clause.prop.lower() in TOKENIZED:
        wanted = tokens(clause.text)
        return bool(wanted) and any(
            all(any(word.startswith(t) for word in tokens(v)) for t in wanted) for v in texts)
    return any(v.casefold().startswith(clause.text.casefold()) for v in texts)


def _eval(node: Any, resource: Mapping[str, Any]) -> bool:
    if isinstance(node, Clause):
        return _clause_matches(node, resource)
    if node[0] == "and":
        return _eval(node[1], resource) and _eval(node[2], resource)
    return _eval(node[1], resource) or _eval(node[2], resource)


__all__ = ["ODataSearch", "parse_odata_search", "tokens"]

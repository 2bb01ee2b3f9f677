"""The OData query options of Graph's directory collections (``/users``, ``/groups``) and how Graph
answers each: implemented as Graph implements it, or refused with Graph's own error; never ignored
where Graph does not ignore it.

Sources (Microsoft Graph docs): "Use query parameters to customize responses" and "Advanced query
capabilities on Microsoft Entra ID objects" (below, [AQ]).

``$filter``
    odata_filter.py. ``ne``, ``not`` and ``endsWith`` "are supported only with advanced query
    parameters" — the ``ConsistencyLevel: eventual`` header *and* ``$count=true`` [AQ]; without them
    Graph answers 400 ``Request_UnsupportedQuery`` "Operator 'endsWith' is not supported because the
    required parameters might be missing. ..." [AQ, error handling].
``$search``
    odata_search.py; "works only in advanced queries. If the ConsistencyLevel header is not
    specified, the request returns an error" (400 ``Request_UnsupportedQuery`` "Request with $search
    query parameter only works through MSGraph with a special request header: 'ConsistencyLevel:
    eventual'") [AQ]. ``$count=true`` is not needed for ``$search``.
``$orderby``
    ``displayName`` and ``userPrincipalName`` of users and ``displayName`` of groups sort by default;
    ``createdDateTime`` and ``deletedDateTime`` only in advanced queries [AQ, "Support for sorting"];
    "Using $filter and $orderby together is supported only with advanced queries" — otherwise 400
    ``Request_UnsupportedQuery`` "Sorting not supported for current query." (the message Graph gave
    before advanced queries existed, quoted in Microsoft's announcement "Build advanced queries with
    $count, $filter, $search, and $orderby", 2020). Other properties cannot be sorted on.
``$count``
    ``?$count=true`` with the header adds ``@odata.count``; without the header Graph "silently
    ignores the $count query parameter" [AQ, error handling] and so does the mock. The ``/$count``
    segment without the header is 400 ``Request_BadRequest`` "$count is not currently supported." [AQ].
``$expand``
    the navigation properties the mock has (users: ``manager``, ``memberOf``, ``directReports``;
    groups: ``members``), with a nested ``$select``; any other name is Graph's "Could not find a
    property named ..." 400. A page with ``$expand`` holds at most 100 objects ("$expand ... returns
    a maximum of 100 objects", Graph known issue 13635 on directory objects).
``$skip``
    not supported on directory collections: 400 ``Request_BadRequest`` "'$skip' is not supported by
    the service."
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request

from simulators.azure_ad.graph.common import GraphError, bad_request
from simulators.azure_ad.graph.odata_filter import ODataFilter, parse_odata_filter
from simulators.azure_ad.graph.odata_search import ODataSearch, parse_odata_search

ADVANCED_HINT = ("Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to "
                 "https://aka.ms/graph-docs/advanced-queries for more information")
ADVANCED_ONLY_OPERATORS = {"ne": "ne", "not": "not", "endswith": "endsWith"}
SEARCH_NEEDS_HEADER = ("Request with $search query parameter only works through MSGraph with a special request "
                       "header: 'ConsistencyLevel: eventual'")
SORTING_NOT_SUPPORTED = "Sorting not supported for current query."
EXPAND_PAGE_LIMIT = 100
KNOWN_OPTIONS = frozenset({"$select", "$filter", "$top", "$skiptoken", "$orderby", "$count", "$search", "$expand"})


@dataclass(frozen=True)
class CollectionSpec:
    """What one directory collection supports."""

    resource: str  # Graph's resource name in messages: "User", "Group"
    type_name: str  # "user", "group"
    properties: frozenset[str]
    filterable: tuple[str, ...]
    orderby_default: tuple[str, ...]
    orderby_advanced: tuple[str, ...] = ()
    expandable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion:
    name: str
    select: tuple[str, ...] | None = None


def _canonical(name: str, names: Iterable[str]) -> str | None:
    return next((n for n in names if n.lower() == name.lower()), None)


def consistency_eventual() -> bool:
    return request.headers.get("ConsistencyLevel", "").strip().lower() == "eventual"


def _count_option() -> bool:
    text = request.args.get("$count")
    if text is None:
        return False
    if text.lower() not in ("true", "false"):
        raise bad_request(f"Invalid value '{text}' for query parameter $count: use true or false.")
    return text.lower() == "true"


def _not_a_property(name: str, type_name: str) -> GraphError:
    return bad_request(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")


def parse_select_list(text: str, properties: Iterable[str], type_name: str) -> tuple[str, ...]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = list(properties)
    result = []
    for name in names:
        canonical = _canonical(name, known)
        if canonical is None:
            raise _not_a_property(name, type_name)
        result.append(canonical)
    return tuple(dict.fromkeys(result))


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise bad_request(f"Syntax error in $expand '{text}': unbalanced parentheses.")
        current += char
    if depth:
        raise bad_request(f"Syntax error in $expand '{text}': unbalanced parentheses.")
    return [p.strip() for p in [*parts, current] if p.strip()]


def parse_expand(text: str | None, expandable: Sequence[str], type_name: str,
                 target_properties: Callable[[str], Iterable[str]]) -> list[Expansion]:
    """``$expand=manager,memberOf($select=id,displayName)``; only ``$select`` may be nested."""
    if not text:
        return []
    result = []
    for item in _split_top_level(text):
        name, _, rest = item.partition("(")
        canonical = _canonical(name.strip(), expandable)
        if canonical is None:
            raise _not_a_property(name.strip(), type_name)
        select = None
        if rest:
            options = rest.removesuffix(")")
            for option in (o.strip() for o in options.split(";") if o.strip()):
                key, eq, value = option.partition("=")
                if key.strip().lower() != "$select" or not eq:
                    raise GraphError(400, "Request_UnsupportedQuery",
                                     f"The query option '{key.strip()}' is not supported inside $expand ({canonical}).")
                select = parse_select_list(value, target_properties(canonical), "directoryObject")
        result.append(Expansion(canonical, select))
    return result


@dataclass
class CollectionQuery:
    """The validated query options of one collection request (see the module docstring)."""

    spec: CollectionSpec
    eventual: bool = False
    count_requested: bool = False
    filter: ODataFilter | None = None
    search: ODataSearch | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    expand: list[Expansion] = field(default_factory=list)

    @property
    def advanced(self) -> bool:
        return self.eventual and self.count_requested

    @classmethod
    def from_request(cls, spec: CollectionSpec, *, target_properties: Callable[[str], Iterable[str]] = lambda _n: ()
                     ) -> CollectionQuery:
        if "$skip" in request.args:
            raise bad_request("'$skip' is not supported by the service.")
        for name in request.args:
            if name.startswith("$") and name not in KNOWN_OPTIONS:
                raise bad_request(f"Query option '{name}' is not supported by the service.")
        query = cls(spec, eventual=consistency_eventual(), count_requested=_count_option())
        text = request.args.get("$filter")
        if text:
            query.filter = parse_odata_filter(text, spec.filterable, spec.resource)
            for op in sorted(query.filter.operators & set(ADVANCED_ONLY_OPERATORS)):
                if not query.advanced:
                    raise GraphError(400, "Request_UnsupportedQuery",
                                     f"Operator '{ADVANCED_ONLY_OPERATORS[op]}' is not supported because the "
                                     f"required parameters might be missing. {ADVANCED_HINT}")
        text = request.args.get("$search")
        if text is not None:
            if not query.eventual:
                raise GraphError(400, "Request_UnsupportedQuery", SEARCH_NEEDS_HEADER)
            query.search = parse_odata_search(text, spec.filterable, spec.resource)
        text = request.args.get("$orderby")
        if text:
            query.orderby = query._parse_orderby(text)
        query.expand = parse_expand(request.args.get("$expand"), spec.expandable, spec.type_name, target_properties)
        return query

    def _parse_orderby(self, text: str) -> list[tuple[str, bool]]:
        spec = self.spec
        keys = []
        for item in (i.strip() for i in text.split(",") if i.strip()):
            name, _, direction = item.partition(" ")
            direction = direction.strip().lower()
            if direction not in ("", "asc", "desc"):
                raise bad_request(f"Invalid $orderby direction '{direction}': use asc or desc.")
            canonical = _canonical(name, spec.properties)
            if canonical is None:
                raise _not_a_property(name, spec.type_name)
            if canonical in spec.orderby_default or (canonical in spec.orderby_advanced and self.advanced):
                keys.append((canonical, direction == "desc"))
            else:
                raise GraphError(400, "Request_UnsupportedQuery", SORTING_NOT_SUPPORTED)
        if keys and self.filter is not None and not self.advanced:
            raise GraphError(400, "Request_UnsupportedQuery", SORTING_NOT_SUPPORTED)
        return keys

    def apply(self, rows: list[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, dict[str, Any]]]:
        """Filter, search and sort ``(object, full rendering)`` rows."""
        if self.filter is not None:
            rows = [r for r in rows if self.filter.matches(r[1])]
        if self.search is not None:
            rows = [r for r in rows if self.search.matches(r[1])]
        for name, descending in reversed(self.orderby):
            present = [r for r in rows if r[1].get(name) is not None]
            missing = [r for r in rows if r[1].get(name) is None]
            present.sort(key=lambda r: _sort_key(r[1][name]), reverse=descending)
            rows = missing + present if not descending else present + missing
        return rows

    def count(self, total: int) -> int | None:
        """``@odata.count``, or None where Graph leaves it out."""
        return total if self.advanced else None

    @property
    def page_cap(self) -> int | None:
        return EXPAND_PAGE_LIMIT if self.expand else None


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def require_count_segment() -> None:
    """``/users/$count`` and ``/groups/$count`` need ``ConsistencyLevel: eventual`` [AQ]."""
    if not consistency_eventual():
        raise bad_request("$count is not currently supported.")


__all__ = ["ADVANCED_HINT", "CollectionQuery", "CollectionSpec", "Expansion", "consistency_eventual",
           "parse_expand", "parse_select_list", "require_count_segment"]

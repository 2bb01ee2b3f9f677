"""Hypothesis strategies for valid SCIM filters over a :class:`ResourceSchema`, and for resources.

Used to fuzz filter implementations (ours against a reference, a live SP against the mock): every
generated filter is valid RFC 7644 §3.4.2.2 syntax for the schema, with typed literals, random
case in attribute names and operators, URN-prefixed core and extension attributes, sub-attributes,
value paths (``emails[type eq "work"]``, ``emails[type eq "work"].value co "x"``), ``and``/``or``
chains without parentheses (so precedence matters), groups and ``not``.

:func:`filter_trees` yields :class:`FilterTree` objects carrying both the text and the structure
(and-before-or already applied), so a test can evaluate the structure with an independent
reference; :func:`filters` yields only the text. :func:`users` and :func:`groups` give resources. String literals come mostly from a small pool
shared with :func:`users`, so filters match generated resources often enough to be interesting.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from simulators.common.scim import (
    CODE42_USER_URN,
    ENTERPRISE_USER_URN,
    GROUP_URN,
    USER_URN,
    AttributeDef,
    ResourceSchema,
)

WORDS = ("alpha", "Alpha", "ALPHA", "beta", "al", "ha", "a@x.com", "A@X.COM", "work", "home", "Work", "", "z\"q")
TYPES = ("work", "home", "other", "Work")
DATETIMES = tuple(
    datetime(2011, 5, 13, 4, 42, 34, tzinfo=UTC) + timedelta(hours=h) for h in (-30, -1, 0, 1, 30)
)
_OPS_BY_TYPE = {
    "string": ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"),
    "reference": ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"),
    "dateTime": ("eq", "ne", "gt", "ge", "lt", "le", "pr", "sw"),
    "boolean": ("eq", "ne", "pr"),
    "binary": ("eq", "ne", "co", "sw", "ew", "pr"),
    "integer": ("eq", "ne", "gt", "ge", "lt", "le", "pr"),
    "decimal": ("eq", "ne", "gt", "ge", "lt", "le", "pr"),
}


@dataclass(frozen=True)
class FilterTree:
    """One node of a generated filter. ``kind`` is one of compare, valuepath, and, or, not, group.

    compare: ``path`` (urn, attr, sub), ``op``, ``literal``, and for ``attr[inner].sub op x`` the
    ``inner`` tree; valuepath: ``path`` (urn, attr) and ``inner``; and/or: ``children``;
    not/group: ``children[0]``.
    """

    kind: str
    text: str
    urn: str | None = None
    attr: str | None = None
    sub: str | None = None
    op: str | None = None
    literal: Any = None
    inner: FilterTree | None = None
    children: tuple[FilterTree, ...] = field(default_factory=tuple)


def _random_case(draw: Callable[..., Any], text: str) -> str:
    mask = draw(st.integers(0, 2 ** len(text) - 1)) if draw(st.booleans()) else 0
    return "".join(c.upper() if mask >> i & 1 else c for i, c in enumerate(text))


def _literal(draw: Callable[..., Any], attr: AttributeDef, op: str) -> Any:
    if draw(st.integers(0, 9)) == 0 and op in ("eq", "ne"):
        odd = [None, True, 7, -1.5] + ([] if attr.type == "dateTime" else ["7"])
        return draw(st.sampled_from(odd))  # valid filters whose literal type never matches (except null)
    if attr.type == "boolean":
        return draw(st.booleans())
    if attr.type in ("integer", "decimal"):
        return draw(st.integers(-1000, 1000))
    if attr.type == "dateTime":
        if op == "sw":
            return draw(st.sampled_from(["2011", "2011-05-13", "2012"]))
        moment = draw(st.sampled_from(DATETIMES))
        offset = timedelta(hours=draw(st.sampled_from([0, 2, -5])))
        return moment.astimezone(timezone(offset)).isoformat().replace("+00:00", "Z")
    if attr.name == "type":
        return draw(st.sampled_from(TYPES))
    return draw(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)))


def _comparable(attrs: dict[str, AttributeDef]) -> list[AttributeDef]:
    return [a for a in attrs.values() if not a.is_complex and a.returned != "never" and a.type in _OPS_BY_TYPE]


@st.composite
def _compare(draw: Callable[..., Any], schema: ResourceSchema) -> FilterTree:
    urns = [schema.core_urn, *schema.extension_urns]
    urn = draw(st.sampled_from(urns))
    attrs = schema.attributes_of(urn)
    top = draw(st.sampled_from(sorted(attrs.values(), key=lambda a: a.name)))
    sub = None
    if top.is_complex:
        subs = _comparable(dict(top.sub_attributes))
        if not subs:
            top = draw(st.sampled_from(sorted(_comparable(dict(attrs)), key=lambda a: a.name)))
        else:
            sub = draw(st.sampled_from(sorted(subs, key=lambda a: a.name)))
    if not top.is_complex and (top.type not in _OPS_BY_TYPE or top.returned == "never"):
        top = draw(st.sampled_from(sorted(_comparable(dict(attrs)), key=lambda a: a.name)))
    target = sub or top
    op = draw(st.sampled_from(_OPS_BY_TYPE[target.type]))
    prefix_needed = urn != schema.core_urn
    prefix = f"{_random_case(draw, urn)}:" if prefix_needed or draw(st.integers(0, 4)) == 0 else ""
    name = _random_case(draw, top.name) + (f".{_random_case(draw, sub.name)}" if sub else "")
    inner = None
    if sub is not None and top.multi_valued and draw(st.integers(0, 2)) == 0:
        inner = draw(_element_filter(top))
        name = f"{_random_case(draw, top.name)}[{inner.text}].{_random_case(draw, sub.name)}"
    spelled_op = _random_case(draw, op)
    if op == "pr":
        return FilterTree("compare", f"{prefix}{name} {spelled_op}", urn, top.name, sub.name if sub else None, op,
                          inner=inner)
    literal = _literal(draw, target, op)
    text = f"{prefix}{name} {spelled_op} {json.dumps(literal)}"
    return FilterTree("compare", text, urn, top.name, sub.name if sub else None, op, literal, inner)


@st.composite
def _element_filter(draw: Callable[..., Any], top: AttributeDef) -> FilterTree:
    """A filter inside ``top[...]``: comparisons of its sub-attributes joined by and/or."""
    subs = sorted(_comparable(dict(top.sub_attributes)), key=lambda a: a.name)
    leaves = []
    for _ in range(draw(st.integers(1, 2))):
        sub = draw(st.sampled_from(subs))
        op = draw(st.sampled_from(_OPS_BY_TYPE[sub.type]))
        if op == "pr":
            leaves.append(FilterTree("compare", f"{_random_case(draw, sub.name)} pr", None, sub.name, None, op))
        else:
            lit = _literal(draw, sub, op)
            leaves.append(FilterTree("compare", f"{_random_case(draw, sub.name)} {op} {json.dumps(lit)}", None,
                                     sub.name, None, op, lit))
    ops = [draw(st.sampled_from(["and", "or"])) for _ in leaves[1:]]
    return _chain(leaves, ops)


@st.composite
def _value_path(draw: Callable[..., Any], schema: ResourceSchema) -> FilterTree:
    multi = sorted((a for a in schema.core.values() if a.is_complex and a.multi_valued
                    and _comparable(dict(a.sub_attributes)) and a.mutability != "readOnly"), key=lambda a: a.name)
    top = draw(st.sampled_from(multi))
    inner = draw(_element_filter(top))
    return FilterTree("valuepath", f"{_random_case(draw, top.name)}[{inner.text}]", schema.core_urn, top.name,
                      inner=inner)


def _chain(items: list[FilterTree], ops: list[str]) -> FilterTree:
    """Join ``items`` with ``ops`` in flat text, building the tree with and before or (RFC 7644)."""
    text = items[0].text + "".join(f" {op} {item.text}" for op, item in zip(ops, items[1:]))
    groups = [[items[0]]]
    for op, item in zip(ops, items[1:]):
        if op.lower() == "or":
            groups.append([item])
        else:
            groups[-1].append(item)

    def join(kind: str, parts: list[FilterTree]) -> FilterTree:
        if len(parts) == 1:
            return parts[0]
        return FilterTree(kind, f" {kind} ".join(p.text for p in parts), children=tuple(parts))

    root = join("or", [join("and", g) for g in groups])
    return FilterTree(root.kind, text, root.urn, root.attr, root.sub, root.op, root.literal, root.inner,
                      root.children)


@st.composite
def filter_trees(draw: Callable[..., Any], schema: ResourceSchema, max_items: int = 4, depth: int = 2) -> FilterTree:
    """A structured random filter for ``schema`` (see :class:`FilterTree`)."""
    items = []
    for _ in range(draw(st.integers(1, max_items))):
        choice = draw(st.integers(0, 9))
        if choice < 6 or depth == 0:
            items.append(draw(_compare(schema)))
        elif choice < 8:
            items.append(draw(_value_path(schema)))
        else:
            inner = draw(filter_trees(schema, max_items=2, depth=depth - 1))
            if draw(st.booleans()):
                items.append(FilterTree("not", f"{_random_case(draw, 'not')} ({inner.text})", children=(inner,)))
            else:
                items.append(FilterTree("group", f"({inner.text})", children=(inner,)))
    ops = [_random_case(draw, draw(st.sampled_from(["and", "or"]))) for _ in items[1:]]
    return _chain(items, ops)


def filters(schema: ResourceSchema, max_items: int = 4) -> st.SearchStrategy[str]:
    """Valid filter strings for ``schema``."""
    return filter_trees(schema, max_items=max_items).map(lambda t: t.text)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


_word = st.one_of(st.sampled_from(WORDS), st.text(max_size=4))
_stamp = st.sampled_from(DATETIMES).map(lambda d: d.isoformat().replace("+00:00", "Z"))


@st.composite
def users(draw: Callable[..., Any]) -> dict[str, Any]:
    """Random User resources whose values overlap the filter literals (None values are left out)."""
    multi = st.lists(st.fixed_dictionaries({}, optional={"value": _word, "type": st.sampled_from(TYPES),
                                                         "primary": st.booleans(), "display": _word}), max_size=3)
    doc: dict[str, Any] = {
        "schemas": [USER_URN],
        "id": draw(st.sampled_from(["alpha", "Alpha", "id-1"])),
        "userName": draw(_word),
        "externalId": draw(_maybe(_word)),
        "title": draw(_maybe(_word)),
        "displayName": draw(_maybe(_word)),
        "userType": draw(_maybe(_word)),
        "active": draw(_maybe(st.booleans())),
        "name": draw(_maybe(st.fixed_dictionaries({}, optional={"givenName": _word, "familyName": _word}))),
        "emails": draw(_maybe(multi)),
        "phoneNumbers": draw(_maybe(multi)),
        "addresses": draw(_maybe(st.lists(st.fixed_dictionaries(
            {}, optional={"type": st.sampled_from(TYPES), "locality": _word, "country": _word}), max_size=2))),
        "meta": draw(_maybe(st.fixed_dictionaries({}, optional={"created": _stamp, "lastModified": _stamp}))),
        ENTERPRISE_USER_URN: draw(_maybe(st.fixed_dictionaries({}, optional={
            "employeeNumber": _word, "department": _word, "manager": st.fixed_dictionaries({"value": _word})}))),
        CODE42_USER_URN: draw(_maybe(st.fixed_dictionaries({}, optional={"c42OrgName": _word}))),
    }
    return {k: v for k, v in doc.items() if v is not None}


@st.composite
def groups(draw: Callable[..., Any]) -> dict[str, Any]:
    """Random Group resources whose values overlap the filter literals."""
    doc: dict[str, Any] = {
        "schemas": [GROUP_URN],
        "id": draw(st.sampled_from(["alpha", "Alpha", "g-1"])),
        "displayName": draw(_word),
        "externalId": draw(_maybe(_word)),
        "members": draw(_maybe(st.lists(st.fixed_dictionaries(
            {"value": _word}, optional={"type": st.sampled_from(["User", "Group", "user"]), "display": _word}),
            max_size=3))),
        "meta": draw(_maybe(st.fixed_dictionaries({}, optional={"created": _stamp, "lastModified": _stamp}))),
    }
    return {k: v for k, v in doc.items() if v is not None}

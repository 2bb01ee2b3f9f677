"""Hypothesis properties: precedence, evaluator vs a brute-force reference, index keys, PATCH atomicity."""

from __future__ import annotations

import copy
import operator
from datetime import UTC, datetime

from hypothesis import assume, given
from hypothesis import strategies as st

from simulators.common.scim import ENTERPRISE_USER_URN, GROUP_URN, ResourceSchema, validate
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import candidate_keys, parse_filter, parse_path
from simulators.common.scim.patch import apply_patch
from tests.strategies.scim_filters import FilterTree, filter_trees, filters, groups, users

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")


# --- precedence against Python's own and/or/not --------------------------------------------------

LEAF = {True: 'title eq "t"', False: 'title eq "f"'}


@st.composite
def boolean_chains(draw, depth=2):
    """(SCIM filter, Python expression) pairs with the same and/or/not/() structure."""
    scim, python = [], []
    for i in range(draw(st.integers(1, 5))):
        if i:
            op = draw(st.sampled_from(["and", "or"]))
            scim.append(draw(st.sampled_from([op, op.upper(), op.title()])))
            python.append(op)
        kind = draw(st.integers(0, 5)) if depth else 0
        if kind <= 3:
            value = draw(st.booleans())
            scim.append(LEAF[value])
            python.append(str(value))
        else:
            inner_scim, inner_py = draw(boolean_chains(depth - 1))
            negate = kind == 5
            scim.append(f"{'not ' if negate else ''}({inner_scim})")
            python.append(f"{'not ' if negate else ''}({inner_py})")
    return " ".join(scim), " ".join(python)


@given(boolean_chains())
def test_precedence_matches_python(case):
    scim, python = case
    assert parse_filter(scim, USER).matches({"title": "t"}) is eval(python), case


# --- evaluator against an independent brute-force reference ---------------------------------------


def _lower_keys(obj):
    return {k.lower(): v for k, v in obj.items()} if isinstance(obj, dict) else {}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _when(text):
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


ORDER = {"eq": operator.eq, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le,
         "co": lambda a, b: b in a, "sw": lambda a, b: a.startswith(b), "ew": lambda a, b: a.endswith(b)}


def _holds(definition, op, actual, literal, case_sensitive):
    kind = definition.type
    if kind == "boolean":
        return type(actual) is bool and type(literal) is bool and actual == literal
    if kind == "dateTime" and op != "sw":
        a, b = _when(actual), _when(literal)
        return a is not None and b is not None and ORDER[op](a, b)
    if type(actual) is not str or type(literal) is not str:
        return False
    if not (definition.case_exact or case_sensitive):
        actual, literal = actual.lower(), literal.lower()
        actual, literal = actual.casefold(), literal.casefold()
    return ORDER[op](actual, literal)


def reference(tree: FilterTree, obj, schema, parent=None, case_sensitive=False) -> bool:
    if tree.kind == "and":
        return all(reference(c, obj, schema, parent, case_sensitive) for c in tree.children)
    if tree.kind == "or":
        return any(reference(c, obj, schema, parent, case_sensitive) for c in tree.children)
    if tree.kind == "not":
        return not reference(tree.children[0], obj, schema, parent, case_sensitive)
    if tree.kind == "group":
        return reference(tree.children[0], obj, schema, parent, case_sensitive)
    if parent is not None:  # inside brackets: obj is one element, tree.attr one of its sub-attributes
        definition = parent.sub_attribute(tree.attr)
        holder = _lower_keys(obj)
    else:
        definition = schema.resolve(f"{tree.urn}:{tree.attr}")
        definition = definition.attr
        holder = _lower_keys(obj) if tree.urn == schema.core_urn else _lower_keys(_lower_keys(obj).get(tree.urn.lower()))
    raw = holder.get(tree.attr.lower())
    if tree.kind == "valuepath":
        return any(reference(tree.inner, e, schema, definition, case_sensitive)
                   for e in _as_list(raw) if isinstance(e, dict))
    if tree.sub is not None:
        elements = [e for e in _as_list(raw) if isinstance(e, dict)]
        if tree.inner is not None:
            elements = [e for e in elements if reference(tree.inner, e, schema, definition, case_sensitive)]
        definition = definition.sub_attribute(tree.sub)
        values = [_lower_keys(e).get(tree.sub.lower()) for e in elements]
    else:
        values = _as_list(raw)
    values = [v for v in values if v is not None]
    present = [v for v in values if v not in ("", [], {})]
    if tree.op == "pr":
        return bool(present)
    if tree.literal is None:
        return not present if tree.op == "eq" else bool(present)
    if tree.op == "ne":
        return not any(_holds(definition, "eq", v, tree.literal, case_sensitive) for v in values)
    return any(_holds(definition, tree.op, v, tree.literal, case_sensitive) for v in values)


@given(filter_trees(USER), st.lists(users(), min_size=1, max_size=4), st.booleans())
def test_evaluator_matches_brute_force_reference(tree, resources, case_sensitive):
    parsed = parse_filter(tree.text, USER, case_sensitive=case_sensitive)
    for resource in resources:
        assert parsed.matches(resource) is reference(tree, resource, USER, case_sensitive=case_sensitive), tree.text


@given(filter_trees(GROUP), st.lists(groups(), min_size=1, max_size=4))
def test_group_evaluator_matches_brute_force_reference(tree, resources):
    parsed = parse_filter(tree.text, GROUP)
    for resource in resources:
        assert parsed.matches(resource) is reference(tree, resource, GROUP), tree.text


# --- index narrowing is a superset of the matches ------------------------------------------------

INDEXED = {"userName", "externalId", "id", "emails.value"}


def _index_values(resource, name):
    doc = _lower_keys(resource)
    if name == "emails.value":
        return [_lower_keys(e).get("value") for e in _as_list(doc.get("emails")) if isinstance(e, dict)]
    return [doc.get(name.lower())]


@given(filters(USER), st.lists(users(), min_size=1, max_size=4))
def test_candidate_keys_cover_every_match(text, resources):
    parsed = parse_filter(text, USER)
    keys = candidate_keys(parsed, INDEXED)
    if keys is None:
        return
    for resource in resources:
        if parsed.matches(resource):
            exact = {"id", "externalId"}
            assert any(
                any(isinstance(v, str) and (v == value if name in exact else v.casefold() == value.casefold())
                    for v in _index_values(resource, name))
                for name, value in keys
            ), (text, keys, resource)


# --- PATCH: all-or-nothing and add/remove round trips ---------------------------------------------

valid_users = users().filter(lambda u: bool(u.get("userName")))

GOOD_OPS = st.sampled_from([
    {"op": "replace", "path": "title", "value": "T"},
    {"op": "Add", "path": "nickName", "value": "Babs"},
    {"op": "Replace", "path": "active", "value": "False"},
    {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w@x.com"},
    {"op": "replace", "value": {"name.givenName": "G", f"{ENTERPRISE_USER_URN}:department": "D"}},
    {"op": "add", "path": f"{ENTERPRISE_USER_URN}:manager", "value": "m1"},
    {"op": "remove", "path": "phoneNumbers"},
    {"op": "remove", "path": "manager[value eq \"m1\"]"},
])
BAD_OPS = st.sampled_from([
    {"op": "replace", "path": "id", "value": "other"},
    {"op": "add", "path": "nope", "value": 1},
    {"op": "remove"},
    {"op": "replace", "path": "active", "value": "maybe"},
    {"op": "replace", "path": "emails.value", "value": "x"},
    {"op": "add", "path": "emails[", "value": "x"},
    {"op": "remove", "path": "userName"},
    {"op": "fly", "path": "title", "value": 1},
])


@given(valid_users, st.lists(GOOD_OPS, max_size=4), BAD_OPS, st.integers(0, 4))
def test_a_failing_operation_leaves_the_input_unchanged(resource, good, bad, where):
    assume(_is_valid(resource))
    ops = list(good)
    ops.insert(min(where, len(ops)), bad)
    before = copy.deepcopy(resource)
    try:
        apply_patch(resource, ops, USER)
    except ScimError as exc:
        assert exc.status == 400
    else:
        raise AssertionError(f"{bad} should fail")
    assert resource == before


@given(valid_users, st.lists(GOOD_OPS, min_size=1, max_size=5))
def test_good_operations_give_a_valid_resource(resource, ops):
    assume(_is_valid(resource))
    out = apply_patch(resource, ops, USER)
    assert validate(out, USER) == out


ROUND_TRIPS = st.sampled_from([
    ("nickName", "Babs", "nickName"),
    ("title", "T", "title"),
    (f"{ENTERPRISE_USER_URN}:department", "D", f"{ENTERPRISE_USER_URN}:department"),
    (f"{ENTERPRISE_USER_URN}:manager", "m9", "manager[value eq \"m9\"]"),
    ("ims", [{"value": "im1", "type": "xmpp"}], "ims[value eq \"im1\"]"),
    ("x509Certificates", [{"value": "MIIC"}], "x509Certificates"),
])


def _without(resource, path):
    ref = USER.resolve(path.split("[")[0])
    holder = resource.get(ref.schema_urn, {}) if ref.in_extension else resource
    return ref.attr.name not in holder


@given(valid_users, ROUND_TRIPS)
def test_add_then_remove_round_trips(resource, case):
    add_path, value, remove_path = case
    assume(_is_valid(resource) and _without(resource, add_path))
    baseline = apply_patch(resource, [{"op": "replace", "path": "userName", "value": resource["userName"]}], USER)
    added = apply_patch(baseline, [{"op": "add", "path": add_path, "value": value}], USER)
    assert added != baseline
    assert apply_patch(added, [{"op": "remove", "path": remove_path}], USER) == baseline


@given(st.lists(st.sampled_from(["u1", "u2", "u3", "U1"]), unique=True, max_size=4),
       st.sampled_from(["u1", "u2", "u9"]), st.booleans())
def test_member_add_then_remove_round_trips(existing, member, flag_form):
    start = {"schemas": [GROUP_URN], "displayName": "G", "members": [{"value": m} for m in existing]}
    assume(all(m.lower() != member for m in existing))
    baseline = apply_patch(start, [{"op": "replace", "path": "displayName", "value": "G"}], GROUP)
    added = apply_patch(baseline, [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": member}]}],
                        GROUP)
    remove = ({"op": "remove", "path": f"members[value eq \"{member}\"]"} if flag_form
              else {"op": "Remove", "path": "members", "value": [{"value": member}]})
    assert apply_patch(added, [remove], GROUP) == baseline


def _is_valid(resource):
    try:
        validate(resource, USER)
    except ScimError:
        return False
    return True


# --- bad input is a ScimError, never a traceback ----------------------------------------------------

FILTER_ALPHABET = st.sampled_from(list('abcdeimnoqrstuvwxyzEUN .:[]()"\\-0123456789$') + ["eq", "and", "or", "not",
                                                                                         "pr", "userName", "emails"])


@given(st.one_of(st.text(max_size=40), st.lists(FILTER_ALPHABET, max_size=14).map("".join),
                 filters(USER).flatmap(lambda t: st.integers(0, len(t)).map(lambda i: t[:i]))))
def test_arbitrary_filter_text_is_a_filter_or_invalid_filter(text):
    for parse in (lambda: parse_filter(text, USER), lambda: parse_path(text, USER)):
        try:
            parse()
        except ScimError as exc:
            assert exc.status == 400 and exc.scim_type in ("invalidFilter", "invalidPath")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=6)
PATHS = st.sampled_from(["title", "active", "emails", "emails[type eq \"work\"].value", "name", "name.givenName",
                         "manager", f"{ENTERPRISE_USER_URN}:manager", "members", "addresses[type eq \"work\"]",
                         "meta", "id", "groups", "x509Certificates", "emails[value pr]", None])


@given(valid_users, st.lists(st.fixed_dictionaries({"op": st.sampled_from(["add", "Replace", "remove", "x"])},
                                                   optional={"path": PATHS, "value": JSON}), min_size=1, max_size=3))
def test_arbitrary_patch_operations_apply_or_fail_cleanly(resource, ops):
    assume(_is_valid(resource))
    before = copy.deepcopy(resource)
    try:
        out = apply_patch(resource, ops, USER)
    except ScimError as exc:
        assert exc.status == 400 and exc.scim_type
    else:
        assert validate(out, USER) == out
    assert resource == before

"""Property: narrowing through the store's indexes never changes a filter's answer.

``find_users``/``find_groups`` look up ``filters.candidate_keys`` in casefolded or exact index
columns and then evaluate the filter in Python. Their result must equal evaluating the filter over
every stored document, in creation order, for any valid filter (the superset promise of
``candidate_keys`` only holds if the store looks keys up with the right case rules).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.code42.storage.store import Store
from simulators.common.scim import ResourceSchema
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import parse_filter
from tests.strategies.scim_filters import filters, groups, users

USER = ResourceSchema.for_type("User")
GROUP = ResourceSchema.for_type("Group")
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _store_users(store: Store, docs: list[dict]) -> list[dict]:
    stored = []
    with store.transaction() as tx:
        for doc in docs:
            doc = {k: v for k, v in doc.items() if k != "id"}
            try:
                stored.append(tx.put_user(doc))
            except ScimError:  # empty or duplicate userName: the store refuses it, as it should
                continue
    return stored


@_SETTINGS
@given(docs=st.lists(users(), max_size=8), texts=st.lists(filters(USER), min_size=1, max_size=5),
       case_sensitive=st.booleans())
def test_find_users_equals_a_full_scan(docs: list[dict], texts: list[str], case_sensitive: bool) -> None:
    store = Store(":memory:")
    try:
        stored = _store_users(store, docs)
        with store.read() as tx:
            for text in texts:
                f = parse_filter(text, USER, case_sensitive=case_sensitive)
                expected = [d for d in stored if f.matches(d)]
                assert tx.find_users(f) == (len(expected), expected), text
    finally:
        store.close()


def _swap_some(data: st.DataObject, text: str) -> str:
    return "".join(c.swapcase() if data.draw(st.booleans()) else c for c in text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(users(), min_size=1, max_size=8), data=st.data(), case_sensitive=st.booleans())
def test_indexed_equality_filters_equal_a_full_scan(docs: list[dict], data: st.DataObject,
                                                    case_sensitive: bool) -> None:
    """Equality filters on exactly the indexed attributes, with values taken from stored users in any case."""
    store = Store(":memory:")
    try:
        stored = _store_users(store, docs)
        if not stored:
            return
        terms = []
        for _ in range(data.draw(st.integers(1, 3))):
            doc = data.draw(st.sampled_from(stored))
            emails = [e["value"] for e in doc.get("emails", []) if isinstance(e.get("value"), str)]
            kinds = {"userName": [doc["userName"]], "id": [doc["id"]],
                     "externalId": [doc["externalId"]] if isinstance(doc.get("externalId"), str) else [],
                     "emails.value": emails, 'emails[type eq "work"].value': emails}
            attr = data.draw(st.sampled_from([k for k, values in kinds.items() if values]))
            value = data.draw(st.sampled_from(kinds[attr]))
            literal = json.dumps(_swap_some(data, value), ensure_ascii=False)  # a JSON string literal
            terms.append(f"{data.draw(st.sampled_from([attr, attr.upper()]))} eq {literal}")
        text = " or ".join(terms)
        f = parse_filter(text, USER, case_sensitive=case_sensitive)
        expected = [d for d in stored if f.matches(d)]
        with store.read() as tx:
            assert tx.find_users(f) == (len(expected), expected), text
    finally:
        store.close()


@_SETTINGS
@given(docs=st.lists(groups(), max_size=6), texts=st.lists(filters(GROUP), min_size=1, max_size=5))
def test_find_groups_equals_a_full_scan(docs: list[dict], texts: list[str]) -> None:
    store = Store(":memory:")
    try:
        with store.transaction() as tx:
            ids = [tx.put_group({k: v for k, v in doc.items() if k != "id"})["id"] for doc in docs]
        with store.read() as tx:
            stored = [tx.get_group(i) for i in ids]
            for text in texts:
                f = parse_filter(text, GROUP)
                expected = [d for d in stored if f.matches(d)]
                assert tx.find_groups(f) == (len(expected), expected), text
    finally:
        store.close()


def test_filter_text_never_reaches_sql() -> None:
    store = Store(":memory:")
    with store.transaction() as tx:
        tx.put_user({"schemas": [USER.core_urn], "userName": "a@x.com"})
    with store.read() as tx:
        for text in ('userName eq "x\\" OR 1=1 --"', "userName eq \"'; DROP TABLE scim_users; --\""):
            assert tx.find_users(parse_filter(text, USER)) == (0, [])
        assert tx.count_users() == 1
    store.close()

"""RFC 7644 §3.4.2.4 pagination rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from simulators.common.scim.errors import ScimError
from simulators.common.scim.pagination import (
    LIST_RESPONSE_URN,
    MAX_RESULTS,
    list_response,
    page,
    parse_paging,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, (1, MAX_RESULTS)),
        ({"startIndex": "1", "count": "10"}, (1, 10)),
        ({"startIndex": "0"}, (1, MAX_RESULTS)),
        ({"startIndex": "-5"}, (1, MAX_RESULTS)),
        ({"startIndex": "51", "count": "50"}, (51, 50)),
        ({"count": "0"}, (1, 0)),
        ({"count": "-3"}, (1, 0)),
        ({"count": "100000"}, (1, MAX_RESULTS)),
        ({"startindex": "3", "COUNT": "4"}, (3, 4)),
        ({"startIndex": "", "count": ""}, (1, MAX_RESULTS)),
        ({"startIndex": " 7 "}, (7, MAX_RESULTS)),
        ({"startIndex": 2, "count": 5}, (2, 5)),
    ],
)
def test_parse_paging(args, expected):
    assert parse_paging(args) == expected


def test_parse_paging_default_and_max():
    assert parse_paging({}, default_count=20) == (1, 20)
    assert parse_paging({"count": "90"}, max_results=50) == (1, 50)


def test_parse_paging_reads_flask_args():
    assert parse_paging(MultiDict([("startIndex", "2"), ("count", "3")])) == (2, 3)


@pytest.mark.parametrize(("name", "value"), [("startIndex", "one"), ("count", "1.5"), ("count", "0x10"),
                                             ("startIndex", True), ("count", "1e3")])
def test_parse_paging_rejects_non_integers(name, value):
    with pytest.raises(ScimError) as info:
        parse_paging({name: value})
    assert (info.value.status, info.value.scim_type) == (400, "invalidValue")
    assert name in info.value.detail


def test_list_response_shape():
    assert list_response([{"id": "a"}], 3, 2) == {
        "schemas": [LIST_RESPONSE_URN], "totalResults": 3, "startIndex": 2, "itemsPerPage": 1,
        "Resources": [{"id": "a"}]}
    assert list_response([], 0, 1)["Resources"] == []


@given(st.lists(st.integers(), max_size=30), st.integers(-5, 40), st.integers(-5, 40))
def test_pages_partition_the_items(items, start, count):
    start_index, n = parse_paging({"startIndex": str(start), "count": str(count)})
    chunk = page(items, start_index, n)
    assert chunk == items[start_index - 1:][:n] and len(chunk) <= n

"""Filters and attribute values never reach SQL as text: every statement the store runs is recorded,
and no injection string ever appears in one (only among the bound parameters); the strings are stored,
matched and returned as plain data, and SQL's LIKE wildcards mean nothing in a filter.

Store.py's design says "filter text never reaches SQL (parameters only)"; this checks the claim by
watching the connection rather than by reading the code.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask

from simulators.code42.app import create_app
from tests.code42.conftest import SCIM_TOKEN, base_config, user_body

AUTH = {"Authorization": f"Bearer {SCIM_TOKEN}", "Content-Type": "application/scim+json"}
INJECTIONS = (
    "' OR '1'='1",
    "\" OR \"1\"=\"1",
    "x'); DROP TABLE scim_users; --",
    "1; DELETE FROM scim_users",
    "' UNION SELECT doc FROM scim_users --",
    "%' --",
)
#: Email-shaped userNames (the Code42 rules require an email) that carry SQL.
INJECTED_USERNAMES = ("o'neil'or'1'='1@example.com", "x'--drop'table@example.com", "a%b_c@example.com")


class RecordingConnection:
    """Wraps the store's sqlite3 connection and records every statement text and its parameters."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.statements: list[tuple[str, Any]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self.statements.append((sql, params))
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        rows = list(rows)
        self.statements.append((sql, rows))
        return self._conn.executemany(sql, rows)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        self.statements.append((sql, None))
        return self._conn.executescript(sql)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.fixture
def app() -> Flask:
    app = create_app(base_config())
    yield app
    app.extensions["scimgate"].store.close()


@pytest.fixture
def recorder(app: Flask) -> RecordingConnection:
    store = app.extensions["scimgate"].store
    recording = RecordingConnection(store._conn)
    store._conn = recording  # Tx objects take the store's connection when they are made, i.e. per request
    return recording


def _sql_texts(recorder: RecordingConnection) -> str:
    return "\n".join(sql for sql, _ in recorder.statements)


def test_injection_strings_in_values_are_stored_as_data(app: Flask, recorder: RecordingConnection) -> None:
    client = app.test_client()
    ids = {}
    for n, text in enumerate(INJECTIONS):
        body = user_body(f"user{n}@example.com", title=text, externalId=text, displayName=text)
        r = client.post("/scim/v2/Users", json=body, headers=AUTH)
        assert r.status_code == 201, r.get_json()
        ids[text] = r.get_json()["id"]
    for name in INJECTED_USERNAMES:
        r = client.post("/scim/v2/Users", json=user_body(name), headers=AUTH)
        assert r.status_code == 201, r.get_json()
        ids[name] = r.get_json()["id"]
    for text, id_ in ids.items():
        got = client.get(f"/scim/v2/Users/{id_}", headers=AUTH).get_json()
        assert text in (got.get("title"), got["userName"])
    assert recorder.statements, "the recorder saw no statement: the test would prove nothing"
    sql = _sql_texts(recorder)
    for text in INJECTIONS + INJECTED_USERNAMES:
        assert text not in sql
    assert any(text in str(params) for text in INJECTIONS for _, params in recorder.statements)
    total = client.get("/scim/v2/Users?count=0", headers=AUTH).get_json()["totalResults"]
    assert total == len(INJECTIONS) + len(INJECTED_USERNAMES)


@pytest.mark.parametrize("attribute", ["userName", "title", "externalId", "displayName", "emails.value", "id"])
@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_filters_match_only_as_data(app: Flask, recorder: RecordingConnection, attribute: str,
                                                         text: str) -> None:
    client = app.test_client()
    plain = client.post("/scim/v2/Users", json=user_body("plain@example.com"), headers=AUTH).get_json()
    carrier = client.post("/scim/v2/Users", json=user_body("carrier@example.com", title=text, externalId=text,
                                                           displayName=text), headers=AUTH).get_json()
    recorder.statements.clear()
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    r = client.get("/scim/v2/Users", query_string={"filter": f'{attribute} eq "{quoted}"'}, headers=AUTH)
    assert r.status_code in (200, 400), r.get_data(as_text=True)
    if r.status_code == 400:  # the filter parser refused the text (e.g. escaped quotes): an RFC 7644 error
        assert r.get_json()["scimType"] == "invalidFilter"
    else:
        found = [d["id"] for d in r.get_json()["Resources"]]
        expected = [carrier["id"]] if attribute in ("title", "externalId", "displayName") else []
        assert found == expected and plain["id"] not in found
    assert text not in _sql_texts(recorder)
    assert client.get("/scim/v2/Users?count=0", headers=AUTH).get_json()["totalResults"] == 2


@pytest.mark.parametrize("op, value, expected", [
    ("co", "%", ["a%b_c@example.com"]), ("co", "_", ["a%b_c@example.com"]), ("sw", "%", []),
    ("co", "b_c", ["a%b_c@example.com"]), ("co", "b%c", []), ("ew", "_", []),
])
def test_like_wildcards_are_literal_characters(app: Flask, op: str, value: str, expected: list[str]) -> None:
    client = app.test_client()
    for name in ("a%b_c@example.com", "abxc@example.com", "plain@example.com"):
        assert client.post("/scim/v2/Users", json=user_body(name), headers=AUTH).status_code == 201
    r = client.get("/scim/v2/Users", query_string={"filter": f'userName {op} "{value}"'}, headers=AUTH)
    assert r.status_code == 200, r.get_json()
    assert [d["userName"] for d in r.get_json()["Resources"]] == expected

"""How the store keeps User documents: deflated, and still able to read documents stored as text."""

from __future__ import annotations

import json

import pytest

from simulators.code42.storage.store import Store

USER = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"}, "emails": [{"value": "ada@example.com"}]}


def test_a_user_is_stored_deflated_and_reads_back_unchanged() -> None:
    store = Store(":memory:")
    with store.transaction() as tx:
        stored = tx.put_user(dict(USER))
    with store.read() as tx:
        raw = tx.query("SELECT doc FROM scim_users WHERE id = ?", (stored["id"],))[0][0]
        assert isinstance(raw, bytes) and len(raw) < len(json.dumps(stored))
        assert tx.get_user(stored["id"]) == stored
        assert json.loads(tx.get_user_text(stored["id"])) == stored
        assert tx.find_users(None)[1] == [stored]


def test_a_document_stored_as_text_is_still_read_and_rewritten_deflated() -> None:
    store = Store(":memory:")
    with store.transaction() as tx:
        stored = tx.put_user(dict(USER))
        tx.execute("UPDATE scim_users SET doc = ? WHERE id = ?", (json.dumps(stored), stored["id"]))
        assert tx.get_user(stored["id"]) == stored
        again = tx.put_user({**stored, "title": "Countess"})
        raw = tx.query("SELECT doc FROM scim_users WHERE id = ?", (stored["id"],))[0][0]
    assert again["title"] == "Countess" and again["meta"]["version"] == 'W/"2"' and isinstance(raw, bytes)


def test_an_unknown_stored_format_is_an_error_not_garbage() -> None:
    store = Store(":memory:")
    with store.transaction() as tx:
        stored = tx.put_user(dict(USER))
        tx.execute("UPDATE scim_users SET doc = ? WHERE id = ?", (b"\x09junk", stored["id"]))
        with pytest.raises(ValueError, match="unknown format"):
            tx.get_user(stored["id"])

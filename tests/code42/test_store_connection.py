"""The default store's SQLite database (``--db :memory:``): private, on no disk path, and cheap to commit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from simulators.code42.storage.connection import CACHE_KIB
from simulators.code42.storage.store import Store

PAD = "x" * 600  # a document big enough that the WAL passes SQLite's 1,000-page checkpoint several times


def _user(i: int) -> dict:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"u{i}@example.com",
            "title": f"{PAD}{i}"}


def test_the_default_store_leaves_no_file_behind_while_it_runs(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where tempfile.mkdtemp creates folders
    store = Store(":memory:")
    with store.transaction() as tx:
        tx.put_user(_user(0))
    assert list(tmp_path.iterdir()) == []
    store.close()

def test_the_default_store_keeps_working_past_many_wal_checkpoints() -> None:
    store = Store(":memory:")
    ids = []
    for i in range(6000):  # about 6 MiB of documents: several automatic checkpoints into the unlinked file
        with store.transaction() as tx:
            ids.append(tx.put_user(_user(i))["id"])
    with store.read() as tx:
        assert tx.get_user(ids[0])["title"] == f"{PAD}0"
        assert tx.get_user(ids[-1])["title"] == f"{PAD}5999"
        assert tx.query("SELECT COUNT(*) FROM scim_users")[0][0] == 6000
        assert tx.query("PRAGMA journal_mode")[0][0] == "wal"
        assert tx.query("PRAGMA cache_size")[0][0] == -CACHE_KIB
    store.close()


def test_two_default_stores_share_nothing() -> None:
    first, second = Store(":memory:"), Store(":memory:")
    with first.transaction() as tx:
        tx.put_user(_user(1))
    with second.read() as tx:
        assert tx.query("SELECT COUNT(*) FROM scim_users")[0][0] == 0
    first.close()
    second.close()


def test_a_database_file_is_kept_for_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "code42.db"
    store = Store(str(path))
    with store.transaction() as tx:
        uid = tx.put_user(_user(1))["id"]
    store.close()
    assert path.exists() and os.path.getsize(path) > 0
    again = Store(str(path))
    with again.read() as tx:
        assert tx.get_user(uid)["userName"] == "u1@example.com"
    again.close()

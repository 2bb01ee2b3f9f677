"""The default store's SQLite database (``--db :memory:``): private, on no disk path, and cheap to commit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from simulators.code42.storage.connection import CACHE_KIB
from simulators.code42.storage.store import Store

PAD = "x" * 600  # documents big enough that a few thousand outgrow a small page cache


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

def test_the_default_store_reads_back_pages_past_its_cache_and_rolls_back_in_memory() -> None:
    store = Store(":memory:")
    with store.transaction() as tx:
        assert tx.query("PRAGMA journal_mode")[0][0] == "memory"
        assert tx.query("PRAGMA cache_size")[0][0] == -CACHE_KIB
        tx.execute("PRAGMA cache_size=-512")  # 512 KiB: most of the documents below live only in the unlinked file
    ids = []
    for i in range(6000):  # about 4 MiB of documents
        with store.transaction() as tx:
            ids.append(tx.put_user(_user(i))["id"])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        for i in range(6000, 7000):  # a rejected write big enough that its journal outgrows the cache
            tx.put_user(_user(i))
        raise RuntimeError("rejected")
    with store.read() as tx:
        assert tx.get_user(ids[0])["title"] == f"{PAD}0"
        assert tx.get_user(ids[-1])["title"] == f"{PAD}5999"
        assert tx.query("SELECT COUNT(*) FROM scim_users")[0][0] == 6000
        assert tx.query("PRAGMA integrity_check")[0][0] == "ok"
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

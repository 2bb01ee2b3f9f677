"""The mock Code42's SQLite store: SCIM Users and Groups plus whatever tables the domain registers.

Why SQLite with one connection and a re-entrant lock: a request must be all-or-nothing across the
SCIM resource *and* the domain's own tables (lifecycle, mapping, Sync Log), which is exactly one
SQLite transaction; waitress serves from one process, so one serialised connection is consistent
and, under the GIL, as fast as a pool (the per-request work is microseconds of SQLite and
milliseconds of nothing). Nested :meth:`Store.transaction` calls on the same thread become
SAVEPOINTs, so the domain may open its own transaction from inside a hook.

Documents are stored as JSON text, Users deflated (:mod:`documents`), in the default representation:
``returned: never`` attributes such as ``password`` are never kept (RFC 7643 §7 "never returned"), so a
GET by id is one indexed SELECT.
Filter narrowing goes through :func:`simulators.common.scim.filters.candidate_keys` over these indexed
columns, then :meth:`Filter.matches` decides in Python: filter text never reaches SQL.

- ``userName``: unique on ``casefold()`` (RFC 7643 §4.1.1: caseExact false, uniqueness server);
- ``externalId`` and ``id``: exact (caseExact true);
- ``emails.value``: its own table, casefolded;
- Group ``displayName``: casefolded; Group members: their own table (``members.value`` indexed), so
  a membership PATCH on a 10,000-member group writes only the difference.

``meta.version`` is a per-resource counter starting at 1, rendered ``W/"<n>"`` (the ETag).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from simulators.code42.storage.connection import open_database
from simulators.code42.storage.documents import pack_user, unpack_user
from simulators.common.clock import Clock, SystemClock, isoformat
from simulators.common.scim.errors import ScimError
from simulators.common.scim.filters import Filter, candidate_keys

# Indexed filter attributes -> (the query giving candidate rids, whether the key is casefolded).
# userName, emails.value and members.value are caseExact false (RFC 7643), hence casefolded keys.
USER_LOOKUPS: dict[str, tuple[str, bool]] = {
    "id": ("SELECT rid FROM scim_users WHERE id = ?", False),
    "userName": ("SELECT rid FROM scim_users WHERE user_name_key = ?", True),
    "externalId": ("SELECT rid FROM scim_users WHERE external_id = ?", False),
    "emails.value": ("SELECT rid FROM scim_user_emails WHERE value_key = ?", True),
}
GROUP_LOOKUPS: dict[str, tuple[str, bool]] = {
    "id": ("SELECT rid FROM scim_groups WHERE id = ?", False),
    "displayName": ("SELECT rid FROM scim_groups WHERE display_name_key = ?", True),
    "externalId": ("SELECT rid FROM scim_groups WHERE external_id = ?", False),
    "members.value": ("SELECT group_rid FROM scim_group_members WHERE member_key = ?", True),
}
USER_INDEXED = tuple(USER_LOOKUPS)
GROUP_INDEXED = tuple(GROUP_LOOKUPS)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scim_users (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scim_users_external_id ON scim_users (external_id);
CREATE TABLE IF NOT EXISTS scim_user_emails (
    rid INTEGER NOT NULL,
    value_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scim_user_emails_value ON scim_user_emails (value_key);
CREATE INDEX IF NOT EXISTS scim_user_emails_rid ON scim_user_emails (rid);
CREATE TABLE IF NOT EXISTS scim_groups (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    display_name_key TEXT,
    external_id TEXT,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scim_groups_display_name ON scim_groups (display_name_key);
CREATE INDEX IF NOT EXISTS scim_groups_external_id ON scim_groups (external_id);
CREATE TABLE IF NOT EXISTS scim_group_members (
    group_rid INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    member_key TEXT NOT NULL,
    member TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS scim_group_members_pk ON scim_group_members (group_rid, member_id);
CREATE INDEX IF NOT EXISTS scim_group_members_member ON scim_group_members (member_key);
CREATE TABLE IF NOT EXISTS scim_kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

#: Tables :meth:`Store.reset` keeps: the SCIM credentials must survive a simulation reset, or the
#: harness would lock itself out.
_KEPT_ON_RESET = frozenset({"scim_kv"})

_IN_CHUNK = 500  # SQLite's default limit on host parameters is 999 on old builds


def etag(version: int) -> str:
    """The weak ETag for a resource version (RFC 7644 §3.14)."""
    return f'W/"{version}"'


def _fold(value: Any) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _email_keys(doc: dict[str, Any]) -> list[str]:
    emails = doc.get("emails")
    if not isinstance(emails, list):
        return []
    keys = {e["value"].casefold() for e in emails if isinstance(e, dict) and isinstance(e.get("value"), str)}
    return sorted(keys)


def _external_id(doc: dict[str, Any]) -> str | None:
    value = doc.get("externalId")
    return value if isinstance(value, str) else None


def _member_id(member: Any) -> str | None:
    return member.get("value") if isinstance(member, dict) and isinstance(member.get("value"), str) else None


class Store:
    """SQLite-backed SCIM store. ``database`` is ``":memory:"`` (a private database that vanishes with the
    process, :mod:`connection`) or a file path (WAL journal, kept across restarts).

    :meth:`transaction` for writes (atomic; nested calls are savepoints); :meth:`read` for
    read-only work (no BEGIN, same lock, so it sees a consistent state).
    """

    def __init__(self, database: str = ":memory:", clock: Clock | None = None):
        self.database = database
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._stack: list[Tx] = []
        self._conn = open_database(database, _SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def register_ddl(self, sql: str) -> None:
        """Run ``CREATE TABLE IF NOT EXISTS ...`` statements for a domain module's own tables."""
        with self._lock:
            self._conn.executescript(sql)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Serialise a write: everything inside commits together or not at all.

        An exception rolls back every write made inside, the domain's included, and propagates.
        A nested call (same thread) is a SAVEPOINT: its failure undoes only its own writes.
        """
        with self._lock:
            depth = len(self._stack)
            tx = Tx(self, self._stack[-1].now if self._stack else self.clock.now())
            self._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
            self._stack.append(tx)
            try:
                yield tx
            except BaseException:
                if depth == 0:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO sp{depth}")
                    self._conn.execute(f"RELEASE sp{depth}")
                raise
            else:
                try:
                    self._conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
                except sqlite3.Error:  # e.g. a disk error: leave no half-open transaction behind
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO sp{depth}")
                    raise
                if depth > 0:
                    self._stack[-2]._on_commit.extend(tx._on_commit)  # the outer transaction may still roll back
                else:
                    for callback in tx._on_commit:
                        callback()
            finally:
                self._stack.pop()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """Read-only access under the lock, without a BEGIN (cheaper; writes here are a bug)."""
        with self._lock:
            yield self._stack[-1] if self._stack else Tx(self, None)

    def reset(self) -> None:
        """Empty every table (SCIM resources and domain tables) except the stored credentials."""
        with self.transaction():
            tables = [r["name"] for r in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            for name in tables:
                if name not in _KEPT_ON_RESET:
                    self._conn.execute(f'DELETE FROM "{name}"')


class Tx:
    """What a transaction (or a read) can do. ``now`` is the clock's time when the transaction began."""

    def __init__(self, store: Store, now: datetime | None):
        self._store = store
        self._conn = store._conn
        self._now = now
        self._on_commit: list[Callable[[], None]] = []
        #: How many times this transaction has written a User (put_user): lets a caller that holds a
        #: stored document tell whether a later step may have changed it.
        self.user_writes = 0

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the outermost transaction has committed; never if it rolls back.

        Why: in-memory state derived from a write (a credentials cache, a next-due time) must not
        run ahead of what SQLite holds when the caller's transaction fails after the write.
        """
        self._on_commit.append(callback)

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = self._store.clock.now()
        return self._now

    # ---------------------------------------------------------------- domain tables

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, tuple(params))

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, tuple(params)).fetchall()

    def kv_get(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM scim_kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def kv_put(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO scim_kv (key, value) VALUES (?, ?)", (key, value))

    # ---------------------------------------------------------------- users

    def get_user(self, id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT doc FROM scim_users WHERE id = ?", (id,)).fetchone()
        return json.loads(unpack_user(row[0])) if row else None

    def get_user_text(self, id: str) -> str | None:
        """The stored JSON text (GET by id can serve it nearly as is)."""
        row = self._conn.execute("SELECT doc FROM scim_users WHERE id = ?", (id,)).fetchone()
        return unpack_user(row[0]) if row else None

    def get_user_by_username(self, name: str) -> dict[str, Any] | None:
        """The user whose userName equals ``name`` case-insensitively (RFC 7643: caseExact false)."""
        row = self._conn.execute("SELECT doc FROM scim_users WHERE user_name_key = ?", (name.casefold(),)).fetchone()
        return json.loads(unpack_user(row[0])) if row else None

    def put_user(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Create (no ``id`` or an unknown one) or replace a User; returns the stored document.

        Sets ``meta`` (resourceType, created, lastModified, version); drops ``password``.
        Raises 409 ``uniqueness`` when another user has the same userName (case-insensitively).
        """
        user_name = doc.get("userName")
        if not isinstance(user_name, str) or not user_name:
            raise ScimError(400, "attribute 'userName' is required", "invalidValue")
        self.user_writes += 1
        doc = {k: v for k, v in doc.items() if k != "password"}
        generated = not doc.get("id")  # a fresh uuid4 names no stored User: no previous row to read
        id_ = doc.get("id") or str(uuid.uuid4())
        doc["id"] = id_
        key = user_name.casefold()
        clash = self._conn.execute("SELECT id FROM scim_users WHERE user_name_key = ? AND id != ?", (key, id_)).fetchone()
        if clash:
            raise ScimError(409, f"userName {user_name!r} is already taken by another user", "uniqueness")
        row = None if generated else self._conn.execute(
            "SELECT rid, version, doc FROM scim_users WHERE id = ?", (id_,)).fetchone()
        previous = json.loads(unpack_user(row["doc"])) if row else None
        doc["meta"] = self._meta("User", row, previous)
        text = pack_user(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
        external_id = _external_id(doc)
        emails = _email_keys(doc)
        if previous is None:
            rid = self._conn.execute(
                "INSERT INTO scim_users (id, user_name_key, external_id, version, doc) VALUES (?, ?, ?, ?, ?)",
                (id_, key, external_id, 1, text),
            ).lastrowid
            old_emails: list[str] = []
        else:
            # Set the indexed columns and rewrite the email index only when they change: every index
            # entry touched is a page SQLite writes at commit, and most updates (a PATCH of title,
            # active, manager) change none of them.
            rid = row["rid"]
            changes = {"version": row["version"] + 1, "doc": text}
            if key != previous.get("userName", "").casefold():
                changes["user_name_key"] = key
            if external_id != _external_id(previous):
                changes["external_id"] = external_id
            self._conn.execute(f"UPDATE scim_users SET {', '.join(f'{c} = ?' for c in changes)} WHERE rid = ?",
                               (*changes.values(), rid))
            old_emails = _email_keys(previous)
            if old_emails and old_emails != emails:
                self._conn.execute("DELETE FROM scim_user_emails WHERE rid = ?", (rid,))
        if emails and emails != old_emails:
            self._conn.executemany("INSERT INTO scim_user_emails (rid, value_key) VALUES (?, ?)",
                                   [(rid, e) for e in emails])
        return doc

    def delete_user(self, id: str) -> list[str]:
        """Remove a User and its group memberships. Returns the ids of the groups it left."""
        row = self._conn.execute("SELECT rid FROM scim_users WHERE id = ?", (id,)).fetchone()
        if row is None:
            return []
        groups = self.group_ids_of_member(id)
        self._conn.execute("DELETE FROM scim_user_emails WHERE rid = ?", (row["rid"],))
        self._conn.execute("DELETE FROM scim_users WHERE rid = ?", (row["rid"],))
        for gid in groups:
            self._remove_member(gid, id)
        return groups

    def count_users(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM scim_users").fetchone()[0]

    def find_users(self, filter: Filter | None, start: int = 1, count: int | None = None) -> tuple[int, list[dict]]:
        """Users matching ``filter`` (all when None) in creation order: ``(totalResults, page)``.

        ``start`` is RFC 7644's 1-based startIndex; ``count`` None means no limit, 0 only the total.
        """
        if filter is None:
            total = self.count_users()
            rows = self._conn.execute("SELECT doc FROM scim_users ORDER BY rid LIMIT ? OFFSET ?",
                                      (-1 if count is None else count, max(start, 1) - 1))
            return total, [json.loads(unpack_user(r[0])) for r in rows]
        keys = candidate_keys(filter, USER_INDEXED)
        if keys is None:
            rows = self._conn.execute("SELECT rid, doc FROM scim_users ORDER BY rid")
        else:
            rows = self._rows_by_rid("scim_users", self._rids_for(keys, USER_LOOKUPS))
        return _page((json.loads(unpack_user(r["doc"])) for r in rows), filter, start, count)

    def _rids_for(self, keys: list[tuple[str, object]], lookups: dict[str, tuple[str, bool]]) -> set[int]:
        """The union of the rids each ``(attribute, value)`` eq key names (see ``filters.candidate_keys``)."""
        rids: set[int] = set()
        for name, value in keys:
            if not isinstance(value, str):
                continue
            sql, casefolded = lookups[name]
            rids.update(r[0] for r in self._conn.execute(sql, (value.casefold() if casefolded else value,)))
        return rids

    def _rows_by_rid(self, table: str, rids: set[int], columns: str = "rid, doc") -> list[sqlite3.Row]:
        ordered = sorted(rids)
        out: list[sqlite3.Row] = []
        for i in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[i:i + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            out.extend(self._conn.execute(f"SELECT {columns} FROM {table} WHERE rid IN ({marks}) ORDER BY rid", chunk))
        return out

    # ---------------------------------------------------------------- groups

    def get_group(self, id: str, *, members: bool = True) -> dict[str, Any] | None:
        """A Group; ``members=False`` skips loading the member list (``excludedAttributes=members``)."""
        row = self._conn.execute("SELECT rid, doc FROM scim_groups WHERE id = ?", (id,)).fetchone()
        if row is None:
            return None
        doc = json.loads(row["doc"])
        if members:
            self._attach_members({row["rid"]: doc})
        return doc

    def group_version(self, id: str) -> int | None:
        row = self._conn.execute("SELECT version FROM scim_groups WHERE id = ?", (id,)).fetchone()
        return row[0] if row else None

    def _attach_members(self, docs_by_rid: dict[int, dict[str, Any]]) -> None:
        # One JSON array per group, built by SQLite: one json.loads instead of one per member
        # (a 10,000-member group loads in a few milliseconds).
        for rid, doc in docs_by_rid.items():
            row = self._conn.execute(
                "SELECT '[' || group_concat(member, ',') || ']' FROM "
                "(SELECT member FROM scim_group_members WHERE group_rid = ? ORDER BY rowid)", (rid,)).fetchone()
            if row[0]:
                doc["members"] = json.loads(row[0])

    def put_group(self, doc: dict[str, Any], *, changed_ids: set[str] | None = None) -> dict[str, Any]:
        """Create or replace a Group (members included); returns the stored document.

        Only the difference between the stored and the new member list is written. A member listed
        twice is kept once (the first occurrence). ``changed_ids``, when given, promises that only
        those member ids may differ from what is stored (a membership PATCH knows it), so a
        10,000-member group is not compared row by row.
        """
        doc = dict(doc)
        id_ = doc.get("id") or str(uuid.uuid4())
        doc["id"] = id_
        members = doc.pop("members", None) or []
        new_members: dict[str, str] = {}
        kept: list[Any] = []
        for m in members:
            mid = _member_id(m)
            if mid is None:
                raise ScimError(400, f"every member needs a string 'value'; got {json.dumps(m)[:80]}", "invalidValue")
            if mid in new_members or (changed_ids is not None and mid not in changed_ids):
                if changed_ids is not None and mid not in changed_ids:
                    kept.append(m)
                continue
            new_members[mid] = json.dumps(m, separators=(",", ":"), ensure_ascii=False)
            kept.append(m)
        row = self._conn.execute("SELECT rid, version, doc FROM scim_groups WHERE id = ?", (id_,)).fetchone()
        doc["meta"] = self._meta("Group", row, json.loads(row["doc"]) if row else None)
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        display_key = _fold(doc.get("displayName"))
        external_id = _external_id(doc)
        if row:
            rid = row["rid"]
            self._conn.execute(
                "UPDATE scim_groups SET display_name_key = ?, external_id = ?, version = ?, doc = ? WHERE rid = ?",
                (display_key, external_id, row["version"] + 1, text, rid),
            )
            if changed_ids is None:
                old = {r[0]: r[1] for r in self._conn.execute(
                    "SELECT member_id, member FROM scim_group_members WHERE group_rid = ?", (rid,))}
            else:
                old = {}
                ids = sorted(changed_ids)
                for i in range(0, len(ids), _IN_CHUNK):
                    chunk = ids[i:i + _IN_CHUNK]
                    old.update((r[0], r[1]) for r in self._conn.execute(
                        f"SELECT member_id, member FROM scim_group_members WHERE group_rid = ? "
                        f"AND member_id IN ({','.join('?' * len(chunk))})", (rid, *chunk)))
        else:
            rid = self._conn.execute(
                "INSERT INTO scim_groups (id, display_name_key, external_id, version, doc) VALUES (?, ?, ?, ?, ?)",
                (id_, display_key, external_id, 1, text),
            ).lastrowid
            old = {}
        removed = [mid for mid in old if mid not in new_members]
        if removed:
            self._conn.executemany("DELETE FROM scim_group_members WHERE group_rid = ? AND member_id = ?",
                                   [(rid, mid) for mid in removed])
        changed = [(text_, rid, mid) for mid, text_ in new_members.items() if mid in old and old[mid] != text_]
        if changed:
            self._conn.executemany("UPDATE scim_group_members SET member = ? WHERE group_rid = ? AND member_id = ?",
                                   changed)
        added = [(rid, mid, mid.casefold(), text_) for mid, text_ in new_members.items() if mid not in old]
        if added:
            self._conn.executemany(
                "INSERT INTO scim_group_members (group_rid, member_id, member_key, member) VALUES (?, ?, ?, ?)", added)
        if kept:
            doc["members"] = kept
        return doc

    def delete_group(self, id: str) -> bool:
        row = self._conn.execute("SELECT rid FROM scim_groups WHERE id = ?", (id,)).fetchone()
        if row is None:
            return False
        self._conn.execute("DELETE FROM scim_group_members WHERE group_rid = ?", (row["rid"],))
        self._conn.execute("DELETE FROM scim_groups WHERE rid = ?", (row["rid"],))
        return True

    def _remove_member(self, group_id: str, member_id: str) -> None:
        """Drop one membership and bump the group's version (used when a member resource disappears)."""
        row = self._conn.execute("SELECT rid, version, doc FROM scim_groups WHERE id = ?", (group_id,)).fetchone()
        if row is None:
            return
        self._conn.execute("DELETE FROM scim_group_members WHERE group_rid = ? AND member_id = ?",
                           (row["rid"], member_id))
        doc = json.loads(row["doc"])
        doc["meta"] = self._meta("Group", row, doc)
        self._conn.execute("UPDATE scim_groups SET version = ?, doc = ? WHERE rid = ?",
                           (row["version"] + 1, json.dumps(doc, separators=(",", ":"), ensure_ascii=False), row["rid"]))

    def existing_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """Which of ``ids`` name a resource here: ``{id: "User" | "Group"}`` (batched lookups)."""
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i:i + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update((r[0], "Group") for r in self._conn.execute(
                f"SELECT id FROM scim_groups WHERE id IN ({marks})", chunk))
            found.update((r[0], "User") for r in self._conn.execute(
                f"SELECT id FROM scim_users WHERE id IN ({marks})", chunk))
        return found

    def count_groups(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM scim_groups").fetchone()[0]

    def find_groups(
        self, filter: Filter | None, start: int = 1, count: int | None = None, *, members: bool = True
    ) -> tuple[int, list[dict]]:
        """Groups matching ``filter`` in creation order: ``(totalResults, page)`` (see :meth:`find_users`).

        ``members=False`` leaves member lists out of the page (they are still used to evaluate the filter).
        """
        if filter is None:
            total = self.count_groups()
            rows = self._conn.execute("SELECT rid, doc FROM scim_groups ORDER BY rid LIMIT ? OFFSET ?",
                                      (-1 if count is None else count, max(start, 1) - 1)).fetchall()
            docs = {r["rid"]: json.loads(r["doc"]) for r in rows}
            if members:
                self._attach_members(docs)
            return total, list(docs.values())
        keys = candidate_keys(filter, GROUP_INDEXED)
        if keys is None:
            rows = self._conn.execute("SELECT rid, doc FROM scim_groups ORDER BY rid").fetchall()
        else:
            rows = self._rows_by_rid("scim_groups", self._rids_for(keys, GROUP_LOOKUPS))
        docs = {r["rid"]: json.loads(r["doc"]) for r in rows}
        self._attach_members(docs)
        total, page = _page(docs.values(), filter, start, count)
        if not members:
            for doc in page:
                doc.pop("members", None)
        return total, page

    def group_ids_of_member(self, user_id: str) -> list[str]:
        """Ids of the groups that list ``user_id`` as a direct member, in group creation order."""
        return [r[0] for r in self._conn.execute(
            "SELECT g.id FROM scim_group_members m JOIN scim_groups g ON g.rid = m.group_rid "
            "WHERE m.member_key = ? AND m.member_id = ? ORDER BY g.rid", (user_id.casefold(), user_id))]

    def group_member_ids(self, group_id: str) -> set[str]:
        return {r[0] for r in self._conn.execute(
            "SELECT m.member_id FROM scim_group_members m JOIN scim_groups g ON g.rid = m.group_rid WHERE g.id = ?",
            (group_id,))}

    # ---------------------------------------------------------------- helpers

    def _meta(self, resource_type: str, row: sqlite3.Row | None, previous: dict[str, Any] | None) -> dict[str, Any]:
        """``meta`` of a write; ``row`` (rid, version) and ``previous`` (its document) are None on create."""
        now = isoformat(self.now)
        if row is None or previous is None:
            return {"resourceType": resource_type, "created": now, "lastModified": now, "version": etag(1)}
        old_meta = previous.get("meta") or {}
        return {"resourceType": resource_type, "created": old_meta.get("created", now), "lastModified": now,
                "version": etag(row["version"] + 1)}


def _page(docs: Iterable[dict[str, Any]], filter: Filter, start: int, count: int | None) -> tuple[int, list[dict]]:
    first = max(start, 1) - 1
    total = 0
    page: list[dict[str, Any]] = []
    for doc in docs:
        if filter.matches(doc):
            if total >= first and (count is None or len(page) < count):
                page.append(doc)
            total += 1
    return total, page

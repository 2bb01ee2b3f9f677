"""Code42's own records, in the domain's SQLite tables: users, orgs, directory groups, legal holds,
pending deactivations, the provider settings and the Sync Log. Every SQL statement of the domain is here.

Why separate tables from the SCIM resources: Code42 users exist without a SCIM resource (local users,
users created in the console), carry state SCIM does not model (blocked, blocked_by, roles, org), and
the admin API addresses them by Code42 ids (``userId`` int, ``userUid`` numeric string), so the mock
"must store all and cross-resolve" (code42-behaviour.md §1). A SCIM-managed user links back through
``scim_id``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from simulators.code42.storage.store import Tx

DDL = """
CREATE TABLE IF NOT EXISTS c42_orgs (
    org_id INTEGER PRIMARY KEY,
    org_uid TEXT NOT NULL UNIQUE,
    org_guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_org_id INTEGER,
    ext_ref TEXT,
    notes TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    blocked INTEGER NOT NULL DEFAULT 0,
    default_roles TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    deactivated_at TEXT
);
CREATE TABLE IF NOT EXISTS c42_users (
    user_id INTEGER PRIMARY KEY,
    user_uid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    notes TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    blocked INTEGER NOT NULL DEFAULT 0,
    blocked_by TEXT,
    deactivated_by TEXT,
    local INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    scim_id TEXT UNIQUE,
    org_id INTEGER NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    scim_roles TEXT NOT NULL DEFAULT '[]',
    attrs TEXT NOT NULL DEFAULT '{}',
    edited TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    deactivated_at TEXT,
    quota_bytes INTEGER,
    profile_notes TEXT,
    start_date TEXT,
    end_date TEXT,
    cloud_aliases TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS c42_groups (
    scim_id TEXT PRIMARY KEY,
    group_id INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    synced_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS c42_pending_deactivations (
    user_uid TEXT PRIMARY KEY,
    due_at TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS c42_pending_due ON c42_pending_deactivations (due_at);
CREATE TABLE IF NOT EXISTS c42_lh_policies (
    policy_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL,
    modified_at TEXT, creator_type TEXT, creator_id TEXT
);
CREATE TABLE IF NOT EXISTS c42_lh_matters (
    matter_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, notes TEXT, policy_id TEXT,
    active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,
    ext_ref TEXT, creator_type TEXT, creator_id TEXT
);
CREATE TABLE IF NOT EXISTS c42_lh_memberships (
    membership_id TEXT PRIMARY KEY, matter_id TEXT NOT NULL, user_uid TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS c42_provider (
    provider_id TEXT PRIMARY KEY, settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS c42_synclog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    provider TEXT NOT NULL,
    username TEXT,
    user_uid TEXT,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS c42_synclog_time ON c42_synclog (occurred_at);
"""

#: Columns added after the first release: a database file made before them gets them on open.
_ADDED_COLUMNS = (
    ("c42_orgs", "deactivated_at", "TEXT"),
    ("c42_users", "quota_bytes", "INTEGER"), ("c42_users", "profile_notes", "TEXT"),
    ("c42_users", "start_date", "TEXT"), ("c42_users", "end_date", "TEXT"),
    ("c42_lh_policies", "modified_at", "TEXT"), ("c42_lh_policies", "creator_type", "TEXT"),
    ("c42_lh_policies", "creator_id", "TEXT"),
    ("c42_lh_matters", "ext_ref", "TEXT"), ("c42_lh_matters", "creator_type", "TEXT"),
    ("c42_lh_matters", "creator_id", "TEXT"),
    ("c42_orgs", "blocked", "INTEGER NOT NULL DEFAULT 0"),
    ("c42_users", "cloud_aliases", "TEXT NOT NULL DEFAULT '[]'"),
)

_USER_JSON = ("roles", "scim_roles", "attrs", "edited", "cloud_aliases")


def add_missing_columns(tx: Tx) -> None:
    """Bring a database file made by an older release up to :data:`DDL` (``CREATE TABLE IF NOT EXISTS``
    leaves an existing table as it was)."""
    for table, column, kind in _ADDED_COLUMNS:
        if column not in {r["name"] for r in tx.query(f"PRAGMA table_info({table})")}:
            tx.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _json(value: Any) -> str:
    """A JSON column: compact, and without the null attributes (absent and null read alike, ``.get``),
    which were half of a provisioned user's row."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    return json.dumps(value, separators=(",", ":"))


def _uid(prefix: int, n: int) -> str:
    """Numeric-string uids, as Code42 uses (e.g. userUid "904462744399383434")."""
    return str(prefix * 10**17 + n)


def _row_to_user(row: Any) -> dict[str, Any]:
    # dict(zip()) rather than dict(row), which looks every column up by name; the JSON columns are
    # decoded as one array: a write reads its user several times and five json.loads calls were most of it.
    user = dict(zip(row.keys(), row))
    user.update(zip(_USER_JSON, json.loads(f"[{','.join(user[key] for key in _USER_JSON)}]")))
    user["active"] = bool(user["active"])
    user["blocked"] = bool(user["blocked"])
    user["local"] = bool(user["local"])
    return user


def _rows(tx: Tx, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in tx.query(sql, params)]


# ---------------------------------------------------------------- users

def get_user(tx: Tx, *, user_id: int | None = None, uid: str | None = None, username: str | None = None,
             scim_id: str | None = None) -> dict[str, Any] | None:
    """One Code42 user by exactly one key (username is case-insensitive, as logins are)."""
    for column, value in (("user_id", user_id), ("user_uid", uid), ("username", username), ("scim_id", scim_id)):
        if value is not None:
            rows = tx.query(f"SELECT * FROM c42_users WHERE {column} = ?", (value,))
            return _row_to_user(rows[0]) if rows else None
    raise ValueError("get_user needs one key")


def resolve_user(tx: Tx, ident: str) -> dict[str, Any] | None:
    """Admin-API ids: a userUid, or the legacy integer userId."""
    user = get_user(tx, uid=str(ident))
    legacy_id = _legacy_id(ident)
    if user is None and legacy_id is not None:
        user = get_user(tx, user_id=legacy_id)
    return user


def _legacy_id(ident: Any) -> int | None:
    """``ident`` as an integer id SQLite can hold, else None: ``str.isdigit`` is true for "²" (which ``int``
    refuses) and for 20-digit numbers (which overflow SQLite's INTEGER); both were 500s."""
    text = str(ident)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def list_users(tx: Tx, *, scim_managed: bool = False) -> list[dict[str, Any]]:
    """Every Code42 user in id order; only those linked to a SCIM resource with ``scim_managed``."""
    where = "scim_id IS NOT NULL" if scim_managed else "1=1"
    return [_row_to_user(r) for r in tx.query(f"SELECT * FROM c42_users WHERE {where} ORDER BY user_id")]


def insert_user(tx: Tx, *, username: str, org_id: int, source: str, now: str, email: str | None = None,
                first_name: str | None = None, last_name: str | None = None, local: bool = False,
                scim_id: str | None = None, roles: list[str] | None = None, attrs: dict | None = None,
                active: bool = True) -> dict[str, Any]:
    next_id = tx.query("SELECT COALESCE(MAX(user_id), 1000) + 1 AS n FROM c42_users")[0]["n"]
    tx.execute(
        "INSERT INTO c42_users (user_id, user_uid, username, email, first_name, last_name, active, local, source,"
        " scim_id, org_id, roles, attrs, created_at, modified_at, deactivated_at, deactivated_by)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (next_id, _uid(9, next_id), username, email or username, first_name, last_name, int(active), int(local),
         source, scim_id, org_id, _json(roles or []), _json(attrs or {}), now, now,
         None if active else now, None if active else source),
    )
    return get_user(tx, user_id=next_id)  # type: ignore[return-value]


def update_user(tx: Tx, user_id: int, now: str, **fields: Any) -> dict[str, Any]:
    """Set columns; JSON columns take Python values. Always bumps ``modified_at``.

    The row is read back with a SELECT, not ``UPDATE ... RETURNING``: RETURNING needs SQLite 3.35, newer
    than the SQLite some Python 3.11 builds link (RHEL 8's, deadsnakes' on Ubuntu 20.04), and saved a few
    microseconds.
    """
    if fields:
        cols, params = [], []
        for key, value in fields.items():
            cols.append(f"{key} = ?")
            if key in _USER_JSON:
                value = _json(value)
            elif isinstance(value, bool):
                value = int(value)
            params.append(value)
        cols.append("modified_at = ?")
        params.append(now)
        tx.execute(f"UPDATE c42_users SET {', '.join(cols)} WHERE user_id = ?", (*params, user_id))
    return get_user(tx, user_id=user_id)  # type: ignore[return-value]


# ---------------------------------------------------------------- orgs

def _row_to_org(row: Any) -> dict[str, Any]:
    org = dict(row)
    org["default_roles"] = None if org["default_roles"] is None else json.loads(org["default_roles"])
    org["active"] = bool(org["active"])
    org["blocked"] = bool(org["blocked"])
    return org


def get_org(tx: Tx, *, org_id: int | None = None, guid: str | None = None) -> dict[str, Any] | None:
    if org_id is not None:
        rows = tx.query("SELECT * FROM c42_orgs WHERE org_id = ?", (org_id,))
    elif guid is not None:
        rows = tx.query("SELECT * FROM c42_orgs WHERE org_guid = ? OR org_uid = ?", (guid, guid))
    else:
        raise ValueError("get_org needs one key")
    return _row_to_org(rows[0]) if rows else None


def resolve_org(tx: Tx, ident: Any) -> dict[str, Any] | None:
    """An org by guid, uid or integer id."""
    org = get_org(tx, guid=str(ident))
    legacy_id = _legacy_id(ident)
    if org is None and legacy_id is not None:
        org = get_org(tx, org_id=legacy_id)
    return org


def orgs_named(tx: Tx, name: str, *, case_insensitive: bool = False) -> list[dict[str, Any]]:
    """Orgs with this name, oldest first (spec §3.6: "If several orgs share the name, pick the oldest")."""
    op = "= ? COLLATE NOCASE" if case_insensitive else "= ?"
    return [_row_to_org(r) for r in tx.query(f"SELECT * FROM c42_orgs WHERE name {op} ORDER BY org_id", (name,))]


def root_org(tx: Tx) -> dict[str, Any] | None:
    rows = tx.query("SELECT * FROM c42_orgs WHERE parent_org_id IS NULL ORDER BY org_id LIMIT 1")
    return _row_to_org(rows[0]) if rows else None


def list_orgs(tx: Tx) -> list[dict[str, Any]]:
    return [_row_to_org(r) for r in tx.query("SELECT * FROM c42_orgs ORDER BY org_id")]


def insert_org(tx: Tx, *, name: str, parent_org_id: int | None, now: str, default_roles: list[str] | None = None,
               ext_ref: str | None = None, notes: str | None = None) -> dict[str, Any]:
    next_id = tx.query("SELECT COALESCE(MAX(org_id), 100) + 1 AS n FROM c42_orgs")[0]["n"]
    tx.execute(
        "INSERT INTO c42_orgs (org_id, org_uid, org_guid, name, parent_org_id, ext_ref, notes, default_roles,"
        " created_at, modified_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (next_id, _uid(8, next_id), str(uuid.uuid5(uuid.NAMESPACE_URL, f"scimgate:org:{next_id}")), name,
         parent_org_id, ext_ref, notes, None if default_roles is None else json.dumps(default_roles), now, now),
    )
    return get_org(tx, org_id=next_id)  # type: ignore[return-value]


def update_org(tx: Tx, org_id: int, now: str, **fields: Any) -> dict[str, Any]:
    """Set org columns (``name``, ``ext_ref``, ``notes``, ``active``, ``blocked``, ``deactivated_at``); bumps
    ``modified_at``."""
    cols = [f"{key} = ?" for key in fields] + ["modified_at = ?"]
    params = [int(v) if isinstance(v, bool) else v for v in fields.values()] + [now]
    tx.execute(f"UPDATE c42_orgs SET {', '.join(cols)} WHERE org_id = ?", (*params, org_id))
    return get_org(tx, org_id=org_id)  # type: ignore[return-value]


def users_in_org(tx: Tx, org_id: int) -> list[dict[str, Any]]:
    return [_row_to_user(r) for r in tx.query("SELECT * FROM c42_users WHERE org_id = ? ORDER BY user_id",
                                              (org_id,))]


# ---------------------------------------------------------------- directory groups

def upsert_group(tx: Tx, scim_id: str, name: str, now: str) -> None:
    """A SCIM group becomes a Code42 directory group once pushed (seed: "Groups appear only after a
    provisioning synchronization from Azure AD has completed")."""
    if tx.query("SELECT 1 FROM c42_groups WHERE scim_id = ?", (scim_id,)):
        tx.execute("UPDATE c42_groups SET name = ? WHERE scim_id = ?", (name, scim_id))
    else:
        next_id = tx.query("SELECT COALESCE(MAX(group_id), 0) + 1 AS n FROM c42_groups")[0]["n"]
        tx.execute("INSERT INTO c42_groups (scim_id, group_id, name, synced_at) VALUES (?,?,?,?)",
                   (scim_id, next_id, name, now))


def delete_group(tx: Tx, scim_id: str) -> None:
    tx.execute("DELETE FROM c42_groups WHERE scim_id = ?", (scim_id,))


def list_groups(tx: Tx) -> list[dict[str, Any]]:
    return _rows(tx, "SELECT * FROM c42_groups ORDER BY group_id")


def find_group(tx: Tx, ref: str) -> dict[str, Any] | None:
    """A synced group by SCIM id, else by displayName (exact first, then case-insensitive)."""
    for sql in ("SELECT * FROM c42_groups WHERE scim_id = ?", "SELECT * FROM c42_groups WHERE name = ?",
                "SELECT * FROM c42_groups WHERE name = ? COLLATE NOCASE"):
        rows = tx.query(sql, (ref,))
        if rows:
            return dict(rows[0])
    return None


# ---------------------------------------------------------------- legal hold

def active_holds(tx: Tx, user_uid: str) -> list[dict[str, Any]]:
    """Active memberships of ``user_uid`` in active matters: what makes a user a legal-hold custodian."""
    return _rows(tx, "SELECT m.* FROM c42_lh_memberships m JOIN c42_lh_matters t ON t.matter_id = m.matter_id"
                     " WHERE m.user_uid = ? AND m.active = 1 AND t.active = 1", (user_uid,))


def get_matter(tx: Tx, matter_id: str) -> dict[str, Any] | None:
    rows = _rows(tx, "SELECT * FROM c42_lh_matters WHERE matter_id = ?", (matter_id,))
    return rows[0] if rows else None


def count_users_in_org(tx: Tx, org_id: int) -> int:
    return tx.query("SELECT COUNT(*) AS n FROM c42_users WHERE org_id = ?", (org_id,))[0]["n"]


def count_child_orgs(tx: Tx, org_id: int) -> int:
    return tx.query("SELECT COUNT(*) AS n FROM c42_orgs WHERE parent_org_id = ?", (org_id,))[0]["n"]


def list_policies(tx: Tx) -> list[dict[str, Any]]:
    return _rows(tx, "SELECT * FROM c42_lh_policies ORDER BY created_at, policy_id")


def get_policy(tx: Tx, policy_id: str) -> dict[str, Any] | None:
    rows = _rows(tx, "SELECT * FROM c42_lh_policies WHERE policy_id = ?", (policy_id,))
    return rows[0] if rows else None


def policy_exists(tx: Tx, policy_id: str) -> bool:
    return bool(tx.query("SELECT 1 FROM c42_lh_policies WHERE policy_id = ?", (policy_id,)))


def insert_policy(tx: Tx, policy_id: str, name: str, now: str, creator: tuple[str, str] | None = None) -> None:
    """``creator``: (principal type, principal id) of whoever made it, e.g. ("API_CLIENT", client id)."""
    kind, ident = creator or (None, None)
    tx.execute("INSERT INTO c42_lh_policies (policy_id, name, created_at, modified_at, creator_type, creator_id)"
               " VALUES (?,?,?,?,?,?)", (policy_id, name, now, now, kind, ident))


def list_matters(tx: Tx) -> list[dict[str, Any]]:
    return _rows(tx, "SELECT * FROM c42_lh_matters ORDER BY created_at, matter_id")


def insert_matter(tx: Tx, *, matter_id: str, name: str, description: Any, notes: Any, policy_id: str,
                  now: str, ext_ref: Any = None, creator: tuple[str, str] | None = None) -> None:
    kind, ident = creator or (None, None)
    tx.execute("INSERT INTO c42_lh_matters (matter_id, name, description, notes, policy_id, active, created_at,"
               " ext_ref, creator_type, creator_id) VALUES (?,?,?,?,?,1,?,?,?,?)",
               (matter_id, name, description, notes, policy_id, now, ext_ref, kind, ident))


def set_matter_active(tx: Tx, matter_id: str, active: bool) -> None:
    tx.execute("UPDATE c42_lh_matters SET active = ? WHERE matter_id = ?", (int(active), matter_id))


def active_custodian_uids(tx: Tx, matter_id: str) -> list[str]:
    return [r["user_uid"] for r in tx.query(
        "SELECT user_uid FROM c42_lh_memberships WHERE matter_id = ? AND active = 1", (matter_id,))]


def memberships_of_matter(tx: Tx, matter_id: str) -> list[dict[str, Any]]:
    return _rows(tx, "SELECT * FROM c42_lh_memberships WHERE matter_id = ? ORDER BY created_at", (matter_id,))


def memberships_of_user(tx: Tx, user_uid: str) -> list[dict[str, Any]]:
    """A user's memberships with their matter's name, oldest first."""
    return _rows(tx, "SELECT m.*, t.name FROM c42_lh_memberships m JOIN c42_lh_matters t"
                     " ON t.matter_id = m.matter_id WHERE m.user_uid = ? ORDER BY m.created_at", (user_uid,))


def is_active_custodian(tx: Tx, matter_id: str, user_uid: str) -> bool:
    return bool(tx.query("SELECT 1 FROM c42_lh_memberships WHERE matter_id = ? AND user_uid = ? AND active = 1",
                         (matter_id, user_uid)))


def insert_membership(tx: Tx, *, membership_id: str, matter_id: str, user_uid: str, now: str) -> None:
    tx.execute("INSERT INTO c42_lh_memberships (membership_id, matter_id, user_uid, active, created_at)"
               " VALUES (?,?,?,1,?)", (membership_id, matter_id, user_uid, now))


def release_membership(tx: Tx, matter_id: str, user_uid: str) -> None:
    tx.execute("UPDATE c42_lh_memberships SET active = 0 WHERE matter_id = ? AND user_uid = ?",
               (matter_id, user_uid))


def list_memberships(tx: Tx) -> list[dict[str, Any]]:
    """Every membership, oldest first (the console API filters them by matter, user and state)."""
    return _rows(tx, "SELECT * FROM c42_lh_memberships ORDER BY created_at, membership_id")


def get_membership(tx: Tx, membership_id: str) -> dict[str, Any] | None:
    rows = _rows(tx, "SELECT * FROM c42_lh_memberships WHERE membership_id = ?", (membership_id,))
    return rows[0] if rows else None


# ---------------------------------------------------------------- pending deactivations

def put_pending(tx: Tx, uid: str, due_at: str, requested_at: str) -> None:
    tx.execute("INSERT OR REPLACE INTO c42_pending_deactivations (user_uid, due_at, requested_at, held)"
               " VALUES (?,?,?,0)", (uid, due_at, requested_at))


def get_pending(tx: Tx, uid: str) -> dict[str, Any] | None:
    rows = _rows(tx, "SELECT * FROM c42_pending_deactivations WHERE user_uid = ?", (uid,))
    return rows[0] if rows else None


def delete_pending(tx: Tx, uid: str) -> None:
    tx.execute("DELETE FROM c42_pending_deactivations WHERE user_uid = ?", (uid,))


def set_pending_held(tx: Tx, uid: str, held: bool) -> None:
    tx.execute("UPDATE c42_pending_deactivations SET held = ? WHERE user_uid = ?", (int(held), uid))


def earliest_pending(tx: Tx) -> str | None:
    """The earliest ``due_at`` (held rows included), or None when nothing is pending."""
    rows = tx.query("SELECT MIN(due_at) AS due FROM c42_pending_deactivations")
    return rows[0]["due"] if rows else None


def due_pending(tx: Tx, now: str) -> list[dict[str, Any]]:
    """Rows due at ``now`` (inclusive), through the ``due_at`` index: every request checks this."""
    return _rows(tx, "SELECT * FROM c42_pending_deactivations WHERE due_at <= ? ORDER BY due_at, user_uid", (now,))


# ---------------------------------------------------------------- provider settings

def load_provider(tx: Tx) -> dict[str, Any] | None:
    rows = tx.query("SELECT settings FROM c42_provider LIMIT 1")
    return json.loads(rows[0]["settings"]) if rows else None


def insert_provider(tx: Tx, settings: dict[str, Any]) -> None:
    tx.execute("INSERT INTO c42_provider (provider_id, settings) VALUES (?, ?)",
               (settings["provider_id"], json.dumps(settings)))


def save_provider(tx: Tx, settings: dict[str, Any]) -> None:
    tx.execute("UPDATE c42_provider SET settings = ? WHERE provider_id = ?",
               (json.dumps(settings), settings["provider_id"]))


# ---------------------------------------------------------------- Sync Log

def insert_synclog(tx: Tx, occurred_at: str, provider: str, username: str | None, user_uid: str | None,
                   action: str, status: str, message: str) -> None:
    tx.execute("INSERT INTO c42_synclog (occurred_at, provider, username, user_uid, action, status, message)"
               " VALUES (?,?,?,?,?,?,?)", (occurred_at, provider, username, user_uid, action, status, message))


def prune_synclog(tx: Tx, cutoff: str) -> str | None:
    """Drop entries older than ``cutoff``; returns the oldest ``occurred_at`` left (None: the log is empty)."""
    tx.execute("DELETE FROM c42_synclog WHERE occurred_at < ?", (cutoff,))
    rows = tx.query("SELECT MIN(occurred_at) AS oldest FROM c42_synclog")
    return rows[0]["oldest"] if rows else None


def synclog_rows(tx: Tx, after: str | None, before: str | None) -> list[dict[str, Any]]:
    """Entries in id order, limited to ``after <= occurred_at < before`` where given."""
    sql, params = "SELECT * FROM c42_synclog WHERE 1=1", []
    if after is not None:
        sql += " AND occurred_at >= ?"
        params.append(after)
    if before is not None:
        sql += " AND occurred_at < ?"
        params.append(before)
    return _rows(tx, sql + " ORDER BY id", tuple(params))

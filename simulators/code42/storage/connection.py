"""Opening the store's SQLite connection: a database file kept across restarts, or the default private one.

Why its own module: how the default store (``--db :memory:``) lives in SQLite decides the mock's memory
and write cost at 100,000 users (bench/bench_code42.py), and has nothing to do with what the store keeps.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile

#: SQLite's page cache of a file database, in KiB. Its default is 2 MB; at 100k users the indexes alone
#: outgrow that, so every lookup re-reads pages through the OS. 32 MiB keeps indexes and hot rows resident.
CACHE_KIB = 32768


def open_database(database: str, schema: str) -> sqlite3.Connection:
    """A connection to ``database`` (a file path, or ``":memory:"`` for a private one), ``schema`` applied."""
    return _open_private(schema) if database == ":memory:" else _open_file(database, schema)


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, cached_statements=512)
    conn.row_factory = sqlite3.Row
    return conn


def _open_file(database: str, schema: str) -> sqlite3.Connection:
    """A database file kept across restarts (``--db PATH``), or a shared ``file::memory:`` URI."""
    conn = _connect(database)
    if not database.startswith("file::memory:"):
        conn.execute("PRAGMA journal_mode=WAL")
        # OFF hands each commit to the OS without waiting for the disk: a crash of this process loses
        # nothing, only an OS crash or power cut can (acceptable for a test server). The waits NORMAL
        # adds at checkpoints are time the single waitress worker (serve.py) cannot serve anyone:
        # writes cost 10% less CPU and lose their 0.05 ms of I/O wait.
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.executescript(schema)
    return conn


def _open_private(schema: str) -> sqlite3.Connection:
    """The default store (``--db :memory:``): a database only this connection sees, gone when it closes.

    Why a file that is unlinked at once, with its rollback journal in memory, rather than SQLite's own
    private databases:
    - a pure in-memory database keeps every page in the process (RSS past 150 MiB at 100,000 users;
      SQLite's cache limit does not apply to it);
    - SQLite's temporary database (the empty file name) spills past its page cache to an unlinked file,
      but keeps every cached page dirty, and each COMMIT walks that dirty list: with a cache big enough
      for the indexes, a POST's commit cost 0.5-1.7 ms at 20,000 users, growing with the store.
    Here each COMMIT writes the pages its transaction changed into the file (read back later from the
    OS's file cache, outside the process), and the journal that undoes a rejected write stays in memory.
    A WAL file did the same work twice: each page appended to the WAL, then copied again at checkpoints
    (a SCIM write's COMMIT: 64 us with WAL, 39 us with the journal in memory, at 20,000 users). Losing
    the journal in a crash is harmless: the database dies with the process anyway. With
    ``locking_mode=EXCLUSIVE`` SQLite keeps the file's descriptor open and never looks for a journal
    file, so the name can be removed as soon as the schema is written: nothing is left on disk when the
    process ends, however it ends.
    """
    folder = tempfile.mkdtemp(prefix="scimgate-code42-")
    try:
        conn = _connect(os.path.join(folder, "store.db"))
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("PRAGMA journal_mode=MEMORY")
        conn.execute("PRAGMA synchronous=OFF")  # nothing here outlives the process: never wait for a disk
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.executescript(schema)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return conn

"""Durability: the mock served by ``python -m simulators.code42`` on a file database, killed with SIGKILL
in the middle of a write load, restarted on the same file: every acknowledged write and every pending
deactivation is still there, and the deactivation still fires when it falls due.

Why SIGKILL: SIGTERM lets the server close the store cleanly; only an unannounced death shows whether
an acknowledged write was really committed (WAL, ``synchronous=NORMAL``: a commit survives a process
crash; only an OS crash may lose the last ones, which this test does not simulate).

The serve command is started with ``--sim-control``, so it runs on a VirtualClock that starts at the
wall-clock time of start-up and moves only through ``POST /_sim/clock/advance``: the profile's one-minute
deactivation delay passes in an instant, at a time this test knows exactly.
"""

from __future__ import annotations

import base64
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

TOKEN = "durability-scim-token"
ADMIN_ID, ADMIN_SECRET = "durability-admin", "durability-admin-secret"
DELAY_MINUTES = 1
WRITERS = 4
ACKS_BEFORE_KILL = 160
HANG_GUARD_SECONDS = 600  # a bound on a hang, never a speed budget
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Served:
    """One ``python -m simulators.code42`` process on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self, db: Path, profile: Path, faults: tuple[str, ...] = ()):
        env = {**os.environ, "SCIMGATE_CODE42_TOKEN": TOKEN, "SCIMGATE_CODE42_ADMIN_CLIENT_ID": ADMIN_ID,
               "SCIMGATE_CODE42_ADMIN_SECRET": ADMIN_SECRET, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simulators.code42", "--port", "0", "--db", str(db), "--profile", str(profile),
             "--sim-control", *[arg for f in faults for arg in ("--fault", f)]],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert line.startswith("mock Code42 SCIM base URL: http://127.0.0.1:"), line
        self.scim = line.rsplit(" ", 1)[1]
        self.root = self.scim.removesuffix("/scim/v2")

    def clock(self) -> datetime:
        return datetime.fromisoformat(requests.get(f"{self.root}/_sim/clock", timeout=10).json()["now"])

    def advance(self, seconds: float) -> None:
        r = requests.post(f"{self.root}/_sim/clock/advance", json={"seconds": seconds}, timeout=10)
        assert r.status_code == 200, r.text

    def admin_users(self) -> dict[str, dict[str, Any]]:
        basic = base64.b64encode(f"{ADMIN_ID}:{ADMIN_SECRET}".encode()).decode()
        token = requests.post(f"{self.root}/v1/oauth?grant_type=client_credentials",
                              headers={"Authorization": f"Basic {basic}"}, timeout=10).json()["access_token"]
        users = requests.get(f"{self.root}/v1/users?pageSize=100000",
                             headers={"Authorization": f"Bearer {token}"}, timeout=30).json()["users"]
        return {u["username"]: u for u in users}

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=15)
        if self.proc.stdout:
            self.proc.stdout.close()


@dataclass
class Acked:
    """Writes the server acknowledged (2xx) before it died: userName → last title; disabled userNames."""

    titles: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    in_flight: dict[str, str] = field(default_factory=dict)  # userName → the write sent but not answered
    count: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Set once ACKS_BEFORE_KILL writes are acknowledged, or when a writer stops: the kill waits on it.
    ready: threading.Event = field(default_factory=threading.Event)

    def acknowledge(self) -> None:
        """Count one acknowledged write (caller holds ``lock``)."""
        self.count += 1
        if self.count >= ACKS_BEFORE_KILL:
            self.ready.set()


def _writer(n: int, scim: str, acked: Acked, stop: threading.Event) -> None:
    """Create users, retitle them, disable every third as Azure AD does; until the server dies."""
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"})
    i = 0
    try:
        while not stop.is_set():
            name = f"dur-{n}-{i}@example.com"
            body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": True,
                    "title": "created", "emails": [{"type": "work", "value": name, "primary": True}],
                    "name": {"givenName": "Dur", "familyName": "Able"}}
            r = s.post(f"{scim}/Users", json=body, timeout=10)
            assert r.status_code == 201, r.text
            uid = r.json()["id"]
            with acked.lock:
                acked.titles[name], acked.ids[name] = "created", uid
                acked.acknowledge()
            acked.in_flight[name] = f"retitled-{i}"
            r = s.patch(f"{scim}/Users/{uid}", timeout=10, json={"schemas": [PATCH], "Operations": [
                {"op": "Replace", "path": "title", "value": f"retitled-{i}"}]})
            assert r.status_code == 200, r.text
            with acked.lock:
                acked.titles[name] = f"retitled-{i}"
                acked.acknowledge()
            if i % 3 == 0:  # Azure AD's disable: active as the string "False" (azure-ad-behaviour.md)
                acked.in_flight[name] = "disable"
                r = s.patch(f"{scim}/Users/{uid}", timeout=10, json={"schemas": [PATCH], "Operations": [
                    {"op": "Replace", "path": "active", "value": "False"}]})
                assert r.status_code == 200, r.text
                with acked.lock:
                    acked.disabled.add(name)
                    acked.acknowledge()
            acked.in_flight.pop(name, None)
            i += 1
    except requests.RequestException:
        return  # the server was killed under this request: its outcome is unknown, and not counted
    except AssertionError as exc:
        with acked.lock:
            acked.errors.append(str(exc))
    finally:
        acked.ready.set()  # a writer that stops (error or kill) wakes the waiting test
        s.close()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """CrashPlan Cloud (blocks at once on a SCIM deactivation), a one-minute deactivation delay."""
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump({
        "name": "durability", "plan": "crashplan-cloud", "deactivation_delay_minutes": DELAY_MINUTES,
        "root_org": {"name": "Acme"}, "orgs": [{"name": "Provisioned"}],
        "org_mapping": {"method": "DEFAULT", "default_org": "Provisioned"}, "role_mapping": {"method": "NONE"},
    }))
    return path


def test_sigkill_mid_load_loses_no_acknowledged_write_or_pending_deactivation(tmp_path: Path, profile: Path) -> None:
    kill_mid_load_and_restart(tmp_path, profile)


def test_the_check_catches_pending_deactivations_lost_on_restart(tmp_path: Path, profile: Path) -> None:
    """The same run against the fault that keeps pending deactivations in memory must fail the check."""
    with pytest.raises(AssertionError, match="pending deactivations missing"):
        kill_mid_load_and_restart(tmp_path, profile, faults=("pending_deactivations_lost_on_restart",))


def kill_mid_load_and_restart(tmp_path: Path, profile: Path, faults: tuple[str, ...] = ()) -> None:
    db = tmp_path / "code42.db"
    first = Served(db, profile, faults)
    try:
        started_at = first.clock()  # the VirtualClock never moves in this process: every write happens here
        acked, stop = Acked(), threading.Event()
        writers = [threading.Thread(target=_writer, args=(n, first.scim, acked, stop)) for n in range(WRITERS)]
        for w in writers:
            w.start()
        # Wait on the load itself (enough acknowledged writes, or a writer gone), never on a time budget;
        # the timeout only bounds a hang.
        acked.ready.wait(timeout=HANG_GUARD_SECONDS)
        first.proc.kill()  # SIGKILL while the writers are mid-request
        for w in writers:
            w.join(timeout=30)
    finally:
        stop.set()
        first.stop(signal.SIGKILL)
    assert acked.errors == []
    assert acked.count >= ACKS_BEFORE_KILL and acked.disabled, "the load did not get going before the kill"

    # Straight from the file, before anything reopens it: every acknowledged disable left a pending row.
    with sqlite3.connect(db) as conn:
        pending_uids = {r[0] for r in conn.execute("SELECT user_uid FROM c42_pending_deactivations")}
        uid_of = dict(conn.execute("SELECT username, user_uid FROM c42_users"))
    missing = {uid_of.get(name) for name in acked.disabled} - pending_uids
    assert not missing, f"{len(missing)} acknowledged pending deactivations missing from the file"

    second = Served(db, profile, faults)
    try:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {TOKEN}"
        for name, title in acked.titles.items():
            r = s.get(f"{second.scim}/Users/{acked.ids[name]}", timeout=10)
            assert r.status_code == 200, f"acknowledged user {name} lost: {r.status_code}"
            unanswered = acked.in_flight.get(name)  # committed or not: either outcome is allowed
            assert r.json()["title"] in (title, unanswered), f"{name}: acknowledged {title!r}, found {r.json()['title']!r}"
            if unanswered != "disable":
                assert r.json()["active"] is (name not in acked.disabled)
        s.close()

        users = second.admin_users()
        for name in acked.disabled:  # blocked at once, not yet deactivated: the deactivation is pending
            assert users[name]["blocked"] is True and users[name]["active"] is True, users[name]
        due = started_at + timedelta(minutes=DELAY_MINUTES)
        before_due = (due - second.clock()).total_seconds() - 1
        assert before_due > 0, "the restart took longer than the deactivation delay"
        second.advance(before_due)
        users = second.admin_users()
        assert all(users[name]["active"] for name in acked.disabled), "a deactivation fired early"

        second.advance(2)  # now past the due time
        users = second.admin_users()
        for name in acked.titles:
            if acked.in_flight.get(name) != "disable":
                assert users[name]["active"] is (name not in acked.disabled), users[name]
    finally:
        second.stop()
    assert second.proc.returncode == 0

"""A mixed SCIM workload for 8 client threads, and the ledger that proves no write was lost or torn.

pytest-free, so ``bench/bench_robustness.py`` runs the same workload at full size.

Why each thread owns its users: then the last write a thread had acknowledged for a user is, by
construction, what the server must show for it afterwards, and a read in between must show exactly
that write too. Every write stamps the same token into three attributes (``title``, ``nickName``,
the enterprise ``department``); a read that shows two different stamps is a torn write. Shared
groups take concurrent member PATCHes from all threads; each thread adds only members it does not
have yet and removes only ones it has, so every group PATCH changes the group and must get a version
no other write got.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_VERSION = re.compile(r'^W/"(\d+)"$')

#: (operation, weight): creates dominate early (a thread needs users before it can touch them).
MIX = (("create", 3), ("get", 3), ("filter", 2), ("patch", 3), ("put", 1), ("member_add", 2), ("member_remove", 1))


def version_number(etag: str | None) -> int:
    """``W/"7"`` → 7 (the mock's ETag form, store.etag); anything else is a protocol error."""
    match = _VERSION.match(etag or "")
    if not match:
        raise AssertionError(f"not a W/\"<n>\" version: {etag!r}")
    return int(match.group(1))


def user_doc(user_name: str, stamp: str) -> dict[str, Any]:
    """A User as Azure AD sends it, with ``stamp`` in the three attributes a torn write would split."""
    return {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "userName": user_name,
        "active": True,
        "title": stamp,
        "nickName": stamp,
        "emails": [{"type": "work", "value": user_name, "primary": True}],
        "name": {"givenName": "Load", "familyName": "Tester"},
        ENTERPRISE_URN: {"department": stamp},
    }


def stamps(doc: dict[str, Any]) -> tuple[Any, Any, Any]:
    return doc.get("title"), doc.get("nickName"), (doc.get(ENTERPRISE_URN) or {}).get("department")


@dataclass
class Owned:
    """What one thread knows about one of its users: the last acknowledged stamp and version."""

    id: str
    user_name: str
    stamp: str
    version: int


@dataclass
class LoadResult:
    """Everything the checks need: per-request statuses and latencies, and the acknowledged state."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    users: dict[str, Owned] = field(default_factory=dict)
    created: int = 0
    skipped: int = 0  # member operations with no candidate member (nothing sent)
    group_members: dict[str, set[str]] = field(default_factory=dict)
    group_versions: dict[str, list[int]] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _Client:
    """One thread's session: times every request and files anything unexpected as a problem."""

    def __init__(self, base: str, token: str, result: LoadResult, lock: threading.Lock):
        self.base = base
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
        self.result = result
        self.lock = lock
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()

    def call(self, method: str, path: str, expect: tuple[int, ...], **kwargs: Any) -> requests.Response | None:
        started = time.perf_counter()
        response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] += 1
        if response.status_code not in expect:
            self.problem(f"{method} {path}: {response.status_code} (expected {expect}) {response.text[:200]}")
            return None
        return response

    def problem(self, text: str) -> None:
        with self.lock:
            self.result.problems.append(text)


def setup_groups(base: str, token: str, count: int) -> list[str]:
    """``count`` empty groups every thread will PATCH members into."""
    ids = []
    with requests.Session() as s:
        for n in range(count):
            r = s.post(f"{base}/Groups", json={"schemas": [GROUP_URN], "displayName": f"load-group-{n}"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
            r.raise_for_status()
            ids.append(r.json()["id"])
    return ids


def _worker(n: int, ops: int, seed: int, client: _Client, groups: list[str], result: LoadResult,
            start: threading.Barrier) -> None:
    rng = random.Random(seed * 1000 + n)
    mine: list[Owned] = []
    memberships: dict[str, set[str]] = {g: set() for g in groups}
    group_seen: dict[str, int] = {}
    names, weights = zip(*MIX)
    skipped = 0
    start.wait()
    for i in range(ops):
        op = rng.choices(names, weights)[0] if mine else "create"
        stamp = f"t{n}-op{i}"
        if op == "create":
            _create(client, f"load-{seed}-{n}-{i}@example.com", stamp, mine)
            continue
        user = rng.choice(mine)  # drawn for every operation, so a seed replays the same sequence
        if op in ("get", "filter"):
            _read(op, client, user)
        elif op in ("patch", "put"):
            _write(op, client, user, stamp)
        elif not _change_member(op == "member_add", client, rng, groups, mine, memberships, group_seen, result):
            skipped += 1
    with client.lock:
        for user in mine:
            result.users[user.id] = user
        result.created += len(mine)
        result.skipped += skipped
        for group, members in memberships.items():
            result.group_members.setdefault(group, set()).update(members)
        result.latencies_ms.extend(client.latencies)
        result.statuses.update(client.statuses)
        result.requests += sum(client.statuses.values())


def _create(client: _Client, name: str, stamp: str, mine: list[Owned]) -> None:
    r = client.call("POST", "/Users", (201,), json=user_doc(name, stamp))
    if r is not None:
        doc = r.json()
        mine.append(Owned(doc["id"], name, stamp, version_number(r.headers.get("ETag"))))
        if mine[-1].version != 1:
            client.problem(f"new user {name} has version {mine[-1].version}")


def _read(op: str, client: _Client, user: Owned) -> None:
    if op == "get":
        r = client.call("GET", f"/Users/{user.id}", (200,))
        if r is not None:
            _check_read(client, user, r.json(), version_number(r.headers.get("ETag")))
        return
    r = client.call("GET", "/Users", (200,), params={"filter": f'userName eq "{user.user_name}"'})
    if r is not None:
        found = r.json().get("Resources", [])
        if [d.get("id") for d in found] != [user.id]:
            client.problem(f"filter for {user.user_name} found {[d.get('id') for d in found]}")
        else:
            _check_read(client, user, found[0], version_number(found[0]["meta"]["version"]))


def _write(op: str, client: _Client, user: Owned, stamp: str) -> None:
    if op == "patch":
        body = {"schemas": [PATCH_URN], "Operations": [
            {"op": "replace", "path": "title", "value": stamp},
            {"op": "replace", "path": "nickName", "value": stamp},
            {"op": "replace", "path": f"{ENTERPRISE_URN}:department", "value": stamp}]}
        r = client.call("PATCH", f"/Users/{user.id}", (200,), json=body)
    else:
        r = client.call("PUT", f"/Users/{user.id}", (200,), json=user_doc(user.user_name, stamp))
    if r is not None:
        version = version_number(r.headers.get("ETag"))
        if version <= user.version:
            client.problem(f"{op} of {user.id}: version {version} after {user.version}")
        if stamps(r.json()) != (stamp, stamp, stamp):
            client.problem(f"{op} of {user.id} answered {stamps(r.json())}, sent {stamp}")
        user.stamp, user.version = stamp, version


def _change_member(adding: bool, client: _Client, rng: random.Random, groups: list[str], mine: list[Owned],
                   memberships: dict[str, set[str]], group_seen: dict[str, int], result: LoadResult) -> bool:
    """Add a non-member of a random group, or remove a member; False when no user qualifies (skipped)."""
    group = rng.choice(groups)
    candidates = [u for u in mine if (u.id in memberships[group]) != adding]
    if not candidates:
        return False
    member = rng.choice(candidates)
    operation = ({"op": "add", "path": "members", "value": [{"value": member.id}]} if adding
                 else {"op": "remove", "path": f'members[value eq "{member.id}"]'})
    r = client.call("PATCH", f"/Groups/{group}", (200, 204), json={"schemas": [PATCH_URN],
                                                                    "Operations": [operation]})
    if r is not None:
        version = version_number(r.headers.get("ETag"))
        if version <= group_seen.get(group, 0):
            client.problem(f"group {group}: version {version} after {group_seen[group]} in one thread")
        group_seen[group] = version
        (memberships[group].add if adding else memberships[group].discard)(member.id)
        with client.lock:
            result.group_versions.setdefault(group, []).append(version)
    return True


def _check_read(client: _Client, user: Owned, doc: dict[str, Any], version: int) -> None:
    if stamps(doc) != (user.stamp,) * 3:
        client.problem(f"read of {user.id} shows {stamps(doc)}; last acknowledged write was {user.stamp}")
    if version != user.version:
        client.problem(f"read of {user.id} shows version {version}; last acknowledged write was {user.version}")


def run_mixed_load(base: str, token: str, *, threads: int = 8, ops: int = 100, groups: int = 4,
                   seed: int = 0) -> LoadResult:
    """``threads`` clients × ``ops`` mixed SCIM operations against ``base`` (``.../scim/v2``)."""
    result = LoadResult()
    group_ids = setup_groups(base, token, groups)
    for g in group_ids:
        result.group_members[g] = set()
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    clients = [_Client(base, token, result, lock) for _ in range(threads)]
    workers = [threading.Thread(target=_worker, args=(n, ops, seed, clients[n], group_ids, result, barrier))
               for n in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    for w in workers:
        w.join()
    result.elapsed_s = time.perf_counter() - started
    for c in clients:
        c.session.close()
    return result


def verify_final_state(base: str, token: str, result: LoadResult, users_before: int = 0) -> list[str]:
    """Read everything back: each acknowledged write, the user total, group members and versions."""
    problems: list[str] = []
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {token}"
        total = s.get(f"{base}/Users", params={"count": 0}, timeout=30).json()["totalResults"]
        if total != users_before + result.created:
            problems.append(f"{total} users on the server, {users_before} before + {result.created} created")
        for user in result.users.values():
            r = s.get(f"{base}/Users/{user.id}", timeout=30)
            if r.status_code != 200:
                problems.append(f"acknowledged user {user.id} is gone: {r.status_code}")
                continue
            if stamps(r.json()) != (user.stamp,) * 3 or version_number(r.headers.get("ETag")) != user.version:
                problems.append(f"user {user.id}: {stamps(r.json())} {r.headers.get('ETag')}, "
                                f"acknowledged {user.stamp} W/\"{user.version}\"")
        for group, expected in result.group_members.items():
            r = s.get(f"{base}/Groups/{group}", timeout=30)
            doc = r.json()
            members = {m["value"] for m in doc.get("members", [])}
            if members != expected:
                problems.append(f"group {group}: lost {sorted(expected - members)[:5]}, "
                                f"extra {sorted(members - expected)[:5]}")
            versions = result.group_versions.get(group, [])
            if len(set(versions)) != len(versions):
                problems.append(f"group {group}: two member PATCHes got the same version")
            if version_number(r.headers.get("ETag")) != 1 + len(versions):
                problems.append(f"group {group}: version {r.headers.get('ETag')} after {len(versions)} writes")
    return problems

"""Load and concurrency on the mock Code42 over real HTTP (waitress in a thread): no 5xx, no lost or torn
writes, versions strictly increasing, exactly one winner of a userName race, no lost group members.

Trimmed for CI (8 threads x 100 mixed operations); ``bench/bench_robustness.py`` runs 8 x 1,000.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from simulators.common.server import ServerThread
from tests.code42.conftest import SCIM_TOKEN, base_config, group_body, patch_body, user_body
from tests.robustness.workload import run_mixed_load, verify_final_state, version_number

AUTH = {"Authorization": f"Bearer {SCIM_TOKEN}", "Content-Type": "application/scim+json"}
THREADS = 8
CI_OPS_PER_THREAD = 100


@pytest.fixture
def server(waitress_app_factory) -> Any:
    """The Code42 rules on (the domain's hooks run inside every write), served by waitress, 8 threads."""
    app = waitress_app_factory(base_config(TESTING=False, SIM_CONTROL=False))
    with ServerThread(app, threads=THREADS) as running:
        yield running


def test_mixed_load_loses_and_tears_no_write(server) -> None:
    base = f"{server.url}/scim/v2"
    result = run_mixed_load(base, SCIM_TOKEN, threads=THREADS, ops=CI_OPS_PER_THREAD, seed=1)
    assert result.problems == []
    assert not [s for s in result.statuses if s >= 500], result.statuses
    assert result.requests + result.skipped == THREADS * CI_OPS_PER_THREAD
    assert result.created >= THREADS and sum(len(m) for m in result.group_members.values()) > 0
    assert verify_final_state(base, SCIM_TOKEN, result) == []
    # The checker itself can fail: a write acknowledged but not on the server is reported.
    some_user = next(iter(result.users.values()))
    some_user.stamp = "never-written"
    assert any("never-written" in p for p in verify_final_state(base, SCIM_TOKEN, result))


@pytest.mark.parametrize("round_", range(3))
def test_same_username_race_has_exactly_one_winner(server, round_: int) -> None:
    base = f"{server.url}/scim/v2"
    barrier = threading.Barrier(THREADS)
    answers: list[requests.Response] = []
    lock = threading.Lock()
    sessions = [requests.Session() for _ in range(THREADS)]
    for s in sessions:  # connect before the race so the POSTs leave together
        s.get(f"{base}/Users?count=0", headers=AUTH, timeout=10)

    def racer(s: requests.Session) -> None:
        barrier.wait()
        r = s.post(f"{base}/Users", json=user_body(f"race-{round_}@example.com"), headers=AUTH, timeout=30)
        with lock:
            answers.append(r)

    threads = [threading.Thread(target=racer, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [201] + [409] * (THREADS - 1)
    for r in answers:
        if r.status_code == 409:
            assert r.json()["scimType"] == "uniqueness" and r.json()["status"] == "409"
    listing = sessions[0].get(f"{base}/Users", params={"filter": f'userName eq "race-{round_}@example.com"'},
                              headers=AUTH, timeout=10).json()
    assert listing["totalResults"] == 1
    for s in sessions:
        s.close()


def test_concurrent_member_patches_on_one_group_lose_no_member(server) -> None:
    base = f"{server.url}/scim/v2"
    per_thread = 20
    with requests.Session() as s:
        s.headers.update(AUTH)
        group = s.post(f"{base}/Groups", json=group_body("one-hot-group")).json()["id"]
        users = [[s.post(f"{base}/Users", json=user_body(f"m{n}-{i}@example.com")).json()["id"]
                  for i in range(per_thread)] for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    versions: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()

    def member_writer(mine: list[str]) -> None:
        with requests.Session() as s:
            s.headers.update(AUTH)
            barrier.wait()
            for i, uid in enumerate(mine):
                r = s.patch(f"{base}/Groups/{group}", timeout=30, json=patch_body(
                    {"op": "add", "path": "members", "value": [{"value": uid}]}))
                with lock:
                    (versions.append(version_number(r.headers.get("ETag"))) if r.status_code in (200, 204)
                     else failures.append(f"{r.status_code} {r.text[:200]}"))
            for uid in mine[::5]:  # Azure AD's remove form
                r = s.patch(f"{base}/Groups/{group}", timeout=30, json=patch_body(
                    {"op": "remove", "path": f'members[value eq "{uid}"]'}))
                with lock:
                    (versions.append(version_number(r.headers.get("ETag"))) if r.status_code in (200, 204)
                     else failures.append(f"{r.status_code} {r.text[:200]}"))

    threads = [threading.Thread(target=member_writer, args=(mine,)) for mine in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    expected = {uid for mine in users for i, uid in enumerate(mine) if i % 5}
    doc = requests.get(f"{base}/Groups/{group}", headers=AUTH, timeout=10)
    assert {m["value"] for m in doc.json()["members"]} == expected
    assert sorted(versions) == list(range(2, 2 + len(versions)))  # every write got its own version, none skipped
    assert version_number(doc.headers["ETag"]) == 1 + len(versions)

"""Initial-cycle benchmark: the mock Azure AD engine provisions N users (with managers) and G groups
of M members into the mock Code42 — a separate waitress process on an SQLite file — over real HTTP.

Prints wall time, requests/s, the ratio to Azure's documented time for that size
(azure-ad-behaviour.md §7.11: "minimum minutes = 0.01 × N; maximum minutes = 0.08 × N, where N =
assigned users + groups + group members") and the ratio to a bare loopback request loop against the
same server (the ceiling: what requests + waitress + the Code42 mock can do with no engine at all).

    python bench/bench_azure_ad.py                       # 10,000 users, 500 groups of 20 (target <= 60 s)
    python bench/bench_azure_ad.py --users 1000 --groups 50

Not a test: numbers depend on the machine; nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.common.http_recording import RecordingSession

TOKEN = "bench-code42-token-" + uuid.uuid4().hex


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def start_code42(db: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": TOKEN}
    process = subprocess.Popen([sys.executable, "-m", "simulators.code42", "--port", "0", "--db", str(db),
                                "--threads", "8"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    for _ in range(100):
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/scim/v2)", line)
        if match:
            return process, match.group(1)
        if not line:
            break
    process.kill()
    raise SystemExit("the mock Code42 did not start")


def build_directory(users: int, groups: int, members: int, seed: int) -> Directory:
    directory = Directory(seed=seed)
    rng = random.Random(seed)
    ids: list[str] = []
    for i in range(users):
        # a management tree: user i reports to user (i - 1) // 10, created first
        manager = ids[(i - 1) // 10] if i else None
        user = directory.add_user(userPrincipalName=f"bench{i:06d}@contoso.example", manager=manager)
        ids.append(user.object_id)
        directory.assign(user.object_id)
    for g in range(groups):
        group = directory.add_group(f"Bench Group {g:04d}", members=rng.sample(ids, min(members, len(ids))))
        directory.assign(group.object_id)
    return directory


def loopback_rate(base: str, count: int) -> float:
    """Requests/s of a bare loop of Test-Connection-shaped queries (one connection, like the engine)."""
    session = requests.Session()
    session.trust_env = False  # as for the engine: no per-request proxy lookup on loopback
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/scim+json"}
    started = time.perf_counter()
    for _ in range(count):
        session.get(f"{base}/Users", params={"filter": f'userName eq "{uuid.uuid4()}"'}, headers=headers,
                    timeout=30).raise_for_status()
    return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--members", type=int, default=20, help="members per group (default 20)")
    parser.add_argument("--loopback-requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores; figures on a shared "
          "machine above ~1.5 are inflated by other work", flush=True)
    t0 = time.perf_counter()
    directory = build_directory(args.users, args.groups, args.members, args.seed)
    setup = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_code42(Path(tmp) / "code42.sqlite")
        try:
            session = RecordingSession(secrets=[TOKEN], timeout=60.0)
            # requests looks proxies up in os.environ on every call (trust_env): ~0.5 ms per request here,
            # a client-side artefact of the benchmark host, not of the engine or the mock; loopback has no proxy.
            session.trust_env = False
            engine = ProvisioningEngine(directory, base, TOKEN, flags=EngineFlags(request_timeout=60.0),
                                        session=session)
            server = psutil.Process(process.pid)
            cpu0, client0 = _cpu(server), time.process_time()
            started = time.perf_counter()
            cycle = engine.run_cycle()
            wall = time.perf_counter() - started
            server_cpu, client_cpu = _cpu(server) - cpu0, time.process_time() - client0
            requests_sent = len(engine.exchanges)
            failed = sum(1 for e in engine.exchanges if e.status is None or e.status >= 400)
            loop = loopback_rate(base, args.loopback_requests)
        finally:
            process.terminate()
            process.wait(timeout=15)

    n = args.users + args.groups + args.groups * min(args.members, args.users)
    azure_min, azure_max = 0.01 * n * 60, 0.08 * n * 60
    rate = requests_sent / wall
    print(f"size: {args.users} users (with managers), {args.groups} groups x {args.members} members; N = {n}")
    print(f"directory setup: {setup:.1f} s (not counted)")
    print(f"initial cycle: {wall:.1f} s wall, state {cycle.state}, {cycle.exports} exports, {cycle.failures} failures,"
          f" {requests_sent} requests ({failed} non-2xx), {rate:.0f} requests/s")
    print(f"Azure's documented initial cycle for N = {n} (§7.11): {azure_min / 60:.0f}-{azure_max / 60:.0f} min "
          f"-> this run is {azure_min / wall:.0f}x-{azure_max / wall:.0f}x faster")
    print(f"bare loopback loop against the same server: {loop:.0f} requests/s -> engine reaches "
          f"{rate / loop:.0%} of the ceiling")
    print(f"CPU per request: mock Code42 (server process) {server_cpu * 1000 / max(requests_sent, 1):.2f} ms, "
          f"engine + HTTP client (this process) {client_cpu * 1000 / max(requests_sent, 1):.2f} ms")
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")
    return 0 if cycle.state == "Succeeded" and not failed else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the mock Code42 SCIM server against scim2-server (the peer), side by side, in one run.

Not a test: it prints figures and whether each target holds (targets from the brief; method and
pitfalls from ../shared/docs/perf-anchors.md). Both servers run as child processes on loopback and
are stopped by their own PIDs. Run it alone on the machine; it saturates both cores.

    python bench/bench_code42.py --users 5000          # quick
    python bench/bench_code42.py                       # 100,000 users (several minutes)

Measured, for each server:
- load rate: POST /Users, 8 client threads spread over 4 processes;
- single-thread latency, p50/p99 over 200 samples after 50 warm-up requests: ``userName eq``
  (swapped case), ``externalId eq``, ``emails.value eq`` and GET by id; a metric that needs more than
  ``--max-seconds`` (the peer's unindexed ``emails.value`` scan) stops early and says how many it took;
- server RSS (psutil) after loading;
- mixed throughput: 60% GET by id, 20% userName filter, 10% POST, 10% PATCH, 8 threads over 4 processes,
  in ``--rounds`` rounds that alternate between the two servers (both stay loaded), median round counted.

The client is the standard library's ``http.client`` with one keep-alive connection per thread
(``--client requests`` for requests.Session, as perf-anchors.md used). Why: client and servers share the
machine's two cores, and requests spends about 0.3 ms of client CPU per request; with it, the clients
take CPU the server under test would otherwise use, and the figures measure the client as much as the
server. Both servers are measured with the same client in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

import psutil
import requests

TOKEN = "bench-token-not-a-secret"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TARGETS = {"filter_p50_ms": 1.0, "get_p50_ms": 0.8, "throughput_ratio": 3.0, "rss_mb": 150.0}


def user_payload(i: int, prefix: str = "bench") -> dict[str, Any]:
    name = f"{prefix}.user{i:07d}@example.com"
    return {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "userName": name,
        "externalId": f"{prefix}-ext-{i:07d}",
        "displayName": f"Bench User {i}",
        "name": {"givenName": "Bench", "familyName": f"User{i:07d}"},
        "emails": [{"type": "work", "value": name, "primary": True}],
        ENTERPRISE_URN: {"department": f"Dept{i % 50:02d}"},
    }


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mb(self) -> float:
        return psutil.Process(self.pid).memory_info().rss / 2**20

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process: per-request cost that other load on the machine
        does not inflate (unlike wall-clock rates)."""
        times = psutil.Process(self.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_ready(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}")
        try:
            if requests.get(f"{server.url}/Users?count=1", headers=server.headers, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {timeout}s")


def start_code42(db_path: str | None, threads: int | None = None) -> Server:
    """The mock on its default store (``--db :memory:``) unless ``db_path`` names a file."""
    port = free_port()
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": TOKEN}
    extra = ["--threads", str(threads)] if threads else []
    extra += ["--db", db_path] if db_path else []
    proc = subprocess.Popen([sys.executable, "-m", "simulators.code42", "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    server = Server("scimgate code42", f"http://127.0.0.1:{port}/scim/v2", proc,
                    {"Authorization": f"Bearer {TOKEN}"})
    wait_ready(server)
    return server


def start_peer() -> Server:
    exe = shutil.which("scim2-server", path=str(Path(sys.executable).parent)) or shutil.which("scim2-server")
    if exe is None:
        raise SystemExit("scim2-server is not installed (pip install -e '.[bench]')")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server("scim2-server", f"http://127.0.0.1:{port}", proc)
    wait_ready(server)
    return server


# ---------------------------------------------------------------- clients


class LeanResponse:
    def __init__(self, status: int, body: bytes):
        self.status_code = status
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class LeanSession:
    """The part of ``requests.Session`` this script uses, on one ``http.client`` keep-alive connection.

    http.client reopens the connection by itself when a server closes it after a response (scim2-server's
    wsgiref answers HTTP/1.0 and closes every connection).
    """

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def _request(self, method: str, url: str, params: dict[str, str] | None = None, json_body: Any = None) -> LeanResponse:
        parts = urlsplit(url)
        if self._conn is None:
            self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        target = parts.path + ("?" + urlencode(params) if params else "")
        body = json.dumps(json_body).encode() if json_body is not None else None
        self._conn.request(method, target, body=body, headers=self.headers)
        response = self._conn.getresponse()
        return LeanResponse(response.status, response.read())

    def get(self, url: str, params: dict[str, str] | None = None) -> LeanResponse:
        return self._request("GET", url, params)

    def post(self, url: str, json: Any) -> LeanResponse:
        return self._request("POST", url, json_body=json)

    def patch(self, url: str, json: Any) -> LeanResponse:
        return self._request("PATCH", url, json_body=json)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()


CLIENTS = {"http.client": LeanSession, "requests": requests.Session}


# ---------------------------------------------------------------- client workers (child processes)


def _load_worker(client: str, url: str, headers: dict[str, str], indices: list[int], threads: int,
                 out: Any) -> None:
    """POST the users ``indices`` with ``threads`` threads; send back (i, id) pairs and error count."""
    lock = threading.Lock()
    queue = list(indices)
    created: list[tuple[int, str]] = []
    errors = [0]

    def run() -> None:
        with CLIENTS[client]() as s:
            s.headers.update({**headers, "Content-Type": "application/scim+json"})
            while True:
                with lock:
                    if not queue:
                        return
                    i = queue.pop()
                r = s.post(f"{url}/Users", json=user_payload(i))
                with lock:
                    if r.status_code == 201:
                        created.append((i, r.json()["id"]))
                    else:
                        errors[0] += 1

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((created, errors[0]))


def _mixed_worker(client: str, url: str, headers: dict[str, str], users: list[tuple[int, str]], seconds: float, threads: int,
                  seed: int, out: Any) -> None:
    rng_lock = threading.Lock()
    counts = {"ok": 0, "err": 0}
    next_new = [seed * 10_000_000]

    def run(k: int) -> None:
        rng = random.Random(seed * 100 + k)
        end = time.perf_counter() + seconds
        ok = err = 0
        with CLIENTS[client]() as s:
            s.headers.update({**headers, "Content-Type": "application/scim+json"})
            while time.perf_counter() < end:
                roll = rng.random()
                i, uid = rng.choice(users)
                if roll < 0.6:
                    r = s.get(f"{url}/Users/{uid}")
                    good = r.status_code == 200
                elif roll < 0.8:
                    name = user_payload(i)["userName"].swapcase()
                    r = s.get(f"{url}/Users", params={"filter": f'userName eq "{name}"'})
                    good = r.status_code == 200 and r.json()["totalResults"] == 1
                elif roll < 0.9:
                    with rng_lock:
                        next_new[0] += 1
                        n = next_new[0]
                    r = s.post(f"{url}/Users", json=user_payload(n, prefix=f"mixed{seed}"))
                    good = r.status_code == 201
                else:
                    body = {"schemas": [PATCH_URN],
                            "Operations": [{"op": "replace", "path": "title", "value": f"T{rng.randint(0, 99)}"}]}
                    r = s.patch(f"{url}/Users/{uid}", json=body)
                    good = r.status_code in (200, 204)
                ok, err = ok + good, err + (not good)
        with rng_lock:
            counts["ok"] += ok
            counts["err"] += err

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((counts["ok"], counts["err"]))


def run_processes(target: Any, args_per_process: list[tuple]) -> list[Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, out)) for args in args_per_process]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return results


# ---------------------------------------------------------------- measurements


def load(client: str, server: Server, n: int, processes: int, threads: int) -> tuple[float, list[tuple[int, str]], int]:
    chunks = [list(range(k, n, processes)) for k in range(processes)]
    started = time.perf_counter()
    results = run_processes(_load_worker, [(client, server.url, server.headers, c, threads) for c in chunks])
    elapsed = time.perf_counter() - started
    created = sorted(pair for r in results for pair in r[0])
    errors = sum(r[1] for r in results)
    return len(created) / elapsed, created, errors


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (as perf-anchors.md uses)."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def latency(client: str, server: Server, users: list[tuple[int, str]], kind: str, samples: int, max_seconds: float,
            seed: int = 42) -> tuple[float, float, int]:
    """p50, p99 (ms) and the sample count of one request kind, single thread, after warm-up."""
    rng = random.Random(seed)
    picks = [rng.choice(users) for _ in range(samples + 50)]

    def request(s: Any, i: int, uid: str) -> None:
        payload = user_payload(i)
        if kind == "get":
            r = s.get(f"{server.url}/Users/{uid}")
            ok = r.status_code == 200
        else:
            attr, value = {"userName": ("userName", payload["userName"].swapcase()),
                           "externalId": ("externalId", payload["externalId"]),
                           "emails": ("emails.value", payload["userName"])}[kind]
            r = s.get(f"{server.url}/Users", params={"filter": f'{attr} eq "{value}"'})
            ok = r.status_code == 200 and r.json()["totalResults"] == 1
        if not ok:
            raise RuntimeError(f"{server.name} {kind}: {r.status_code} {r.text[:200]}")

    times: list[float] = []
    with CLIENTS[client]() as s:
        s.headers.update(server.headers)
        warm_end = time.perf_counter() + 2.0  # 50 warm-up requests, or 2 s of them for a slow scan
        for i, uid in picks[:50]:
            request(s, i, uid)
            if time.perf_counter() > warm_end:
                break
        budget_end = time.perf_counter() + max_seconds
        for i, uid in picks[50:]:
            t0 = time.perf_counter()
            request(s, i, uid)
            times.append((time.perf_counter() - t0) * 1000)
            if time.perf_counter() > budget_end:
                break
    return statistics.median(times), percentile(times, 99), len(times)


def mixed(client: str, server: Server, users: list[tuple[int, str]], seconds: float, processes: int,
          threads: int, first_seed: int = 1) -> tuple[float, int, int]:
    """req/s, errors and requests of one mixed round; seeds differ per round so POSTs never collide."""
    started = time.perf_counter()
    results = run_processes(_mixed_worker, [(client, server.url, server.headers, users, seconds, threads, first_seed + k)
                                            for k in range(processes)])
    elapsed = time.perf_counter() - started
    ok, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    return ok / min(elapsed, seconds + 1.0), errors, ok + errors


# ---------------------------------------------------------------- report


def report(args: argparse.Namespace, rows: dict[str, dict[str, Any]]) -> None:
    """Print the side-by-side table, the rounds and the targets (PASS/FAIL)."""
    ours = rows["scimgate code42"]
    peer = rows.get("scim2-server")
    print()
    print(f"N = {args.users:,} users; latency single-thread p50/p99 ms (n); "
          f"load and mixed with {args.processes} processes x {args.threads} threads; client {args.client}")
    print("stores: scimgate code42 on " + ("a SQLite file (--db PATH)" if args.file_db else
                                         "its default --db :memory: (a private file, unlinked)")
          + ("; scim2-server on its default in-memory storage" if peer else ""))
    header = f"{'metric':<30}{'scimgate code42':>24}{'scim2-server':>24}{'peer/ours':>12}"
    print(header)
    print("-" * len(header))

    def lat(row: dict[str, Any] | None, kind: str) -> str:
        if row is None:
            return "-"
        p50, p99, n = row[kind]
        return f"{p50:.3f}/{p99:.3f} ({n})"

    for kind, label in (("userName", "filter userName eq"), ("externalId", "filter externalId eq"),
                        ("emails", "filter emails.value eq"), ("get", "GET /Users/{id}")):
        ratio = f"{peer[kind][0] / ours[kind][0]:.1f}x" if peer else "-"
        print(f"{label:<30}{lat(ours, kind):>24}{lat(peer, kind):>24}{ratio:>12}")
    for key, label, fmt in (("load_rate", "load rate (users/s)", "{:,.0f}"), ("mixed", "mixed, median round (req/s)", "{:,.0f}"),
                            ("load_cpu_ms", "server CPU per POST (ms)", "{:.3f}"),
                            ("mixed_cpu_ms", "server CPU per mixed req (ms)", "{:.3f}"),
                            ("rss_mb", "RSS after load (MiB)", "{:,.1f}"),
                            ("rss_after_mb", "RSS after mixed (MiB)", "{:,.1f}")):
        mine, theirs = fmt.format(ours[key]), fmt.format(peer[key]) if peer else "-"
        if key in ("load_rate", "mixed") and peer:
            ratio = f"{ours[key] / peer[key]:.1f}x"
        elif (key.startswith("rss") or key.endswith("cpu_ms")) and peer:
            ratio = f"{peer[key] / ours[key]:.1f}x"
        else:
            ratio = "-"
        print(f"{label:<30}{mine:>24}{theirs:>24}{ratio:>12}")
    def rounds(row: dict[str, Any]) -> str:
        return " ".join(f"{r:,.0f}" for r in row["mixed_rounds"])

    print(f"mixed rounds (req/s, in turns): ours {rounds(ours)}" + (f"; peer {rounds(peer)}; per-round ratio "
          + " ".join(f"{a / b:.1f}x" for a, b in zip(ours["mixed_rounds"], peer["mixed_rounds"])) if peer else ""))
    print(f"errors: load {ours['load_errors']} / {peer['load_errors'] if peer else '-'}, "
          f"mixed {ours['mixed_errors']} / {peer['mixed_errors'] if peer else '-'}")
    print()
    checks = [
        (f"filter p50 <= {TARGETS['filter_p50_ms']} ms (all three)",
         all(ours[k][0] <= TARGETS["filter_p50_ms"] for k in ("userName", "externalId", "emails"))),
        (f"GET by id p50 <= {TARGETS['get_p50_ms']} ms", ours["get"][0] <= TARGETS["get_p50_ms"]),
        (f"RSS <= {TARGETS['rss_mb']:.0f} MiB", max(ours["rss_mb"], ours["rss_after_mb"]) <= TARGETS["rss_mb"]),
    ]
    if peer:
        checks.append((f"mixed throughput >= {TARGETS['throughput_ratio']}x the peer",
                       ours["mixed"] >= TARGETS["throughput_ratio"] * peer["mixed"]))
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")
    if args.users < 100_000:
        print(f"(targets are set for 100,000 users; this run had {args.users:,})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000, help="users to load (default 100,000)")
    parser.add_argument("--samples", type=int, default=200, help="latency samples per metric (default 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of one mixed round (default 20 s)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="mixed rounds per server, taken in turns with the peer; the median counts (default 3)")
    parser.add_argument("--max-seconds", type=float, default=20.0,
                        help="time budget per latency metric; slow scans stop early (default 20 s)")
    parser.add_argument("--processes", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per client process (default 2)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="http.client",
                        help="HTTP client of the load, latency and mixed phases (default http.client; see above)")
    parser.add_argument("--server-threads", type=int, help="waitress threads of the mock (default: serve's own)")
    parser.add_argument("--no-peer", action="store_true", help="measure only the mock")
    parser.add_argument("--file-db", action="store_true",
                        help="run the mock on a SQLite file instead of its default store (--db :memory:)")
    args = parser.parse_args(argv)

    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores; figures on a shared "
          "machine above ~1.5 are inflated by other work", flush=True)
    tmp = tempfile.mkdtemp(prefix="bench-code42-")
    servers: dict[str, Server] = {}
    users: dict[str, list[tuple[int, str]]] = {}
    rows: dict[str, dict[str, Any]] = {}
    try:
        db_path = os.path.join(tmp, "c42.db") if args.file_db else None
        candidates = [("scimgate code42", lambda: start_code42(db_path, args.server_threads))]
        if not args.no_peer:
            candidates.append(("scim2-server", start_peer))
        for name, start in candidates:
            print(f"[{name}] starting, loading {args.users:,} users ...", flush=True)
            server = servers[name] = start()
            cpu0 = server.cpu_seconds()
            rate, users[name], errors = load(args.client, server, args.users, args.processes, args.threads)
            rows[name] = {"load_rate": rate, "load_errors": errors, "rss_mb": server.rss_mb(),
                          "load_cpu_ms": (server.cpu_seconds() - cpu0) * 1000 / max(len(users[name]), 1),
                          "mixed_rounds": [], "mixed_errors": 0, "mixed_cpu": 0.0, "mixed_done": 0}
            print(f"[{name}] loaded at {rate:,.0f} users/s", flush=True)
        # Both servers stay up from here on and take turns, so a slow spell of this shared machine
        # falls on both sides of each comparison instead of on whichever server ran during it.
        for kind in ("userName", "externalId", "emails", "get"):
            for name, server in servers.items():
                rows[name][kind] = p50, p99, n = latency(args.client, server, users[name], kind, args.samples,
                                                         args.max_seconds)
                print(f"[{name}] {kind}: p50 {p50:.3f} ms p99 {p99:.3f} ms (n={n})", flush=True)
        for round_ in range(args.rounds):
            order = list(servers.items()) if round_ % 2 == 0 else list(servers.items())[::-1]
            for name, server in order:
                row = rows[name]
                cpu0 = server.cpu_seconds()
                rate, errors, done = mixed(args.client, server, users[name], args.seconds, args.processes,
                                           args.threads, first_seed=100 * round_ + 1)
                row["mixed_rounds"].append(rate)
                row["mixed_errors"] += errors
                row["mixed_done"] += done
                row["mixed_cpu"] += server.cpu_seconds() - cpu0
                print(f"[{name}] mixed round {round_ + 1}/{args.rounds}: {rate:,.0f} req/s", flush=True)
        for name, server in servers.items():
            row = rows[name]
            row["mixed"] = statistics.median(row["mixed_rounds"])
            row["mixed_cpu_ms"] = row["mixed_cpu"] * 1000 / max(row["mixed_done"], 1)
            row["rss_after_mb"] = server.rss_mb()
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    report(args, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

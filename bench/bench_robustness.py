"""Full-size load on the mock Code42: 8 client threads x 1,000 mixed SCIM operations against
``python -m simulators.code42`` (waitress, its own process), printing the sustained request rate and
latency percentiles, then proving no write was lost or torn (the same ledger checks as
``tests/robustness/test_load.py``, which runs this workload trimmed to 8 x 100).

Run it on a quiet machine (``uptime`` load below about 1.5): the clients share the cores with the
server, so a busy machine measures the neighbours. Usage::

    python bench/bench_robustness.py                 # 8 x 1000
    python bench/bench_robustness.py --ops 250       # reduced size
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout (tests/ is not installed)

from tests.robustness.workload import run_mixed_load, verify_final_state

TOKEN = "bench-robustness-token"


def serve(db: str, threads: int) -> tuple[subprocess.Popen, str]:
    """Start the mock in its own process; returns it and its SCIM base URL."""
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "simulators.code42", "--port", "0", "--db", db,
                             "--threads", str(threads)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline().strip()  # type: ignore[union-attr]
    if not line.startswith("mock Code42 SCIM base URL: "):
        proc.kill()
        raise SystemExit(f"the mock did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--ops", type=int, default=1000, help="mixed operations per thread (default 1000)")
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--db", default=":memory:", help="SQLite file or :memory: (default)")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    proc, base = serve(args.db, args.server_threads)
    try:
        started = time.perf_counter()
        result = run_mixed_load(base, TOKEN, threads=args.threads, ops=args.ops, seed=7)
        wall = time.perf_counter() - started
        problems = result.problems + verify_final_state(base, TOKEN, result)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    five_xx = sum(n for status, n in result.statuses.items() if status >= 500)
    print(f"load before start (1 min avg): {load:.2f}")
    print(f"clients: {args.threads} threads x {args.ops} mixed ops; server: waitress, {args.server_threads} threads")
    print(f"requests: {result.requests} in {result.elapsed_s:.1f} s (+{wall - result.elapsed_s:.1f} s set-up)")
    print(f"sustained rate: {result.rate:.0f} req/s")
    print(f"latency ms: p50 {result.percentile(50):.1f}  p90 {result.percentile(90):.1f}  "
          f"p99 {result.percentile(99):.1f}  max {max(result.latencies_ms, default=0):.1f}")
    print(f"statuses: {dict(sorted(result.statuses.items()))}; 5xx: {five_xx}")
    print(f"users created: {result.created}; group members at the end: "
          f"{sum(len(m) for m in result.group_members.values())}; group writes: "
          f"{sum(len(v) for v in result.group_versions.values())}")
    print(f"lost/torn/out-of-order writes: {len(problems)}")
    for problem in problems[:20]:
        print(f"  {problem}")
    return 1 if problems or five_xx else 0


if __name__ == "__main__":
    sys.exit(main())

"""Suite wall time in simulation, and how much live waits overlap. Not a test: prints figures.

1. The bundled scenario suite against the in-process mock (virtual time), with and without
   ``-n 2`` (pytest-xdist). Target: the whole suite in <= 15 s on the 2-core dev machine.
2. Live mode: ten scenarios that each wait out a 1-minute deactivation delay on the mock Code42
   served on a real clock, run with ``--concurrency 10``. Sequential would be ~10 x the delay; the
   figure to watch is wall time / delay (target: < 2).

    python bench/bench_suite.py              # both
    python bench/bench_suite.py --no-live    # simulation only (~30 s)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "harness"))  # the served-mock launcher the live tests use

SIM_TARGET_SECONDS = 15.0


def _pytest(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, str, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    return time.perf_counter() - started, (done.stdout.strip().splitlines() or ["?"])[-1], done.returncode


def simulation() -> None:
    scenarios = ROOT / "scenarios"
    count = sum(1 for p in scenarios.rglob("*.yaml") if "profiles" not in p.parts)
    for label, extra in (("1 process", []), ("-n 2", ["-n", "2"])):
        wall, summary, _ = _pytest([str(scenarios), *extra])
        verdict = "OK" if wall <= SIM_TARGET_SECONDS else f"OVER the {SIM_TARGET_SECONDS:.0f} s target"
        print(f"simulation, {count} scenarios, {label:<10} {wall:6.1f} s  ({summary})  {verdict}", flush=True)


def live(count: int) -> None:
    from served import LIVE_1M, served_code42
    from test_harness_live import DELAY, DELAYED

    with tempfile.TemporaryDirectory(prefix="scimgate-bench-") as work:
        suite = Path(work) / "suite"
        suite.mkdir()
        for n in range(count):
            (suite / f"s{n:02d}.yaml").write_text(DELAYED.format(n=n), encoding="utf-8")
        with served_code42() as served:
            wall, summary, _ = _pytest([str(suite), "--scenarios", str(suite), *served.args(), "--profile", str(LIVE_1M),
                                        "--concurrency", str(count), "--progress-interval", "0"],
                                       env=served.env(), cwd=Path(work))
    print(f"live, {count} delayed checks of {DELAY:.0f} s, --concurrency {count}: {wall:.1f} s "
          f"= {wall / DELAY:.2f} x the delay (sequential would be ~{count} x)  ({summary})  "
          f"{'OK' if wall < 2 * DELAY else 'OVER the 2 x target'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-live", action="store_true", help="skip the live-mode figure (it takes ~70 s)")
    parser.add_argument("--checks", type=int, default=10, help="delayed checks in the live figure (default 10)")
    args = parser.parse_args(argv)
    simulation()
    if not args.no_live:
        live(args.checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())

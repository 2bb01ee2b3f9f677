"""Compute the fault matrix: for each mock Code42 fault, the bundled scenarios that fail with it on.

Not a test: it prints the matrix and the faults no scenario catches, and with ``--python`` the
``caught_by`` lists to paste into ``simulators/code42/faults.py`` (the catalogue says which scenario
proves each deviation is caught; ``tests/harness/test_fault_detection.py`` checks it stays true).

    python bench/fault_matrix.py                 # all faults, 2 worker processes
    python bench/fault_matrix.py --fault deactivate_at_once --jobs 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from harness.faultmatrix import baseline, load_suite, matrix
from simulators.code42.domain.faults import FAULTS
from simulators.common.bundled import data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", action="append", choices=sorted(FAULTS), help="only these faults (repeatable)")
    parser.add_argument("--scenarios", type=Path, action="append", help="scenario folders (default: bundled)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--python", action="store_true", help="print caught_by lists as Python")
    parser.add_argument("--why", action="store_true", help="print each failing scenario's first message line")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenarios = load_suite(args.scenarios or [data_dir("scenarios")])
    good, bad = baseline(scenarios)
    print(f"{len(scenarios)} scenarios; {len(good)} pass with no fault on"
          + (f"; left out (fail with no fault): {', '.join(bad)}" if bad else ""), flush=True)
    faults = args.fault or sorted(FAULTS)

    def show(r) -> None:
        print(f"{r.fault:<40} {len(r.caught_by):>3} caught_by: {', '.join(r.caught_by) or '-'}"
              + (f"  (broken: {', '.join(r.broken)})" if r.broken else "")
              + (f"  (also fail without it: {', '.join(r.unattributable)})" if r.unattributable else ""), flush=True)
        if args.why:
            for sid, message in r.why.items():
                print(f"    {sid}: {message.splitlines()[0][:160] if message else ''}", flush=True)

    rows = matrix(faults, good, jobs=args.jobs, progress=show)
    missed = [r.fault for r in rows if not r.caught_by]
    print(f"\nfaults caught: {len(rows) - len(missed)}/{len(rows)}"
          f"  ({time.perf_counter() - started:.1f}s, {args.jobs} jobs)")
    if missed:
        print(f"not caught by any scenario: {', '.join(missed)}")
    if args.python:
        print()
        for r in rows:
            print(f"    {r.fault!r}: {r.caught_by!r},")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``scimgate`` command (filled in by the harness issue)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("scimgate: no commands yet", file=sys.stderr)
    return 2

"""JUnit XML that tells a broken scenario from a failed one.

Why a rewrite of pytest's file: pytest writes every exception raised by a test as ``<failure>``; a CI
system reading JUnit must see that a scenario the run could not judge (target unreachable,
credentials rejected, configuration or harness error) is an ``<error>``, not a product defect. Each
scenario's testcase carries its verdict category as a ``category`` property (set by the pytest glue);
this module turns the ``<failure>`` of a broken category into an ``<error>`` and fixes the counts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path


def _category(testcase: ET.Element) -> str | None:
    for prop in testcase.iter("property"):
        if prop.get("name") == "category":
            return prop.get("value")
    return None


def mark_broken_as_errors(path: Path, broken: Iterable[str]) -> int:
    """Rewrite ``path`` in place; returns how many testcases became errors."""
    broken = frozenset(broken)
    tree = ET.parse(path)
    changed = 0
    for suite in tree.getroot().iter("testsuite"):
        moved = 0
        for testcase in suite.iter("testcase"):
            failure = testcase.find("failure")
            if failure is not None and _category(testcase) in broken:
                failure.tag = "error"
                moved += 1
        if moved:
            suite.set("failures", str(int(suite.get("failures", "0")) - moved))
            suite.set("errors", str(int(suite.get("errors", "0")) + moved))
            changed += moved
    if changed:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return changed

"""Third-party conformance: scim2-tester (the ``scim2 test`` command of scim2-cli) against the served mock.

Two runs over real HTTP:

1. the plain RFC 7644 service provider (``RULES="none"``): every check passes, except the ones in
   :data:`KNOWN_GAPS`;
2. the Code42 mock with its default profile: every failure must be one of :data:`DELIBERATE`, the
   documented Code42 behaviours a generic checker cannot know about.

Both tables are kept honest in both directions: an unexplained failure fails the test, and so does a
table entry that no longer explains any failure (delete it then).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulators.code42.app import create_app
from simulators.common.server import ServerThread
from tests.code42.conftest import SCIM_TOKEN, base_config

_SCIM2 = shutil.which("scim2", path=str(Path(sys.executable).parent)) or shutil.which("scim2")
_RESULT = re.compile(r"^(SUCCESS|COMPLIANT|ACCEPTABLE|DEVIATION|ERROR|CRITICAL|SKIPPED) (\w+)$")
_PASSING = {"SUCCESS", "COMPLIANT", "ACCEPTABLE"}

#: Failures of the plain service provider that are gaps in scimgate, not protocol choices.
KNOWN_GAPS: dict[str, str] = {}

#: Failures of the Code42 mock that are Code42's documented behaviour.
DELIBERATE: dict[str, str] = {
    r"is not an email address \(USERNAME_NOT_AN_EMAIL\)":
        "Code42 cloud usernames must be email addresses (code42-behaviour.md §3.10, USERNAME_NOT_AN_EMAIL); "
        "scim2-tester sends random UUIDs as userName.",
    r"still exists after deletion":
        "Code42 does not delete users: 'Code42 does not support the delete option' (PingFederate); the default "
        "profile switch delete_users=deactivate-204 deactivates and keeps the user.",
}


def run_scim2_tester(config: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Serve ``create_app(config)`` and run ``scim2 test``; returns ``(status, check, reason)`` per check."""
    assert _SCIM2, "the scim2 command (scim2-cli, test extra) is not installed"
    app = create_app(config)
    env = {**os.environ, "SCIM_CLI_HEADERS": f"Authorization: Bearer {SCIM_TOKEN}", "NO_COLOR": "1"}
    with ServerThread(app) as server:
        proc = subprocess.run([_SCIM2, "--url", f"{server.url}/scim/v2", "test"], capture_output=True, text=True,
                              env=env, timeout=300, check=False)
    app.extensions["scimgate"].store.close()
    results: list[tuple[str, str, str]] = []
    for line in proc.stdout.splitlines():
        match = _RESULT.match(line)
        if match:
            results.append((match[1], match[2], ""))
        elif results and line.startswith(" "):
            status, check, reason = results[-1]
            results[-1] = (status, check, (reason + " " + line.strip()).strip())
    assert len(results) > 40, f"scim2 test produced too few results:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return results


def unexplained(results: list[tuple[str, str, str]], table: dict[str, str]) -> tuple[list[str], set[str]]:
    """Failures no table entry explains, and table entries that explained nothing."""
    used: set[str] = set()
    left: list[str] = []
    for status, check, reason in results:
        if status in _PASSING:
            continue
        hits = [pattern for pattern in table if re.search(pattern, reason)]
        used.update(hits)
        if not hits:
            left.append(f"{status} {check}: {reason}")
    return left, set(table) - used


_EMAIL, _DELETE = DELIBERATE


@pytest.mark.slow
@pytest.mark.parametrize("config,expected,min_passing", [
    pytest.param(base_config(RULES="none"), KNOWN_GAPS, 130, id="plain-rfc7644"),
    pytest.param(base_config(), {_EMAIL: DELIBERATE[_EMAIL]}, 25, id="code42-default"),
    # Code42's field rules (email userName, ISO alpha-2 country) switched off through their faults, so
    # scim2-tester's random users get in and every user check runs through the Code42 hooks too.
    pytest.param(base_config(FAULTS=["username_email_not_enforced", "country_not_validated"]),
                 {_DELETE: DELIBERATE[_DELETE]}, 120, id="code42-field-rules-off"),
])
def test_scim2_tester_fails_only_where_explained(config: dict[str, Any], expected: dict[str, str],
                                                  min_passing: int) -> None:
    results = run_scim2_tester(config)
    left, stale = unexplained(results, {**KNOWN_GAPS, **DELIBERATE})
    assert left == [], "\n".join(left)
    assert stale & set(expected) == set(), f"table entries that explain nothing any more: {stale & set(expected)}"
    passing = sum(status in _PASSING for status, _, _ in results)
    assert passing >= min_passing, f"only {passing} checks passed"

"""The bundled suite in live mode against independent SCIM servers from PyPI, judged by their tables.

Why: "checks any real SCIM implementation" is only true if an RFC-conformant server gets RFC verdicts.
Each server runs as its own process on loopback; the suite goes through the live path with the
``rfc-scim`` profile (the target is not Code42). Its verdicts must equal the checked-in table
``expected/<server>.yaml`` exactly: a verdict the table does not explain, or an entry that no longer
occurs, fails. Afterwards nothing carrying the run prefix may remain, checked by paging through
every User and Group (not by filter).
"""

from __future__ import annotations

import secrets

import pytest
from peer_servers import django_scim2, scim2_server
from suite_runner import judge, load_table, prefixed_objects, run_suite

SEED = 20261206  # the shuffle; a failure message names it, so a run can be repeated


@pytest.mark.parametrize("server", ["scim2-server", "django-scim2"])
def test_suite_verdicts_match_the_table_and_nothing_is_left(server, tmp_path):
    table = load_table(server)
    prefix = "sgpeer" + secrets.token_hex(2)
    starts = {"scim2-server": scim2_server, "django-scim2": lambda: django_scim2(tmp_path)}
    with starts[server]() as peer:
        values = peer.values(profile=table["profile"], run_prefix=prefix)
        run = run_suite(values, SEED)
        left = prefixed_objects(values)
    problems = judge(run, table)
    assert not problems, (f"{peer.name}, seed {SEED}: the verdicts differ from tests/live/expected/{server}.yaml:\n"
                          + "\n".join(problems))
    assert not run.final_sweep.leaked and not run.final_sweep.failed, run.final_sweep.summary()
    assert left == [], f"{peer.name}: objects with the run prefix {prefix} remain after the run: {left}"
    counts = {s: sum(1 for r in run.records.values() if r.status == s) for s in ("passed", "failed", "skipped", "broken")}
    assert counts["broken"] == 0 and counts["passed"] > 0, counts


def test_a_table_entry_that_no_longer_occurs_is_reported():
    """The judge itself: a stale entry, an unexplained failure and an uncited entry are all named."""
    from suite_runner import SuiteRun

    from harness.cleanup import CleanupReport
    from harness.record import ScenarioRecord, StepRecord

    failed = ScenarioRecord("a/fails", "t", status="failed", message="then[0] scim.request: x")
    failed.steps.append(StepRecord("then", 0, "scim.request", "then[0] scim.request", 3, status="failed"))
    run = SuiteRun(1, ["a/fails", "a/passes"], {"a/fails": failed, "a/passes": ScenarioRecord("a/passes", "t")},
                   CleanupReport("p"))
    table = {"failed": {"a/passes": {"steps": ["then[0] scim.request"], "breaks": "RFC 7644 §3.3"},
                        "a/fails": {"steps": ["then[0] scim.request"], "breaks": "no citation"}}}
    problems = judge(run, table)
    assert any(p.startswith("a/passes: passed") for p in problems), problems
    assert any("a/fails: the table's failed entry cites no RFC" in p for p in problems), problems
    assert len(judge(run, {})) == 1  # the failure the table does not explain

"""The whole bundled suite in live mode against one served mock Code42, twice, in shuffled orders.

Why: a CI gate points at a long-lived tenant. A run must leave it fit for the next run and for the next
scenario whatever the order: no credential changed (destructive steps are refused without consent), no
prefixed object left in service, no verdict that depends on what ran before. The server is
``scimgate serve code42 --sim-control`` exactly as a user starts it, without ``--profile``: the served
mock's default configuration is the harness's default profile. Both runs talk to the same process.
"""

from __future__ import annotations

import re

from peer_servers import served_code42
from suite_runner import prefixed_objects, run_suite

#: Every reason a scenario may be skipped with against this target; anything else is unexplained.
NAMED_SKIPS = re.compile(r"the scenario needs the tenant configured with|is destructive: it changes the tenant's "
                         r"credentials|code42\.restart needs the in-process mock")


def test_suite_passes_twice_on_one_served_mock_in_shuffled_orders():
    with served_code42() as peer:
        runs = []
        for n, seed in enumerate((11, 29), 1):
            values = peer.values(run_prefix=f"sgtwice{n}")
            run = run_suite(values, seed)
            runs.append((run, prefixed_objects(values)))
    assert runs[0][0].order != runs[1][0].order, "the two runs should not share an order"
    for run, left in runs:
        bad = {sid: f"{r.status}: {r.message[:300]}" for sid, r in run.records.items() if r.status in ("failed", "broken")}
        assert not bad, f"seed {run.seed}: {len(bad)} scenarios failed or broke: {bad}"
        unnamed = {sid: r.skip_reason[:200] for sid, r in run.records.items()
                   if r.status == "skipped" and not NAMED_SKIPS.search(r.skip_reason)}
        assert not unnamed, f"seed {run.seed}: skipped without a named reason: {unnamed}"
        assert sum(r.status == "passed" for r in run.records.values()) >= 40
        assert not run.final_sweep.leaked and not run.final_sweep.failed, run.final_sweep.summary()
        in_service = [x for x in left if "(active False)" not in x]  # Code42 keeps deactivated users
        assert in_service == [], f"seed {run.seed}: prefixed objects still in service: {in_service}"

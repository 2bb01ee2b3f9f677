"""Failure handling on virtual time: 429, 5xx, timeouts, escrows, quarantine, accidental deletions."""

from __future__ import annotations

from datetime import timedelta


def _assigned_users(directory, n):
    users = [directory.add_user() for _ in range(n)]
    for u in users:
        directory.assign(u.object_id)
    return users


def test_429_next_cycle_policy_escrows_then_retries(make_engine, directory, target, clock):
    sp, _ = target
    _assigned_users(directory, 1)
    sp.fail("POST", "/scim/v2/Users", 429, Retry_After="120")
    engine = make_engine()
    before = clock.now()
    cycle = engine.run_cycle()
    assert cycle.failures == 1 and clock.now() == before  # no waiting at all
    assert engine.logs[-1].error_code == "TooManyRequests"
    clock.advance(40 * 60)
    engine.run_due()
    assert engine.escrows == {} and len(sp.users) == 1


def test_429_honour_policy_waits_on_the_virtual_clock(make_engine, directory, target, clock):
    sp, _ = target
    _assigned_users(directory, 1)
    sp.fail("POST", "/scim/v2/Users", 429, Retry_After="120")
    engine = make_engine(retry_after_policy="honour")
    before = clock.now()
    cycle = engine.run_cycle()
    assert cycle.failures == 0 and len(sp.users) == 1
    assert clock.now() - before == timedelta(seconds=120)
    posts = [e.status for e in engine.exchanges if e.method == "POST"]
    assert posts == [429, 201]


def test_500_immediate_retry_flag_and_timeout_escrow(make_engine, directory, target, clock):
    sp, _ = target
    _assigned_users(directory, 2)
    sp.fail("POST", "/scim/v2/Users", 503, times=1)
    engine = make_engine(immediate_retries=1)
    assert engine.run_cycle().failures == 0
    assert [e.status for e in engine.exchanges if e.method == "POST"] == [503, 201, 201]
    u3 = directory.add_user()
    directory.assign(u3.object_id)
    sp.fail("GET", "/scim/v2/Users", 200, delay=3.0, times=3)  # slower than the 2 s request timeout
    clock.advance(2400)
    cycle = engine.run_cycle()
    assert cycle.state == "Failed" and engine.status()["code"] == "Quarantine"
    assert "Timeout" in (engine.exchanges[-1].error or "")


def test_credentials_failure_quarantines_with_schedule_and_email(make_engine, directory, target, clock):
    sp, _ = target
    _assigned_users(directory, 1)
    engine = make_engine(notification_email="ops@contoso.example")
    sp.token = "rotated"
    t0 = clock.now()
    engine.run_cycle()
    status = engine.status()
    assert status["code"] == "Quarantine"
    assert status["quarantine"]["reason"] == "EncounteredQuarantineException"
    assert engine.next_cycle_at == t0 + timedelta(hours=6)
    assert status["notifications"][0]["to"] == "ops@contoso.example"
    clock.advance(40 * 60)
    assert engine.run_due() == []  # quarantined: no 40-minute cycle
    clock.advance(6 * 3600)
    engine.run_due()
    assert engine.next_cycle_at == t0 + timedelta(hours=12) and engine.status()["quarantine"]["seriesCount"] == 2
    assert len(engine.status()["notifications"]) == 1  # one email per entry / reason change
    sp.token = "s3cret-token-for-tests"
    clock.advance(6 * 3600)
    engine.run_due()
    assert engine.status()["code"] == "Active" and engine.status()["quarantine"] is None
    assert len(sp.users) == 1


def test_escrow_proportion_threshold_quarantines(make_engine, directory, target):
    sp, _ = target
    _assigned_users(directory, 5)
    sp.fail("POST", "/scim/v2/Users", 500, times=3)
    engine = make_engine(quarantine_min_failures=3, quarantine_total_failures=100, quarantine_absolute_failures=200)
    engine.run_cycle()
    status = engine.status()
    assert status["code"] == "Quarantine"
    assert status["quarantine"]["reason"] == "EncounteredEscrowProportionThreshold"
    assert status["escrowCount"] == 3


def test_accidental_deletion_threshold_stages_then_allow_deletes(make_engine, directory, target, clock):
    sp, _ = target
    users = _assigned_users(directory, 3)
    engine = make_engine(accidental_deletion_threshold=2)
    engine.run_cycle()
    for u in users:
        directory.unassign(u.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert len(engine.exchanges) == start + 2  # probes only: nothing disabled
    staged = [r for r in engine.logs if r.action == "StagedDelete"]
    assert len(staged) == 3
    assert engine.status()["quarantine"]["reason"] == "TooManyDeletes"
    assert all(u["active"] is True for u in sp.users.values())
    engine.allow_deletes()
    engine.run_due()
    assert all(u["active"] is False for u in sp.users.values())
    assert engine.status()["code"] == "Active"


def test_status_counts_and_steady_state(make_engine, directory, clock):
    _assigned_users(directory, 2)
    engine = make_engine()
    engine.run_cycle()
    clock.advance(2400)
    engine.run_due()
    status = engine.status()
    assert status["synchronizedEntryCountByType"] == [{"key": "User to User", "value": 2}]
    assert status["steadyStateFirstAchievedTime"] != "0001-01-01T00:00:00Z"
    assert status["lastExecution"]["state"] == "Succeeded"

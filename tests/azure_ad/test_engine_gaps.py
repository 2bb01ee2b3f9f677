"""Engine behaviours behind documented flags: the Switch-evaluates-to-null pitfall (opt-in), per-object
escrow retry backoff, and B2B ``#EXT#`` userPrincipalName presentation. Traffic goes over real HTTP
to the fake SP of conftest.py."""

from __future__ import annotations

from datetime import timedelta

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def patches(engine, start=0):
    return [e.request_body["Operations"] for e in engine.exchanges[start:] if e.method == "PATCH"]


def provisioned(make_engine, directory, **flags):
    user = directory.add_user(userPrincipalName="sam@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine(**flags)
    assert engine.run_cycle().state == "Succeeded"
    return engine, user


# ---------------------------------------------------------------------------------------------- Switch pitfall
def test_switch_pitfall_is_off_by_default(make_engine, directory, clock):
    engine, user = provisioned(make_engine, directory)
    directory.update_user(user.object_id, jobTitle="Lead")
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert patches(engine, start) == [[{"op": "Replace", "path": "title", "value": "Lead"}]]


def test_switch_pitfall_nulls_the_unchanged_switch_target(make_engine, directory, clock):
    engine, user = provisioned(make_engine, directory, switch_null_on_unchanged=True)
    directory.update_user(user.object_id, jobTitle="Lead")
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    # "no change to the attribute in the source tenant, but there is a change to another attribute in the
    # mappings, the switch statement is evaluated as 'null'": active (Switch([IsSoftDeleted], ...)) is removed
    assert patches(engine, start) == [[{"op": "Replace", "path": "title", "value": "Lead"},
                                       {"op": "Remove", "path": "active"}]]
    record = engine.logs[-1]
    assert {"displayName": "active", "oldValue": "True", "newValue": None} in record.modified_properties


def test_switch_pitfall_spares_a_switch_whose_source_changed(make_engine, directory, clock):
    engine, user = provisioned(make_engine, directory, switch_null_on_unchanged=True)
    directory.disable_user(user.object_id)  # IsSoftDeleted changes: the Switch evaluates normally
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert patches(engine, start) == [[{"op": "Replace", "path": "active", "value": "False"}]]


def test_switch_pitfall_needs_a_change_to_fire(make_engine, directory, clock):
    engine, _user = provisioned(make_engine, directory, switch_null_on_unchanged=True)
    engine.restart("Watermark")  # a full cycle with nothing changed in the source
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert patches(engine, start) == []


# ---------------------------------------------------------------------------------------------- escrow backoff
def _failing_user(make_engine, directory, target, **flags):
    sp, _ = target
    sp.fail("POST", "/scim/v2/Users", 500, times=100)
    user = directory.add_user(userPrincipalName="flaky@contoso.example")
    directory.assign(user.object_id)
    return make_engine(**flags), user


def _posts_per_cycle(engine, clock, cycles):
    counts = []
    for _ in range(cycles):
        clock.advance(40 * 60)
        start = len(engine.exchanges)
        engine.run_cycle()
        counts.append(sum(1 for e in engine.exchanges[start:] if e.method == "POST"))
    return counts


def test_escrows_retry_every_cycle_by_default(make_engine, directory, target, clock):
    engine, user = _failing_user(make_engine, directory, target)
    engine.run_cycle()
    assert engine.escrows[user.object_id].next_attempt_at is None
    assert _posts_per_cycle(engine, clock, 4) == [1, 1, 1, 1]


def test_escrow_backoff_scales_back_retries(make_engine, directory, target, clock):
    backoff = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))
    engine, user = _failing_user(make_engine, directory, target, escrow_retry_backoff=backoff)
    engine.run_cycle()  # fails at t0; next attempt t0+30m
    escrow = engine.escrows[user.object_id]
    assert escrow.attempts == 1 and escrow.next_attempt_at == escrow.first_at + timedelta(minutes=30)
    # cycles at +40m (due, fails → +1h), +80m (not due), +120m (due at 100m, fails → +2h = 240m),
    # +160m, +200m (not due), +240m (due)
    assert _posts_per_cycle(engine, clock, 6) == [1, 0, 1, 0, 0, 1]
    assert engine.escrows[user.object_id].attempts == 4


def test_escrow_backoff_yields_to_a_change_in_entra(make_engine, directory, target, clock):
    engine, user = _failing_user(make_engine, directory, target, escrow_retry_backoff=(timedelta(hours=8),))
    engine.run_cycle()
    assert _posts_per_cycle(engine, clock, 1) == [0]
    directory.update_user(user.object_id, jobTitle="Changed")  # an incremental change brings it back now
    assert _posts_per_cycle(engine, clock, 1) == [1]


# ---------------------------------------------------------------------------------------------- B2B
GUEST_UPN = "pat_fabrikam.example#EXT#@contoso.example"


def test_b2b_upn_is_presented_without_ext(make_engine, directory, target):
    sp, _ = target
    guest = directory.add_user(userPrincipalName=GUEST_UPN, userType="Guest")
    directory.assign(guest.object_id)
    engine = make_engine()
    engine.mappings.users.update("externalId", source="originalUserPrincipalName")
    engine.run_cycle()
    query = next(e.query for e in engine.exchanges[2:] if e.method == "GET")
    assert query == "filter=userName+eq+%22pat%40fabrikam.example%22"
    created = sp.user_by_name("pat@fabrikam.example")
    assert created["emails"][0]["value"] == "pat@fabrikam.example"
    assert created["externalId"] == GUEST_UPN  # the full value through originalUserPrincipalName


def test_b2b_upn_flag_off_sends_the_raw_upn(make_engine, directory, target):
    sp, _ = target
    guest = directory.add_user(userPrincipalName=GUEST_UPN, userType="Guest")
    directory.assign(guest.object_id)
    engine = make_engine(b2b_strip_ext_upn=False)
    engine.run_cycle()
    assert sp.user_by_name(GUEST_UPN)["userType"] == "Guest"


def test_b2b_alias_with_underscores_keeps_them():
    from simulators.azure_ad.provisioning.scope import present_b2b_upn as _present_b2b_upn

    view = {"userPrincipalName": "first_last_fabrikam.example#EXT#@contoso.example", "originalUserPrincipalName": None}
    _present_b2b_upn(view)
    assert view == {"userPrincipalName": "first_last@fabrikam.example",
                    "originalUserPrincipalName": "first_last_fabrikam.example#EXT#@contoso.example"}
    member = {"userPrincipalName": "ann@contoso.example"}
    _present_b2b_upn(member)
    assert member == {"userPrincipalName": "ann@contoso.example"}

"""A user's whole lifecycle over real HTTP, in both PATCH modes (legacy and ``aadOptscim062020``):
soft delete then restore, soft delete then purge (by hand or after 30 days), unassign then purge,
purge of an active user; plus the request details Microsoft leaves open (docs/azure-ad-requests.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulators.azure_ad.directory import RECYCLE_BIN_RETENTION
from simulators.azure_ad.provisioning.scoping_filters import clause, filter_set
from simulators.azure_ad.provisioning.target_client import USER_AGENT

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CYCLE = timedelta(minutes=40).total_seconds()
MODES = {"legacy": "", "aadOptscim062020": "?aadOptscim062020"}


def lines(engine, start=0):
    return [(e.method, e.path.removeprefix("/scim/v2"), e.query) for e in engine.exchanges[start:]]


def active_op(mode: str, value: bool) -> dict:
    if mode == "legacy":
        return {"op": "Replace", "path": "active", "value": "True" if value else "False"}
    return {"op": "replace", "path": "active", "value": value}


@pytest.fixture(params=list(MODES))
def mode(request) -> str:
    return request.param


@pytest.fixture
def provisioned(make_engine, directory, target, mode):
    """An engine in ``mode`` that has created one assigned user; returns (engine, user, target id)."""
    sp, _ = target
    user = directory.add_user(userPrincipalName="pat@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine(MODES[mode])
    assert engine.run_cycle().state == "Succeeded"
    return engine, user, sp.user_by_name("pat@contoso.example")["id"]


def next_cycle(engine, clock, seconds: float = CYCLE) -> int:
    """Advance the clock, run one cycle; the index of its first request after the two probes."""
    clock.advance(seconds)
    start = len(engine.exchanges)
    engine.run_cycle()
    return start + 2


def test_soft_delete_disables_then_restore_re_enables(provisioned, directory, target, clock, mode):
    sp, _ = target
    engine, user, tid = provisioned
    directory.soft_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [active_op(mode, False)]}
    assert engine.logs[-1].action == "Disable" and sp.users[tid]["active"] is False
    directory.restore(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [active_op(mode, True)]}
    assert engine.logs[-1].action == "Update" and sp.users[tid]["active"] is True
    assert not any(e.method == "DELETE" for e in engine.exchanges)


def test_soft_delete_then_purge_sends_delete(provisioned, directory, target, clock, mode):
    sp, _ = target
    engine, user, tid = provisioned
    directory.soft_delete(user.object_id)
    next_cycle(engine, clock)
    assert engine.logs[-1].action == "Disable"
    directory.hard_delete(user.object_id)  # purged from the recycle bin
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("DELETE", f"/Users/{tid}", "")]
    assert engine.exchanges[-1].status == 204
    assert engine.logs[-1].action == "Delete" and engine.logs[-1].status == "success"
    assert tid not in sp.users and user.object_id not in engine.links


def test_soft_delete_is_purged_after_30_days_and_deleted(provisioned, directory, target, clock, mode):
    sp, _ = target
    engine, user, tid = provisioned
    directory.soft_delete(user.object_id)
    next_cycle(engine, clock)
    at = next_cycle(engine, clock, (RECYCLE_BIN_RETENTION - timedelta(minutes=41)).total_seconds())
    assert lines(engine, at) == [] and user.object_id in directory.users  # day 29: still in the bin
    at = next_cycle(engine, clock)
    assert user.object_id not in directory.users
    assert lines(engine, at) == [("DELETE", f"/Users/{tid}", "")]
    assert tid not in sp.users


def test_unassign_then_purge_sends_nothing(provisioned, directory, target, clock, mode):
    sp, _ = target
    engine, user, tid = provisioned
    directory.unassign(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    assert engine.exchanges[-1].request_body["Operations"] == [active_op(mode, False)]
    directory.hard_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == []  # "the user isn't managed by the service": no DELETE
    assert engine.logs[-1].action == "Other" and "no longer managed" in engine.logs[-1].reason
    assert sp.users[tid]["active"] is False


def test_purge_of_an_active_user_sends_delete(provisioned, directory, target, clock, mode):
    sp, _ = target
    engine, user, tid = provisioned
    directory.hard_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("DELETE", f"/Users/{tid}", "")]
    assert tid not in sp.users


@pytest.mark.parametrize("unmanaged", [True, False])
def test_scoped_out_then_purge_follows_its_flag(make_engine, directory, target, clock, unmanaged):
    sp, _ = target
    user = directory.add_user(userPrincipalName="sam@contoso.example", department="Sales")
    directory.assign(user.object_id)
    engine = make_engine(scoped_out_is_unmanaged=unmanaged)
    engine.mappings.user_scoping = filter_set([clause("department", "EQUALS", "Sales")])
    engine.run_cycle()
    tid = sp.user_by_name("sam@contoso.example")["id"]
    directory.update_user(user.object_id, department="Support")
    next_cycle(engine, clock)
    assert engine.logs[-1].action == "Disable"
    directory.hard_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == ([] if unmanaged else [("DELETE", f"/Users/{tid}", "")])


def test_requests_carry_a_fixed_user_agent_not_the_http_librarys(provisioned, directory, clock):
    engine, user, _tid = provisioned
    directory.update_user(user.object_id, jobTitle="Lead")
    next_cycle(engine, clock)
    assert engine.exchanges and {e.request_headers.get("User-Agent") for e in engine.exchanges} == {USER_AGENT}
    assert "python-requests" not in USER_AGENT


def test_flag_stays_on_request_urls_when_stripping_is_off(make_engine, directory):
    user = directory.add_user(userPrincipalName="flo@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine("?aadOptscim062020", strip_flag_from_urls=False)
    engine.run_cycle()
    assert engine.exchanges and all(e.query.startswith("aadOptscim062020") for e in engine.exchanges)
    assert engine.exchanges[0].query.startswith("aadOptscim062020&filter=userName")


def test_member_values_without_ref_null_when_switched_off(make_engine, directory, target, clock):
    sp, _ = target
    user = directory.add_user(userPrincipalName="mia@contoso.example")
    group = directory.add_group("Sales")
    directory.add_member(group.object_id, user.object_id)
    directory.assign(group.object_id)
    engine = make_engine(member_ref_null=False)
    engine.run_cycle()
    tid = sp.user_by_name("mia@contoso.example")["id"]
    add = next(e for e in engine.exchanges if e.method == "PATCH" and "/Groups/" in e.path)
    assert add.request_body["Operations"] == [{"op": "Add", "path": "members", "value": [{"value": tid}]}]


@pytest.mark.parametrize(("keeps", "expected"), [
    (True, [{"op": "replace", "path": "title", "value": "Lead"}]),
    (False, [{"op": "replace", "value": {"title": "Lead"}}]),
])
def test_flag_mode_lone_replace_follows_its_flag(make_engine, directory, target, clock, keeps, expected):
    user = directory.add_user(userPrincipalName="lou@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine("?aadOptscim062020", lone_replace_keeps_path=keeps)
    engine.run_cycle()
    directory.update_user(user.object_id, jobTitle="Lead")
    next_cycle(engine, clock)
    assert engine.exchanges[-1].request_body["Operations"] == expected

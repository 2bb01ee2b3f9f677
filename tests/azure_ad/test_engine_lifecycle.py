"""A user's whole lifecycle over real HTTP, in both PATCH modes (legacy and ``aadOptscim062020``):
soft delete then restore, soft delete then purge (by hand or after 30 days), unassign then purge,
scoped out then purge (``scoped_out_is_unmanaged`` both ways), purge of an active user. Every cycle's
requests are asserted whole: the two probes, then exactly the lifecycle's requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from simulators.azure_ad.directory import RECYCLE_BIN_RETENTION
from simulators.azure_ad.provisioning.scoping_filters import clause, filter_set

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CYCLE = timedelta(minutes=40).total_seconds()
MODES = {"legacy": "", "aadOptscim062020": "?aadOptscim062020"}
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
USER_PROBE = rf"filter=userName\+eq\+%22{GUID}%22"
GROUP_PROBE = rf"excludedAttributes=members&filter=displayName\+eq\+%22{GUID}%22"


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
    tid = sp.user_by_name("pat@contoso.example")["id"]
    assert lines(engine, 2) == [("GET", "/Users", "filter=userName+eq+%22pat%40contoso.example%22"),
                                ("POST", "/Users", "")]
    assert engine.exchanges[-1].request_body["active"] is True and engine.exchanges[-1].response_body["id"] == tid
    return engine, user, tid


def next_cycle(engine, clock, seconds: float = CYCLE) -> int:
    """Advance the clock, run one cycle; check it opened with the user and group probes (§2) and return
    the index of its first request after them."""
    clock.advance(seconds)
    start = len(engine.exchanges)
    assert engine.run_cycle().state == "Succeeded"
    (m1, p1, q1), (m2, p2, q2) = lines(engine, start)[:2]
    assert (m1, p1) == ("GET", "/Users") and re.fullmatch(USER_PROBE, q1), (m1, p1, q1)
    assert (m2, p2) == ("GET", "/Groups") and re.fullmatch(GROUP_PROBE, q2), (m2, p2, q2)
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
def test_scoped_out_then_purge_follows_its_flag(make_engine, directory, target, clock, mode, unmanaged):
    sp, _ = target
    user = directory.add_user(userPrincipalName="sam@contoso.example", department="Sales")
    directory.assign(user.object_id)
    engine = make_engine(MODES[mode], scoped_out_is_unmanaged=unmanaged)
    engine.mappings.user_scoping = filter_set([clause("department", "EQUALS", "Sales")])
    engine.run_cycle()
    tid = sp.user_by_name("sam@contoso.example")["id"]
    directory.update_user(user.object_id, department="Support")
    at = next_cycle(engine, clock)
    assert lines(engine, at) == [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    assert engine.exchanges[-1].request_body["Operations"] == [active_op(mode, False)]
    assert engine.logs[-1].action == "Disable"
    directory.hard_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == ([] if unmanaged else [("DELETE", f"/Users/{tid}", "")])


@pytest.mark.parametrize("actions", [frozenset({"Add", "Update"}), frozenset({"Add", "Delete"})])
def test_target_object_actions_gate_the_disable_and_the_delete(make_engine, directory, target, clock, mode, actions):
    """"Target Object Actions" (customize-application-attributes, §3.6): without Update no disable is
    sent, without Delete no DELETE; the other action still goes out."""
    sp, _ = target
    user = directory.add_user(userPrincipalName="tia@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine(MODES[mode], user_flow_types=actions)
    assert engine.run_cycle().state == "Succeeded"
    tid = sp.user_by_name("tia@contoso.example")["id"]
    directory.soft_delete(user.object_id)
    at = next_cycle(engine, clock)
    disable = [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    assert lines(engine, at) == (disable if "Update" in actions else [])
    directory.hard_delete(user.object_id)
    at = next_cycle(engine, clock)
    assert lines(engine, at) == ([("DELETE", f"/Users/{tid}", "")] if "Delete" in actions else [])
    assert (tid in sp.users) is ("Delete" not in actions)

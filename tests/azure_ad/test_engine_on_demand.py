"""Provision on demand answers with the subject's own record in every case (§7.9), or a typed refusal."""

from __future__ import annotations

import uuid

import pytest

from simulators.azure_ad.provisioning.engine import OnDemandError, OnDemandNotFound, OnDemandThrottled
from simulators.azure_ad.provisioning.scoping_filters import clause, filter_set


def scoping_step(record):
    return next(s for s in record.steps if s.name == "EntrySynchronizationScoping")


def test_assigned_user_is_created(make_engine, directory, target):
    sp, _ = target
    user = directory.add_user(userPrincipalName="ann@contoso.example")
    directory.assign(user.object_id)
    record = make_engine().provision_on_demand(user.object_id)
    assert record.source_id == user.object_id and (record.action, record.status) == ("Create", "success")
    assert record.target_id == sp.user_by_name("ann@contoso.example")["id"]


@pytest.mark.parametrize("history", ["empty log", "another user's record last"])
def test_unassigned_user_gets_its_own_out_of_scope_record(make_engine, directory, target, history):
    sp, _ = target
    engine = make_engine()
    if history != "empty log":
        other = directory.add_user()
        directory.assign(other.object_id)
        engine.provision_on_demand(other.object_id)
    user = directory.add_user(userPrincipalName="bo@contoso.example")
    record = engine.provision_on_demand(user.object_id)
    assert record.source_id == user.object_id and record is engine.logs[-1]
    assert (record.action, record.status) == ("Other", "skipped")
    step = scoping_step(record)
    assert step.status == "skipped" and step.details["ScopeEvaluationResult"] == "NotInScope"
    assert "not assigned" in step.description and "not in scope" in record.reason
    assert not any(u["userName"] == "bo@contoso.example" for u in sp.users.values())


def test_user_out_of_scope_by_a_scoping_filter(make_engine, directory):
    user = directory.add_user(department="Support")
    directory.assign(user.object_id)
    engine = make_engine()
    engine.mappings.user_scoping = filter_set([clause("department", "EQUALS", "Sales")])
    record = engine.provision_on_demand(user.object_id)
    assert record.source_id == user.object_id and record.status == "skipped"
    assert scoping_step(record).description.startswith("scoping filter not satisfied")
    assert not any(e.method == "POST" for e in engine.exchanges)


def test_linked_user_unassigned_is_disabled_on_demand(make_engine, directory, target):
    sp, _ = target
    user = directory.add_user(userPrincipalName="cy@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine()
    engine.run_cycle()
    directory.unassign(user.object_id)
    record = engine.provision_on_demand(user.object_id)  # "can disable unassigned users"
    assert (record.source_id, record.action) == (user.object_id, "Disable")
    assert sp.user_by_name("cy@contoso.example")["active"] is False


@pytest.mark.parametrize("how", ["soft deleted", "disabled"])
def test_user_deleted_or_disabled_in_entra_is_not_touched(make_engine, directory, how):
    user = directory.add_user()
    directory.assign(user.object_id)
    engine = make_engine()
    engine.run_cycle()
    if how == "soft deleted":
        directory.soft_delete(user.object_id)
    else:
        directory.disable_user(user.object_id)
    start = len(engine.exchanges)
    record = engine.provision_on_demand(user.object_id)
    assert (record.source_id, record.action, record.status) == (user.object_id, "Other", "skipped")
    assert "disabled or deleted" in record.reason
    assert [e.method for e in engine.exchanges[start:]] == ["GET", "GET"]  # the probes only


def test_unknown_id_and_wrong_type_are_not_found(make_engine, directory):
    engine = make_engine()
    group = directory.add_group("Sales")
    with pytest.raises(OnDemandNotFound, match="no user or group"):
        engine.provision_on_demand(str(uuid.uuid4()))
    with pytest.raises(OnDemandNotFound, match="no user with"):
        engine.provision_on_demand(group.object_id, "User")
    assert issubclass(OnDemandNotFound, OnDemandError) and engine.exchanges == []


def test_group_on_demand_answers_for_the_group(make_engine, directory, target):
    sp, _ = target
    member = directory.add_user(userPrincipalName="di@contoso.example")
    group = directory.add_group("Ops", members=[member.object_id])
    directory.assign(group.object_id)
    record = make_engine().provision_on_demand(group.object_id, "Group")
    assert (record.source_id, record.object_type, record.action) == (group.object_id, "Group", "Create")
    assert any(g["displayName"] == "Ops" for g in sp.groups.values())
    unassigned = directory.add_group("Idle")
    record = make_engine().provision_on_demand(unassigned.object_id)
    assert (record.source_id, record.status) == (unassigned.object_id, "skipped")


def test_rate_limit_is_a_typed_refusal_with_retry_after(make_engine, directory):
    engine = make_engine()
    user = directory.add_user()
    for _ in range(5):
        engine.provision_on_demand(user.object_id)
    with pytest.raises(OnDemandThrottled, match="TooManyRequests") as refused:
        engine.provision_on_demand(user.object_id)
    assert refused.value.retry_after == 10

"""Engine transcripts over real HTTP: the recorded requests (method, path, query, body shape, order)
must match azure-ad-behaviour.md §2–§6."""

from __future__ import annotations

import re

from simulators.azure_ad.directory import DEFAULT_ACCESS
from simulators.azure_ad.provisioning.mappings import ENTERPRISE_URN

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
USER_PROBE = rf"filter=userName\+eq\+%22{GUID}%22"
GROUP_PROBE = rf"excludedAttributes=members&filter=displayName\+eq\+%22{GUID}%22"


def lines(engine, start=0):
    return [(e.method, e.path.removeprefix("/scim/v2"), e.query) for e in engine.exchanges[start:]]


def assert_probe(engine, start=0):
    (m1, p1, q1), (m2, p2, q2) = lines(engine, start)[:2]
    assert (m1, p1) == ("GET", "/Users") and re.fullmatch(USER_PROBE, q1)
    assert (m2, p2) == ("GET", "/Groups") and re.fullmatch(GROUP_PROBE, q2)


def test_test_connection_probes_random_guids(make_engine):
    engine = make_engine()
    result = engine.test_connection()
    assert result.ok
    assert_probe(engine)
    assert len(engine.exchanges) == 2
    ex = engine.exchanges[0]
    assert ex.request_headers["Authorization"] == "[REDACTED]" and ex.status == 200
    assert ex.response_body["totalResults"] == 0


def test_test_connection_bad_token_and_flag_stripped(directory, clock, target):
    from simulators.azure_ad.provisioning.engine import ProvisioningEngine

    _sp, url = target
    engine = ProvisioningEngine(directory, url + "?aadOptscim062020", "wrong-token", clock=clock)
    assert engine.flags.aadOptscim062020
    result = engine.test_connection()
    assert not result.ok and result.status == 401 and "credentials" in result.message
    assert "aadOptscim062020" not in engine.exchanges[0].url


def test_create_with_manager_then_separate_patch(make_engine, directory, target):
    sp, _ = target
    boss = directory.add_user(givenName="Ada", surname="Boss", userPrincipalName="ada@contoso.example")
    alice = directory.add_user(givenName="Alice", surname="Smith", userPrincipalName="alice@contoso.example",
                               manager=boss.object_id, department="Sales", city="Oslo", state=None)
    directory.assign(alice.object_id)
    directory.assign(boss.object_id)
    engine = make_engine()
    result = engine.run_cycle()
    assert result.initial and result.state == "Succeeded"
    assert_probe(engine)
    seq = lines(engine, 2)
    assert seq[0] == ("GET", "/Users", "filter=userName+eq+%22ada%40contoso.example%22")
    assert seq[1][:2] == ("POST", "/Users")
    assert seq[2] == ("GET", "/Users", "filter=userName+eq+%22alice%40contoso.example%22")
    assert seq[3][:2] == ("POST", "/Users")
    alice_id = sp.user_by_name("alice@contoso.example")["id"]
    boss_id = sp.user_by_name("ada@contoso.example")["id"]
    assert seq[4:] == [("PATCH", f"/Users/{alice_id}", "")]  # manager is a separate round trip
    post = engine.exchanges[5].request_body
    assert post["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN]
    assert post["userName"] == "alice@contoso.example" and post["active"] is True
    assert post["emails"] == [{"type": "work", "primary": True, "value": "alice@contoso.example"}]
    assert post["name"] == {"givenName": "Alice", "familyName": "Smith"}
    assert post["addresses"] == [{"type": "work", "locality": "Oslo", "country": "US"}]  # null state not sent
    assert post[ENTERPRISE_URN]["department"] == "Sales" and "manager" not in post[ENTERPRISE_URN]
    assert post["meta"] == {"resourceType": "User"} and post["userType"] == "Member"
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": f"{ENTERPRISE_URN}:manager", "value": boss_id}]}
    assert engine.exchanges[5].request_headers["Content-Type"] == "application/scim+json"
    creates = [r for r in engine.logs if r.action == "Create"]
    assert len(creates) == 2 and all(r.status == "success" for r in creates)


def test_manager_escrowed_until_manager_provisioned(make_engine, directory, target, clock):
    sp, _ = target
    boss = directory.add_user(userPrincipalName="boss@contoso.example")
    alice = directory.add_user(userPrincipalName="alice@contoso.example", manager=boss.object_id)
    directory.assign(alice.object_id)
    directory.assign(boss.object_id)
    sp.fail("POST", "/scim/v2/Users", 500)  # the boss's create fails first (directory order)
    engine = make_engine()
    first = engine.run_cycle()
    assert first.failures == 1 and first.reference_failures == 1
    assert set(engine.escrows) == {boss.object_id, alice.object_id} and engine.escrows[alice.object_id].reference
    assert not any(e.method == "PATCH" for e in engine.exchanges)
    assert engine.next_cycle_at == first.started_at + engine.flags.cycle_interval
    clock.advance(40 * 60)
    start = len(engine.exchanges)
    assert len(engine.run_due()) == 1
    seq = lines(engine, start + 2)
    boss_id = sp.user_by_name("boss@contoso.example")["id"]
    alice_id = sp.user_by_name("alice@contoso.example")["id"]
    assert [s[:2] for s in seq] == [("GET", "/Users"), ("POST", "/Users"), ("PATCH", f"/Users/{alice_id}")]
    assert engine.exchanges[-1].request_body["Operations"][0]["value"] == boss_id
    assert engine.escrows == {}


def test_update_sends_only_changed_attributes_then_redundant_skip(make_engine, directory, target, clock):
    sp, _ = target
    u = directory.add_user(userPrincipalName="bob@contoso.example", jobTitle="Dev", manager=None)
    directory.assign(u.object_id)
    engine = make_engine()
    engine.run_cycle()
    bob_id = sp.user_by_name("bob@contoso.example")["id"]
    directory.update_user(u.object_id, jobTitle="Lead", surname="Builder")
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert lines(engine, start + 2) == [("GET", f"/Users/{bob_id}", ""), ("PATCH", f"/Users/{bob_id}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "title", "value": "Lead"},
        {"op": "Replace", "path": "name.familyName", "value": "Builder"}]}
    directory.update_user(u.object_id, jobTitle="Lead")  # no effective change
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert lines(engine, start + 2) == [("GET", f"/Users/{bob_id}", "")]
    last = engine.logs[-1]
    assert (last.action, last.status) == ("Other", "skipped")
    assert last.steps[-1].details["SkipReason"] == "RedundantExport"


def test_disable_reenable_unassign_legacy_forms(make_engine, directory, target, clock):
    sp, _ = target
    u = directory.add_user(userPrincipalName="carol@contoso.example")
    directory.assign(u.object_id)
    engine = make_engine()
    engine.run_cycle()
    cid = sp.user_by_name("carol@contoso.example")["id"]
    directory.disable_user(u.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert lines(engine, start + 2) == [("GET", f"/Users/{cid}", ""), ("PATCH", f"/Users/{cid}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"}]}  # the string, no flag
    assert sp.users[cid]["active"] is False
    directory.enable_user(u.object_id)
    clock.advance(2400)
    engine.run_cycle()
    assert engine.exchanges[-1].request_body["Operations"] == [{"op": "Replace", "path": "active", "value": "True"}]
    directory.unassign(u.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert lines(engine, start + 2) == [("GET", f"/Users/{cid}", ""), ("PATCH", f"/Users/{cid}", "")]
    assert engine.logs[-1].action == "Disable"
    # unassigned and disabled = no longer managed: a later hard delete sends nothing
    directory.hard_delete(u.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert len(engine.exchanges) == start + 2  # probes only


def test_flag_mode_boolean_lowercase_and_merged_replace(make_engine, directory, target, clock):
    sp, _ = target
    u = directory.add_user(userPrincipalName="dan@contoso.example", jobTitle="Dev")
    directory.assign(u.object_id)
    engine = make_engine("?aadOptscim062020")
    engine.run_cycle()
    did = sp.user_by_name("dan@contoso.example")["id"]
    directory.update_user(u.object_id, jobTitle="Lead", givenName="Daniel", city="Bergen")
    clock.advance(2400)
    engine.run_cycle()
    assert engine.exchanges[-1].request_body["Operations"] == [
        {"op": "replace", "path": 'addresses[type eq "work"].locality', "value": "Bergen"},
        {"op": "replace", "value": {"title": "Lead", "name.givenName": "Daniel"}},
    ]
    directory.soft_delete(u.object_id)
    clock.advance(2400)
    engine.run_cycle()
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "active", "value": False}]}
    assert all("aadOptscim062020" not in e.url for e in engine.exchanges)


def test_hard_delete_sends_delete(make_engine, directory, target, clock):
    sp, _ = target
    u = directory.add_user(userPrincipalName="erin@contoso.example")
    directory.assign(u.object_id)
    engine = make_engine()
    engine.run_cycle()
    eid = sp.user_by_name("erin@contoso.example")["id"]
    directory.hard_delete(u.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert lines(engine, start + 2) == [("DELETE", f"/Users/{eid}", "")]
    assert engine.logs[-1].action == "Delete"


def test_group_created_empty_then_members_then_removal(make_engine, directory, target, clock):
    sp, _ = target
    u1 = directory.add_user(userPrincipalName="f1@contoso.example")
    u2 = directory.add_user(userPrincipalName="f2@contoso.example")
    g = directory.add_group("Backup Users", members=[u1.object_id, u2.object_id])
    directory.assign(g.object_id)
    engine = make_engine()
    engine.run_cycle()
    seq = lines(engine, 2)
    gid = next(iter(sp.groups))
    t1, t2 = sp.user_by_name("f1@contoso.example")["id"], sp.user_by_name("f2@contoso.example")["id"]
    assert [s[:2] for s in seq] == [("GET", "/Users"), ("POST", "/Users"), ("GET", "/Users"), ("POST", "/Users"),
                                    ("GET", "/Groups"), ("POST", "/Groups"), ("PATCH", f"/Groups/{gid}")]
    assert seq[4][2] == "excludedAttributes=members&filter=displayName+eq+%22Backup+Users%22"
    post = engine.exchanges[-2].request_body
    assert post == {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Backup Users",
                    "externalId": g.object_id, "meta": {"resourceType": "Group"}}
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": t1}, {"$ref": None, "value": t2}]}]}
    assert engine.exchanges[-1].status == 204
    directory.remove_member(g.object_id, u2.object_id)
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    seq = lines(engine, start + 2)
    # u2 lost its only assignment path → disabled; the group is re-read without members, then the removal
    assert ("GET", f"/Groups/{gid}", "excludedAttributes=members") in seq
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": t2}]}]}
    assert [m["value"] for m in sp.groups[gid]["members"]] == [t1]


def test_group_member_removal_flag_form(make_engine, directory, target, clock):
    sp, _ = target
    u1 = directory.add_user()
    u2 = directory.add_user()
    directory.assign(u1.object_id)
    directory.assign(u2.object_id)
    g = directory.add_group("Team", members=[u1.object_id, u2.object_id])
    directory.assign(g.object_id)
    engine = make_engine("?aadOptscim062020", group_member_batch_size=1)
    engine.run_cycle()
    adds = [e.request_body for e in engine.exchanges if e.method == "PATCH"]
    assert [len(b["Operations"][0]["value"]) for b in adds] == [1, 1] and adds[0]["Operations"][0]["op"] == "add"
    directory.remove_member(g.object_id, u1.object_id)
    clock.advance(2400)
    engine.run_cycle()
    t1 = engine.links[u1.object_id].target_id
    assert engine.exchanges[-1].request_body["Operations"] == [{"op": "remove", "path": f'members[value eq "{t1}"]'}]


def test_default_access_only_is_not_effectively_entitled(make_engine, directory):
    u = directory.add_user()
    directory.assign(u.object_id, DEFAULT_ACCESS)
    engine = make_engine()
    engine.run_cycle()
    assert len(engine.exchanges) == 2  # probes only
    (record,) = engine.logs
    assert record.status == "skipped" and record.error_code == "NotEffectivelyEntitled"
    assert "Default Access" in record.reason


def test_scoping_filter_and_skip_out_of_scope_deletions(make_engine, directory, target, clock):
    from simulators.azure_ad.provisioning.scoping_filters import clause

    u = directory.add_user(department="Sales")
    directory.assign(u.object_id)
    engine = make_engine(skip_out_of_scope_deletions=True)
    engine.mappings.user_scoping.add(clause("department", "EQUALS", "Sales"))
    engine.run_cycle()
    assert any(e.method == "POST" for e in engine.exchanges)
    directory.update_user(u.object_id, department="Legal")
    clock.advance(2400)
    start = len(engine.exchanges)
    engine.run_cycle()
    assert len(engine.exchanges) == start + 2  # not disabled: SkipOutOfScopeDeletions
    assert "SkipOutOfScopeDeletions" in engine.logs[-1].reason


def test_provision_on_demand_ignores_flag_and_enforces_limits(make_engine, directory, clock):
    import pytest

    from simulators.azure_ad.provisioning.engine import OnDemandError

    users = [directory.add_user() for _ in range(6)]
    for u in users:
        directory.assign(u.object_id)
    engine = make_engine("?aadOptscim062020")
    record = engine.provision_on_demand(users[0].object_id)
    assert record.action == "Create" and record.status == "success"
    big = directory.add_group("Big", members=[u.object_id for u in users])
    with pytest.raises(OnDemandError, match="up to 5"):
        engine.provision_on_demand(big.object_id)
    for u in users[1:5]:
        engine.provision_on_demand(u.object_id)
    with pytest.raises(OnDemandError, match="TooManyRequests"):
        engine.provision_on_demand(users[5].object_id)
    clock.advance(10)
    directory.update_user(users[0].object_id, jobTitle="Changed")
    engine.provision_on_demand(users[0].object_id)
    assert engine.exchanges[-1].request_body["Operations"][0]["op"] == "Replace"  # legacy casing on demand

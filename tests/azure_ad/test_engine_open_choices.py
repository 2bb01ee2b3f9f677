"""The request details no Microsoft page pins down (docs/azure-ad-requests.md, "Choices Microsoft does
not document"), each an ``EngineFlags`` field: every value of each flag is run here and the exact
request asserted, in both PATCH modes where the mode changes the request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from simulators.azure_ad.provisioning.flags import MANAGER_REMOVALS
from simulators.azure_ad.provisioning.mappings import ENTERPRISE_URN
from simulators.azure_ad.provisioning.target_client import USER_AGENT

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MANAGER = f"{ENTERPRISE_URN}:manager"
CYCLE = timedelta(minutes=40).total_seconds()
MODES = {"legacy": "", "aadOptscim062020": "?aadOptscim062020"}
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
USER_PROBE = ("GET", "/Users", rf"filter=userName\+eq\+%22{GUID}%22")
GROUP_PROBE = ("GET", "/Groups", rf"excludedAttributes=members&filter=displayName\+eq\+%22{GUID}%22")


def lines(engine, start=0):
    return [(e.method, e.path.removeprefix("/scim/v2"), e.query) for e in engine.exchanges[start:]]


def is_probe(line, probe) -> bool:
    return line[:2] == probe[:2] and re.fullmatch(probe[2], line[2]) is not None


def op(mode: str, kind: str) -> str:
    return kind if mode == "aadOptscim062020" else kind.capitalize()


@pytest.fixture(params=list(MODES))
def mode(request) -> str:
    return request.param


def next_cycle(engine, clock) -> int:
    clock.advance(CYCLE)
    start = len(engine.exchanges)
    assert engine.run_cycle().state == "Succeeded"
    return start


def with_manager(make_engine, directory, target, suffix="", **flags):
    """Two assigned users, ``ann`` managed by ``ben``, provisioned; returns the engine and target ids."""
    sp, _ = target
    ben = directory.add_user(userPrincipalName="ben@contoso.example")
    ann = directory.add_user(userPrincipalName="ann@contoso.example", manager=ben.object_id)
    directory.assign(ben.object_id)
    directory.assign(ann.object_id)
    engine = make_engine(suffix, **flags)
    assert engine.run_cycle().state == "Succeeded"
    ids = {name: sp.user_by_name(f"{name}@contoso.example")["id"] for name in ("ann", "ben")}
    return engine, ann, ids


@pytest.mark.parametrize("form", MANAGER_REMOVALS)
def test_manager_removal_follows_its_flag(make_engine, directory, target, clock, mode, form):
    sp, _ = target
    engine, ann, ids = with_manager(make_engine, directory, target, MODES[mode], manager_removal=form)
    assert sp.users[ids["ann"]][ENTERPRISE_URN]["manager"] == ids["ben"]
    directory.update_user(ann.object_id, manager=None)
    at = next_cycle(engine, clock) + 2
    assert lines(engine, at) == [("GET", f"/Users/{ids['ann']}", ""), ("PATCH", f"/Users/{ids['ann']}", "")]
    expected = {
        "urn_path": {"op": op(mode, "remove"), "path": MANAGER},
        "value_filter": {"op": op(mode, "remove"), "path": f'manager[value eq "{ids["ben"]}"]'},
        "empty_replace": {"op": op(mode, "replace"), "path": MANAGER, "value": ""},
    }[form]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH], "Operations": [expected]}
    assert not sp.users[ids["ann"]][ENTERPRISE_URN].get("manager")
    assert {"displayName": "manager", "oldValue": ids["ben"], "newValue": None} in engine.logs[-1].modified_properties
    at = next_cycle(engine, clock) + 2  # the removal holds: nothing more to send about the manager
    assert lines(engine, at) == []


def test_manager_removal_default_is_the_urn_path():
    from simulators.azure_ad.provisioning.flags import EngineFlags

    assert EngineFlags().manager_removal == "urn_path"
    with pytest.raises(ValueError, match="manager_removal='nope' must be one of urn_path, value_filter, empty_replace"):
        EngineFlags(manager_removal="nope")


def test_manager_change_replaces_the_id(make_engine, directory, target, clock, mode):
    sp, _ = target
    engine, ann, ids = with_manager(make_engine, directory, target, MODES[mode])
    cal = directory.add_user(userPrincipalName="cal@contoso.example")
    directory.assign(cal.object_id)
    directory.update_user(ann.object_id, manager=cal.object_id)
    at = next_cycle(engine, clock) + 2
    cal_id = sp.user_by_name("cal@contoso.example")["id"]
    patches = [e.request_body for e in engine.exchanges[at:] if e.method == "PATCH"]
    assert patches[-1] == {"schemas": [PATCH], "Operations": [{"op": op(mode, "replace"), "path": MANAGER,
                                                                  "value": cal_id}]}
    assert sp.users[ids["ann"]][ENTERPRISE_URN]["manager"] == cal_id


@pytest.mark.parametrize("every_cycle", [True, False])
def test_probe_every_cycle_follows_its_flag(make_engine, directory, target, clock, every_cycle):
    sp, _ = target
    user = directory.add_user(userPrincipalName="pia@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine(probe_every_cycle=every_cycle)
    engine.run_cycle()
    first = lines(engine)
    assert is_probe(first[0], USER_PROBE) and is_probe(first[1], GROUP_PROBE)  # the initial cycle always probes
    tid = sp.user_by_name("pia@contoso.example")["id"]
    directory.update_user(user.object_id, jobTitle="Lead")
    seq = lines(engine, next_cycle(engine, clock))
    body = [("GET", f"/Users/{tid}", ""), ("PATCH", f"/Users/{tid}", "")]
    if every_cycle:
        assert is_probe(seq[0], USER_PROBE) and is_probe(seq[1], GROUP_PROBE) and seq[2:] == body
    else:
        assert seq == body


@pytest.mark.parametrize(("flags", "group_probe"), [
    ({}, True),
    ({"probe_groups": False}, False),
    ({"provision_groups": False}, False),  # no groups mapping: nothing to probe for
])
def test_group_probe_follows_its_flags(make_engine, flags, group_probe):
    engine = make_engine(**flags)
    assert engine.test_connection().ok
    seq = lines(engine)
    assert is_probe(seq[0], USER_PROBE)
    assert len(seq) == (2 if group_probe else 1)
    if group_probe:
        assert is_probe(seq[1], GROUP_PROBE)


@pytest.mark.parametrize("strip", [True, False])
def test_flag_query_on_request_urls_follows_its_flag(make_engine, directory, strip):
    user = directory.add_user(userPrincipalName="flo@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine("?aadOptscim062020", strip_flag_from_urls=strip)
    engine.run_cycle()
    post = next(e for e in engine.exchanges if e.method == "POST")
    assert post.query == ("" if strip else "aadOptscim062020")
    assert all(("aadOptscim062020" in e.url) is not strip for e in engine.exchanges)
    assert engine.flags.aadOptscim062020 and post.request_body["active"] is True  # the flag still rules the dialect


@pytest.mark.parametrize("ref_null", [True, False])
def test_member_values_follow_ref_null_in_both_modes(make_engine, directory, target, clock, mode, ref_null):
    sp, _ = target
    mia, max_ = directory.add_user(userPrincipalName="mia@contoso.example"), directory.add_user(
        userPrincipalName="max@contoso.example")
    group = directory.add_group("Sales", members=[mia.object_id, max_.object_id])
    directory.assign(group.object_id)
    engine = make_engine(MODES[mode], member_ref_null=ref_null)
    engine.run_cycle()
    ids = [sp.user_by_name(f"{n}@contoso.example")["id"] for n in ("mia", "max")]
    value = [{"$ref": None, "value": i} if ref_null else {"value": i} for i in ids]
    assert engine.exchanges[-1].request_body["Operations"] == [{"op": op(mode, "add"), "path": "members",
                                                                "value": value}]
    directory.remove_member(group.object_id, max_.object_id)
    next_cycle(engine, clock)
    removal = engine.exchanges[-1].request_body["Operations"]
    if mode == "aadOptscim062020":  # the flag's form carries no value, so no $ref either way
        assert removal == [{"op": "remove", "path": f'members[value eq "{ids[1]}"]'}]
    else:
        assert removal == [{"op": "Remove", "path": "members", "value": value[1:]}]


@pytest.mark.parametrize(("keeps", "expected"), [
    (True, [{"op": "replace", "path": "title", "value": "Lead"}]),
    (False, [{"op": "replace", "value": {"title": "Lead"}}]),
])
def test_flag_mode_lone_replace_follows_its_flag(make_engine, directory, clock, keeps, expected):
    user = directory.add_user(userPrincipalName="lou@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine("?aadOptscim062020", lone_replace_keeps_path=keeps)
    engine.run_cycle()
    directory.update_user(user.object_id, jobTitle="Lead")
    next_cycle(engine, clock)
    assert engine.exchanges[-1].request_body["Operations"] == expected


def test_legacy_lone_replace_keeps_its_path_whatever_the_flag(make_engine, directory, clock):
    user = directory.add_user(userPrincipalName="lou@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine(lone_replace_keeps_path=False)  # a flag-mode choice: the legacy dialect ignores it
    engine.run_cycle()
    directory.update_user(user.object_id, jobTitle="Lead")
    next_cycle(engine, clock)
    assert engine.exchanges[-1].request_body["Operations"] == [{"op": "Replace", "path": "title", "value": "Lead"}]


def test_requests_carry_a_fixed_user_agent_not_the_http_librarys(make_engine, directory, clock, mode):
    user = directory.add_user(userPrincipalName="uma@contoso.example")
    directory.assign(user.object_id)
    engine = make_engine(MODES[mode])
    assert engine.test_connection().ok
    engine.run_cycle()
    directory.update_user(user.object_id, jobTitle="Lead")
    next_cycle(engine, clock)
    assert {e.method for e in engine.exchanges} == {"GET", "POST", "PATCH"}
    assert {e.request_headers.get("User-Agent") for e in engine.exchanges} == {USER_AGENT}
    assert USER_AGENT == "scimgate-mock-entra-provisioning/1.0"


@pytest.mark.parametrize("wire", ["string", "legacy_complex"])
def test_manager_wire_follows_its_flag(make_engine, directory, target, mode, wire):
    _sp, url = target
    engine, _ann, ids = with_manager(make_engine, directory, target, MODES[mode], manager_wire=wire)
    add = engine.exchanges[-1]
    assert (add.method, add.path.removeprefix("/scim/v2")) == ("PATCH", f"/Users/{ids['ann']}")
    expected = ({"op": op(mode, "add"), "path": MANAGER, "value": ids["ben"]} if wire == "string" else
                {"op": op(mode, "add"), "path": "manager",  # the tutorial's "Example 5"
                 "value": [{"$ref": f"{url}/Users/{ids['ben']}", "value": ids["ben"]}]})
    assert add.request_body == {"schemas": [PATCH], "Operations": [expected]}


@pytest.mark.parametrize("legacy", [False, True])
def test_group_create_schemas_follow_their_flag(make_engine, directory, legacy):
    group = directory.add_group("Ops")
    directory.assign(group.object_id)
    engine = make_engine(legacy_group_schema=legacy)
    engine.run_cycle()
    post = next(e for e in engine.exchanges if e.method == "POST")
    schemas = ["urn:ietf:params:scim:schemas:core:2.0:Group"]
    if legacy:  # the tutorial's "Create Group" example still lists it; fixed on December 18, 2018
        schemas.append("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group")
    assert post.request_body == {"schemas": schemas, "displayName": "Ops", "externalId": group.object_id,
                                 "meta": {"resourceType": "Group"}}


@pytest.mark.parametrize("read", [True, False])
def test_read_before_update_follows_its_flag(make_engine, directory, target, clock, mode, read):
    sp, _ = target
    user = directory.add_user(userPrincipalName="rae@contoso.example", jobTitle="Dev")
    directory.assign(user.object_id)
    engine = make_engine(MODES[mode], read_before_update=read)
    engine.run_cycle()
    tid = sp.user_by_name("rae@contoso.example")["id"]
    directory.update_user(user.object_id, jobTitle="Lead")
    at = next_cycle(engine, clock) + 2
    patch = [("PATCH", f"/Users/{tid}", "")]
    assert lines(engine, at) == ([("GET", f"/Users/{tid}", "")] + patch if read else patch)
    operations = engine.exchanges[-1].request_body["Operations"]
    if read:  # the read showed what changed: only that is sent
        assert operations == [{"op": op(mode, "replace"), "path": "title", "value": "Lead"}]
    else:  # blind: every mapped attribute is sent, the changed one among them
        sent = {k: v for o in operations for k, v in (o["value"].items() if "path" not in o else [(o["path"], o["value"])])}
        assert sent["title"] == "Lead" and sent["userName"] == "rae@contoso.example" and len(sent) > 5
    assert sp.users[tid]["title"] == "Lead"

"""Engine transcripts against the REAL mock Code42 over HTTP: for each documented flow the recorded
requests must match azure-ad-behaviour.md §2–§6 (method, path, body shape, order), the mock Code42
must accept every one (2xx), and its SCIM state read back afterwards must be what Azure intended.

Both PATCH dialects run: the legacy default and ``aadOptscim062020`` (§6.1: lower-case ops, boolean
``active``, ``members[value eq "…"]`` removal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import MANAGER_REMOVALS, EngineFlags
from simulators.azure_ad.provisioning.mappings import ENTERPRISE_URN
from simulators.code42.app import create_app as create_code42
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

C42_TOKEN = "code42-scim-token-for-transcripts"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
MODES = {"legacy": "", "scim062020": "?aadOptscim062020"}


@pytest.fixture
def code42() -> Iterator[str]:
    """The mock Code42 (default profile, Code42 rules on) on waitress; yields its SCIM base URL."""
    app = create_code42({"SCIM_TOKEN": C42_TOKEN, "CLOCK": VirtualClock(START)})
    with ServerThread(app) as server:
        yield server.url + "/scim/v2"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def directory(clock: VirtualClock) -> Directory:
    return Directory(seed=7, clock=clock)


@pytest.fixture(params=sorted(MODES))
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine(directory: Directory, clock: VirtualClock, code42: str, mode: str) -> ProvisioningEngine:
    return ProvisioningEngine(directory, code42 + MODES[mode], C42_TOKEN, clock=clock,
                              flags=EngineFlags(request_timeout=5.0))


def scim_get(base: str, path: str, **params: str) -> dict[str, Any]:
    response = requests.get(base + path, params=params, headers={"Authorization": f"Bearer {C42_TOKEN}"}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def user_by_name(base: str, user_name: str) -> dict[str, Any]:
    found = scim_get(base, "/Users", filter=f'userName eq "{user_name}"')["Resources"]
    assert len(found) == 1, found
    return found[0]


def group_by_name(base: str, name: str) -> dict[str, Any]:
    found = scim_get(base, "/Groups", filter=f'displayName eq "{name}"')["Resources"]
    assert len(found) == 1, found
    return found[0]


def lines(engine: ProvisioningEngine, start: int = 0) -> list[tuple[str, str, str]]:
    return [(e.method, e.path.removeprefix("/scim/v2"), e.query) for e in engine.exchanges[start:]]


def assert_all_accepted(engine: ProvisioningEngine, start: int = 0) -> None:
    rejected = [(e.method, e.path, e.status, e.response_body) for e in engine.exchanges[start:]
                if e.status is None or not 200 <= e.status < 300]
    assert not rejected, f"the mock Code42 rejected Azure requests: {rejected}"


def assert_probe(engine: ProvisioningEngine, start: int = 0) -> int:
    """The random-GUID Test Connection probes (§2); returns the index after them."""
    (m1, p1, q1), (m2, p2, q2) = lines(engine, start)[:2]
    assert (m1, p1) == ("GET", "/Users") and re.fullmatch(rf"filter=userName\+eq\+%22{GUID}%22", q1)
    assert (m2, p2) == ("GET", "/Groups") and re.fullmatch(
        rf"excludedAttributes=members&filter=displayName\+eq\+%22{GUID}%22", q2)
    for exchange in engine.exchanges[start:start + 2]:
        assert exchange.response_body["totalResults"] == 0 and exchange.response_body["Resources"] == []
    return start + 2


def op(mode: str, name: str) -> str:
    """Azure's op casing: "Add/Replace/Remove" (legacy) or lower case with the flag (§1.6)."""
    return name.lower() if mode == "scim062020" else name.title()


def active_value(mode: str, value: bool) -> Any:
    """Legacy: the Switch() string "True"/"False"; flag: a real boolean (§3.5, §6.1)."""
    return value if mode == "scim062020" else str(value)


def provisioned(directory: Directory, engine: ProvisioningEngine, clock: VirtualClock, **attrs: Any):
    user = directory.add_user(**attrs)
    directory.assign(user.object_id)
    return user


def next_cycle(engine: ProvisioningEngine, clock: VirtualClock) -> int:
    clock.advance(40 * 60)
    start = len(engine.exchanges)
    result = engine.run_cycle()
    assert result.state == "Succeeded", result
    return start


# ---------------------------------------------------------------------------------------------- flows
def test_test_connection_against_code42(engine: ProvisioningEngine) -> None:
    result = engine.test_connection()
    assert result.ok and result.status == 200
    assert assert_probe(engine) == len(engine.exchanges) == 2
    assert "aadOptscim062020" not in engine.exchanges[0].url  # [INF §1.1] flag kept out of request URLs
    assert engine.exchanges[0].request_headers["Authorization"] == "[REDACTED]"


def test_test_connection_with_a_wrong_token_is_refused_by_code42(directory: Directory, clock: VirtualClock,
                                                                 code42: str) -> None:
    engine = ProvisioningEngine(directory, code42, "not-the-code42-token", clock=clock)
    result = engine.test_connection()
    assert not result.ok and result.status == 401 and "credentials" in result.message
    assert engine.exchanges[0].status == 401


def test_create_with_manager(engine: ProvisioningEngine, directory: Directory, clock: VirtualClock, code42: str,
                             mode: str) -> None:
    boss = provisioned(directory, engine, clock, userPrincipalName="ada.boss@contoso.example", givenName="Ada",
                       surname="Boss")
    alice = provisioned(directory, engine, clock, userPrincipalName="alice@contoso.example", givenName="Alice",
                        surname="Smith", manager=boss.object_id, department="Sales", city="Oslo")
    assert engine.run_cycle().state == "Succeeded"
    at = assert_probe(engine)
    seq = lines(engine, at)
    assert seq[0] == ("GET", "/Users", "filter=userName+eq+%22ada.boss%40contoso.example%22")
    assert seq[1][:2] == ("POST", "/Users")
    assert seq[2] == ("GET", "/Users", "filter=userName+eq+%22alice%40contoso.example%22")
    assert seq[3][:2] == ("POST", "/Users")
    assert_all_accepted(engine)
    boss_c42 = user_by_name(code42, "ada.boss@contoso.example")
    alice_c42 = user_by_name(code42, "alice@contoso.example")
    assert seq[4:] == [("PATCH", f"/Users/{alice_c42['id']}", "")]  # "a separate patch operation" (§4)
    post = engine.exchanges[at + 3].request_body
    assert post["schemas"] == [USER_URN, ENTERPRISE_URN] and post["active"] is True
    assert "manager" not in post[ENTERPRISE_URN]  # never inline on create
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "add"), "path": f"{ENTERPRISE_URN}:manager", "value": boss_c42["id"]}]}
    # Code42 kept what Azure sent
    assert alice_c42["active"] is True and alice_c42["name"]["givenName"] == "Alice"
    assert alice_c42["emails"][0]["value"] == "alice@contoso.example"
    assert alice_c42[ENTERPRISE_URN]["department"] == "Sales"
    assert alice_c42[ENTERPRISE_URN]["manager"]["value"] == boss_c42["id"]
    assert alice.object_id in engine.links and not engine.escrows


def test_update_sends_only_the_changed_attribute(engine: ProvisioningEngine, directory: Directory,
                                                 clock: VirtualClock, code42: str, mode: str) -> None:
    bob = provisioned(directory, engine, clock, userPrincipalName="bob@contoso.example", jobTitle="Developer")
    engine.run_cycle()
    bob_id = user_by_name(code42, "bob@contoso.example")["id"]
    directory.update_user(bob.object_id, jobTitle="Lead Developer")
    start = next_cycle(engine, clock)
    at = assert_probe(engine, start)
    assert lines(engine, at) == [("GET", f"/Users/{bob_id}", ""), ("PATCH", f"/Users/{bob_id}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "title", "value": "Lead Developer"}]}
    assert_all_accepted(engine)
    assert user_by_name(code42, "bob@contoso.example")["title"] == "Lead Developer"
    # nothing changed → nothing but the read (RedundantExport)
    start = next_cycle(engine, clock)
    assert [m for m, _p, _q in lines(engine, start)] == ["GET", "GET"]


def test_disable_then_re_enable(engine: ProvisioningEngine, directory: Directory, clock: VirtualClock,
                                code42: str, mode: str) -> None:
    carol = provisioned(directory, engine, clock, userPrincipalName="carol@contoso.example")
    engine.run_cycle()
    carol_id = user_by_name(code42, "carol@contoso.example")["id"]

    directory.disable_user(carol.object_id)
    start = next_cycle(engine, clock)
    at = assert_probe(engine, start)
    assert lines(engine, at) == [("GET", f"/Users/{carol_id}", ""), ("PATCH", f"/Users/{carol_id}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, False)}]}
    assert_all_accepted(engine)
    assert user_by_name(code42, "carol@contoso.example")["active"] is False
    assert engine.logs[-1].action == "Update"

    directory.enable_user(carol.object_id)
    start = next_cycle(engine, clock)
    at = assert_probe(engine, start)
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, True)}]}
    assert_all_accepted(engine)
    assert user_by_name(code42, "carol@contoso.example")["active"] is True


def test_unassign_disables_and_never_deletes(engine: ProvisioningEngine, directory: Directory,
                                             clock: VirtualClock, code42: str, mode: str) -> None:
    dave = provisioned(directory, engine, clock, userPrincipalName="dave@contoso.example")
    engine.run_cycle()
    dave_id = user_by_name(code42, "dave@contoso.example")["id"]
    directory.unassign(dave.object_id)
    start = next_cycle(engine, clock)
    at = assert_probe(engine, start)
    assert lines(engine, at) == [("GET", f"/Users/{dave_id}", ""), ("PATCH", f"/Users/{dave_id}", "")]
    assert engine.exchanges[-1].request_body["Operations"] == [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, False)}]
    assert not any(e.method == "DELETE" for e in engine.exchanges)  # §7.4: out of scope → disable
    assert_all_accepted(engine)
    assert user_by_name(code42, "dave@contoso.example")["active"] is False
    assert engine.logs[-1].action == "Disable"


def test_group_created_empty_then_members_patched(engine: ProvisioningEngine, directory: Directory,
                                                  clock: VirtualClock, code42: str, mode: str) -> None:
    erin = provisioned(directory, engine, clock, userPrincipalName="erin@contoso.example")
    frank = provisioned(directory, engine, clock, userPrincipalName="frank@contoso.example")
    sales = directory.add_group("Sales Team", members=[erin.object_id, frank.object_id])
    directory.assign(sales.object_id)
    engine.run_cycle()
    assert_all_accepted(engine)
    erin_id = user_by_name(code42, "erin@contoso.example")["id"]
    frank_id = user_by_name(code42, "frank@contoso.example")["id"]
    group = group_by_name(code42, "Sales Team")
    seq = lines(engine, 2)
    assert [s[:2] for s in seq] == [("GET", "/Users"), ("POST", "/Users"), ("GET", "/Users"), ("POST", "/Users"),
                                    ("GET", "/Groups"), ("POST", "/Groups"), ("PATCH", f"/Groups/{group['id']}")]
    assert seq[4][2] == "excludedAttributes=members&filter=displayName+eq+%22Sales+Team%22"
    post = engine.exchanges[2 + 5].request_body
    assert post["schemas"] == [GROUP_URN] and post["displayName"] == "Sales Team"
    assert post["externalId"] == sales.object_id and "members" not in post  # created empty (§5)
    assert engine.exchanges[2 + 6].status == 204  # group PATCH → 204 No Content (§1.10)
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "add"), "path": "members",
         "value": [{"$ref": None, "value": erin_id}, {"$ref": None, "value": frank_id}]}]}
    assert {m["value"] for m in group["members"]} == {erin_id, frank_id}


def test_member_removal(engine: ProvisioningEngine, directory: Directory, clock: VirtualClock, code42: str,
                        mode: str) -> None:
    gina = provisioned(directory, engine, clock, userPrincipalName="gina@contoso.example")
    hal = provisioned(directory, engine, clock, userPrincipalName="hal@contoso.example")
    ops = directory.add_group("Ops Staff", members=[gina.object_id, hal.object_id])
    directory.assign(ops.object_id)
    engine.run_cycle()
    gina_id = user_by_name(code42, "gina@contoso.example")["id"]
    hal_id = user_by_name(code42, "hal@contoso.example")["id"]
    group_id = group_by_name(code42, "Ops Staff")["id"]
    directory.remove_member(ops.object_id, gina.object_id)
    start = next_cycle(engine, clock)
    at = assert_probe(engine, start)
    seq = lines(engine, at)
    assert seq[-2:] == [("GET", f"/Groups/{group_id}", "excludedAttributes=members"),
                        ("PATCH", f"/Groups/{group_id}", "")]
    expected = ([{"op": "remove", "path": f'members[value eq "{gina_id}"]'}] if mode == "scim062020"
                else [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": gina_id}]}])
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": expected}
    assert_all_accepted(engine)
    assert {m["value"] for m in group_by_name(code42, "Ops Staff")["members"]} == {hal_id}
    assert user_by_name(code42, "gina@contoso.example")["active"] is True  # still assigned directly


# ------------------------------------------------------------------------------------ hard delete (§3.6)
def test_soft_delete_then_restore(engine: ProvisioningEngine, directory: Directory, clock: VirtualClock,
                                  code42: str, mode: str) -> None:
    ivy = provisioned(directory, engine, clock, userPrincipalName="ivy@contoso.example")
    engine.run_cycle()
    ivy_id = user_by_name(code42, "ivy@contoso.example")["id"]
    directory.soft_delete(ivy.object_id)
    at = assert_probe(engine, next_cycle(engine, clock))
    assert lines(engine, at) == [("GET", f"/Users/{ivy_id}", ""), ("PATCH", f"/Users/{ivy_id}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, False)}]}
    assert scim_get(code42, f"/Users/{ivy_id}")["active"] is False
    directory.restore(ivy.object_id)
    at = assert_probe(engine, next_cycle(engine, clock))
    assert lines(engine, at) == [("GET", f"/Users/{ivy_id}", ""), ("PATCH", f"/Users/{ivy_id}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, True)}]}
    assert_all_accepted(engine)
    assert scim_get(code42, f"/Users/{ivy_id}")["active"] is True
    assert not any(e.method == "DELETE" for e in engine.exchanges)


def test_soft_delete_then_purge_sends_delete(engine: ProvisioningEngine, directory: Directory,
                                             clock: VirtualClock, code42: str, mode: str) -> None:
    jon = provisioned(directory, engine, clock, userPrincipalName="jon@contoso.example")
    engine.run_cycle()
    jon_id = user_by_name(code42, "jon@contoso.example")["id"]
    directory.soft_delete(jon.object_id)
    next_cycle(engine, clock)
    assert engine.logs[-1].action == "Disable"
    directory.hard_delete(jon.object_id)  # purged from the recycle bin
    at = assert_probe(engine, next_cycle(engine, clock))
    assert lines(engine, at) == [("DELETE", f"/Users/{jon_id}", "")]
    assert engine.exchanges[-1].status == 204 and engine.exchanges[-1].request_body is None
    assert_all_accepted(engine)
    assert engine.logs[-1].action == "Delete" and jon.object_id not in engine.links
    # Code42 answers a SCIM DELETE by deactivating (its rules), so the user is still there, inactive
    assert scim_get(code42, f"/Users/{jon_id}")["active"] is False


def test_unassign_then_purge_sends_nothing(engine: ProvisioningEngine, directory: Directory,
                                           clock: VirtualClock, code42: str, mode: str) -> None:
    kim = provisioned(directory, engine, clock, userPrincipalName="kim@contoso.example")
    engine.run_cycle()
    kim_id = user_by_name(code42, "kim@contoso.example")["id"]
    directory.unassign(kim.object_id)
    at = assert_probe(engine, next_cycle(engine, clock))
    assert lines(engine, at) == [("GET", f"/Users/{kim_id}", ""), ("PATCH", f"/Users/{kim_id}", "")]
    assert engine.exchanges[-1].request_body["Operations"] == [
        {"op": op(mode, "replace"), "path": "active", "value": active_value(mode, False)}]
    directory.hard_delete(kim.object_id)
    start = next_cycle(engine, clock)
    assert assert_probe(engine, start) == len(engine.exchanges)  # "won't send a delete request": probes only
    assert_all_accepted(engine)
    assert engine.logs[-1].action == "Other" and "no longer managed" in engine.logs[-1].reason
    assert scim_get(code42, f"/Users/{kim_id}")["active"] is False


@pytest.mark.parametrize("form", MANAGER_REMOVALS)
def test_manager_removal_forms_clear_the_manager_in_code42(directory: Directory, clock: VirtualClock,
                                                            code42: str, mode: str, form: str) -> None:
    engine = ProvisioningEngine(directory, code42 + MODES[mode], C42_TOKEN, clock=clock,
                                flags=EngineFlags(request_timeout=5.0, manager_removal=form))
    boss = provisioned(directory, engine, clock, userPrincipalName="lea.boss@contoso.example")
    mo = provisioned(directory, engine, clock, userPrincipalName="mo@contoso.example", manager=boss.object_id)
    engine.run_cycle()
    assert user_by_name(code42, "mo@contoso.example")[ENTERPRISE_URN]["manager"]["value"]
    directory.update_user(mo.object_id, manager=None)
    start = next_cycle(engine, clock)
    assert engine.exchanges[-1].method == "PATCH" and len(engine.exchanges[-1].request_body["Operations"]) == 1
    assert_all_accepted(engine, start)
    # Microsoft's SCIM validator's own pass check after its removal: manager.value "" or null, or no manager
    manager = user_by_name(code42, "mo@contoso.example").get(ENTERPRISE_URN, {}).get("manager")
    assert not (manager or {}).get("value"), manager


def test_group_rename_then_unassign(engine: ProvisioningEngine, directory: Directory, clock: VirtualClock,
                                    code42: str, mode: str) -> None:
    """"Update Group [Non-member attributes]" then "Delete Group" (SCIM tutorial): a Replace of
    ``displayName`` after a read without members, and a DELETE when the group leaves scope."""
    ned = provisioned(directory, engine, clock, userPrincipalName="ned@contoso.example")
    ops_team = directory.add_group("Night Ops", members=[ned.object_id])
    directory.assign(ops_team.object_id)
    engine.run_cycle()
    gid = group_by_name(code42, "Night Ops")["id"]
    directory.update_group(ops_team.object_id, displayName="Night Shift")
    at = assert_probe(engine, next_cycle(engine, clock))
    assert lines(engine, at) == [("GET", f"/Groups/{gid}", "excludedAttributes=members"),
                                 ("PATCH", f"/Groups/{gid}", "")]
    assert engine.exchanges[-1].request_body == {"schemas": [PATCH_URN], "Operations": [
        {"op": op(mode, "replace"), "path": "displayName", "value": "Night Shift"}]}
    assert engine.exchanges[-1].status == 204 and group_by_name(code42, "Night Shift")["id"] == gid
    directory.unassign(ops_team.object_id)
    at = assert_probe(engine, next_cycle(engine, clock))
    ned_id = user_by_name(code42, "ned@contoso.example")["id"]
    # its member is re-evaluated (still assigned directly: read, nothing to change), then the group goes
    assert lines(engine, at) == [("GET", f"/Users/{ned_id}", ""), ("DELETE", f"/Groups/{gid}", "")]
    assert_all_accepted(engine)
    assert scim_get(code42, "/Groups", filter='displayName eq "Night Shift"')["totalResults"] == 0

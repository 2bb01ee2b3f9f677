"""The synchronization job through Graph, provisioning into the real mock Code42 over HTTP: start,
cycles on the virtual clock, pause/restart, validateCredentials, provisionOnDemand (double-encoded
key/value), schema GET/PUT/DELETE, parseExpression, functions, filterOperators, secrets and
auditLogs/provisioning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from graph_support import assert_graph_error, graph_app, graph_client, new_user_body

from simulators.code42.app import create_app as create_code42
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

C42_TOKEN = "code42-token-for-graph-sync"


@pytest.fixture
def code42() -> Iterator[str]:
    app = create_code42({"SCIM_TOKEN": C42_TOKEN, "CLOCK": VirtualClock(datetime(2024, 5, 1, tzinfo=UTC))})
    with ServerThread(app) as server:
        yield server.url + "/scim/v2"


@pytest.fixture
def app(code42):
    return graph_app(TARGET_URL=code42, TARGET_TOKEN=C42_TOKEN)


@pytest.fixture
def graph(app):
    return graph_client(app)


@pytest.fixture
def ids(app, graph):
    runtime = app.extensions["scimgate"]
    sp = runtime.service_principal_id
    job = graph("GET", f"/v1.0/servicePrincipals/{sp}/synchronization/jobs").json["value"][0]["id"]
    return sp, job, f"/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}"


def c42_users(code42):
    body = requests.get(code42 + "/Users", headers={"Authorization": f"Bearer {C42_TOKEN}"}, timeout=5).json()
    return {u["userName"]: u for u in body["Resources"]}


def assigned_user(graph, sp, nickname, **extra):
    user = graph("POST", "/v1.0/users", json=new_user_body(nickname, **extra)).json
    role = graph("GET", f"/v1.0/servicePrincipals/{sp}").json["appRoles"][0]["id"]
    response = graph("POST", f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
                     json={"principalId": user["id"], "resourceId": sp, "appRoleId": role})
    assert response.status_code == 201
    return user


def advance(app, seconds):
    response = app.test_client().post("/_sim/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.json
    return response.json["cycles"]


def test_job_lifecycle_provisions_into_code42(app, graph, ids, code42):
    sp, job_id, job = ids
    alice = assigned_user(graph, sp, "alice", jobTitle="Engineer")
    status = graph("GET", job).json
    assert status["id"] == job_id and status["templateId"] == "scim"
    assert status["schedule"] == {"expiration": None, "interval": "PT40M", "state": "Disabled"}
    assert status["status"]["code"] == "NotRun"
    assert advance(app, 3600) == [] and c42_users(code42) == {}  # not started: nothing runs

    assert graph("POST", f"{job}/start").status_code == 204
    cycles = advance(app, 0)
    assert len(cycles) == 1 and cycles[0]["state"] == "Succeeded" and cycles[0]["countExported"] == 1
    assert c42_users(code42)["alice@contoso.example"]["title"] == "Engineer"
    status = graph("GET", job).json
    assert status["schedule"]["state"] == "Active" and status["status"]["code"] == "Active"
    assert status["status"]["lastSuccessfulExecutionWithExports"]["countExported"] == 1
    assert status["status"]["synchronizedEntryCountByType"] == [{"key": "User to User", "value": 1}]

    graph("PATCH", f"/v1.0/users/{alice['id']}", json={"jobTitle": "Lead"})
    assert advance(app, 60) == []  # the next cycle is 40 minutes after the last
    assert len(advance(app, 40 * 60)) == 1
    assert c42_users(code42)["alice@contoso.example"]["title"] == "Lead"

    assert graph("POST", f"{job}/pause").status_code == 204
    graph("PATCH", f"/v1.0/users/{alice['id']}", json={"accountEnabled": False})
    assert advance(app, 3 * 3600) == []
    assert graph("GET", job).json["status"]["code"] == "Paused"
    assert graph("POST", f"{job}/start").status_code == 204
    assert len(advance(app, 0)) == 1
    assert c42_users(code42)["alice@contoso.example"]["active"] is False

    logs = graph("GET", "/v1.0/auditLogs/provisioning").json["value"]
    assert [entry["provisioningAction"] for entry in logs[:3]] == ["update", "update", "create"]  # newest first
    create = logs[2]
    assert create["sourceIdentity"]["id"] == alice["id"] and create["provisioningStatusInfo"]["status"] == "success"
    assert create["servicePrincipal"]["id"] == sp and create["jobId"] == job_id
    assert create["initiatedBy"]["displayName"] == "Azure AD Provisioning Service"


def test_restart_criteria(app, graph, ids, code42):
    sp, _, job = ids
    assigned_user(graph, sp, "bob")
    graph("POST", f"{job}/start")
    advance(app, 0)
    engine = app.extensions["scimgate"].engine
    assert engine.watermark is not None
    assert graph("POST", f"{job}/restart", json={"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}}
                 ).status_code == 204
    assert engine.watermark is None
    cycles = advance(app, 0)
    assert len(cycles) == 1  # restarted: an initial cycle now, matching the existing user
    assert c42_users(code42)["bob@contoso.example"]["active"] is True
    for body in ({"criteria": {"resetScope": "Everything"}}, {"criteria": "Full"}, {"other": 1}):
        assert_graph_error(graph("POST", f"{job}/restart", json=body), 400, "Request_BadRequest")


def test_validate_credentials(app, graph, ids, code42):
    _, _, job = ids
    assert graph("POST", f"{job}/validateCredentials", json={"useSavedCredentials": True}).status_code == 204
    good = {"useSavedCredentials": False, "credentials": [{"key": "BaseAddress", "value": code42},
                                                          {"key": "SecretToken", "value": C42_TOKEN}]}
    assert graph("POST", f"{job}/validateCredentials", json=good).status_code == 204
    bad = {"useSavedCredentials": False, "credentials": [{"key": "BaseAddress", "value": code42},
                                                         {"key": "SecretToken", "value": "wrong-token-1234"}]}
    response = graph("POST", f"{job}/validateCredentials", json=bad)
    error = assert_graph_error(response, 400, "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable")
    assert "401" in error["message"] and "wrong-token-1234" not in response.get_data(as_text=True)
    assert_graph_error(graph("POST", f"{job}/validateCredentials", json={"credentials": [{"key": "Nope", "value": "x"}]}),
                       400, "Request_BadRequest")


def test_provision_on_demand_double_encoded(app, graph, ids, code42):
    sp, _, job = ids
    carol = assigned_user(graph, sp, "carol")
    schema = graph("GET", f"{job}/schema").json
    rule_id = schema["synchronizationRules"][0]["id"]
    body = {"parameters": [{"subjects": [{"objectId": carol["id"], "objectTypeName": "User"}], "ruleId": rule_id}]}
    response = graph("POST", f"{job}/provisionOnDemand", json=body)
    assert response.status_code == 200, response.json
    assert response.json["@odata.context"].endswith("$metadata#microsoft.graph.stringKeyStringValuePair")
    assert isinstance(response.json["key"], str) and isinstance(response.json["value"], str)
    key, value = json.loads(response.json["key"]), json.loads(response.json["value"])
    assert key == {"result": "Success", "details": {}}
    assert value["action"] == "Create" and value["sourceIdentity"]["id"] == carol["id"]
    assert value["targetSystem"] == {"name": "customappsso"}
    assert value["sourceSystem"] == {"name": "Azure Active Directory"}
    assert value["targetIdentity"]["id"] == c42_users(code42)["carol@contoso.example"]["id"]
    assert {s["type"] for s in value["provisioningSteps"]} >= {"Import", "Scoping", "Matching", "Export"}

    again = graph("POST", f"{job}/provisionOnDemand", json=body)
    key = json.loads(again.json["key"])
    assert key["result"] == "Skipped" and key["details"]["errorCode"] == "RedundantExport"

    for bad in ({"parameters": []}, {"parameters": [{"subjects": [], "ruleId": rule_id}]},
                {"parameters": [{"subjects": [{"objectId": carol["id"], "objectTypeName": "Device"}],
                                 "ruleId": rule_id}]},
                {"parameters": [{"subjects": [{"objectId": carol["id"], "objectTypeName": "User"}], "ruleId": "x"}]}):
        assert_graph_error(graph("POST", f"{job}/provisionOnDemand", json=bad), 400, "Request_BadRequest")
    missing = {"parameters": [{"subjects": [{"objectId": "9bb0f679-a883-4a6f-8260-35b491b8b8c8",
                                             "objectTypeName": "User"}], "ruleId": rule_id}]}
    assert_graph_error(graph("POST", f"{job}/provisionOnDemand", json=missing), 404, "Request_ResourceNotFound")
    for _ in range(3):  # 2 calls so far + 3 = the documented 5 requests / 10 s; the 6th is throttled
        graph("POST", f"{job}/provisionOnDemand", json=body)
    throttled = graph("POST", f"{job}/provisionOnDemand", json=body)
    assert_graph_error(throttled, 429, "TooManyRequests")


def test_schema_round_trip_and_edit(app, graph, ids):
    _, _, job = ids
    schema = graph("GET", f"{job}/schema").json
    rule = schema["synchronizationRules"][0]
    users, groups = rule["objectMappings"]
    assert users["sourceObjectName"] == "User" and users["flowTypes"] == "Add, Update, Delete"
    targets = {m["targetAttributeName"]: m for m in users["attributeMappings"]}
    assert targets["userName"]["matchingPriority"] == 1
    assert targets["userName"]["source"] == {"expression": "[userPrincipalName]", "name": "userPrincipalName",
                                             "parameters": [], "type": "Attribute"}
    active = targets["active"]["source"]
    assert active["type"] == "Function" and active["name"] == "Switch"
    assert active["parameters"][0]["value"]["name"] == "IsSoftDeleted"
    assert [m["targetAttributeName"] for m in groups["attributeMappings"]] == ["displayName", "externalId", "members"]

    # unchanged PUT round-trips; then edit: title from a constant, groups off, a scoping filter
    assert graph("PUT", f"{job}/schema", json=schema).status_code == 204
    next(m for m in users["attributeMappings"] if m["targetAttributeName"] == "title")["source"] = {
        "expression": '"Staff"', "name": "Staff", "parameters": [], "type": "Constant"}
    users["scope"] = {"groups": [{"clauses": [{"operatorName": "EQUALS", "sourceOperandName": "department",
                                               "targetOperand": {"values": ["Sales"]}}]}]}
    groups["enabled"] = False
    assert graph("PUT", f"{job}/schema", json=schema).status_code == 204
    engine = app.extensions["scimgate"].engine
    assert engine.mappings.users["title"].evaluate({}) == "Staff"
    assert not engine.flags.provision_groups
    assert engine.mappings.user_scoping.matches({"department": "Sales"})
    assert not engine.mappings.user_scoping.matches({"department": "Legal"})
    echoed = graph("GET", f"{job}/schema").json["synchronizationRules"][0]["objectMappings"]
    assert echoed[0]["scope"] == users["scope"] and echoed[1]["enabled"] is False

    broken = json.loads(json.dumps(schema))
    broken["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["source"] = {
        "expression": "Switch([IsSoftDeleted], ", "name": "Switch", "parameters": [], "type": "Function"}
    assert_graph_error(graph("PUT", f"{job}/schema", json=broken), 400, "ExpressionParseFailure")
    no_match = json.loads(json.dumps(schema))
    for m in no_match["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]:
        m["matchingPriority"] = 0
    assert_graph_error(graph("PUT", f"{job}/schema", json=no_match), 400, "Request_BadRequest")
    assert engine.mappings.users["title"].evaluate({}) == "Staff"  # failed PUTs changed nothing

    assert graph("DELETE", f"{job}/schema").status_code == 204
    assert engine.mappings.users["title"].source == "jobTitle" and engine.flags.provision_groups


def test_parse_expression_functions_and_operators(graph, ids):
    _, _, job = ids
    body = {"expression": 'Join(", ", [surname], [givenName])',
            "testInputObject": {"definition": None, "properties": [{"key": "surname", "value": "Doe"},
                                                                   {"key": "givenName", "value": "John"}]}}
    parsed = graph("POST", f"{job}/schema/parseExpression", json=body).json
    assert parsed["parsingSucceeded"] and parsed["evaluationSucceeded"]
    assert parsed["evaluationResult"] == ["Doe, John"] and parsed["parsedExpression"]["name"] == "Join"
    bad = graph("POST", f"{job}/schema/parseExpression", json={"expression": "Join(", "testInputObject": None}).json
    assert not bad["parsingSucceeded"] and bad["error"]["code"] == "ExpressionParseFailure"
    assert_graph_error(graph("POST", f"{job}/schema/parseExpression", json={"expression": 5}), 400, "Request_BadRequest")
    functions = {f["name"]: f for f in graph("GET", f"{job}/schema/functions").json["value"]}
    assert {"Switch", "IIF", "Join", "NormalizeDiacritics", "SingleAppRoleAssignment"} <= set(functions)
    operators = {o["name"]: o for o in graph("GET", f"{job}/schema/filterOperators").json["value"]}
    assert operators["IS NULL"]["arity"] == "Unary" and operators["EQUALS"]["arity"] == "Binary"


def test_secrets(app, graph, ids, code42):
    sp, _, job = ids
    engine = app.extensions["scimgate"].engine
    body = {"value": [{"key": "BaseAddress", "value": code42 + "?aadOptscim062020"},
                      {"key": "SecretToken", "value": C42_TOKEN},
                      {"key": "SyncAll", "value": "true"},
                      {"key": "SyncNotificationSettings", "value": json.dumps(
                          {"Enabled": True, "Recipients": "ops@contoso.example", "DeleteThresholdEnabled": True,
                           "DeleteThresholdValue": 50})}]}
    assert graph("PUT", f"/v1.0/servicePrincipals/{sp}/synchronization/secrets", json=body).status_code == 204
    assert engine.flags.aadOptscim062020 and engine.flags.sync_all
    assert engine.flags.accidental_deletion_threshold == 50 and engine.flags.notification_email == "ops@contoso.example"
    assert graph("GET", job).json["synchronizationJobSettings"] == [
        {"name": "QuarantineTooManyDeletesThreshold", "value": "50"}]
    for bad in ({"value": [{"key": "SyncAll", "value": "maybe"}]}, {"value": [{"key": "Bogus", "value": "1"}]},
                {"value": "BaseAddress"}, {"value": [{"key": "SecretToken", "value": 5}]}):
        assert_graph_error(graph("PUT", f"/v1.0/servicePrincipals/{sp}/synchronization/secrets", json=bad),
                           400, "Request_BadRequest")


def test_unconfigured_job_cannot_start():
    app = graph_app()
    graph = graph_client(app)
    runtime = app.extensions["scimgate"]
    job = graph("GET", f"/v1.0/servicePrincipals/{runtime.service_principal_id}/synchronization/jobs").json["value"][0]
    assert job["status"]["code"] == "NotConfigured"
    path = f"/v1.0/servicePrincipals/{runtime.service_principal_id}/synchronization/jobs/{job['id']}/start"
    assert_graph_error(graph("POST", path), 400, "BadRequest")
    assert_graph_error(graph("GET", f"/v1.0/servicePrincipals/{runtime.service_principal_id}/synchronization/jobs/nope"),
                       404, "Request_ResourceNotFound")


def test_audit_log_filter_and_paging(app, graph, ids):
    sp, _, job = ids
    users = [assigned_user(graph, sp, f"log{i}") for i in range(5)]
    graph("POST", f"{job}/start")
    advance(app, 0)
    first = graph("GET", "/v1.0/auditLogs/provisioning?$top=2").json
    assert len(first["value"]) == 2 and "@odata.nextLink" in first
    one = graph("GET", "/v1.0/auditLogs/provisioning",
                query_string={"$filter": f"sourceIdentity/id eq '{users[3]['id']}'"}).json["value"]
    assert len(one) == 1 and one[0]["provisioningAction"] == "create"
    since = graph("GET", "/v1.0/auditLogs/provisioning",
                  query_string={"$filter": "activityDateTime gt 2030-01-01T00:00:00Z"}).json["value"]
    assert since == []
    ok = graph("GET", "/v1.0/auditLogs/provisioning",
               query_string={"$filter": "provisioningStatusInfo/status eq 'success' and provisioningAction eq 'create'"})
    assert len(ok.json["value"]) == 5
    assert_graph_error(graph("GET", "/v1.0/auditLogs/provisioning", query_string={"$filter": "secret eq 'x'"}),
                       400, "Request_UnsupportedQuery")


def test_sim_clock_needs_a_virtual_clock_and_valid_seconds(code42):
    from simulators.common.clock import SystemClock

    app = graph_app(TARGET_URL=code42, TARGET_TOKEN=C42_TOKEN)
    assert app.test_client().post("/_sim/clock/advance", json={"seconds": -1}).status_code == 400
    assert app.test_client().post("/_sim/clock/advance", json={"seconds": True}).status_code == 400
    wall = graph_app(TARGET_URL=code42, TARGET_TOKEN=C42_TOKEN, CLOCK=SystemClock())
    assert wall.test_client().post("/_sim/clock/advance", json={"seconds": 1}).status_code == 409
    closed = graph_app(SIM_CONTROL=False)
    assert closed.test_client().post("/_sim/clock/advance", json={"seconds": 1}).status_code == 404

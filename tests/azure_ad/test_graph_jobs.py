"""The synchronization job's lifecycle and typed answers through Graph, provisioning into the real
mock Code42 over HTTP: job delete/create, provisionOnDemand about its own subject in every case,
a failed cycle's synchronizationError, typed schema attributes, audit-log enum casing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from graph_support import assert_graph_error, graph_app, graph_client, new_user_body

from simulators.code42.app import create_app as create_code42
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

C42_TOKEN = "code42-token-for-graph-jobs"


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
def sync(app):
    return f"/v1.0/servicePrincipals/{app.extensions['scimgate'].service_principal_id}/synchronization"


def job_url(graph, sync):
    jobs = graph("GET", f"{sync}/jobs").json["value"]
    return f"{sync}/jobs/{jobs[0]['id']}" if jobs else None


def user(graph, nickname, *, assign=True, **extra):
    made = graph("POST", "/v1.0/users", json=new_user_body(nickname, **extra)).json
    if assign:
        sp = graph("GET", "/v1.0/servicePrincipals").json["value"][0]
        response = graph("POST", f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo", json={
            "principalId": made["id"], "resourceId": sp["id"], "appRoleId": sp["appRoles"][0]["id"]})
        assert response.status_code == 201
    return made


def on_demand(app, graph, url, object_id):
    rule = app.extensions["scimgate"].rule_id
    response = graph("POST", f"{url}/provisionOnDemand", json={"parameters": [
        {"ruleId": rule, "subjects": [{"objectId": object_id, "objectTypeName": "User"}]}]})
    if response.status_code != 200:
        return response, None, None
    return response, json.loads(response.json["key"]), json.loads(response.json["value"])


def test_delete_then_create_a_job(app, graph, sync):
    url = job_url(graph, sync)
    template = graph("GET", f"{sync}/templates").json["value"][0]["id"]
    conflict = graph("POST", f"{sync}/jobs", json={"templateId": template})
    assert_graph_error(conflict, 409, "Conflict")
    assert graph("DELETE", url).status_code == 204
    assert graph("GET", f"{sync}/jobs").json["value"] == []
    assert_graph_error(graph("GET", url), 404, "Request_ResourceNotFound")
    assert_graph_error(graph("POST", f"{url}/start"), 404, "Request_ResourceNotFound")
    assert_graph_error(graph("POST", f"{sync}/jobs", json={"templateId": "nope"}), 400, "Request_BadRequest")
    assert_graph_error(graph("POST", f"{sync}/jobs", json={}), 400, "Request_BadRequest")
    created = graph("POST", f"{sync}/jobs", json={"templateId": template})
    assert created.status_code == 201 and created.headers["Location"].endswith(created.json["id"])
    job = created.json
    assert job["id"] != url.rsplit("/", 1)[-1] and job["templateId"] == template
    assert job["schedule"]["state"] == "Disabled" and job["status"]["code"] == "NotRun"  # created disabled
    assert job["status"]["lastExecution"] is None
    assert graph("GET", f"{sync}/jobs/{job['id']}").status_code == 200


def test_on_demand_answers_about_its_own_subject(app, graph, sync):
    url = job_url(graph, sync)
    alice = user(graph, "alice")
    carol = user(graph, "carol", assign=False)
    _, key, value = on_demand(app, graph, url, alice["id"])
    assert key == {"result": "Success", "details": {}} and value["sourceIdentity"]["id"] == alice["id"]

    _, key, value = on_demand(app, graph, url, carol["id"])  # unassigned: skipped, about carol
    assert key["result"] == "Skipped" and key["details"]["errorCode"] == "EntrySynchronizationSkipped"
    assert value["sourceIdentity"]["id"] == carol["id"] and value["action"] == "Other"
    scoping = next(s for s in value["provisioningSteps"] if s["type"] == "Scoping")
    assert scoping["details"]["ScopeEvaluationResult"] == "NotInScope" and "not assigned" in scoping["description"]

    dave = user(graph, "dave")
    assert graph("DELETE", f"/v1.0/users/{dave['id']}").status_code == 204
    _, key, value = on_demand(app, graph, url, dave["id"])  # soft-deleted: its own Skipped record
    assert key["result"] == "Skipped" and value["sourceIdentity"]["id"] == dave["id"]
    assert "deleted" in key["details"]["errorMessage"]

    erin = user(graph, "erin", accountEnabled=False)
    _, key, value = on_demand(app, graph, url, erin["id"])
    assert key["result"] == "Skipped" and "disabled" in key["details"]["errorMessage"]

    response, _, _ = on_demand(app, graph, url, "00000000-0000-4000-8000-00000000dead")
    assert_graph_error(response, 404, "Request_ResourceNotFound")
    logged = {r.source_id for r in app.extensions["scimgate"].engine.logs}
    assert {carol["id"], dave["id"], erin["id"]} <= logged  # every answer is also in the provisioning log


def test_on_demand_with_an_empty_log_and_out_of_scope_by_filter(app, graph, sync):
    url = job_url(graph, sync)
    nobody = user(graph, "nobody", assign=False)
    assert app.extensions["scimgate"].engine.logs == []
    response, key, value = on_demand(app, graph, url, nobody["id"])  # was a 500 (IndexError) on an empty log
    assert response.status_code == 200 and key["result"] == "Skipped" and value["sourceIdentity"]["id"] == nobody["id"]
    bob = user(graph, "bob", department="Engineering")
    schema = graph("GET", f"{url}/schema").json
    users = next(m for m in schema["synchronizationRules"][0]["objectMappings"] if m["sourceObjectName"] == "User")
    users["scope"] = {"groups": [{"clauses": [{"operatorName": "EQUALS", "sourceOperandName": "department",
                                               "targetOperand": {"values": ["Sales"]}}]}]}
    assert graph("PATCH", f"{url}/schema", json=schema).status_code == 204
    _, key, value = on_demand(app, graph, url, bob["id"])
    assert key["result"] == "Skipped" and value["sourceIdentity"]["id"] == bob["id"]
    scoping = next(s for s in value["provisioningSteps"] if s["type"] == "Scoping")
    assert scoping["details"]["ScopeEvaluationResult"] == "NotInScope" and "department" in scoping["description"]


def test_failed_cycle_error_is_a_synchronization_error(app, graph, sync):
    url = job_url(graph, sync)
    user(graph, "fay")
    assert graph("PUT", f"{sync}/secrets", json={"value": [{"key": "SecretToken", "value": "refused-token"}]}
                 ).status_code == 204
    assert graph("POST", f"{url}/start").status_code == 204
    assert app.test_client().post("/_sim/clock/advance", json={"seconds": 60}).status_code == 200
    status = graph("GET", url).json["status"]
    error = status["lastExecution"]["error"]
    assert status["lastExecution"]["state"] == "Failed" and status["code"] == "Quarantine"
    assert set(error) == {"code", "message", "tenantActionable"} and error["message"]
    assert error["code"] == status["quarantine"]["error"]["code"]


def test_schema_directories_hold_attribute_definitions(graph, sync):
    schema = graph("GET", f"{job_url(graph, sync)}/schema").json
    for directory in schema["directories"]:
        assert {"id", "name", "objects", "discoverabilities", "readOnly", "version"} <= set(directory)
        for obj in directory["objects"]:
            assert obj["attributes"] and all(isinstance(a, dict) and a["name"] and a["type"] in (
                "String", "Boolean", "Integer", "DateTime", "Reference", "Binary") for a in obj["attributes"])
    aad_user = schema["directories"][0]["objects"][0]["attributes"]
    assert next(a for a in aad_user if a["name"] == "accountEnabled")["type"] == "Boolean"
    assert next(a for a in aad_user if a["name"] == "objectId")["anchor"] is True


def test_audit_log_actions_use_graph_enum_casing(app, graph, sync):
    url = job_url(graph, sync)
    ids = [user(graph, f"u{i}")["id"] for i in range(3)]
    engine = app.extensions["scimgate"].engine
    engine.flags = engine.flags.with_(accidental_deletion_threshold=1)
    assert graph("POST", f"{url}/start").status_code == 204
    sim = app.test_client()
    assert sim.post("/_sim/clock/advance", json={"seconds": 60}).status_code == 200
    sp = graph("GET", "/v1.0/servicePrincipals").json["value"][0]["id"]
    for assignment in graph("GET", f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo").json["value"]:
        graph("DELETE", f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{assignment['id']}")
    assert sim.post("/_sim/clock/advance", json={"seconds": 2400}).status_code == 200
    actions = {r["provisioningAction"] for r in graph("GET", "/v1.0/auditLogs/provisioning").json["value"]}
    assert {"create", "stagedDelete"} <= actions, actions
    staged = graph("GET", "/v1.0/auditLogs/provisioning?$filter=provisioningAction eq 'stagedDelete'").json["value"]
    assert sorted(r["sourceIdentity"]["id"] for r in staged) == sorted(ids)

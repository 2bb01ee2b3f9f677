"""A mock tenant served with a state file (``serve azure-ad --db FILE``) keeps its directory,
assignments, escrows and provisioning logs across a restart, and carries on from there."""

from __future__ import annotations

import sqlite3

import pytest
from graph_support import graph_app, graph_client, new_user_body

from simulators.azure_ad.persistence import PersistenceError

DEFAULT_ROLE = "00000000-0000-0000-0000-000000000000"


def tenant(target, db, **config):
    sp, url = target
    app = graph_app(TARGET_URL=url, TARGET_TOKEN=sp.token, START_JOB=True, DATABASE=str(db), **config)
    return app, graph_client(app), app.extensions["scimgate"]


def assign(graph, runtime, object_id):
    sp = runtime.service_principal_id
    body = {"principalId": object_id, "resourceId": sp, "appRoleId": DEFAULT_ROLE}
    assert graph("POST", f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo", json=body).status_code == 201


def advance(graph, seconds=2400):
    response = graph("POST", "/_sim/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.json
    return response.json["cycles"]


def test_directory_assignments_escrows_and_logs_survive_a_restart(target, tmp_path):
    sp, _url = target
    db = tmp_path / "tenant.db"
    _app, graph, runtime = tenant(target, db, FLAGS={"exclude_default_access": False})
    ada = graph("POST", "/v1.0/users", json=new_user_body("ada")).json["id"]
    bob = graph("POST", "/v1.0/users", json=new_user_body("bob")).json["id"]
    assign(graph, runtime, ada)
    assign(graph, runtime, bob)
    sp.fail("POST", "/scim/v2/Users", 500)  # ada's create fails once: escrowed
    advance(graph, 0)
    engine = runtime.engine
    assert len(engine.escrows) == 1 and engine.links
    job_id, logs = engine.job_id, [(r.source_id, r.action, r.status) for r in engine.logs]

    _app2, graph2, runtime2 = tenant(target, db, FLAGS={"exclude_default_access": False})
    engine2 = runtime2.engine
    assert runtime2.tenant_id == runtime.tenant_id and engine2.job_id == job_id
    assert set(runtime2.directory.users) == {ada, bob}
    assert {a.principal_id for a in runtime2.directory.assignments} == {ada, bob}
    assert [(r.source_id, r.action, r.status) for r in engine2.logs] == logs
    assert set(engine2.escrows) == set(engine.escrows) and set(engine2.links) == set(engine.links)
    assert engine2.watermark == engine.watermark and len(engine2.cycles) == len(engine.cycles)

    carol = graph2("POST", "/v1.0/users", json=new_user_body("carol")).json["id"]
    assert carol not in (ada, bob)  # the id generator carries on, it does not start over
    assign(graph2, runtime2, carol)
    assert advance(graph2)
    assert not engine2.cycles[-1].initial  # the watermark survived: an incremental cycle, not a new start
    assert not engine2.escrows  # the escrowed create was retried after the restart
    assert {u["userName"] for u in sp.users.values()} == {"ada@contoso.example", "bob@contoso.example",
                                                          "carol@contoso.example"}
    assert not any(e.method == "POST" and "bob" in str(e.request_body) for e in engine2.exchanges)


def test_a_state_file_of_another_tenant_or_kind_is_refused(target, tmp_path):
    db = tmp_path / "tenant.db"
    tenant(target, db)
    with pytest.raises(ValueError, match="holds tenant"):
        tenant(target, db, TENANT_ID="11111111-2222-3333-4444-555555555555")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    with pytest.raises(PersistenceError, match="schema 99"):
        tenant(target, other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(PersistenceError, match="cannot use .* as a mock Azure AD state file"):
        tenant(target, garbage)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE users SET body = '{\"object_id\": 1}'")
        con.execute("INSERT INTO users (body) VALUES ('not json')")
    with pytest.raises(PersistenceError, match="holds state this mock cannot read"):
        tenant(target, db)

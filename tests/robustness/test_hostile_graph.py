"""Hostile input against the mock Azure AD's Graph surface: every route in ``app.url_map``, any method,
near-valid and broken bodies, hostile OData query options. Never a 5xx; every error is Graph's
``{"error": {"code", "message", "innerError"}}`` envelope.

Bad bearer tokens, non-ASCII ones included, are covered route by route in test_security.py.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any
from urllib.parse import quote

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.azure_ad.app import create_app
from simulators.azure_ad.graph.auth import token_request_form
from simulators.common.clock import VirtualClock
from tests.code42.conftest import START
from tests.robustness.hostile import NASTY, bodies, json_values, text

EXAMPLES = 1200
TENANT, CLIENT, SECRET = "11111111-2222-3333-4444-555555555555", "fuzz-client", "fuzz-secret"
ODATA = st.dictionaries(st.sampled_from(("$filter", "$top", "$select", "$skiptoken", "$count", "$expand", "$orderby",
                                         "$search", "$skip")),
                        st.one_of(text, st.integers().map(str), st.sampled_from((
                            "startswith(displayName,'a')", "id eq '1'", "accountEnabled eq true", "999999999999",
                            "-1", "displayName eq 'x' or 1 eq 1", "'; DROP TABLE users; --"))), max_size=3)
GRAPH_FIELDS = st.dictionaries(st.sampled_from((
    "displayName", "userPrincipalName", "mailNickname", "accountEnabled", "department", "jobTitle",
    "passwordProfile", "@odata.id", "members@odata.bind", "principalId", "resourceId", "appRoleId", "parameters",
    "value", "expression", "targetAttributeDefinition", "manager@odata.bind", "securityEnabled", "mailEnabled")),
    json_values, max_size=5)


def test_any_graph_route(generated_requests: Counter) -> None:
    app: Flask = create_app({"CLIENT_ID": CLIENT, "CLIENT_SECRET": SECRET, "TENANT_ID": TENANT,
                             "CLOCK": VirtualClock(START), "SEED": 1})
    client = app.test_client()
    token = client.post(f"/{TENANT}/oauth2/v2.0/token", data=token_request_form(CLIENT, SECRET)).get_json()[
        "access_token"]
    user = client.post("/v1.0/users", headers={"Authorization": f"Bearer {token}"}, json={
        "displayName": "Fuzz Seed", "userPrincipalName": "seed@contoso.example", "mailNickname": "seed",
        "accountEnabled": True, "passwordProfile": {"password": "x-Password-1"}})
    ids = [app.extensions["scimgate"].service_principal_id, app.extensions["scimgate"].tenant_id]
    if user.status_code == 201:
        ids.append(user.get_json()["id"])
    routes = [(r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in app.url_map.iter_rules()
              if r.endpoint != "static"]
    idents = st.one_of(st.sampled_from(ids), st.one_of(text, st.sampled_from(NASTY)).map(
        lambda t: quote(t, safe="")).filter(bool))
    auths = st.one_of(st.just(f"Bearer {token}"), st.just(f"Bearer {token}"), st.just(f"Bearer {token}"),
                      st.sampled_from(("", "Bearer", "Bearer x", "Basic eDp5")))
    body_strategy = bodies(GRAPH_FIELDS, 64 * 1024)
    before = generated_requests["graph"]

    @settings(max_examples=max(1, round(EXAMPLES * float(os.environ.get("SCIMGATE_FUZZ_SCALE", "1")))),
              derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: Any) -> None:
        rule, methods = data.draw(st.sampled_from(routes))
        path = "/".join(data.draw(idents) if p.startswith("<") else p for p in rule.split("/"))
        method = data.draw(st.one_of(st.sampled_from(methods), st.sampled_from(("GET", "POST", "PATCH", "DELETE"))))
        headers = {"Authorization": data.draw(auths),
                   "Content-Type": data.draw(st.sampled_from(("application/json", "text/plain", "",
                                                              "application/x-www-form-urlencoded")))}
        r = client.open(path, method=method, data=data.draw(body_strategy), headers=headers,
                        query_string=data.draw(ODATA))
        generated_requests["graph"] += 1
        assert r.status_code < 500, f"{r.status_code} {r.get_data()[:300]!r}"
        if r.status_code >= 400 and not rule.endswith("/oauth2/v2.0/token"):
            body = json.loads(r.get_data())
            error = body.get("error") if isinstance(body, dict) else None
            assert isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(
                error.get("message"), str), body

    run()
    assert generated_requests["graph"] - before >= 0.9 * EXAMPLES * float(os.environ.get("SCIMGATE_FUZZ_SCALE", "1"))


HOSTILE_BODIES = {
    "deeply nested": b"[" * 5000 + b"]" * 5000,
    "nested inside an object": b'{"displayName":' + b"[" * 900 + b"]" * 900 + b"}",
    "huge integer": b'{"displayName":' + b"9" * 5000 + b"}",
    "truncated": b'{"displayName": "a',
    "not UTF-8": b'{"displayName": "\xff"}',
}


def test_graph_write_routes_refuse_hostile_bodies_with_a_400() -> None:
    """Every Graph route that takes a body × each hostile body: a Graph 400, never a 5xx."""
    app: Flask = create_app({"CLIENT_ID": CLIENT, "CLIENT_SECRET": SECRET, "TENANT_ID": TENANT,
                             "CLOCK": VirtualClock(START)})
    client = app.test_client()
    token = client.post(f"/{TENANT}/oauth2/v2.0/token", data=token_request_form(CLIENT, SECRET)).get_json()[
        "access_token"]
    sp = app.extensions["scimgate"].service_principal_id
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v1.0"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            path = "/".join(sp if p.startswith("<") else p for p in rule.rule.split("/"))
            for name, body in HOSTILE_BODIES.items():
                r = client.open(path, method=method, data=body, headers={"Authorization": f"Bearer {token}",
                                                                          "Content-Type": "application/json"})
                if r.status_code >= 500:
                    failures.append(f"{method} {rule.rule} {name}: {r.status_code}")
    assert failures == []

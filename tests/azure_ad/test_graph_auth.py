"""The client-credentials token endpoint and Graph's 401: shapes of Microsoft's v2.0 endpoint and of
graph.microsoft.com, and secrets never echoed."""

from __future__ import annotations

import pytest
from graph_support import CLIENT_ID, CLIENT_SECRET, TENANT, assert_graph_error, graph_app, token

from simulators.azure_ad.graph.auth import WWW_AUTHENTICATE, token_request_form

TOKEN_URL = f"/{TENANT}/oauth2/v2.0/token"


def test_token_response_shape_and_use():
    app = graph_app()
    response = app.test_client().post(TOKEN_URL, data=token_request_form(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == body["ext_expires_in"] == 3599
    assert response.headers["Cache-Control"].startswith("no-store")
    ok = app.test_client().get("/v1.0/users", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ok.status_code == 200 and ok.json["value"] == []


def test_client_secret_basic_is_accepted():
    app = graph_app()
    form = {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}
    response = app.test_client().post(TOKEN_URL, data=form, auth=(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 200 and response.json["access_token"]


@pytest.mark.parametrize("change, status, error, code", [
    ({"client_secret": "wrong-secret"}, 401, "invalid_client", 7000215),
    ({"client_id": "00000000-1111-2222-3333-444444444444"}, 400, "unauthorized_client", 700016),
    ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ({"grant_type": None}, 400, "invalid_request", 900144),
    ({"scope": None}, 400, "invalid_request", 90014),
    ({"scope": "User.Read"}, 400, "invalid_scope", 1002012),
    ({"client_secret": None}, 401, "invalid_client", 7000218),
])
def test_token_errors_are_aadsts_shaped(change, status, error, code):
    form = {k: v for k, v in {**token_request_form(CLIENT_ID, CLIENT_SECRET), **change}.items() if v is not None}
    response = graph_app().test_client().post(TOKEN_URL, data=form)
    assert response.status_code == status
    body = response.json
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(body)
    assert CLIENT_SECRET not in response.get_data(as_text=True)
    assert "wrong-secret" not in response.get_data(as_text=True)


def test_unknown_tenant_and_json_body_are_refused():
    client = graph_app().test_client()
    response = client.post("/contoso.example/oauth2/v2.0/token", data=token_request_form(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 400 and response.json["error_codes"] == [90002]
    response = client.post(TOKEN_URL, json=token_request_form(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


@pytest.mark.parametrize("header, message", [
    (None, "Access token is empty."),
    ("Bearer", "Access token is empty."),
    ("Basic dXNlcjpwYXNz", "Access token is empty."),
    ("Bearer not-a-token-we-issued", "Access token validation failure. Invalid audience."),
])
def test_graph_requires_a_valid_bearer(header, message):
    headers = {"Authorization": header} if header else {}
    response = graph_app().test_client().get("/v1.0/servicePrincipals", headers=headers)
    error = assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert error["message"] == message
    assert response.headers["WWW-Authenticate"] == WWW_AUTHENTICATE


def test_unknown_graph_path_without_token_is_401_not_404():
    response = graph_app().test_client().get("/v1.0/no/such/thing")
    assert_graph_error(response, 401, "InvalidAuthenticationToken")


def test_tokens_expire_on_the_app_clock():
    app = graph_app()
    access = token(app)
    app.extensions["scimgate"].clock.advance(3600)
    response = app.test_client().get("/v1.0/users", headers={"Authorization": f"Bearer {access}"})
    error = assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert "expired" in error["message"]

"""Contract: the mock's errors look like Code42's on every route, the way the SDKs and their callers read
them (issue 12 "Errors"): JSON bodies, never Flask's HTML pages; OAuth errors as RFC 6749 ``{"error": ...}``
bodies; a wrong client secret is a client error, not an invalid bearer token; tokens are JWT-shaped with
the claims the SDKs decode and expire on the wall clock."""

from __future__ import annotations

import base64
import json
import time

import incydr
import py42.sdk
import pytest
import requests
from code42_served import ServedMock, served_mock
from py42.exceptions import Py42UnauthorizedError


@pytest.fixture(scope="module")
def mock() -> ServedMock:
    with served_mock() as served:
        yield served


def _json_error(response: requests.Response) -> object:
    assert response.headers.get("Content-Type", "").startswith("application/json"), (
        response.status_code, response.headers.get("Content-Type"), response.text[:200])
    return response.json()


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/v1/no-such-resource", 404),
    ("GET", "/api/v1/NoSuchThing", 404),
    ("GET", "/api/v3/users/none/nothing", 404),
    ("PUT", "/v1/orgs", 405),
    ("DELETE", "/v1/users", 405),
    ("PATCH", "/api/v1/User", 405),
])
def test_unrouted_requests_answer_code42_json(mock: ServedMock, method: str, path: str, status: int) -> None:
    response = mock.admin(method, path)
    assert response.status_code == status
    body = _json_error(response)
    assert "<html" not in response.text.lower()
    assert body, "an error body names the problem"


def test_unauthenticated_unknown_path_is_json_too(mock: ServedMock) -> None:
    response = requests.get(f"{mock.root}/v1/no-such-resource", timeout=30)
    assert response.status_code in (401, 404)
    _json_error(response)


@pytest.mark.parametrize("path", ["/v1/oauth", "/api/v3/oauth/token"])
def test_bad_client_secret_is_an_oauth_client_error(mock: ServedMock, path: str) -> None:
    response = requests.post(f"{mock.root}{path}", auth=(mock.client_id, "wrong-secret"), timeout=30,
                             params={"grant_type": "client_credentials"} if path.startswith("/api") else None)
    assert response.status_code == 401
    body = _json_error(response)
    assert isinstance(body, dict) and body.get("error") == "invalid_client", body
    assert "invalid_token" not in response.headers.get("WWW-Authenticate", "")
    assert mock.client_secret not in response.text


def test_oauth_without_credentials_is_an_oauth_error(mock: ServedMock) -> None:
    response = requests.post(f"{mock.root}/v1/oauth", timeout=30)
    assert response.status_code in (400, 401)
    body = _json_error(response)
    assert isinstance(body, dict) and body.get("error") in ("invalid_client", "invalid_request"), body


def test_oauth_wrong_method_is_json(mock: ServedMock) -> None:
    response = requests.get(f"{mock.root}/v1/oauth", timeout=30)
    assert response.status_code == 405
    _json_error(response)


def test_sdks_report_a_bad_secret_as_unauthorized(mock: ServedMock) -> None:
    with pytest.raises(requests.HTTPError) as raised:
        incydr.Client(url=mock.root, api_client_id=mock.client_id, api_client_secret="wrong", use_rich=False)
    assert raised.value.response.status_code == 401
    with pytest.raises(Py42UnauthorizedError):
        py42.sdk.from_api_client(mock.root, mock.client_id, "wrong")


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_tokens_are_jwts_with_the_claims_the_sdks_read_expiring_on_the_wall_clock(mock: ServedMock) -> None:
    response = requests.post(f"{mock.root}/v1/oauth", auth=(mock.client_id, mock.client_secret), timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"].lower() == "bearer" and body["expires_in"] > 0
    token = body["access_token"]
    assert token.count(".") == 2
    claims = _claims(token)
    assert claims["tenantUid"]
    assert abs(claims["iat"] - time.time()) < 300  # the wall clock, whatever the virtual clock says
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    mock.advance(7 * 24 * 3600)
    users = requests.get(f"{mock.root}/v1/users", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert users.status_code == 200, users.text


def test_a_forged_token_is_refused(mock: ServedMock) -> None:
    response = requests.post(f"{mock.root}/v1/oauth", auth=(mock.client_id, mock.client_secret), timeout=30)
    header, payload, _ = response.json()["access_token"].split(".")
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(b'not-the-signature').decode().rstrip('=')}"
    answer = requests.get(f"{mock.root}/v1/users", headers={"Authorization": f"Bearer {forged}"}, timeout=30)
    assert answer.status_code == 401
    _json_error(answer)

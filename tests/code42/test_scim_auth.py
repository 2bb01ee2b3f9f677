"""SCIM credentials: bearer and Basic, 401 challenges, regeneration, persistence, no secrets in logs."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from simulators.code42.app import create_app
from tests.code42.conftest import ERROR_URN, SCIM_TOKEN, base_config, user_body


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return base_config(RULES="none")


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"bearer  {SCIM_TOKEN}x", "Bearer", f"Token {SCIM_TOKEN}",
                                    "Basic !!notbase64"])
def test_bad_or_missing_credentials_are_401_with_a_challenge(client, header) -> None:
    response = client.get("/scim/v2/Users", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == ['Bearer realm="scimgate"']
    assert response.get_json() == {"schemas": [ERROR_URN], "status": "401",
                                   "detail": "missing or invalid credentials for the SCIM endpoint"}


def test_bearer_scheme_is_case_insensitive(client) -> None:
    assert client.get("/scim/v2/Users", headers={"Authorization": f"bearer {SCIM_TOKEN}"}).status_code == 200


@pytest.mark.parametrize("app_config", [base_config(RULES="none", SCIM_TOKEN=None, SCIM_BASIC=("sync", "pw-1"),
                                                    PROFILE={"provider": {"credential_type": "basic"}})])
def test_basic_authentication_and_its_regeneration(client, runtime) -> None:
    assert client.get("/scim/v2/Users", headers=basic("sync", "pw-1")).status_code == 200
    assert client.get("/scim/v2/Users", headers=basic("sync", "pw-2")).status_code == 401
    assert client.get("/scim/v2/Users", headers=basic("other", "pw-1")).status_code == 401
    denied = client.get("/scim/v2/Users")
    assert denied.headers.getlist("WWW-Authenticate") == ['Basic realm="scimgate"']
    user, password = runtime.credentials.regenerate()
    assert user == "sync" and password != "pw-1"
    assert client.get("/scim/v2/Users", headers=basic("sync", "pw-1")).status_code == 401
    assert client.get("/scim/v2/Users", headers=basic("sync", password)).status_code == 200


def test_regenerate_kills_the_old_token_at_once(client, runtime) -> None:
    new = runtime.credentials.regenerate()
    assert isinstance(new, str) and new != SCIM_TOKEN
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 401
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {new}"}).status_code == 200


@pytest.mark.parametrize("app_config", [base_config(RULES="none", FAULTS=["regenerated_token_still_valid"])])
def test_fault_regenerated_token_still_valid(client, runtime) -> None:
    new = runtime.credentials.regenerate()
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 200
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_regenerated_token_survives_a_restart_on_a_file_database(tmp_path) -> None:
    config = base_config(RULES="none", DATABASE=str(tmp_path / "c42.db"))
    first = create_app(config)
    new = first.extensions["scimgate"].credentials.regenerate()
    first.extensions["scimgate"].store.close()
    second = create_app({**config})
    client = second.test_client()
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 401
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    with second.extensions["scimgate"].store.read() as tx:
        assert SCIM_TOKEN not in tx.kv_get("scim_credentials") and new not in tx.kv_get("scim_credentials")
    second.extensions["scimgate"].store.close()
    # The operator configuring a different token wins over what is stored.
    third = create_app({**config, "SCIM_TOKEN": "operator-choice"})
    assert third.test_client().get("/scim/v2/Users",
                                   headers={"Authorization": "Bearer operator-choice"}).status_code == 200
    third.extensions["scimgate"].store.close()


def test_no_configured_secret_gives_a_random_token() -> None:
    app = create_app({"RULES": "none"})
    token = app.extensions["scimgate"].credentials.token
    assert token and len(token) >= 32
    assert app.test_client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_one_log_line_per_request_without_secrets(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="scimgate.code42"):
        client.post("/scim/v2/Users", json=user_body(), headers={"Authorization": f"Bearer {SCIM_TOKEN}"})
        client.get("/scim/v2/Users", headers={"Authorization": "Bearer a-wrong-secret"})
    lines = [r.getMessage() for r in caplog.records if r.name == "scimgate.code42"]
    assert len(lines) == 2
    assert lines[0].startswith("POST /scim/v2/Users 201 ") and lines[1].startswith("GET /scim/v2/Users 401 ")
    assert not any(SCIM_TOKEN in line or "a-wrong-secret" in line for line in lines)


def test_regenerate_inside_a_rolled_back_transaction_changes_nothing(client, runtime) -> None:
    with pytest.raises(RuntimeError), runtime.store.transaction():
        runtime.credentials.regenerate()
        raise RuntimeError("the console request failed after regenerating")
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 200

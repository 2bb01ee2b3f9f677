"""Helpers for the Graph-surface tests: a mock tenant app on a virtual clock, a token, and a Graph
client shape (``graph(method, path, json=...)``) over Flask's test client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from simulators.azure_ad.app import create_app
from simulators.azure_ad.graph.auth import token_request_form
from simulators.common.clock import VirtualClock

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "4a1aa1d5-c567-49d0-ad0b-cd957a47f842"
CLIENT_SECRET = "graph-client-secret-for-tests"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def graph_app(**config: Any) -> Flask:
    return create_app({"TENANT_ID": TENANT, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                       "CLOCK": VirtualClock(START), "SIM_CONTROL": True, **config})


def token(app: Flask) -> str:
    response = app.test_client().post(f"/{TENANT}/oauth2/v2.0/token", data=token_request_form(CLIENT_ID, CLIENT_SECRET))
    assert response.status_code == 200, response.json
    return response.json["access_token"]


def graph_client(app: Flask) -> Callable[..., TestResponse]:
    """Like a real Graph client (MSAL), it gets a new token when the old one has expired."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token(app)}"}

    def call(method: str, path: str, **kwargs: Any) -> TestResponse:
        response = client.open(path, method=method, headers=headers, **kwargs)
        if response.status_code == 401 and "expired" in response.json["error"]["message"]:
            headers["Authorization"] = f"Bearer {token(app)}"
            response = client.open(path, method=method, headers=headers, **kwargs)
        return response

    return call


def new_user_body(nickname: str, **extra: Any) -> dict[str, Any]:
    return {"accountEnabled": True, "displayName": nickname.title(), "mailNickname": nickname,
            "userPrincipalName": f"{nickname}@contoso.example", "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"},
            **extra}


def assert_graph_error(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.data
    error = response.json["error"]
    assert error["code"] == code, error
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    return error

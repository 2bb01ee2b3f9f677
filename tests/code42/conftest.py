"""Shared fixtures for the mock Code42: layered like pytest-scim2-server, so a test module overrides
one layer (usually ``app_config``) and everything above it follows.

- ``app_config``: the ``create_app`` config (Code42 rules on, virtual clock, sim control on);
  override it in a module, e.g. ``{**base_config(), "RULES": "none"}`` for a plain RFC 7644 SP.
- ``app`` / ``runtime`` / ``client`` / ``clock``: the app, its runtime, a Flask test client, the clock.
- ``auth_headers``: ``Authorization: Bearer <token>`` plus the SCIM content type.
- ``scim``: a tiny helper, ``scim("POST", "/Users", body)`` → test-client response.
- ``served``: the same app on real HTTP (waitress in a thread, ``served.url``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from simulators.code42.app import create_app
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

SCIM_TOKEN = "scim-token-for-tests"
ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET = "key-tests", "secret-for-tests"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def base_config(**overrides: Any) -> dict[str, Any]:
    """A fresh config for a test app (a new VirtualClock each call)."""
    return {
        "TESTING": True,
        "SCIM_TOKEN": SCIM_TOKEN,
        "ADMIN_CLIENT_ID": ADMIN_CLIENT_ID,
        "ADMIN_CLIENT_SECRET": ADMIN_CLIENT_SECRET,
        "DATABASE": ":memory:",
        "SIM_CONTROL": True,
        "CLOCK": VirtualClock(START),
        **overrides,
    }


def user_body(user_name: str = "alice@example.com", **extra: Any) -> dict[str, Any]:
    """A User as Azure AD creates one (email userName, work email, name)."""
    return {
        "schemas": [USER_URN],
        "userName": user_name,
        "active": True,
        "emails": [{"type": "work", "value": user_name, "primary": True}],
        "name": {"givenName": user_name.split("@")[0].title(), "familyName": "Tester"},
        **extra,
    }


def group_body(name: str = "Engineering", members: list[str] = (), **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [GROUP_URN], "displayName": name, **extra}
    if members:
        body["members"] = [{"value": m} for m in members]
    return body


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_URN], "Operations": list(operations)}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return base_config()


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    yield app
    app.extensions["scimgate"].store.close()


@pytest.fixture
def runtime(app: Flask) -> Any:
    return app.extensions["scimgate"]


@pytest.fixture
def clock(runtime: Any) -> Any:
    return runtime.clock


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {SCIM_TOKEN}", "Content-Type": "application/scim+json"}


@pytest.fixture
def scim(client: FlaskClient, auth_headers: dict[str, str]) -> Callable[..., TestResponse]:
    """``scim(method, path, body=None, headers=None)`` against ``/scim/v2``, authenticated."""

    def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> TestResponse:
        return client.open(f"/scim/v2{path}", method=method, json=body, headers={**auth_headers, **(headers or {})})

    return call


@pytest.fixture
def served(app: Flask) -> Iterator[ServerThread]:
    with ServerThread(app) as server:
        yield server

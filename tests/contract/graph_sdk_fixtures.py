"""Fixtures for the Graph SDK contract tests: the mock Azure AD and the mock Code42 it provisions
into, each served by waitress on a loopback port (real HTTP, as ``scimgate serve azure-ad`` does).
A module of its own, not a conftest, so other contract tests in this folder keep their own fixtures;
the test modules import these."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from simulators.azure_ad.app import create_app
from simulators.code42.app import create_app as create_code42
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DOMAIN = "contoso.example"
CLIENT_ID = "4a1aa1d5-c567-49d0-ad0b-cd957a47f842"
CLIENT_SECRET = "graph-sdk-contract-secret"
C42_TOKEN = "code42-token-for-graph-sdk"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class MockTenant:
    url: str
    tenant_id: str
    domain: str
    client_id: str
    client_secret: str
    target_url: str
    target_token: str


@pytest.fixture
def code42_url() -> Iterator[str]:
    with ServerThread(create_code42({"SCIM_TOKEN": C42_TOKEN, "CLOCK": VirtualClock(START)})) as server:
        yield server.url + "/scim/v2"


@pytest.fixture
def mock_tenant(code42_url: str) -> Iterator[MockTenant]:
    """A fresh tenant with no job credentials yet (the matrix saves them with ``PUT .../secrets``)."""
    app = create_app({"TENANT_ID": TENANT_ID, "DOMAIN": DOMAIN, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                      "CLOCK": VirtualClock(START), "SIM_CONTROL": True})
    with ServerThread(app) as server:
        yield MockTenant(server.url, TENANT_ID, DOMAIN, CLIENT_ID, CLIENT_SECRET, code42_url, C42_TOKEN)

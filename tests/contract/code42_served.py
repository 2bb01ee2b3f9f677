"""The mock Code42 as Code42's own SDKs meet it: ``python -m simulators.code42`` in a subprocess on a free
loopback port, with simulation control (virtual clock) on, seeded through its SCIM and admin APIs over
real HTTP.

Pytest-free on purpose: the contract tests use it through a fixture, and a person can drive it from a
REPL (``with served_mock() as mock: ...``) to see what an SDK call does.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = REPO / "scenarios" / "profiles" / "default.yaml"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TIMEOUT = 30  # seconds per HTTP request: a hung mock fails the test instead of hanging it


@dataclass
class ServedMock:
    """One running mock tenant: where it is, its secrets, and raw-HTTP helpers for seeding."""

    root: str
    scim_token: str
    client_id: str
    client_secret: str
    process: subprocess.Popen
    http: requests.Session = field(default_factory=requests.Session)
    _admin_token: str | None = None

    # ---------------------------------------------------------------- SCIM, as Azure AD sends it

    def scim(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, f"{self.root}/scim/v2{path}", json=body, timeout=TIMEOUT,
                                 headers={"Authorization": f"Bearer {self.scim_token}",
                                          "Content-Type": "application/scim+json"})

    def scim_user(self, username: str, *, first: str, last: str, manager: str | None = None,
                  **enterprise: str) -> dict[str, Any]:
        """Create a user the way Azure AD provisions one, with the attributes Code42 documents."""
        body: dict[str, Any] = {
            "schemas": [USER_URN, ENTERPRISE_URN], "userName": username, "active": True,
            "externalId": f"ext-{username.split('@')[0]}", "title": enterprise.pop("title", None),
            "userType": enterprise.pop("userType", "Employee"),
            "name": {"givenName": first, "familyName": last},
            "emails": [{"type": "work", "value": username, "primary": True}],
            "addresses": [{"type": "work", "locality": "Minneapolis", "region": "MN", "country": "US"}],
            ENTERPRISE_URN: {**enterprise, **({"manager": {"value": manager}} if manager else {})},
        }
        response = self.scim("POST", "/Users", body)
        if response.status_code != 201:
            raise RuntimeError(f"seeding SCIM user {username} failed: {response.status_code} {response.text}")
        return response.json()

    def scim_group(self, name: str, members: list[str]) -> dict[str, Any]:
        response = self.scim("POST", "/Groups", {"schemas": [GROUP_URN], "displayName": name,
                                                 "members": [{"value": m} for m in members]})
        if response.status_code != 201:
            raise RuntimeError(f"seeding SCIM group {name} failed: {response.status_code} {response.text}")
        return response.json()

    # ---------------------------------------------------------------- admin API, raw

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An admin-API request with an OAuth client-credentials token (the documented form, grant_type
        and HTTP Basic)."""
        if self._admin_token is None:
            response = self.http.post(f"{self.root}/v1/oauth", params={"grant_type": "client_credentials"},
                                      auth=(self.client_id, self.client_secret), timeout=TIMEOUT)
            response.raise_for_status()
            self._admin_token = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {self._admin_token}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.root}{path}", headers=headers, timeout=TIMEOUT, **kwargs)

    def deactivation_delay_seconds(self) -> float:
        """The provider's deactivation delay (``provisioningDeactivationDelay``, minutes)."""
        response = self.admin("GET", "/v1/scim-providers")
        response.raise_for_status()
        return float(response.json()["scimServers"][0]["provisioningDeactivationDelay"]) * 60

    # ---------------------------------------------------------------- simulation control

    def advance(self, seconds: float) -> None:
        """Move the mock's virtual clock (what a 15-minute deactivation delay costs in simulation)."""
        response = self.http.post(f"{self.root}/_sim/clock/advance", json={"seconds": seconds}, timeout=TIMEOUT)
        response.raise_for_status()


@contextmanager
def served_mock(profile: Path = DEFAULT_PROFILE) -> Iterator[ServedMock]:
    """Start the mock (secrets in the environment, never in argv), yield it, stop it."""
    scim_token, secret = "tok-" + secrets.token_urlsafe(18), "sec-" + secrets.token_urlsafe(18)
    client_id = "contract-" + secrets.token_hex(4)
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": scim_token, "SCIMGATE_CODE42_ADMIN_SECRET": secret}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.code42", "--host", "127.0.0.1", "--port", "0", "--sim-control",
         "--profile", str(profile), "--admin-client-id", client_id],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        if "http://" not in line:
            raise RuntimeError(f"the mock Code42 did not start: {line!r}")
        root = line[line.index("http://"):].removesuffix("/scim/v2")
        mock = ServedMock(root, scim_token, client_id, secret, process)
        try:
            yield mock
        finally:
            mock.http.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

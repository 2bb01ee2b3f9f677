"""The Graph surface over real HTTP (waitress), driven with ``requests`` exactly as a Graph client
does it: a client-credentials token, then bearer calls following ``@odata.nextLink``; and the
``serve`` command as a process (banner, secrets only from the environment and never printed)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from graph_support import CLIENT_ID, CLIENT_SECRET, TENANT, graph_app, new_user_body

from simulators.code42.app import create_app as create_code42
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

C42_TOKEN = "code42-token-for-graph-http"
SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture
def code42() -> Iterator[str]:
    app = create_code42({"SCIM_TOKEN": C42_TOKEN, "CLOCK": VirtualClock(datetime(2024, 5, 1, tzinfo=UTC))})
    with ServerThread(app) as server:
        yield server.url + "/scim/v2"


@pytest.fixture
def azure(code42) -> Iterator[str]:
    with ServerThread(graph_app(TARGET_URL=code42, TARGET_TOKEN=C42_TOKEN)) as server:
        yield server.url


class GraphClient:
    """What a Graph SDK does underneath: token once, bearer on each call, nextLink paging."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        response = self.session.post(f"{base}/{TENANT}/oauth2/v2.0/token", timeout=5, data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scope": SCOPE})
        response.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=10, **kwargs)

    def all_pages(self, path: str) -> tuple[list[dict[str, Any]], int]:
        items, url, pages = [], self.base + path, 0
        while url:
            response = self.session.get(url, timeout=10)
            response.raise_for_status()
            body = response.json()
            items += body["value"]
            pages += 1
            url = body.get("@odata.nextLink")
        return items, pages


def test_graph_client_end_to_end_over_http(azure, code42):
    graph = GraphClient(azure)
    assert graph.call("GET", "/v1.0/users").json()["value"] == []
    sp = graph.call("GET", "/v1.0/servicePrincipals").json()["value"][0]
    role = sp["appRoles"][0]["id"]
    created = []
    for i in range(12):
        response = graph.call("POST", "/v1.0/users", json=new_user_body(f"http{i:02d}", department="Sales"))
        assert response.status_code == 201 and response.headers["Location"].endswith(response.json()["id"])
        created.append(response.json()["id"])
        graph.call("POST", f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo",
                   json={"principalId": created[-1], "resourceId": sp["id"], "appRoleId": role}).raise_for_status()
    users, pages = graph.all_pages("/v1.0/users?$top=5")
    assert [u["id"] for u in users] == created and pages == 3

    jobs = graph.call("GET", f"/v1.0/servicePrincipals/{sp['id']}/synchronization/jobs").json()["value"]
    job = f"/v1.0/servicePrincipals/{sp['id']}/synchronization/jobs/{jobs[0]['id']}"
    assert graph.call("POST", f"{job}/start").status_code == 204
    advanced = requests.post(f"{azure}/_sim/clock/advance", json={"seconds": 0}, timeout=30).json()
    assert advanced["cycles"][0]["countExported"] == 12

    scim = requests.get(code42 + "/Users", params={"count": "100"}, timeout=5,
                        headers={"Authorization": f"Bearer {C42_TOKEN}"}).json()
    assert sorted(u["userName"] for u in scim["Resources"]) == [f"http{i:02d}@contoso.example" for i in range(12)]

    logs, pages = graph.all_pages("/v1.0/auditLogs/provisioning?$top=5")
    assert len(logs) == 12 and pages == 3 and {entry["provisioningAction"] for entry in logs} == {"create"}
    assert graph.call("GET", f"{job}").json()["status"]["code"] == "Active"

    anonymous = requests.get(f"{azure}/v1.0/users", timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_serve_command_runs_and_never_prints_secrets(code42):
    env = {**os.environ, "SCIMGATE_AZURE_TARGET_TOKEN": C42_TOKEN, "SCIMGATE_AZURE_CLIENT_ID": CLIENT_ID,
           "SCIMGATE_AZURE_CLIENT_SECRET": CLIENT_SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.azure_ad", "--target", code42, "--port", "0", "--tenant-id", TENANT,
         "--flag", "aadOptscim062020", "--start", "--poll-seconds", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        banner, match = "", None
        for _ in range(50):  # log lines may come first
            line = process.stdout.readline()
            banner += line
            match = re.search(r"Graph base URL: (http://127\.0\.0\.1:\d+)/v1\.0", line)
            if match or not line:
                break
        assert match, banner
        graph = GraphClient(match.group(1))
        sp = graph.call("GET", "/v1.0/servicePrincipals").json()["value"][0]
        job = graph.call("GET", f"/v1.0/servicePrincipals/{sp['id']}/synchronization/jobs").json()["value"][0]
        assert job["schedule"]["state"] == "Active"
    finally:
        process.send_signal(signal.SIGTERM)
        output = banner + process.communicate(timeout=15)[0]
    assert process.returncode == 0
    assert C42_TOKEN not in output and CLIENT_SECRET not in output


def test_serve_refuses_missing_secrets_and_unknown_flags(code42):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIMGATE_AZURE_")}
    missing = subprocess.run([sys.executable, "-m", "simulators.azure_ad", "--target", code42, "--port", "0"],
                             check=False, capture_output=True, text=True, env=env, timeout=30)
    assert missing.returncode == 2 and "SCIMGATE_AZURE_TARGET_TOKEN" in missing.stderr
    env.update(SCIMGATE_AZURE_TARGET_TOKEN=C42_TOKEN, SCIMGATE_AZURE_CLIENT_ID=CLIENT_ID,
               SCIMGATE_AZURE_CLIENT_SECRET=CLIENT_SECRET)
    unknown = subprocess.run([sys.executable, "-m", "simulators.azure_ad", "--target", code42, "--port", "0",
                              "--flag", "noSuchFlag"], check=False, capture_output=True, text=True, env=env, timeout=30)
    assert unknown.returncode == 2 and "unknown engine flag 'noSuchFlag'" in unknown.stderr
    assert "Traceback" not in unknown.stderr

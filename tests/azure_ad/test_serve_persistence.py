"""``scimgate serve azure-ad --db FILE`` as a process: stopped and started again, the mock tenant still
has its users, assignments and provisioning logs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from graph_support import CLIENT_ID, CLIENT_SECRET, TENANT, new_user_body

DEFAULT_ROLE = "00000000-0000-0000-0000-000000000000"


@contextmanager
def served(target_url: str, token: str, db: str) -> Iterator[requests.Session]:
    env = {**os.environ, "SCIMGATE_AZURE_TARGET_TOKEN": token, "SCIMGATE_AZURE_CLIENT_ID": CLIENT_ID,
           "SCIMGATE_AZURE_CLIENT_SECRET": CLIENT_SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.azure_ad", "--target", target_url, "--port", "0", "--tenant-id", TENANT,
         "--db", db, "--poll-seconds", "0.1", "--flag", "exclude_default_access=false"],
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
        base = match.group(1)
        session = requests.Session()
        token = session.post(f"{base}/{TENANT}/oauth2/v2.0/token", timeout=10, data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scope": "https://graph.microsoft.com/.default"}).json()["access_token"]
        session.headers["Authorization"] = f"Bearer {token}"
        session.base = base  # type: ignore[attr-defined]
        yield session
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert process.returncode == 0


def call(session: requests.Session, method: str, path: str, **kwargs) -> requests.Response:
    return session.request(method, session.base + path, timeout=10, **kwargs)  # type: ignore[attr-defined]


def test_served_tenant_keeps_its_state_across_a_restart(target, tmp_path):
    sp, url = target
    db = str(tmp_path / "azure.db")
    with served(url, sp.token, db) as graph:
        user = call(graph, "POST", "/v1.0/users", json=new_user_body("rita")).json()["id"]
        spid = call(graph, "GET", "/v1.0/servicePrincipals").json()["value"][0]["id"]
        call(graph, "POST", f"/v1.0/servicePrincipals/{spid}/appRoleAssignedTo",
             json={"principalId": user, "resourceId": spid, "appRoleId": DEFAULT_ROLE}).raise_for_status()
        job = call(graph, "GET", f"/v1.0/servicePrincipals/{spid}/synchronization/jobs").json()["value"][0]["id"]
        call(graph, "POST", f"/v1.0/servicePrincipals/{spid}/synchronization/jobs/{job}/start").raise_for_status()
        for _ in range(1000):  # the scheduler runs the initial cycle at its next poll
            logs = call(graph, "GET", "/v1.0/auditLogs/provisioning").json()["value"]
            if logs:
                break
            time.sleep(0.05)
        assert [entry["provisioningAction"] for entry in logs] == ["create"]
        assert [u["userName"] for u in sp.users.values()] == ["rita@contoso.example"]
    with served(url, sp.token, db) as graph:
        users = call(graph, "GET", "/v1.0/users").json()["value"]
        assert [u["id"] for u in users] == [user]
        assigned = call(graph, "GET", f"/v1.0/servicePrincipals/{spid}/appRoleAssignedTo").json()["value"]
        assert [a["principalId"] for a in assigned] == [user]
        logs = call(graph, "GET", "/v1.0/auditLogs/provisioning").json()["value"]
        assert [(entry["provisioningAction"], entry["sourceIdentity"]["id"]) for entry in logs] == [("create", user)]
        jobs = call(graph, "GET", f"/v1.0/servicePrincipals/{spid}/synchronization/jobs").json()["value"]
        assert jobs[0]["id"] == job

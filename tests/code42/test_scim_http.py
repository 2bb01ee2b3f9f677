"""The mock over real HTTP (waitress): headers on the wire, concurrency, and the serve command."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

import pytest
import requests

from simulators.common.server import COALESCE_BYTES
from tests.code42.conftest import SCIM_TOKEN, base_config, patch_body, user_body

AUTH = {"Authorization": f"Bearer {SCIM_TOKEN}"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return base_config(RULES="none")


def test_round_trip_over_http(served) -> None:
    base = f"{served.url}/scim/v2"
    with requests.Session() as s:
        s.headers.update(AUTH)
        created = s.post(f"{base}/Users", json=user_body(), headers={"Content-Type": "application/scim+json"})
        assert created.status_code == 201
        assert created.headers["Content-Type"] == "application/scim+json"
        assert created.headers["Location"] == f"{base}/Users/{created.json()['id']}"
        patched = s.patch(created.headers["Location"], json=patch_body({"op": "add", "path": "title", "value": "x"}),
                          headers={"If-Match": created.headers["ETag"]})
        assert patched.status_code == 200 and patched.headers["ETag"] == 'W/"2"'
        missing = s.get(f"{base}/Nope")
        assert missing.status_code == 404 and missing.json()["status"] == "404"
        unauth = requests.get(f"{base}/Users")
        assert unauth.status_code == 401 and unauth.headers["WWW-Authenticate"] == 'Bearer realm="scimgate"'


def test_eight_threads_creating_users_lose_no_write(served) -> None:
    base = f"{served.url}/scim/v2"
    failures: list[str] = []

    def worker(n: int) -> None:
        with requests.Session() as s:
            for i in range(25):
                r = s.post(f"{base}/Users", json=user_body(f"w{n}-{i}@example.com"), headers=AUTH)
                if r.status_code != 201:
                    failures.append(f"{r.status_code} {r.text}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    page = requests.get(f"{base}/Users?count=200", headers=AUTH)
    assert len(page.content) > COALESCE_BYTES  # a response the worker flushes as it writes it
    assert page.json()["totalResults"] == 200 and len(page.json()["Resources"]) == 200


def test_headers_and_body_reach_the_client_in_one_send(served) -> None:
    """Below COALESCE_BYTES waitress's I/O thread sends a response whole, so one recv() returns all of
    it (with waitress's default, the worker sent the headers alone first)."""
    with socket.create_connection((served.host, served.port), timeout=10) as sock:
        sock.sendall(f"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: {served.host}\r\n"
                     f"Authorization: Bearer {SCIM_TOKEN}\r\n\r\n".encode())
        data = sock.recv(COALESCE_BYTES)
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert head.startswith(b"HTTP/1.1 200") and length is not None
    assert len(body) == int(length.group(1)) > 0


def test_serve_command_prints_the_base_url_and_stops_on_sigterm(tmp_path) -> None:
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": "serve-secret-token", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.code42", "--port", "0", "--db", str(tmp_path / "c42.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("mock Code42 SCIM base URL: http://127.0.0.1:") and line.endswith("/scim/v2")
        url = line.rsplit(" ", 1)[1]
        assert requests.get(f"{url}/Users", headers={"Authorization": "Bearer serve-secret-token"},
                            timeout=5).status_code == 200
        assert requests.get(f"{url}/Users", timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "GET /scim/v2/Users 200" in err
    assert "serve-secret-token" not in out + err + line


def test_serve_command_refuses_to_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIMGATE_CODE42_")}
    proc = subprocess.run([sys.executable, "-m", "simulators.code42", "--port", "0"], capture_output=True, text=True,
                          env=env, timeout=30, check=False)
    assert proc.returncode == 2 and "SCIMGATE_CODE42_TOKEN" in proc.stderr

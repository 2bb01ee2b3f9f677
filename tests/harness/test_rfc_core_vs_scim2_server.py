"""The RFC 7644 core scenarios against an independent SCIM server (scim2-server), through the live-target options.

Why: a scenario that only ever ran against our own mock could encode our mock's quirks. scim2-server is a
separate RFC 7643/7644 implementation; every RFC-core scenario must pass against it, except the cases in
:data:`EXPECTED_DEVIATIONS` (explained in docs/rfc7644-peer.md), and an expected deviation that starts
passing fails this test so the table cannot go stale. Scenarios tagged ``code42_profile`` check Code42
choices RFC 7644 leaves open and are not run against the peer.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "rfc7644-core"

#: scenario id -> why scim2-server truly deviates from RFC 7644 there (docs/rfc7644-peer.md).
EXPECTED_DEVIATIONS: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def peer():
    exe = shutil.which("scim2-server", path=str(Path(sys.executable).parent)) or shutil.which("scim2-server")
    if exe is None:
        pytest.fail("scim2-server is not installed (pip install -e '.[test]')")
    port, token = _free_port(), "peer-" + secrets.token_urlsafe(12)
    proc = subprocess.Popen([exe, "--hostname", "127.0.0.1", "--port", str(port), "--bearer-token", token],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/ServiceProviderConfig", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("scim2-server did not start")
        yield url, token
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _outcomes(junit: Path) -> dict[str, str]:
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        scenario_id = case.get("name", "")
        kinds = {child.tag for child in case}
        out[scenario_id] = ("failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds
                            else "passed")
    return out


def test_rfc_core_scenarios_pass_against_scim2_server(peer, tmp_path):
    url, token = peer
    junit = tmp_path / "peer.xml"
    env = {**os.environ, "SCIMGATE_SCIM_TOKEN": token}  # the secret stays out of argv
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(SCENARIOS), "--scim-url", url, "--live", "-m", "not code42_profile",
         "-p", "no:cacheprovider", "-q", f"--junitxml={junit}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    outcomes = _outcomes(junit)
    assert outcomes, result.stdout[-2000:] + result.stderr[-2000:]
    unexpected = {sid: o for sid, o in outcomes.items() if o != "passed" and sid not in EXPECTED_DEVIATIONS}
    assert not unexpected, f"scim2-server failed RFC-core scenarios not in the table: {unexpected}\n{result.stdout[-3000:]}"
    healed = [sid for sid in EXPECTED_DEVIATIONS if outcomes.get(sid) == "passed"]
    assert not healed, f"expected deviations now pass against scim2-server; remove them from the table: {healed}"
    missing = [sid for sid in EXPECTED_DEVIATIONS if sid not in outcomes]
    assert not missing, f"deviation table names scenarios that did not run: {missing}"
    assert all(o != "skipped" for o in outcomes.values()), f"skipped against the peer: {outcomes}"

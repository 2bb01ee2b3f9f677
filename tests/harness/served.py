"""The mock Code42 served on a real clock in a subprocess (``python -m simulators.code42``): a stand-in
for a live tenant, so live mode (real waits, prefix cleanup, Ctrl-C) is tested end to end."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROFILES = Path(__file__).with_name("profiles")
LIVE_1M = PROFILES / "live-1m.yaml"   # deactivation delay 1 minute: the shortest the profile schema allows


@dataclass
class Served:
    root: str
    token: str
    client_id: str
    client_secret: str
    process: subprocess.Popen

    @property
    def scim_url(self) -> str:
        return f"{self.root}/scim/v2"

    def env(self) -> dict[str, str]:
        """Environment for a live scimgate run against this tenant (secrets never in argv)."""
        return {**os.environ, "SCIMGATE_SCIM_TOKEN": self.token, "SCIMGATE_CODE42_CLIENT_SECRET": self.client_secret}

    def args(self) -> list[str]:
        return ["--scim-url", self.scim_url, "--live", "--code42-api-url", self.root,
                "--code42-client-id", self.client_id]


@contextmanager
def served_code42(profile: Path = LIVE_1M) -> Iterator[Served]:
    token, secret = "tok-" + secrets.token_urlsafe(18), "sec-" + secrets.token_urlsafe(18)
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": token, "SCIMGATE_CODE42_ADMIN_SECRET": secret}
    process = subprocess.Popen([sys.executable, "-m", "simulators.code42", "--host", "127.0.0.1", "--port", "0",
                                "--profile", str(profile), "--admin-client-id", "scimgate-live-test",
                                "--tick-seconds", "0.5"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline().strip()
        if "http://" not in line:
            raise RuntimeError(f"the mock Code42 did not start: {line!r}")
        root = line[line.index("http://"):].removesuffix("/scim/v2")
        yield Served(root, token, "scimgate-live-test", secret, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""Real SCIM servers on loopback, each started as its own process, for live runs of the suite.

- :func:`scim2_server`: PyPI ``scim2-server`` (python-scim), in memory, one static bearer token;
- :func:`django_scim2`: PyPI ``django-scim2`` (15five) in the tiny Django project ``django_peer``,
  SQLite, served by waitress;
- :func:`served_code42`: this project's mock Code42 as a user serves it, ``scimgate serve code42
  --sim-control`` (virtual clock, reset per scenario), on one process for many runs.

Readiness is waited for by reading the server's start line or by polling a bounded number of times,
never by a fixed sleep.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@dataclass
class Peer:
    """One running server and what a live run needs to reach it (secrets stay out of argv of the run)."""

    name: str
    scim_url: str
    token: str = field(repr=False)
    process: subprocess.Popen
    admin_url: str | None = None
    admin_client: tuple[str, str] | None = field(default=None, repr=False)

    def values(self, **extra: object) -> dict[str, object]:
        """Harness option values for a live run against this server."""
        out: dict[str, object] = {"scim_url": self.scim_url, "scim_token": self.token, "live": True}
        if self.admin_url and self.admin_client:
            out |= {"code42_api_url": self.admin_url, "code42_client_id": self.admin_client[0],
                    "code42_client_secret": self.admin_client[1]}
        return out | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _start_line(process: subprocess.Popen, what: str) -> str:
    """The ``http://...`` URL from the server's first line (it prints it once it listens)."""
    line = process.stdout.readline().strip() if process.stdout else ""
    if "http://" not in line:
        _stop(process)
        raise RuntimeError(f"{what} did not start: {line!r}")
    return line[line.index("http://"):]


@contextmanager
def scim2_server() -> Iterator[Peer]:
    exe = shutil.which("scim2-server", path=str(Path(sys.executable).parent)) or shutil.which("scim2-server")
    if exe is None:
        raise RuntimeError("scim2-server is not installed (pip install -e '.[test]')")
    port, token = _free_port(), "peer-" + secrets.token_urlsafe(12)
    process = subprocess.Popen([exe, "--hostname", "127.0.0.1", "--port", str(port), "--bearer-token", token],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # bounded: the process either listens or has died
            if process.poll() is not None:
                raise RuntimeError(f"scim2-server exited with {process.returncode}")
            try:
                requests.get(f"{url}/ServiceProviderConfig", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError("scim2-server did not listen")
        yield Peer(f"scim2-server {version('scim2-server')}", url, token, process)
    finally:
        _stop(process)


@contextmanager
def django_scim2(folder: Path) -> Iterator[Peer]:
    token = "peer-" + secrets.token_urlsafe(12)
    env = {**os.environ, "DJANGO_PEER_TOKEN": token, "PYTHONPATH": os.pathsep.join(
        [str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    process = subprocess.Popen([sys.executable, "-m", "django_peer.serve", "--port", "0",
                                "--db", str(folder / "django-scim2.sqlite")],
                               cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = _start_line(process, "the django-scim2 peer")
        yield Peer(f"django-scim2 {version('django-scim2')}", url, token, process)
    finally:
        _stop(process)


@contextmanager
def served_code42(profile: Path | None = None) -> Iterator[Peer]:
    """``scimgate serve code42 --sim-control --port 0`` with generated credentials (in the environment)."""
    token, secret, client = "tok-" + secrets.token_urlsafe(18), "sec-" + secrets.token_urlsafe(18), "scimgate-ci"
    env = {**os.environ, "SCIMGATE_CODE42_TOKEN": token, "SCIMGATE_CODE42_ADMIN_SECRET": secret}
    command = [sys.executable, "-m", "harness.cli", "serve", "code42", "--host", "127.0.0.1", "--port", "0",
               "--sim-control", "--admin-client-id", client]
    if profile is not None:
        command += ["--profile", str(profile)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = _start_line(process, "scimgate serve code42")
        root = url.removesuffix("/scim/v2")
        yield Peer("mock Code42 (scimgate serve code42 --sim-control)", url, token, process,
                   admin_url=root, admin_client=(client, secret))
    finally:
        _stop(process)

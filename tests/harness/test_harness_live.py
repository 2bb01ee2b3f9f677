"""Live mode end to end against the mock Code42 served on a real clock (``python -m simulators.code42``).

The served profile has a 1-minute deactivation delay (the profile schema counts whole minutes; one
minute is the shortest real delay and fits CI). These tests wait for real, so they are marked slow.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from served import LIVE_1M, Served, served_code42

from harness.cleanup import Sweeper
from harness.drivers.code42_admin import Code42Admin
from harness.drivers.scim_client import ScimAuth, ScimClient
from simulators.common.http_recording import RecordingSession

pytestmark = pytest.mark.slow

DELAY = 60.0
#: Bounds on a hang, never speed budgets: the interrupted run's scenarios would otherwise wait 10 minutes.
HANG_GUARD_SECONDS = 300
HANG_GUARD_POLLS = 3000  # 0.2 s polls for the progress line
DELAYED = """\
id: live/delayed-{n}
title: Delayed check {n}
area: live
doc: {{seed: 000_fdc7d7180481efa8.txt, section: "Deactivation delay"}}
requires: [code42-admin]
given: {{users: [{{ref: alice}}, {{ref: bob}}], groups: [{{ref: team, members: [bob]}}], assign: [alice, bob, team]}}
when:
  - provision: initial
  - disable: alice
then:
  - code42.user: {{ref: alice, blocked: true, active: true}}
  - after: {{profile: deactivation_delay, tolerance: 1m}}
    code42.user: {{ref: alice, active: false}}
"""
FOREVER = """\
id: live/waits-forever-{n}
title: Waits ten minutes {n}
area: live
doc: {{seed: 000_fdc7d7180481efa8.txt, section: "Deactivation delay"}}
requires: [code42-admin]
given: {{users: [{{ref: carol}}], groups: [{{ref: crew, members: [carol]}}], assign: [carol, crew]}}
when:
  - provision: initial
then:
  - after: 10m
    code42.user: {{ref: carol, active: true}}
"""


def _suite(folder: Path, template: str, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"s{n:02d}.yaml").write_text(template.format(n=n), encoding="utf-8")
    return folder


def _command(served: Served, suite: Path, prefix: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", str(suite),
            "--scenarios", str(suite), *served.args(), "--profile", str(LIVE_1M), "--run-prefix", prefix, *extra]


def _with_ctrl_c(command: list[str]) -> list[str]:
    """``command`` (a ``python -m pytest`` run) with Ctrl-C raising KeyboardInterrupt even when this test
    runs with SIGINT ignored: a shell starts background jobs (``pytest ... &``) that way, children inherit
    it, and Python then installs no SIGINT handler, so the interrupt this test sends would be lost."""
    assert command[1:3] == ["-m", "pytest"]
    bootstrap = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                 "sys.argv = ['pytest', *sys.argv[1:]]; runpy.run_module('pytest', run_name='__main__')")
    return [command[0], "-c", bootstrap, *command[3:]]


def _leftovers(served: Served, prefix: str) -> list[str]:
    session = RecordingSession(secrets=[served.token, served.client_secret], timeout=10)
    scim = ScimClient(served.scim_url, session, ScimAuth(served.token))
    admin = Code42Admin(served.root, served.client_id, served.client_secret, session, plan="crashplan-cloud")
    try:
        return Sweeper(scim, admin).leftovers(prefix)
    finally:
        session.close()


def _no_secrets(served: Served, *texts: str, folders: tuple[Path, ...] = ()) -> None:
    blobs = list(texts) + [p.read_text(errors="replace") for f in folders for p in f.rglob("*") if p.is_file()]
    for secret in (served.token, served.client_secret):
        assert not any(secret in blob for blob in blobs), "a secret leaked into the output"


def test_ten_delayed_checks_overlap_and_clean_up(tmp_path: Path):
    suite = _suite(tmp_path / "suite", DELAYED, 10)
    results, junit = tmp_path / "allure", tmp_path / "junit.xml"
    with served_code42() as served:
        started = time.monotonic()
        done = subprocess.run(_command(served, suite, "sgten", "--concurrency", "10", "--progress-interval", "5",
                                       f"--alluredir={results}", f"--junitxml={junit}", "-rA"),
                              env=served.env(), capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
        wall = time.monotonic() - started
        leftovers = _leftovers(served, "sgten")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "10 passed" in out
    # Waits are real: the run lasted at least the 1-minute delay (a lower bound; a busy machine only adds).
    assert wall >= DELAY, f"ten delayed checks took {wall:.0f}s"
    # ... and overlapped, as observed by the run itself: one progress report lists all ten scenarios
    # waiting on the target's clock at the same moment (no wall-clock budget involved).
    waiting_at_once = [int(n) for n in re.findall(r"scimgate: (\d+) scenario\(s\) waiting on the target's clock", out)]
    assert max(waiting_at_once, default=0) == 10, waiting_at_once
    # Progress while waiting: which scenario, for what, time left.
    assert "scenario(s) waiting on the target's clock (concurrency 10)" in out
    assert "waiting  live/delayed-" in out and "code42.user (after deactivation_delay (1m) ± 1m)" in out
    assert "window closes in" in out
    # Cleanup is reported per scenario and at the end, and leaves nothing prefixed in service.
    assert "scimgate cleanup" in out and "end of run: cleanup (prefix sgten)" in out
    assert "SCIM Group 'sgten-" in out and "Code42 user 'sgten-" in out
    assert leftovers == []
    _no_secrets(served, out, junit.read_text(), folders=(results,))


def test_ctrl_c_mid_wait_cleans_up_and_reports(tmp_path: Path):
    suite = _suite(tmp_path / "suite", FOREVER, 2)
    with served_code42() as served:
        command = _command(served, suite, "sgint", "--concurrency", "2", "--progress-interval", "1")
        process = subprocess.Popen(_with_ctrl_c(command),
                                   env=served.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   cwd=tmp_path)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
        reader.start()
        # Wait for the progress line (a condition), while the run is alive; the count only bounds a hang.
        for _ in range(HANG_GUARD_POLLS):
            if process.poll() is not None or any("waiting  live/waits-forever-1" in x for x in lines):
                break
            time.sleep(0.2)
        assert any("waiting  live/waits-forever-" in x for x in lines), "".join(lines)[-3000:]
        assert _leftovers(served, "sgint"), "the scenarios should have provisioned users before the interrupt"
        process.send_signal(signal.SIGINT)
        try:
            # A hang guard only (5 minutes, half the scenarios' 10-minute wait): an interrupt that woke
            # nobody would leave the run waiting those out; how fast it stops is not the verdict.
            process.wait(timeout=HANG_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()  # never leave an orphan run behind; show what it printed instead
            process.wait()
            reader.join(timeout=10)
            pytest.fail("the interrupted run did not stop (hang guard); its output:\n" + "".join(lines)[-6000:])
        reader.join(timeout=10)
        leftovers = _leftovers(served, "sgint")
    out = "".join(lines)
    assert "interrupted: waking waiting scenarios" in out
    assert "live/waits-forever-0: cleanup (prefix sgint-" in out and "live/waits-forever-1: cleanup" in out
    assert "Code42 user 'sgint-" in out and "(deactivated)" in out and "SCIM Group 'sgint-" in out
    assert "end of run: cleanup (prefix sgint)" in out
    assert leftovers == []
    _no_secrets(served, out)


def test_live_target_without_consent_is_never_written(tmp_path: Path):
    suite = _suite(tmp_path / "suite", DELAYED, 1)
    with served_code42() as served:
        args = [a for a in _command(served, suite, "sgnolive") if a != "--live"]
        done = subprocess.run(args, env=served.env(), capture_output=True, text=True, timeout=120, cwd=tmp_path,
                              check=False)
        leftovers = _leftovers(served, "sgnolive")
    assert done.returncode != 0 and "add --live to consent" in done.stderr
    assert leftovers == []
    _no_secrets(served, done.stdout, done.stderr)


def test_leftovers_of_a_killed_run_are_swept_by_prefix_only(tmp_path: Path):
    """``--run-prefix <old> -k nothing`` sweeps what a killed run left; look-alike names are not touched."""
    suite = _suite(tmp_path / "suite", DELAYED, 1)
    with served_code42() as served:
        session = RecordingSession(secrets=[served.token], timeout=10)
        scim = ScimClient(served.scim_url, session, ScimAuth(served.token))
        for name in ("sgkill-0a1b2-alice@scimgate.example.com", "sgkillx-bob@scimgate.example.com"):
            body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": True}
            assert scim.request("POST", "/Users", body=body).status_code == 201
        group = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "sgkill-0a1b2 team"}
        assert scim.request("POST", "/Groups", body=group).status_code == 201
        done = subprocess.run(_command(served, suite, "sgkill", "-k", "nothing-matches-this"), env=served.env(),
                              capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
        leftovers = _leftovers(served, "sgkill")
        untouched = _leftovers(served, "sgkillx")
        session.close()
    out = done.stdout + done.stderr
    assert "end of run: cleanup (prefix sgkill): 3 cleaned" in out, out[-3000:]
    assert "SCIM Group 'sgkill-0a1b2 team'" in out and "Code42 user 'sgkill-0a1b2-alice@" in out
    assert leftovers == []
    assert untouched == ["SCIM User 'sgkillx-bob@scimgate.example.com'",
                         "Code42 user 'sgkillx-bob@scimgate.example.com'"]
    _no_secrets(served, out)

"""The harness under a misbehaving target: down, slow, hanging up, rate-limiting, 5xx bursts.

Each affected scenario must end once, as *broken* in the Allure category "target unreachable", with a
readable reason; the run must finish within the configured timeout, and a target that is down is
announced once, up front.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
import requests
from faulty import FaultyProxy, RawServer, refused_port

from harness.errors import TargetUnreachable
from harness.transport import retry_after_seconds, send_with_retries
from simulators.code42.app import create_app
from simulators.common.server import ServerThread

SCENARIOS = {
    "spc.yaml": "then:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}\n",
    "users.yaml": "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n",
    "alice.yaml": ("requires: [code42-admin]\ngiven: {users: [{ref: alice}], assign: [alice]}\n"
                   "when:\n  - provision: initial\nthen:\n  - code42.user: {ref: alice, active: true}\n"),
}
HEAD = "id: faults/{stem}\ntitle: {stem}\narea: robustness\ndoc: {{seed: 000_fdc7d7180481efa8.txt, section: x}}\n"
TOKEN, SECRET = "tok-" + secrets.token_urlsafe(16), "sec-" + secrets.token_urlsafe(16)


def _suite(pytester: pytest.Pytester, names: tuple[str, ...]) -> Path:
    root = pytester.path / "suite"
    root.mkdir(exist_ok=True)
    for name in names:
        (root / name).write_text(HEAD.format(stem=name.removesuffix(".yaml")) + SCENARIOS[name])
    return root


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, root_url: str, *,
         names: tuple[str, ...] = tuple(SCENARIOS), timeout: float = 2.0) -> tuple[pytest.RunResult, Path]:
    monkeypatch.setenv("SCIMGATE_SCIM_TOKEN", TOKEN)
    monkeypatch.setenv("SCIMGATE_CODE42_CLIENT_SECRET", SECRET)
    suite, results = _suite(pytester, names), pytester.path / "allure"
    result = pytester.runpytest("-p", "no:cacheprovider", str(suite), "--scenarios", str(suite),
                                "--scim-url", f"{root_url}/scim/v2", "--live", "--code42-api-url", root_url,
                                "--code42-client-id", "cid", "--request-timeout", str(timeout),
                                f"--alluredir={results}", "-rfE")
    return result, results


def _assert_unreachable_once(result: pytest.RunResult, results: Path, reason: str, count: int = 3) -> None:
    out = result.stdout.str()
    result.assert_outcomes(failed=count)
    assert len([line for line in result.outlines if line.startswith("FAILED ")]) == count
    reasons = [line for line in result.outlines if line.startswith("[")]  # each failure's one-line message
    assert len(reasons) == count, reasons
    assert all(line.count("[target unreachable]") == 1 and reason in line for line in reasons), reasons
    assert "Traceback" not in out and "urllib3" not in out and "MaxRetryError" not in out
    for path in results.glob("*-result.json"):
        data = json.loads(path.read_text())
        assert data["status"] == "broken", data
        assert data["statusDetails"]["message"].count("[target unreachable]") == 1
    assert len(list(results.glob("*-result.json"))) == count
    assert TOKEN not in out and SECRET not in out


def test_target_down_is_one_readable_failure_per_scenario_and_announced_up_front(pytester, monkeypatch):
    result, results = _run(pytester, monkeypatch, f"http://127.0.0.1:{refused_port()}")
    _assert_unreachable_once(result, results, "connection refused")
    assert "did not answer the start-of-run probe" in result.stdout.str()
    result.stdout.fnmatch_lines(["*TARGET UNREACHABLE at the start of the run*connection refused*",
                                 "*each of the 3 scenarios will be reported once as broken*"])


def test_silent_target_times_out_at_the_configured_timeout(pytester, monkeypatch):
    with RawServer("silent") as server:
        result, results = _run(pytester, monkeypatch, server.url, timeout=1.0)
        server.settle()
    _assert_unreachable_once(result, results, "no answer within 1s (--request-timeout)")
    # The client, not the server, ended every held request (the start-of-run probe's): the 1 s timeout
    # was applied, and nothing waited for the server to let go.
    assert server.held >= 1 and server.abandoned_by_client == server.held, (server.held, server.abandoned_by_client)
    assert server.released_by_server == 0


def test_target_closing_connections(pytester, monkeypatch):
    with RawServer("hangup") as server:
        result, results = _run(pytester, monkeypatch, server.url)
    _assert_unreachable_once(result, results, "closed the connection without answering")


@pytest.fixture
def mock_root():
    """A mock Code42 without sim control (a stand-in live tenant) with known credentials."""
    app = create_app({"SCIM_TOKEN": TOKEN, "DATABASE": ":memory:", "SIM_CONTROL": False,
                      "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": SECRET})
    with ServerThread(app, threads=4) as server:
        yield server.url


def test_rate_limited_target_is_unreachable_after_honouring_retry_after(pytester, monkeypatch, mock_root):
    proxy = FaultyProxy(mock_root, lambda n, r: (429, {"Retry-After": "1"}))
    with proxy.serve() as server:
        result, results = _run(pytester, monkeypatch, server.url)
    _assert_unreachable_once(result, results, "HTTP 429 TOO MANY REQUESTS on 3 attempts, Retry-After: 1")
    assert proxy.count == 3, "the probe tries three times, then every scenario fails at once"
    # Retry-After honoured: each retry arrived at least the advised second after the attempt before it
    # (a lower bound on observed arrival times; a busy machine only widens the gaps).
    gaps = [later - earlier for earlier, later in zip(proxy.arrivals, proxy.arrivals[1:])]
    assert len(gaps) == 2 and all(gap >= 1.0 for gap in gaps), gaps


def test_5xx_mid_run_fails_each_scenario_once(pytester, monkeypatch, mock_root):
    # The start-of-run probe (4 requests) gets through; from then on the target answers 503.
    proxy = FaultyProxy(mock_root, lambda n, r: (503, {}) if n > 4 else None)
    with proxy.serve() as server:
        result, results = _run(pytester, monkeypatch, server.url)
    _assert_unreachable_once(result, results, "HTTP 503 SERVICE UNAVAILABLE on 3 attempts")
    assert "TARGET UNREACHABLE" not in result.stdout.str()  # the probe passed


def test_short_5xx_burst_is_ridden_out(pytester, monkeypatch, mock_root):
    proxy = FaultyProxy(mock_root, lambda n, r: (503, {"Retry-After": "0"}) if n in (5, 6) else None)
    with proxy.serve() as server:
        result, results = _run(pytester, monkeypatch, server.url, names=("spc.yaml", "users.yaml"))
    result.assert_outcomes(passed=2)
    attachments = "".join(p.read_text(errors="replace") for p in results.glob("*-attachment*"))
    assert "HTTP 503" in attachments, "the retried exchanges stay visible in the report"


# ------------------------------------------------------------------ the retry policy itself

def test_retry_after_forms():
    assert retry_after_seconds("3") == 3 and retry_after_seconds("600") == 10  # capped
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


def test_a_post_is_not_retried_after_the_target_hung_up():
    calls = []

    def send() -> requests.Response:
        calls.append(1)
        raise requests.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                                       "without response'))")

    with pytest.raises(TargetUnreachable, match="closed the connection without answering"):
        send_with_retries(send, what="SCIM (POST /Users)", method="POST", sleep=lambda s: None)
    assert len(calls) == 1, "the POST may have been processed: retrying could create a duplicate"

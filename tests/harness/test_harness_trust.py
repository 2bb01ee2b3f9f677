"""Live mode you can trust: wrong credentials, a run that verified nothing, a host that is not a SCIM
service provider, simulation control only on a proven mock, a target that stops mid-run, a mock
configured differently from --profile, destructive steps, and JUnit/Allure/terminal output."""

from __future__ import annotations

import json
import secrets
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from werkzeug.wrappers import Request, Response

from harness import cli
from harness.target import load_profile_dict
from simulators.code42.app import create_app
from simulators.common.server import ServerThread

HEAD = "id: trust/{stem}\ntitle: {stem}\narea: trust\ndoc: {{seed: 000_fdc7d7180481efa8.txt, section: x}}\n"
USERS = "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n"
SPC = "then:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}\n"
NEEDS_ADMIN = "requires: [code42-admin]\nthen:\n  - scim.request: {method: GET, path: /Users}\n"
SECRET = "sec-" + secrets.token_urlsafe(16)


def _suite(pytester: pytest.Pytester, **scenarios: str) -> Path:
    root = pytester.path / "suite"
    root.mkdir(exist_ok=True)
    for stem, body in scenarios.items():
        (root / f"{stem}.yaml").write_text(HEAD.format(stem=stem) + body)
    return root


def _live(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, root_url: str, token: str, suite: Path,
          *extra: str, admin: bool = False) -> pytest.RunResult:
    monkeypatch.setenv("SCIMGATE_SCIM_TOKEN", token)
    monkeypatch.setenv("SCIMGATE_CODE42_CLIENT_SECRET", SECRET)
    args = ["--code42-api-url", root_url, "--code42-client-id", "cid"] if admin else []
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "--scenarios", str(suite),
                              "--scim-url", f"{root_url}/scim/v2", "--live", "--request-timeout", "5", *args, *extra)


class Recorder:
    """WSGI middleware (or a whole app) that keeps every request path it saw."""

    def __init__(self, app=None):
        self.app, self.paths = app, []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.paths.append(request.path)
        if self.app is None:  # a host that answers every path with an HTML page
            return Response("<html><body>Welcome</body></html>", content_type="text/html")(environ, start_response)
        return self.app(environ, start_response)


@pytest.fixture
def mock():
    """A mock Code42 without sim control (a stand-in live tenant) behind a path recorder."""
    token = "tok-" + secrets.token_urlsafe(16)
    app = Recorder(create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False,
                               "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": SECRET}))
    with ServerThread(app, threads=4) as server:
        yield server.url, token, app


def _reasons(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("[")]


def test_wrong_token_is_one_reason_every_scenario_broken_and_a_failing_exit(pytester, monkeypatch, mock):
    url, token, _ = mock
    suite = _suite(pytester, users=USERS, spc=SPC)
    result = _live(pytester, monkeypatch, url, "wrong-" + token, suite, "--junitxml", str(pytester.path / "j.xml"))
    out = result.stdout.str()
    assert result.ret != 0
    assert len([line for line in result.outlines if "CREDENTIALS REJECTED:" in line]) == 1
    assert "the SCIM endpoint refused the credentials" in out
    reasons = _reasons(result)
    assert len(reasons) == 2 and all(r.startswith("[credentials rejected]") for r in reasons), reasons
    assert "passed" not in result.outlines[-1]
    assert "[product defect]" not in out and token not in out
    junit = ET.parse(pytester.path / "j.xml").getroot()
    assert len(junit.findall(".//error")) == 2 and not junit.findall(".//failure")


def test_a_run_that_verified_nothing_fails_unless_allowed(pytester, monkeypatch, mock):
    url, token, _ = mock
    suite = _suite(pytester, needs=NEEDS_ADMIN)
    result = _live(pytester, monkeypatch, url, token, suite)
    result.assert_outcomes(skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*NOTHING VERIFIED: all 1 scenarios were skipped*--allow-unverified*"])
    allowed = _live(pytester, monkeypatch, url, token, suite, "--allow-unverified")
    allowed.assert_outcomes(skipped=1)
    assert allowed.ret == pytest.ExitCode.OK


def test_an_html_everywhere_host_gets_no_sim_control_and_one_readable_verdict(pytester, monkeypatch):
    host = Recorder()
    with ServerThread(host, threads=2) as server:
        suite = _suite(pytester, users=USERS, spc=SPC)
        result = _live(pytester, monkeypatch, server.url, "some-token", suite, admin=True)
    out = result.stdout.str()
    assert not [p for p in host.paths if p.startswith("/_sim")], host.paths
    assert host.paths == ["/scim/v2/ServiceProviderConfig"], "the probe stops at the first non-SCIM answer"
    assert result.ret != 0
    assert len([line for line in result.outlines if "CONFIGURATION ERROR:" in line]) == 1
    assert "is not a SCIM service provider: GET /ServiceProviderConfig answered HTTP 200 with text/html" in out
    reasons = _reasons(result)
    assert len(reasons) == 2 and all(r.startswith("[configuration error]") for r in reasons), reasons
    assert "Traceback" not in out and "JSONDecodeError" not in out
    assert len(result.outlines) < 60


def test_sim_control_needs_the_mock_identity_not_a_200(pytester, monkeypatch, mock):
    """A SCIM server whose /_sim/clock says 200 (JSON, but no scimgate identity) is a live target."""
    url, token, app = mock
    inner = app.app

    def lying(environ, start_response):
        if environ["PATH_INFO"].startswith("/_sim"):
            return Response(json.dumps({"now": "2026-01-01T00:00:00Z"}), content_type="application/json")(
                environ, start_response)
        return inner(environ, start_response)

    app.app = lying
    result = _live(pytester, monkeypatch, url, token, _suite(pytester, users=USERS))
    result.assert_outcomes(passed=1)
    assert [p for p in app.paths if p.startswith("/_sim")] == ["/_sim/clock"], "asked once, never reset"


def test_a_proven_mock_gets_sim_control(pytester, monkeypatch):
    token = "tok-" + secrets.token_urlsafe(16)
    app = Recorder(create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": True,
                               "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": SECRET,
                               "PROFILE": load_profile_dict("default")}))
    with ServerThread(app, threads=4) as server:
        result = _live(pytester, monkeypatch, server.url, token, _suite(pytester, users=USERS), admin=True)
    result.assert_outcomes(passed=1)
    assert "/_sim/reset" in app.paths


def test_a_mock_configured_unlike_the_profile_is_one_configuration_error(pytester, monkeypatch):
    token = "tok-" + secrets.token_urlsafe(16)
    other = dict(load_profile_dict("default"), deactivation_delay_minutes=45)
    app = create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": True,
                      "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": SECRET, "PROFILE": other})
    with ServerThread(app, threads=4) as server:
        result = _live(pytester, monkeypatch, server.url, token, _suite(pytester, users=USERS, spc=SPC), admin=True)
    assert result.ret != 0
    lines = [line for line in result.outlines if "CONFIGURATION ERROR:" in line]
    assert len(lines) == 1, result.outlines
    assert "deactivation delay (minutes) is 45 on the tenant, 15 in the profile" in lines[0]
    assert all(r.startswith("[configuration error]") for r in _reasons(result))
    assert "[product defect]" not in result.stdout.str()


def test_a_target_that_stops_mid_run(pytester, monkeypatch):
    """The second scenario asks the target to go away: it and the rest end once as unreachable."""
    token = "tok-" + secrets.token_urlsafe(16)
    inner = create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False,
                        "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": SECRET})
    stopper: list[threading.Thread] = []

    def app(environ, start_response):
        if "stop-now" in environ.get("QUERY_STRING", "") and not stopper:
            stopper.append(threading.Thread(target=server.stop, daemon=True))  # after this answer
            stopper[0].start()
        return inner(environ, start_response)

    server = ServerThread(app, threads=4).start()
    stop = ("then:\n  - scim.request: {method: GET, path: '/Users?filter=userName%20eq%20%22stop-now%22'}\n"
            "  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n")
    suite = _suite(pytester, a_first=USERS, b_stops=stop, c_after=USERS)
    try:
        result = _live(pytester, monkeypatch, server.url, token, suite, "--request-timeout", "2")
    finally:
        if stopper:
            stopper[0].join(timeout=10)
        else:
            server.stop()
    out = result.stdout.str()
    result.assert_outcomes(passed=1, failed=2)
    reasons = _reasons(result)
    assert len(reasons) == 2 and all(r.startswith("[target unreachable]") for r in reasons), reasons
    assert "Traceback" not in out and "urllib3" not in out
    assert "end of run: cleanup" in out


def test_regenerated_credentials_are_carried_and_announced_once(pytester, monkeypatch, mock):
    url, token, _ = mock
    regen = ("requires: [code42-admin]\nwhen:\n  - code42.regenerate_credentials: {update_idp: false}\n"
             "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n")
    suite = _suite(pytester, a_regen=regen, b_after=USERS)
    result = _live(pytester, monkeypatch, url, token, suite, "--allow-destructive", admin=True)
    out = result.stdout.str()
    result.assert_outcomes(passed=2)
    assert out.count("the tenant's SCIM token changed during this run") == 1
    assert requests.get(f"{url}/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}, timeout=5
                        ).status_code == 401, "the tenant's token really changed"
    new_tokens = [line for line in out.splitlines() if "tok-" in line]
    assert not new_tokens, new_tokens


def test_provider_settings_are_restored_after_a_live_scenario(pytester, monkeypatch, mock):
    url, token, _ = mock
    edit = ("requires: [code42-admin]\nwhen:\n  - code42.settings: {deactivation_delay_minutes: 30}\n"
            "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n")
    session = requests.Session()
    bearer = session.post(f"{url}/v1/oauth", params={"grant_type": "client_credentials"}, auth=("cid", SECRET),
                          timeout=5).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {bearer}"
    before = session.get(f"{url}/v1/scim-providers", timeout=5).json()["scimServers"][0]
    result = _live(pytester, monkeypatch, url, token, _suite(pytester, edit=edit), "--allow-destructive", admin=True)
    result.assert_outcomes(passed=1)
    after = session.get(f"{url}/v1/scim-providers", timeout=5).json()["scimServers"][0]
    assert after["provisioningDeactivationDelay"] == before["provisioningDeactivationDelay"] != 30
    assert "provider settings restored" in result.stdout.str()


def test_junit_has_errors_for_broken_and_failures_for_failed(pytester):
    broken = "then:\n  - scim.request: {method: GET, path: '/Users/${nobody.id}', expect: {status: 200}}\n"
    failed = "then:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 418}}\n"
    suite = _suite(pytester, broken=broken, failed=failed)
    junit = pytester.path / "junit.xml"
    pytester.runpytest("-p", "no:cacheprovider", "--scenarios", str(suite), f"--junitxml={junit}")
    root = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["trust/broken"].find("error") is not None and cases["trust/broken"].find("failure") is None
    assert cases["trust/failed"].find("failure") is not None and cases["trust/failed"].find("error") is None
    suite_node = root.find("testsuite") if root.tag == "testsuites" else root
    assert (suite_node.get("errors"), suite_node.get("failures")) == ("1", "1")


def test_allure_tree_is_area_then_scenario_and_paths_are_relative_to_the_suite(pytester):
    suite = _suite(pytester, spc=SPC)
    out = pytester.path / "allure"
    result = pytester.runpytest("-p", "no:cacheprovider", "--scenarios", str(suite), f"--alluredir={out}", "-v")
    result.stdout.fnmatch_lines(["spc.yaml::trust/spc PASSED*"])
    data = json.loads(next(out.glob("*-result.json")).read_text())
    labels = {(lab["name"], lab["value"]) for lab in data["labels"]}
    assert ("suite", "trust") in labels and ("parentSuite", "Code42 SCIM provisioning from Azure AD") in labels
    assert not [lab for lab in data["labels"] if lab["name"] == "subSuite"]
    assert str(pytester.path) not in json.dumps(data["labels"]) and "site-packages" not in json.dumps(data)


def test_terminal_reasons_are_short_and_the_report_keeps_the_full_text(pytester, monkeypatch, mock):
    url, token, _ = mock
    wants = {f"org_{n}": {"name": f"an org with a rather long name number {n}"} for n in range(8)}
    body = "profile: " + json.dumps({"orgs": list(wants.values()), "deactivation_delay_minutes": 3}) + "\n" + USERS
    suite = _suite(pytester, mismatch=body)
    out = pytester.path / "allure"
    result = _live(pytester, monkeypatch, url, token, suite, "-rs", f"--alluredir={out}", "--allow-unverified")
    result.assert_outcomes(skipped=1)
    skip_lines = [line for line in result.outlines if "[not verifiable]" in line]
    assert skip_lines, result.outlines
    assert all(len(line[line.index("[not verifiable]"):]) <= 200 for line in skip_lines), skip_lines
    assert all(line.startswith("SKIPPED [1] suite/mismatch.yaml:") for line in skip_lines), skip_lines
    attachments = [p.read_text() for p in out.glob("*-attachment*")]
    assert any("an org with a rather long name number 7" in text for text in attachments)


def test_report_takes_the_results_folder_as_readme_writes_it(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "none"), "--output", str(tmp_path / "html")]) == 2
    assert "no Allure results in" in capsys.readouterr().err


def test_serve_without_a_profile_is_the_tenant_the_default_profile_describes(pytester, monkeypatch):
    """``scimgate serve code42 --sim-control`` and a run without --profile agree: users land in
    Provisioned (the bundled scenario that checks it passes), and the settings check finds no mismatch."""
    import argparse

    from simulators.code42.serve import add_arguments, build_config

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    token = "tok-" + secrets.token_urlsafe(16)
    args = parser.parse_args(["--sim-control", "--token", token, "--admin-client-id", "cid",
                              "--admin-client-secret", SECRET])
    with ServerThread(create_app(build_config(args, environ={})), threads=4) as server:
        scenario = Path(__file__).parents[2] / "scenarios" / "role-mapping" / "basic-roles-desktop-and-proe-user-on-crashplan.yaml"
        result = _live(pytester, monkeypatch, server.url, token, scenario, admin=True)
    result.assert_outcomes(passed=1)
    assert "CONFIGURATION ERROR" not in result.stdout.str()

"""The verdict rules on a small scale: basis labels, expectations skipped alone, prerequisites, cleanup.

Against the mock Code42 served without simulation control on a real port (a stand-in for a live tenant
whose admin API is not configured), so the live-target path decides what can be checked.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import requests

from harness.cleanup import Sweeper
from harness.drivers.code42_admin import Code42Admin
from harness.drivers.scim_client import ScimAuth, ScimClient
from harness.options import HarnessConfig
from harness.scenario import load_scenario
from harness.scenario_runner import run_scenario
from harness.target import GivenTarget
from simulators.code42.app import create_app
from simulators.common.http_recording import RecordingSession
from simulators.common.server import ServerThread

HEAD = "id: rules/{name}\ntitle: t\narea: rules\ndoc: {{seed: code42-behaviour.md, section: s}}\n"
DISABLE = """given: {users: [{ref: alice}], assign: [alice]}
when:
  - provision: initial
  - disable: alice
then:
  - idp.request: {method: PATCH, path: '^/Users/', body: {Operations: [{path: active}]}, count: 1}
  - scim.user: {ref: alice, attributes: {active: false}}
  - code42.user: {ref: alice, blocked: true}
"""


@pytest.fixture
def tenant():
    token, secret = "tok-" + secrets.token_urlsafe(16), "sec-" + secrets.token_urlsafe(12)
    app = create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False,
                      "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": secret})
    with ServerThread(app, threads=2) as server:
        yield {"scim_url": f"{server.url}/scim/v2", "scim_token": token,
               "admin": {"code42_api_url": server.url, "code42_client_id": "cid", "code42_client_secret": secret}}


def _run(tmp_path: Path, tenant, body: str, profile: str = "default", name: str = "s", admin: bool = False):
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD.format(name=name) + body, encoding="utf-8")
    values = {"scim_url": tenant["scim_url"], "scim_token": tenant["scim_token"], "live": True, "profile": profile,
              "run_prefix": "sgrule" + secrets.token_hex(2)} | (tenant["admin"] if admin else {})
    config = HarnessConfig.from_values(values)
    return run_scenario(load_scenario(path), GivenTarget(config)), config


def test_a_missing_capability_skips_only_the_expectation_that_needs_it(tmp_path, tenant):
    record, _ = _run(tmp_path, tenant, DISABLE)
    assert record.status == "passed", record.message
    assert [s.split(":")[0] for s in record.skipped_checks] == ["then[2] code42.user"]
    assert "requires code42-admin (code42-admin: no --code42-api-url given)" in record.skipped_checks[0]
    assert [s.basis for s in record.steps if s.phase == "then"] == ["azure-ad", "azure-ad", "code42"]


def test_code42_expectations_wait_for_a_profile_that_says_code42(tmp_path, tenant):
    body = ("then:\n  - basis: code42\n    scim.request: {method: GET, path: /ServiceProviderConfig, "
            "expect: {body: {bulk: {supported: true}}}}\n"
            "  - scim.request: {method: GET, path: /ServiceProviderConfig, expect: {status: 200}}\n")
    record, _ = _run(tmp_path, tenant, body, profile="rfc-scim")
    assert record.status == "passed", record.message
    assert "Code42 behaviour: checked only where the profile says the target is Code42" in record.skipped_checks[0]
    failing, _ = _run(tmp_path, tenant, body, name="code42")  # the default profile: the target is Code42
    assert failing.status == "failed"
    assert "then[0] scim.request (line 6) [Code42 behaviour]: GET /ServiceProviderConfig: body.bulk" in failing.message


def test_an_unmet_prerequisite_is_not_verifiable_and_a_refused_one_is_quoted(tmp_path, tenant):
    unmet = ("when:\n  - scim.request: {method: GET, path: /ServiceProviderConfig, prerequisite: true, "
             "expect: {body: {sort: {supported: true}}}}\n"
             "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n")
    record, _ = _run(tmp_path, tenant, unmet)
    assert record.status == "skipped" and "prerequisite not met" in record.skip_reason
    refused = ("when:\n  - scim.request: {method: POST, path: /Users, body: {schemas: "
               "[\"urn:ietf:params:scim:schemas:core:2.0:User\"], userName: not-an-email}, expect: {status: 201}}\n"
               "then:\n  - scim.request: {method: GET, path: /Users, expect: {status: 200}}\n")
    record, _ = _run(tmp_path, tenant, refused, name="refused")
    assert record.status == "failed"
    assert "[prerequisite]: the target refused a prerequisite (POST /scim/v2/Users -> HTTP 400" in record.message


def test_a_destructive_step_is_refused_on_a_shared_target(tmp_path, tenant):
    body = "when:\n  - code42.regenerate_credentials: {}\nthen:\n  - scim.request: {method: GET, path: /Users}\n"
    record, _ = _run(tmp_path, tenant, body, admin=True)
    assert record.status == "skipped", record.message
    assert "when[0] code42.regenerate_credentials is destructive: it changes the tenant's credentials" \
        in record.skip_reason
    assert not [s for s in record.steps if s.kind == "code42.regenerate_credentials"]  # never sent


def test_cleanup_names_what_the_target_keeps_instead_of_nothing_left(tmp_path, tenant):
    record, config = _run(tmp_path, tenant, DISABLE, admin=True)
    assert record.status == "passed", record.message
    session = RecordingSession(secrets=config.secrets, timeout=10)
    try:
        scim = ScimClient(config.scim_url, session, ScimAuth(config.scim_token))
        admin = Code42Admin(config.code42_api_url, config.code42_client_id, config.code42_client_secret, session,
                            plan="crashplan-cloud")  # the default profile's
        report = Sweeper(scim, admin).sweep(config.run_prefix)
    finally:
        session.close()
    summary = report.summary()
    # Code42 keeps a deleted user, inactive: the sweep must say so by name, never "nothing left to clean".
    assert "nothing left to clean" not in summary and "kept inactive by the target: SCIM User 'sgrule" in summary
    assert report.leaked == [] and report.failed == []



class _AcknowledgesDeletesOnly(ScimClient):
    """A server that answers DELETE with 204 and keeps the resource (what a sweep must not believe)."""

    def request(self, method, path, **kwargs):
        if method == "DELETE":
            answer = requests.Response()
            answer.status_code = 204
            return answer
        return super().request(method, path, **kwargs)


def test_cleanup_reports_what_is_still_there_as_a_leak_by_name(tmp_path, tenant):
    body = ("when:\n  - scim.request: {method: POST, path: /Groups, body: {schemas: "
            "[\"urn:ietf:params:scim:schemas:core:2.0:Group\"], displayName: \"${run.prefix} crew\"}, "
            "expect: {status: 201}}\nthen:\n  - scim.request: {method: GET, path: /Groups, expect: {status: 200}}\n")
    record, config = _run(tmp_path, tenant, body)
    assert record.status == "passed", record.message
    session = RecordingSession(secrets=config.secrets, timeout=10)
    try:
        # The scenario's own cleanup deleted its group; make another the fake server will not delete.
        real = ScimClient(config.scim_url, session, ScimAuth(config.scim_token))
        real.request("POST", "/Groups", body={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                              "displayName": f"{config.run_prefix} stays"})
        report = Sweeper(_AcknowledgesDeletesOnly(config.scim_url, session, ScimAuth(config.scim_token)),
                         None).sweep(config.run_prefix)
        Sweeper(real, None).sweep(config.run_prefix)
    finally:
        session.close()
    assert report.leaked == [f"SCIM Group '{config.run_prefix} stays'"], report.summary()
    assert "LEAKED (still in service): SCIM Group" in report.summary()


def test_a_test_connection_without_an_answer_is_target_unreachable_not_a_defect():
    from types import SimpleNamespace

    from harness.errors import ExpectationFailed, TargetUnreachable
    from harness.steps import REGISTRY
    from simulators.azure_ad.provisioning.engine import ConnectionResult

    # Through the registry, not ``import harness.steps.idp``: a pytester run earlier in the session drops
    # the step modules it imported from sys.modules, and importing one again would register its steps twice.
    test_connection = REGISTRY.get("test_connection").function

    def ctx(result):
        return SimpleNamespace(idp=SimpleNamespace(test_connection=lambda: result))

    with pytest.raises(TargetUnreachable, match="Test Connection got no answer"):
        test_connection(ctx(ConnectionResult(False, "read timed out", None, "Timeout")), None)
    with pytest.raises(ExpectationFailed, match=r"HTTP 401"):  # an answer that refuses is the target's
        test_connection(ctx(ConnectionResult(False, "invalid credentials", 401, "InvalidCredentials")), None)

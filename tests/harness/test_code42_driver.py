"""The harness's Code42 driver (issue 12): the official client for every call it covers, chosen by plan
(incydr for Incydr plans, py42 for plans that need the console API), py42 for the console calls incydr
lacks, and console-only actions never asked of a tenant that is not the scimgate mock.

Against the mock served over real HTTP; which client spoke is read from the recorded exchanges (incydr
calls ``/v1/...``, py42 the console's ``/api/...``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from werkzeug.wrappers import Request, Response

from harness.drivers.code42_admin import AdminCallFailed, Code42Admin, uses_incydr
from harness.drivers.sdk_transport import console_url
from harness.options import HarnessConfig
from harness.probe import probe
from harness.scenario import load_scenario
from harness.scenario_runner import run_scenario
from harness.target import GivenTarget
from simulators.code42.app import create_app
from simulators.common.http_recording import RecordingSession
from simulators.common.server import ServerThread

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
PROFILE = {"orgs": [{"name": "Engineering"}], "org_mapping": {"default_org": "Engineering"}}
#: The fields of a user record the steps read, whichever client read it.
READ_FIELDS = ("userId", "legacyUserId", "username", "active", "blocked", "orgName", "orgGuid")


@dataclass
class Tenant:
    url: str
    scim_token: str
    client_secret: str

    def scim_user(self, username: str) -> None:
        body = {"schemas": [USER_URN], "userName": username, "active": True,
                "name": {"givenName": "Ada", "familyName": "Lovelace"}}
        response = requests.post(f"{self.url}/scim/v2/Users", json=body, timeout=10,
                                 headers={"Authorization": f"Bearer {self.scim_token}"})
        assert response.status_code == 201, response.text

    def driver(self, plan: str) -> tuple[Code42Admin, RecordingSession]:
        session = RecordingSession(secrets=[self.client_secret], timeout=10)
        return Code42Admin(self.url, "cid", self.client_secret, session, plan=plan), session


class RealTenantLike:
    """WSGI middleware: the mock, but without what no real tenant publishes (the console-only routes
    scimgate invented, the Sync Log's JSON), so it stands in for a live tenant."""

    CONSOLE_ONLY = ("/v1/scim-providers", "/api/v3/DirectorySyncLog")

    def __init__(self, app):
        self.app, self.paths = app, []

    def __call__(self, environ, start_response):
        request = Request(environ)
        path = request.path
        self.paths.append(f"{request.method} {path}")
        if path.startswith(self.CONSOLE_ONLY):
            return Response('[{"name": "NOT_FOUND", "description": "no such API"}]', status=404,
                            content_type="application/json")(environ, start_response)
        return self.app(environ, start_response)


@pytest.fixture
def tenant() -> Iterator[Tenant]:
    token, secret = "tok-" + secrets.token_urlsafe(16), "sec-" + secrets.token_urlsafe(16)
    app = create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False, "PROFILE": PROFILE,
                      "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": secret})
    with ServerThread(app, threads=4) as server:
        yield Tenant(server.url, token, secret)


def _paths(session: RecordingSession) -> list[str]:
    return [f"{ex.method} {ex.path}" for ex in session.exchanges]


def test_plans_pick_the_client_incydr_plans_read_through_incydr_the_rest_through_py42():
    assert [uses_incydr(p) for p in ("incydr-professional", "incydr-basic", "crashplan-cloud", "other", None)] == \
        [True, True, False, False, False]  # None: the profile schema's default plan, crashplan-cloud


def test_py42_goes_to_the_console_host():
    assert console_url("https://api.us.code42.com") == "https://console.us.code42.com"
    assert console_url("https://api.us2.code42.com/") == "https://console.us2.code42.com"
    assert console_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"  # the mock serves both


def test_a_crashplan_plan_reads_and_acts_through_py42_only(tenant: Tenant):
    tenant.scim_user("ada@acme.example")
    admin, session = tenant.driver("crashplan-cloud")
    user = admin.find_user("ADA@acme.example")
    assert user is not None and user["username"] == "ada@acme.example" and user["orgName"] == "Engineering"
    uid = user["userId"]
    assert {r["roleId"] for r in admin.user_roles(uid)} == {"desktop-user", "proe-user"}
    matter = admin.matter_id("sg-case", create=True)
    assert admin.matter_id("sg-case", create=False) == matter and admin.matter_id("sg-cas", create=False) is None
    admin.add_custodian(matter, uid)
    assert [(m["matterId"], m["membershipActive"]) for m in admin.custodian_matters(uid)] == [(matter, True)]
    assert admin.user_action(uid, "deactivate").status_code == 400  # a custodian: Code42 refuses
    admin.remove_custodian(matter, uid)
    assert admin.hold_outcome(matter, uid, place=False) == "not a custodian: no membership to release"
    assert admin.user_action(uid, "deactivate").status_code < 300
    assert admin.find_user("ada@acme.example")["active"] is False
    assert admin.user_action(uid, "activate").status_code < 300
    assert admin.user_action(uid, "block").status_code < 300 and admin.find_user("ada@acme.example")["blocked"]
    admin.close_matter(matter)
    assert admin.matter_active(matter) is False
    assert [m["name"] for m in admin.matters()] == ["sg-case"]
    assert "Engineering" in [o["orgName"] for o in admin.orgs()]
    assert [u["username"] for u in admin.users() if u["username"].startswith("ada")] == ["ada@acme.example"]
    sent = _paths(session)
    assert "POST /api/v3/oauth/token" in sent and "POST /v1/oauth" not in sent
    assert not [p for p in sent if " /v1/" in p], [p for p in sent if " /v1/" in p]


def test_an_incydr_plan_reads_through_incydr_and_asks_py42_only_what_incydr_lacks(tenant: Tenant):
    tenant.scim_user("ada@acme.example")
    admin, session = tenant.driver("incydr-professional")
    uid = admin.find_user("ada@acme.example")["userId"]
    admin.user_roles(uid)
    admin.custodian_matters(uid)
    assert admin.user_action(uid, "deactivate").status_code < 300
    incydr_only = _paths(session)
    assert not [p for p in incydr_only if " /api/" in p], incydr_only
    assert admin.user_action(uid, "block").status_code < 300  # incydr has no block: py42 on the console host
    assert admin.scim_user_data(uid)["userId"] == uid
    console = _paths(session)[len(incydr_only):]
    assert "POST /api/v3/oauth/token" in console and f"POST /api/v3/users/{uid}/block" in console


def test_both_clients_answer_in_one_shape(tenant: Tenant):
    tenant.scim_user("ada@acme.example")
    incydr, _ = tenant.driver("incydr-professional")
    console, _ = tenant.driver("crashplan-cloud")
    a, b = incydr.find_user("ada@acme.example"), console.find_user("ada@acme.example")
    assert {k: a[k] for k in READ_FIELDS} == {k: b[k] for k in READ_FIELDS}
    key = lambda roles: sorted((r["roleId"], r["roleName"]) for r in roles)
    assert key(incydr.user_roles(a["userId"])) == key(console.user_roles(a["userId"]))
    assert sorted(o["orgGuid"] for o in incydr.orgs()) == sorted(o["orgGuid"] for o in console.orgs())


def test_console_users_and_edits_go_through_py42(tenant: Tenant):
    admin, session = tenant.driver("incydr-professional")
    created = admin.create_local_user("dave@acme.example", org="Engineering", roles=["alert-emails", "Desktop User"])
    assert created["orgName"] == "Engineering"
    assert sorted(r["roleId"] for r in admin.user_roles(created["userId"])) == ["alert-emails", "desktop-user"]
    answer = admin.edit_user(created["userId"], {"firstName": "Dave", "lastName": "Edited"})
    assert answer.status_code == 200
    assert admin.find_user("dave@acme.example")["lastName"] == "Edited"
    refused = admin.edit_user(created["userId"], {"email": "not-an-email"})
    assert refused.status_code == 500 and "EMAIL_INVALID" in refused.text  # Code42's documented 500, returned
    with pytest.raises(AdminCallFailed, match="no Code42 org named 'Nowhere'"):
        admin.create_local_user("erin@acme.example", org="Nowhere")
    assert "POST /api/v1/User" in _paths(session) and "POST /v1/users" not in _paths(session)


def test_the_sdk_tokens_never_reach_the_record(tenant: Tenant):
    tenant.scim_user("ada@acme.example")
    admin, session = tenant.driver("incydr-professional")
    admin.find_user("ada@acme.example")
    admin.user_action(admin.find_user("ada@acme.example")["userId"], "block")
    tokens = [ex.response_body.get("access_token") for ex in session.exchanges
              if ex.path.endswith(("/v1/oauth", "/api/v3/oauth/token")) and isinstance(ex.response_body, dict)]
    assert len(tokens) == 2 and all(t and "sec-" not in t and t.startswith("[") for t in tokens), tokens
    dump = repr([ex.to_dict() for ex in session.exchanges])
    assert tenant.client_secret not in dump


# ---------------------------------------------------------------- console-only actions on a real tenant


def _live_config(url: str, token: str, secret: str) -> HarnessConfig:
    return HarnessConfig.from_values({"scim_url": f"{url}/scim/v2", "scim_token": token, "live": True,
                                      "code42_api_url": url, "code42_client_id": "cid", "code42_client_secret": secret,
                                      "run_prefix": "sgdrv" + secrets.token_hex(2)})


@pytest.fixture
def real_like() -> Iterator[tuple[str, str, str, RealTenantLike]]:
    token, secret = "tok-" + secrets.token_urlsafe(16), "sec-" + secrets.token_urlsafe(16)
    app = RealTenantLike(create_app({"SCIM_TOKEN": token, "DATABASE": ":memory:", "SIM_CONTROL": False,
                                     "ADMIN_CLIENT_ID": "cid", "ADMIN_CLIENT_SECRET": secret}))
    with ServerThread(app, threads=4) as server:
        yield server.url, token, secret, app


def test_the_probe_offers_console_actions_only_on_the_mock(tenant: Tenant, real_like):
    url, token, secret, _ = real_like
    found = probe(_live_config(url, token, secret))
    assert "code42-admin" in found.capabilities and "code42-console" not in found.capabilities
    assert "no public API: not verifiable on a real tenant" in found.missing["code42-console"]
    mock = probe(_live_config(tenant.url, tenant.scim_token, tenant.client_secret))
    assert "code42-console" in mock.capabilities


HEAD = "id: driver/{name}\ntitle: t\narea: driver\ndoc: {{seed: code42-behaviour.md, section: s}}\n"
SETTINGS = """when:
  - code42.settings: {deactivation_delay_minutes: 30}
then:
  - scim.request: {method: GET, path: /Users, expect: {status: 200}}
"""
SYNC_LOG = """given: {users: [{ref: alice}], assign: [alice]}
when:
  - provision: initial
then:
  - code42.user: {ref: alice, state: active}
  - code42.sync_log: {ref: alice, action: create}
"""


def _run(tmp_path: Path, name: str, body: str, config: HarnessConfig):
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD.format(name=name) + body, encoding="utf-8")
    return run_scenario(load_scenario(path), GivenTarget(config))


def test_console_only_steps_are_not_verifiable_on_a_real_tenant_and_never_sent(tmp_path, real_like):
    url, token, secret, app = real_like
    config = _live_config(url, token, secret)
    record = _run(tmp_path, "settings", SETTINGS, config)
    assert record.status == "skipped", record.message
    assert "requires code42-console" in record.skip_reason and "not verifiable on a real tenant" in record.skip_reason
    record = _run(tmp_path, "synclog", SYNC_LOG, config)
    assert record.status == "passed", record.message  # the rest of the scenario is checked
    assert [s.split(":")[0] for s in record.skipped_checks] == ["then[1] code42.sync_log"]
    asked = {p for p in app.paths if p.split(" ")[1].startswith(RealTenantLike.CONSOLE_ONLY)}
    assert asked == {"GET /v1/scim-providers"}, asked  # only the start-of-run probe's question, never an action

"""Security of both simulators: every route needs credentials (routes enumerated from ``app.url_map``, so
a new route is covered, or flagged, without editing this file); secrets are compared through
``hmac.compare_digest``; a regenerated SCIM token kills the old one at once; admin OAuth tokens die
after 15 minutes on the clock; simulation control exists only when enabled, and then answers only
loopback callers unless remote callers are explicitly allowed.

Non-loopback callers are simulated with ``environ_base={"REMOTE_ADDR": "10.0.0.5"}`` in the test client;
no traffic is ever sent to a non-loopback address.
"""

from __future__ import annotations

import base64
import hmac
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from simulators.azure_ad.app import create_app as create_azure_app
from simulators.azure_ad.graph.auth import token_request_form
from simulators.code42.app import create_app
from simulators.code42.http.admin.context import TOKENS_KEY
from simulators.common.clock import VirtualClock
from tests.code42.conftest import ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, SCIM_TOKEN, START, base_config

#: Routes that are open by design: the credential exchanges themselves, py42's key-value lookups of its
#: microservices' base URLs (py42 sends them without credentials; they answer this server's own address),
#: Flask's static files, and the simulation control plane (guarded by loopback instead, tested below).
#: Anything else must demand auth.
CODE42_OPEN = {"/v1/oauth", "/api/v3/oauth/token", "/v1/AUDIT-LOG_API-URL", "/v1/watchlists-API_URL",
               "/static/<path:filename>"}
AZURE_OPEN = {"/<tenant>/oauth2/v2.0/token", "/static/<path:filename>"}
AZURE_CLIENT, AZURE_SECRET, AZURE_TENANT = "graph-client", "graph-client-secret", "11111111-2222-3333-4444-555555555555"
BAD_CREDENTIALS = [None, "", "Bearer", "Bearer wrong-token", f"Bearer {SCIM_TOKEN}x", f"bearer  {SCIM_TOKEN[:-1]}",
                   "Basic " + base64.b64encode(b"user:pass").decode(), "Basic !!!", "Basic \u00e9\u00e9",
                   "Negotiate abc", "Bearer \u00e9"]


def _routes(app: Flask) -> list[tuple[str, str]]:
    return [(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _path(rule: str) -> str:
    return "/".join("x" if part.startswith("<") else part for part in rule.split("/"))


@pytest.fixture
def code42() -> Flask:
    app = create_app(base_config())
    yield app
    app.extensions["scimgate"].store.close()


@pytest.fixture
def azure() -> Flask:
    return create_azure_app({"CLIENT_ID": AZURE_CLIENT, "CLIENT_SECRET": AZURE_SECRET, "TENANT_ID": AZURE_TENANT,
                             "CLOCK": VirtualClock(START), "SIM_CONTROL": True})


def _admin_token(client: Any) -> str:
    basic = base64.b64encode(f"{ADMIN_CLIENT_ID}:{ADMIN_CLIENT_SECRET}".encode()).decode()
    r = client.post("/v1/oauth?grant_type=client_credentials", headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["access_token"]


def _graph_token(client: Any) -> str:
    r = client.post(f"/{AZURE_TENANT}/oauth2/v2.0/token", data=token_request_form(AZURE_CLIENT, AZURE_SECRET))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["access_token"]


# ---------------------------------------------------------------- every route needs credentials


def test_every_code42_route_demands_credentials(code42: Flask) -> None:
    client = code42.test_client()
    _admin_token(client)  # a live admin token exists, so bad tokens are compared with something
    guarded = [(rule, m) for rule, m in _routes(code42) if rule not in CODE42_OPEN and not rule.startswith("/_sim")]
    assert len(guarded) > 60 and any(r.startswith("/scim/v2") for r, _ in guarded)
    failures = []
    for rule, method in guarded:
        for auth in BAD_CREDENTIALS:
            headers = {"Authorization": auth} if auth is not None else {}
            r = client.open(_path(rule), method=method, headers=headers, json={})
            if r.status_code != 401 or not r.headers.get("WWW-Authenticate"):
                failures.append(f"{method} {rule} with {auth!r}: {r.status_code} {r.headers.get('WWW-Authenticate')}")
    assert failures == []


def test_scim_token_does_not_open_the_admin_api_nor_the_reverse(code42: Flask) -> None:
    client = code42.test_client()
    assert client.get("/v1/users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 401
    admin = _admin_token(client)
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {admin}"}).status_code == 401


def test_every_graph_route_demands_a_token(azure: Flask) -> None:
    client = azure.test_client()
    _graph_token(client)  # a live token exists, so bad tokens are compared with something
    guarded = [(rule, m) for rule, m in _routes(azure) if rule not in AZURE_OPEN and not rule.startswith("/_sim")]
    assert len(guarded) > 40
    failures = []
    for rule, method in guarded:
        for auth in BAD_CREDENTIALS:
            headers = {"Authorization": auth} if auth is not None else {}
            r = client.open(_path(rule), method=method, headers=headers, json={})
            body = r.get_json(silent=True) or {}
            if (r.status_code != 401 or not r.headers.get("WWW-Authenticate")
                    or body.get("error", {}).get("code") != "InvalidAuthenticationToken"):
                failures.append(f"{method} {rule} with {auth!r}: {r.status_code} {r.get_data()[:120]!r}")
    assert failures == []


def test_graph_non_ascii_bearer_is_a_401(azure: Flask) -> None:
    client = azure.test_client()
    _graph_token(client)
    r = client.get("/v1.0/users", headers={"Authorization": "Bearer \u00e9"})
    assert r.status_code == 401


def test_valid_credentials_do_open_the_routes(code42: Flask, azure: Flask) -> None:
    """The counterpart of the 401 tests: they would pass against a server that refuses everyone."""
    c, a = code42.test_client(), azure.test_client()
    assert c.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"}).status_code == 200
    assert c.get("/v1/users", headers={"Authorization": f"Bearer {_admin_token(c)}"}).status_code == 200
    assert a.get("/v1.0/users", headers={"Authorization": f"Bearer {_graph_token(a)}"}).status_code == 200


# ---------------------------------------------------------------- constant-time comparison


@pytest.fixture
def compare_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Every ``hmac.compare_digest`` call (the modules call it through the ``hmac`` module)."""
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    return calls


@pytest.mark.parametrize("presented", [SCIM_TOKEN, "wrong-token"])
def test_scim_bearer_check_goes_through_compare_digest(code42: Flask, compare_calls: list, presented: str) -> None:
    code42.test_client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {presented}"})
    assert compare_calls, "the SCIM token was not compared with hmac.compare_digest"


def test_scim_basic_check_goes_through_compare_digest(compare_calls: list) -> None:
    app = create_app(base_config(SCIM_TOKEN=None, SCIM_BASIC=("sync-user", "sync-password")))
    basic = base64.b64encode(b"sync-user:sync-password").decode()
    assert app.test_client().get("/scim/v2/Users", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert len(compare_calls) >= 2  # user and password
    app.extensions["scimgate"].store.close()


def test_admin_oauth_and_bearer_checks_go_through_compare_digest(code42: Flask, compare_calls: list) -> None:
    client = code42.test_client()
    token = _admin_token(client)
    assert len(compare_calls) >= 2  # client id and secret
    compare_calls.clear()
    assert client.get("/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert compare_calls, "the admin bearer token was not compared with hmac.compare_digest"


def test_graph_token_checks_go_through_compare_digest(azure: Flask, compare_calls: list) -> None:
    client = azure.test_client()
    token = _graph_token(client)
    assert compare_calls
    compare_calls.clear()
    assert client.get("/v1.0/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert compare_calls, "the Graph bearer token was not compared with hmac.compare_digest"


# ---------------------------------------------------------------- token lifecycles


def test_regenerated_scim_token_invalidates_the_old_one_at_once(code42: Flask) -> None:
    client = code42.test_client()
    admin = {"Authorization": f"Bearer {_admin_token(client)}"}
    provider = client.get("/v1/scim-providers", headers=admin).get_json()["scimServers"][0]["scimServerUid"]
    r = client.post(f"/v1/scim-providers/{provider}/regenerate-credentials", headers=admin)
    assert r.status_code == 200
    new = r.get_json()["token"]
    assert new != SCIM_TOKEN
    old_answer = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {SCIM_TOKEN}"})
    assert old_answer.status_code == 401 and old_answer.headers["WWW-Authenticate"]
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert SCIM_TOKEN not in r.get_data(as_text=True)


def test_admin_oauth_token_expires_after_fifteen_wall_clock_minutes(code42: Flask) -> None:
    """Tokens outlive simulated time (Code42's SDKs time them on their own wall clock, issue 12) but not 15
    wall-clock minutes, and a forged signature is refused."""
    client, clock = code42.test_client(), code42.extensions["scimgate"].clock
    token = _admin_token(client)
    clock.advance(timedelta(days=7).total_seconds())
    assert client.get("/v1/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    issuer = code42.extensions[TOKENS_KEY]
    stale = issuer.issue(ADMIN_CLIENT_ID, "tenant", issued_at=time.time() - issuer.lifetime)
    r = client.get("/v1/users", headers={"Authorization": f"Bearer {stale}"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"]
    forged = token.rsplit(".", 1)[0] + ".AAAA"
    assert client.get("/v1/users", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


# ---------------------------------------------------------------- simulation control

REMOTE = {"REMOTE_ADDR": "10.0.0.5"}


def _sim_routes(app: Flask) -> list[tuple[str, str]]:
    return [(rule, m) for rule, m in _routes(app) if rule.startswith("/_sim")]


def test_code42_sim_control_does_not_exist_unless_enabled() -> None:
    app = create_app(base_config(SIM_CONTROL=False))
    client = app.test_client()
    assert _sim_routes(app) == []
    for path in ("/_sim/clock", "/_sim/reset", "/_sim/clock/advance"):
        assert client.post(path, json={"seconds": 1}).status_code in (404, 405)
        assert client.get(path).status_code == 404
    app.extensions["scimgate"].store.close()


def test_code42_sim_control_answers_loopback_only(code42: Flask) -> None:
    client = code42.test_client()
    routes = _sim_routes(code42)
    assert {r for r, _ in routes} == {"/_sim/clock", "/_sim/clock/advance", "/_sim/reset"}
    before = code42.extensions["scimgate"].clock.now()
    for rule, method in routes:
        r = client.open(rule, method=method, json={"seconds": 3600}, environ_base=REMOTE)
        assert r.status_code == 403, (rule, r.status_code)
    assert code42.extensions["scimgate"].clock.now() == before, "a refused remote caller moved the clock"
    assert client.get("/_sim/clock", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/_sim/clock", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_code42_sim_control_remote_only_when_explicitly_allowed() -> None:
    app = create_app(base_config(SIM_CONTROL_REMOTE=True))
    r = app.test_client().post("/_sim/clock/advance", json={"seconds": 60}, environ_base=REMOTE)
    assert r.status_code == 200
    app.extensions["scimgate"].store.close()


def test_azure_sim_control_is_absent_unless_enabled_and_loopback_only(azure: Flask) -> None:
    plain = create_azure_app({"CLIENT_ID": AZURE_CLIENT, "CLIENT_SECRET": AZURE_SECRET, "TENANT_ID": AZURE_TENANT})
    assert _sim_routes(plain) == []
    assert plain.test_client().get("/_sim/clock").status_code == 404
    client = azure.test_client()
    routes = _sim_routes(azure)
    assert routes
    for rule, method in routes:
        assert client.open(rule, method=method, json={"seconds": 60}, environ_base=REMOTE).status_code == 403
    assert client.get("/_sim/clock").status_code == 200  # the test client's default caller is 127.0.0.1
    remote_ok = create_azure_app({"CLIENT_ID": AZURE_CLIENT, "CLIENT_SECRET": AZURE_SECRET,
                                  "TENANT_ID": AZURE_TENANT, "CLOCK": VirtualClock(START), "SIM_CONTROL": True,
                                  "SIM_CONTROL_REMOTE": True})
    assert remote_ok.test_client().get("/_sim/clock", environ_base=REMOTE).status_code == 200

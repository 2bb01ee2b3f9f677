"""The start-of-run probe: what a given target offers, and whether the run can use it at all.

Why once, up front: a target that is down, refuses the credentials, is not a SCIM service provider or
is configured differently from ``--profile`` makes every scenario's verdict meaningless. The probe
finds that with a handful of requests and every scenario then ends at once with that one reason
(*broken*), instead of each one failing on its own as if the product were at fault.

Why ``/_sim`` needs an identity: simulation control rewrites a tenant's history (``POST /_sim/reset``
empties it). It is used only on a target whose ``GET /_sim/clock`` says it is a scimgate mock
(``"simulator": "scimgate-code42"``), never because some URL answered 200.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from harness.drivers.scim_client import ScimAuth
from harness.errors import CredentialsRejected, TargetMisconfigured, TargetUnreachable
from harness.options import HarnessConfig
from harness.transport import send_with_retries

#: What ``GET /_sim/clock`` of the mock Code42 says it is (simulators/code42 sim API).
MOCK_IDENTITY = "scimgate-code42"
REFUSED = (401, 403)


@dataclass
class Probe:
    capabilities: frozenset[str]
    missing: dict[str, str]                    # capability -> why it is absent
    #: Why no scenario can run on this target (unreachable, credentials, configuration), or None.
    start_error: TargetUnreachable | CredentialsRejected | TargetMisconfigured | None = None
    admin_token: str | None = None             # the admin API's bearer token, for the settings check


def root_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _names_the_mock(response: requests.Response) -> bool:
    """A 200 JSON answer that names the scimgate mock: never a mere 200 (an HTML-everywhere host says 200)."""
    body = _scim_json(response) if response.status_code == 200 else None
    return body is not None and body.get("simulator") == MOCK_IDENTITY


def _scim_json(response: requests.Response) -> dict[str, Any] | None:
    """The body as a JSON object when the answer is JSON (SCIM's ``application/scim+json`` or plain JSON)."""
    if "json" not in response.headers.get("Content-Type", "").lower():
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class _Prober:
    def __init__(self, config: HarnessConfig) -> None:
        self.config = config
        self.timeout = config.request_timeout
        self.scim_url = (config.scim_url or "").rstrip("/")
        auth = ScimAuth(config.scim_token, config.scim_basic)
        self.headers = {"Authorization": auth.header(), "Accept": "application/scim+json"}
        self.have: set[str] = {"idp"}
        self.missing: dict[str, str] = {}

    def get(self, path: str, **params: str) -> requests.Response:
        url = f"{self.scim_url}{path}"
        return send_with_retries(lambda: requests.get(url, headers=self.headers, timeout=self.timeout,
                                                      params=params or None),
                                 what=f"SCIM endpoint {self.scim_url} (GET {path})", timeout=self.timeout)

    def result(self, error: Exception | None = None, admin_token: str | None = None) -> Probe:
        return Probe(frozenset(self.have), self.missing, error, admin_token)  # type: ignore[arg-type]

    def scim(self) -> Exception | None:
        """Discovery, then a resource endpoint (discovery may be open; resources never are)."""
        response = self.get("/ServiceProviderConfig")
        if response.status_code in REFUSED:
            return CredentialsRejected(f"the SCIM endpoint refused the credentials: GET /ServiceProviderConfig "
                                       f"answered HTTP {response.status_code}")
        if response.status_code == 200:
            spc = _scim_json(response)
            if spc is None:
                kind = response.headers.get("Content-Type") or "no Content-Type"
                return TargetMisconfigured(f"{self.scim_url} is not a SCIM service provider: GET /ServiceProviderConfig "
                                           f"answered HTTP 200 with {kind.split(';')[0]}, not SCIM JSON (check --scim-url)")
            self.have.add("scim")
            for name in ("patch", "etag", "filter"):
                feature = spc.get(name)
                if isinstance(feature, dict) and feature.get("supported"):
                    self.have.add(name)
                else:
                    self.missing[name] = f"ServiceProviderConfig says {name}.supported is not true"
        else:
            self.missing["scim"] = f"GET /ServiceProviderConfig returned HTTP {response.status_code}"
        groups = self.get("/Groups", count="1")
        if groups.status_code in REFUSED:
            return CredentialsRejected(f"the SCIM endpoint refused the credentials: GET /Groups answered HTTP "
                                       f"{groups.status_code}")
        if groups.status_code == 200:
            self.have.add("scim-groups")
            return None
        self.missing["scim-groups"] = f"GET /Groups returned HTTP {groups.status_code}"
        users = self.get("/Users", startIndex="1", count="1")  # credentials checked on a resource endpoint
        if users.status_code in REFUSED:
            return CredentialsRejected(f"the SCIM endpoint refused the credentials: GET /Users answered HTTP "
                                       f"{users.status_code}")
        return None

    def admin(self) -> tuple[Exception | None, str | None]:
        config = self.config
        if not config.code42_api_url:
            self.missing["code42-admin"] = self.missing["code42-console"] = "no --code42-api-url given"
            return None, None
        root = config.code42_api_url.rstrip("/")
        try:
            response = send_with_retries(
                lambda: requests.post(f"{root}/v1/oauth", params={"grant_type": "client_credentials"},
                                      auth=(config.code42_client_id, config.code42_client_secret),
                                      timeout=self.timeout),
                what=f"Code42 admin API {root} (POST /v1/oauth)", method="POST", timeout=self.timeout)
        except TargetUnreachable as exc:
            self.missing["code42-admin"] = self.missing["code42-console"] = str(exc)
            return exc, None
        if response.status_code in REFUSED:
            return CredentialsRejected(f"the Code42 admin API refused the API client: POST /v1/oauth answered HTTP "
                                       f"{response.status_code} (check --code42-client-id and the client secret)"), None
        if response.status_code != 200:
            self.missing["code42-admin"] = self.missing["code42-console"] = \
                f"POST /v1/oauth returned HTTP {response.status_code}"
            return None, None
        self.have.add("code42-admin")
        body = _scim_json(response) or {}
        token = body.get("access_token") or body.get("token")
        self.console(root, token)
        return None, token

    def console(self, root: str, token: str | None) -> None:
        """``code42-console``: the console-only actions (provider settings, apply settings, regenerate
        credentials, the Sync Log) have no public Code42 API; scimgate's mock serves them in shapes of its
        own and its provider list says so. Anywhere else they cannot be asked for: *not verifiable*."""
        absent = ("console-only Code42 actions (provider settings, apply settings, regenerate credentials, the "
                  "Sync Log) have no public API: not verifiable on a real tenant")
        try:
            response = send_with_retries(
                lambda: requests.get(f"{root}/v1/scim-providers", headers={"Authorization": f"Bearer {token}",
                                                                           "Accept": "application/json"},
                                     timeout=self.timeout),
                what=f"Code42 admin API {root} (GET /v1/scim-providers)", timeout=self.timeout)
        except TargetUnreachable:
            self.missing["code42-console"] = absent
            return
        if _names_the_mock(response):
            self.have.add("code42-console")
        else:
            self.missing["code42-console"] = absent

    def sim_control(self) -> None:
        """``sim-control`` only for a target that says it is the scimgate mock."""
        root = (self.config.code42_api_url or root_of(self.scim_url)).rstrip("/")
        absent = "the target has no scimgate /_sim/clock (a live tenant): time passes for real"
        try:
            response = requests.get(f"{root}/_sim/clock", timeout=min(5.0, self.timeout))
        except requests.RequestException:
            self.missing["sim-control"] = absent
            return
        if _names_the_mock(response):
            self.have.add("sim-control")
        else:
            self.missing["sim-control"] = absent


def probe(config: HarnessConfig) -> Probe:
    """Ask a given target what it offers, once at the start of the run.

    Requests, in order (docs/live-tenant.md lists them): ``GET /ServiceProviderConfig``, ``GET /Groups
    ?count=1`` (and ``GET /Users?startIndex=1&count=1`` when there are no groups), ``POST /v1/oauth``
    and ``GET /v1/scim-providers`` when the admin API is configured, ``GET /_sim/clock``. It stops at the first answer that makes the
    run pointless: no answer (*target unreachable*), 401/403 (*credentials rejected*), or a
    ServiceProviderConfig that is not SCIM JSON (*configuration error*).
    """
    prober = _Prober(config)
    try:
        error = prober.scim()
    except TargetUnreachable as exc:
        prober.missing["scim"] = str(exc)
        return prober.result(exc)
    if error is not None:
        return prober.result(error)
    error, token = prober.admin()
    if error is not None:
        return prober.result(error)
    prober.sim_control()
    return prober.result(None, token)


#: Profile key -> the provider setting (Code42 ``ScimServerData``) that holds it.
_SETTINGS = (
    ("plan", ("plan",), "plan"),
    ("deactivation delay (minutes)", ("deactivation_delay_minutes",), "provisioningDeactivationDelay"),
    ("org mapping", ("org_mapping", "method"), "orgMappingType"),
    ("role mapping", ("role_mapping", "method"), "roleMappingType"),
)


def _profile_value(profile: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = profile
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def settings_mismatch(config: HarnessConfig, profile: dict[str, Any], admin_token: str) -> str | None:
    """Where the tenant's provider settings (read through the admin API) differ from ``profile``.

    Only what the API shows is compared (plan, delay, org and role mapping method, default org); a
    setting the answer lacks is not guessed. Returns one sentence, or None when they agree (or the
    settings cannot be read: the scenarios that need them say so themselves).
    """
    root = (config.code42_api_url or "").rstrip("/")
    headers = {"Authorization": f"Bearer {admin_token}", "Accept": "application/json"}

    def get(path: str) -> dict[str, Any]:
        response = send_with_retries(lambda: requests.get(f"{root}{path}", headers=headers, timeout=config.request_timeout),
                                     what=f"Code42 admin API {root} (GET {path})", timeout=config.request_timeout)
        return (_scim_json(response) or {}) if response.status_code == 200 else {}

    try:
        servers = get("/v1/scim-providers").get("scimServers") or []
        if not servers:
            return None
        server = servers[0]
        differs = [f"{label} is {server[key]!r} on the tenant, {_profile_value(profile, path)!r} in the profile"
                   for label, path, key in _SETTINGS
                   if key in server and _profile_value(profile, path) is not None
                   and server[key] != _profile_value(profile, path)]
        wanted = _profile_value(profile, ("org_mapping", "default_org"))
        if wanted is not None and server.get("defaultOrgId") is not None:
            orgs = get("/v1/orgs").get("orgs") or []
            names = [o.get("orgName") for o in orgs
                     if server["defaultOrgId"] in (o.get("orgId"), o.get("orgGuid"), o.get("orgUid"))]
            if names and names[0] != wanted:
                differs.append(f"new users land in {names[0]!r} on the tenant, in {wanted!r} in the profile")
    except TargetUnreachable:
        return None
    if not differs:
        return None
    return (f"the tenant's provider settings differ from --profile {config.profile}: " + "; ".join(differs)
            + " (serve the mock with the same profile, or give --profile a file that describes the tenant)")

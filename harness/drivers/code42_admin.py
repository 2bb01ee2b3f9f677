"""The Code42 admin API driver: OAuth client credentials plus the endpoints of code42-behaviour.md §4
and the console's provider settings (``/v1/scim-providers/{id}``).

Why the same calls against the mock and a live tenant: an expectation such as "alice is blocked" must
be read exactly where a Code42 engineer would read it (``GET /v1/users?username=``), so the mock cannot
pass a check that a real tenant would answer differently.
"""

from __future__ import annotations

from typing import Any

import requests

from harness.errors import ExpectationFailed
from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession


class AdminCallFailed(ExpectationFailed):
    """An admin call returned an unexpected status."""


class Code42Admin:
    def __init__(self, base_url: str, client_id: str, client_secret: str, session: RecordingSession):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self._client = (client_id, client_secret)
        self._token: str | None = None
        session.add_secret(client_secret)

    # -------------------------------------------------------------- transport

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return send_with_retries(lambda: self.session.request(method, self.base_url + path, **kwargs),
                                 what=f"Code42 admin API {self.base_url} ({method} {path})",
                                 method=method, timeout=self.session.timeout)

    def authenticate(self) -> str:
        """``POST /v1/oauth?grant_type=client_credentials`` with HTTP Basic (spec §4.1)."""
        response = self._send("POST", "/v1/oauth", params={"grant_type": "client_credentials"}, auth=self._client)
        if response.status_code != 200:
            raise AdminCallFailed(f"Code42 admin OAuth returned HTTP {response.status_code}: check the client id "
                                  "and secret (--code42-client-id / SCIMGATE_CODE42_CLIENT_SECRET)")
        self._token = response.json()["access_token"]
        self.session.add_secret(self._token)
        return self._token

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
             expect: tuple[int, ...] | None = (200, 201, 204)) -> requests.Response:
        """Call with a bearer token (fetched on first use and once more after a 401)."""
        for attempt in (1, 2):
            if self._token is None:
                self.authenticate()
            response = self._send(method, path, json=json, params=params,
                                  headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"})
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            break
        if expect is not None and response.status_code not in expect:
            raise AdminCallFailed(f"{method} {path} returned HTTP {response.status_code}: {response.text[:300]}")
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        return response.json() if response.content else None

    # -------------------------------------------------------------- users (§4.3)

    def find_user(self, username: str) -> dict[str, Any] | None:
        users = self.json("GET", "/v1/users", params={"username": username}).get("users") or []
        matches = [u for u in users if u.get("username", "").lower() == username.lower()]
        return matches[0] if matches else None

    def user_roles(self, user_uid: str) -> list[dict[str, Any]]:
        return self.json("GET", f"/v1/users/{user_uid}/roles").get("roles") or []

    def scim_user_data(self, user_uid: str) -> dict[str, Any]:
        return self.json("GET", "/api/v18/scim-user-data/collated-view", params={"userId": user_uid})

    def custodian_matters(self, user_uid: str) -> list[dict[str, Any]]:
        return self.json("GET", f"/v1/legal-hold/custodians/{user_uid}").get("matters") or []

    def user_action(self, user_uid: str, action: str) -> requests.Response:
        """Console block/unblock (``/api/v3``) and deactivate/activate (``/v1``), immediate per spec §3.5."""
        path = f"/api/v3/users/{user_uid}/{action}" if action in ("block", "unblock") \
            else f"/v1/users/{user_uid}/{action}"
        return self.call("POST", path, expect=None)

    def create_local_user(self, username: str, *, org: str | None = None,
                          roles: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"username": username, "email": username, "localUser": True}
        if org:
            body["orgGuid"] = self.org_guid(org)
        if roles is not None:
            body["roleIds"] = roles
        return self.json("POST", "/v1/users", json=body)

    # -------------------------------------------------------------- orgs (§4.4)

    def orgs(self) -> list[dict[str, Any]]:
        return self.json("GET", "/v1/orgs").get("orgs") or []

    def org_guid(self, name: str) -> str:
        for org in self.orgs():
            if org.get("orgName") == name or org.get("orgGuid") == name:
                return org["orgGuid"]
        raise AdminCallFailed(f"no Code42 org named {name!r}")

    # -------------------------------------------------------------- legal hold (§4.6)

    def matter_id(self, name: str, *, create: bool) -> str | None:
        for matter in self.json("GET", "/v1/legal-hold/matters", params={"name": name}).get("matters") or []:
            if matter.get("name") == name:
                return matter["matterId"]
        if not create:
            return None
        return self.json("POST", "/v1/legal-hold/matters", json={"name": name})["matterId"]

    def add_custodian(self, matter_id: str, user_uid: str) -> None:
        self.call("POST", f"/v1/legal-hold/matters/{matter_id}/custodians", json={"userId": user_uid})

    def remove_custodian(self, matter_id: str, user_uid: str) -> None:
        self.call("POST", f"/v1/legal-hold/matters/{matter_id}/custodians/remove", json={"userId": user_uid})

    def close_matter(self, matter_id: str) -> None:
        self.call("POST", f"/v1/legal-hold/matters/{matter_id}/deactivate")

    # -------------------------------------------------------------- Sync Log (§3.9)

    def sync_log(self, after: str | None = None) -> list[dict[str, Any]]:
        params = {"pgSize": "1000"}
        if after:
            params["eventOccurredAfter"] = after
        return self.json("GET", "/api/v3/DirectorySyncLog", params=params).get("Directory Sync Logs") or []

    # -------------------------------------------------------------- console: provider settings

    def provider_id(self) -> str:
        servers = self.json("GET", "/v1/scim-providers").get("scimServers") or []
        if not servers:
            raise AdminCallFailed("the tenant has no SCIM provisioning provider")
        server = servers[0]
        return server.get("scimServerUid") or server.get("id")

    def patch_provider(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.json("PATCH", f"/v1/scim-providers/{self.provider_id()}", json=body)

    def apply_settings(self) -> dict[str, Any]:
        return self.json("POST", f"/v1/scim-providers/{self.provider_id()}/apply-settings")

    def regenerate_credentials(self) -> dict[str, Any]:
        return self.json("POST", f"/v1/scim-providers/{self.provider_id()}/regenerate-credentials")

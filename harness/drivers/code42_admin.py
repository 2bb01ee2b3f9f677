"""The Code42 admin API driver: Code42's own SDK (incydr) for every call it covers, raw HTTP for the
console API it does not (block/unblock, SCIM user data, local users, the Sync Log) and for the console's
provider settings (``/v1/scim-providers/{id}``), which have no public API and are *not verifiable* on a
real tenant.

Why the same calls against the mock and a live tenant: an expectation such as "alice is blocked" must
be read exactly where a Code42 engineer would read it (``GET /v1/users?username=``), so the mock cannot
pass a check that a real tenant would answer differently; through the SDK it is read the way Code42's
tools read it. SDK traffic goes through the same recording session (:mod:`sdk_transport`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests

from harness.drivers.sdk_transport import as_json, incydr_client, quiet
from harness.errors import ExpectationFailed
from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession

T = TypeVar("T")


class AdminCallFailed(ExpectationFailed):
    """An admin call returned an unexpected status."""


class Code42Admin:
    def __init__(self, base_url: str, client_id: str, client_secret: str, session: RecordingSession):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self._client = (client_id, client_secret)
        self._token: str | None = None
        session.add_secret(client_secret)
        self._sdk: Any = None

    @property
    def sdk(self) -> Any:
        """The ``incydr.Client`` (built on first use; it logs in on its first call)."""
        if self._sdk is None:
            self._sdk = incydr_client(self.base_url, self._client[0], self._client[1], self.session)
        return self._sdk

    def _via_sdk(self, what: str, fn: Callable[[], T]) -> T:
        """Run an SDK call; an HTTP error answer becomes :class:`AdminCallFailed` (as :meth:`call` reports it)."""
        try:
            return quiet(fn)
        except requests.HTTPError as exc:
            response = exc.response
            status = response.status_code if response is not None else "?"
            if response is not None and response.request is not None and \
                    str(response.request.url).split("?")[0].endswith("/v1/oauth"):
                raise AdminCallFailed(f"Code42 admin OAuth returned HTTP {status}: check the client id and secret "
                                      "(--code42-client-id / SCIMGATE_CODE42_CLIENT_SECRET)") from None
            text = response.text[:300] if response is not None else str(exc)
            raise AdminCallFailed(f"{what} returned HTTP {status}: {text}") from None
        except ValueError as exc:  # pydantic's ValidationError: the answer is not the shape the SDK reads
            raise AdminCallFailed(f"{what}: the answer is not what Code42's SDK reads: {str(exc)[:300]}") from None

    def _response_via_sdk(self, fn: Callable[[], requests.Response]) -> requests.Response:
        """An SDK action whose caller judges the status itself: the error answer is returned, not raised."""
        try:
            return quiet(fn)
        except requests.HTTPError as exc:
            if exc.response is None:
                raise
            return exc.response

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
        page = self._via_sdk(f"find user {username}", lambda: self.sdk.users.v1.get_page(username=username))
        matches = [as_json(u) for u in page.users or [] if (u.username or "").lower() == username.lower()]
        return matches[0] if matches else None

    def user_roles(self, user_uid: str) -> list[dict[str, Any]]:
        roles = self._via_sdk(f"roles of {user_uid}", lambda: self.sdk.users.v1.list_user_roles(user_uid))
        return [as_json(r) for r in roles]

    def scim_user_data(self, user_uid: str) -> dict[str, Any]:
        return self.json("GET", "/api/v18/scim-user-data/collated-view", params={"userId": user_uid})

    def custodian_matters(self, user_uid: str) -> list[dict[str, Any]]:
        matters = self._via_sdk(f"legal holds of {user_uid}",
                                lambda: list(self.sdk.legal_hold.v1.iter_all_memberships_for_user(user_uid)))
        return [as_json(m) for m in matters]

    def user_action(self, user_uid: str, action: str) -> requests.Response:
        """Console block/unblock (``/api/v3``, no SDK call) and deactivate/activate (incydr), immediate per
        spec §3.5; the caller judges the status."""
        if action in ("block", "unblock"):
            return self.call("POST", f"/api/v3/users/{user_uid}/{action}", expect=None)
        users = self.sdk.users.v1
        act = users.activate if action == "activate" else users.deactivate
        return self._response_via_sdk(lambda: act(user_uid))

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
        return [as_json(o) for o in self._via_sdk("list orgs", lambda: self.sdk.orgs.v1.list()).orgs or []]

    def org_guid(self, name: str) -> str:
        for org in self.orgs():
            if org.get("orgName") == name or org.get("orgGuid") == name:
                return org["orgGuid"]
        raise AdminCallFailed(f"no Code42 org named {name!r}")

    # -------------------------------------------------------------- legal hold (§4.6)

    def matter_id(self, name: str, *, create: bool) -> str | None:
        """The matter named ``name`` (the SDK's name filter also matches partially: compare exactly); with
        ``create``, a new one under a policy of its own, as the SDK requires one."""
        lh = self.sdk.legal_hold.v1
        for matter in self._via_sdk(f"find matter {name}", lambda: list(lh.iter_all_matters(name=name))):
            if matter.name == name:
                return matter.matter_id
        if not create:
            return None
        policy = self._via_sdk("create a legal hold policy", lambda: lh.create_policy(f"{name} policy"))
        return self._via_sdk(f"create matter {name}", lambda: lh.create_matter(policy.policy_id, name)).matter_id

    def add_custodian(self, matter_id: str, user_uid: str) -> None:
        self._via_sdk(f"add {user_uid} to matter {matter_id}",
                      lambda: self.sdk.legal_hold.v1.add_custodian(matter_id, user_uid))

    def remove_custodian(self, matter_id: str, user_uid: str) -> None:
        self._via_sdk(f"release {user_uid} from matter {matter_id}",
                      lambda: self.sdk.legal_hold.v1.remove_custodian(matter_id, user_uid))

    def close_matter(self, matter_id: str) -> None:
        self._via_sdk(f"close matter {matter_id}", lambda: self.sdk.legal_hold.v1.deactivate_matter(matter_id))

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

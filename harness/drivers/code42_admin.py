"""The Code42 admin API driver: Code42's own clients for every call they cover, raw HTTP only for the
console actions that have no public API.

- An Incydr plan (``incydr-*``) is read and acted on through incydr; a plan that needs the console API
  (CrashPlan Cloud, other) through py42 (issue 12). Both clients answer in one shape
  (:mod:`harness.drivers.code42_calls`).
- Console calls incydr lacks go through py42 on every plan: block/unblock, a user's SCIM user data, a
  console edit of a user, creating a console user. Directory groups, which py42 lacks, go through incydr
  on every plan.
- Console-only actions with no public API stay raw HTTP here: the provider settings, apply settings,
  regenerate credentials (``/v1/scim-providers/{id}``, scimgate's shapes) and the Sync Log. A target whose
  admin API is not the scimgate mock cannot be asked for them, so steps that need them are *not verifiable*
  there (capability ``code42-console``, :mod:`harness.probe`).

Why the same calls against the mock and a live tenant: an expectation such as "alice is blocked" must be
read exactly where a Code42 engineer would read it, so the mock cannot pass a check a real tenant would
answer differently. Every SDK exchange goes through the same recording session (:mod:`sdk_transport`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from py42.exceptions import Py42Error, Py42ResponseError

from harness.drivers.code42_calls import ConsoleCalls, IncydrCalls, NotACustodian, NothingToActOn
from harness.drivers.sdk_transport import console_url, incydr_client, py42_client, quiet
from harness.errors import ExpectationFailed
from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession

T = TypeVar("T")
_OAUTH_HINT = "check the client id and secret (--code42-client-id / SCIMGATE_CODE42_CLIENT_SECRET)"


class AdminCallFailed(ExpectationFailed):
    """An admin call returned an unexpected status."""


@dataclass(frozen=True)
class Answer:
    """What an action's caller judges: the status and the body's text (refusals are answers, not errors)."""

    status_code: int
    text: str


def uses_incydr(plan: str | None) -> bool:
    """Incydr plans are read through incydr; CrashPlan Cloud and other plans through py42 (the console API)."""
    return str(plan or "").startswith("incydr")


class Code42Admin:
    def __init__(self, base_url: str, client_id: str, client_secret: str, session: RecordingSession, *,
                 plan: str | None):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.plan = plan
        self._client = (client_id, client_secret)
        self._token: str | None = None
        session.add_secret(client_secret)
        self._incydr: IncydrCalls | None = None
        self._console: ConsoleCalls | None = None

    # -------------------------------------------------------------- the two clients

    @property
    def incydr(self) -> IncydrCalls:
        """Calls through ``incydr.Client`` (built on first use; it logs in on its first call)."""
        if self._incydr is None:
            self._incydr = IncydrCalls(incydr_client(self.base_url, *self._client, self.session))
        return self._incydr

    @property
    def console(self) -> ConsoleCalls:
        """Calls through py42 at the tenant's console host (built on first use; it logs in on its first call)."""
        if self._console is None:
            self._console = ConsoleCalls(py42_client(console_url(self.base_url), *self._client, self.session))
        return self._console

    @property
    def reads(self) -> IncydrCalls | ConsoleCalls:
        """The client for this plan (what both clients cover)."""
        return self.incydr if uses_incydr(self.plan) else self.console

    def _via_sdk(self, what: str, fn: Callable[[], T]) -> T:
        """Run an SDK call; an HTTP error answer becomes :class:`AdminCallFailed` (as :meth:`call` reports it)."""
        try:
            return quiet(fn)
        except (requests.HTTPError, Py42ResponseError) as exc:
            response = exc.response
            status = response.status_code if response is not None else "?"
            if response is not None and response.request is not None and \
                    str(response.request.url).split("?")[0].endswith(("/v1/oauth", "/api/v3/oauth/token")):
                raise AdminCallFailed(f"Code42 admin OAuth returned HTTP {status}: {_OAUTH_HINT}") from None
            text = response.text[:300] if response is not None else str(exc)
            raise AdminCallFailed(f"{what} returned HTTP {status}: {text}") from None
        except (Py42Error, NothingToActOn) as exc:  # py42's own refusals, nothing to act on
            raise AdminCallFailed(f"{what}: {exc}") from None
        except ValueError as exc:  # pydantic's ValidationError: the answer is not the shape the SDK reads
            raise AdminCallFailed(f"{what}: the answer is not what Code42's SDK reads: {str(exc)[:300]}") from None

    def _answer_via_sdk(self, what: str, fn: Callable[[], Any], *, raise_missing: bool = True) -> Answer:
        """An SDK action whose caller judges the status itself: an error answer is returned, not raised.
        ``raise_missing=False``: :class:`NothingToActOn` reaches the caller as it is."""
        try:
            response = quiet(fn)
        except (requests.HTTPError, Py42ResponseError) as exc:
            if exc.response is None:
                raise
            response = exc.response
        except NothingToActOn as exc:
            if not raise_missing:
                raise
            raise AdminCallFailed(f"{what}: {exc}") from None
        except Py42Error as exc:
            raise AdminCallFailed(f"{what}: {exc}") from None
        return Answer(response.status_code, response.text or "")

    # -------------------------------------------------------------- raw transport (console-only actions)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return send_with_retries(lambda: self.session.request(method, self.base_url + path, **kwargs),
                                 what=f"Code42 admin API {self.base_url} ({method} {path})",
                                 method=method, timeout=self.session.timeout)

    def authenticate(self) -> str:
        """``POST /v1/oauth?grant_type=client_credentials`` with HTTP Basic (spec §4.1)."""
        response = self._send("POST", "/v1/oauth", params={"grant_type": "client_credentials"}, auth=self._client)
        if response.status_code != 200:
            raise AdminCallFailed(f"Code42 admin OAuth returned HTTP {response.status_code}: {_OAUTH_HINT}")
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
        return self._via_sdk(f"find user {username}", lambda: self.reads.find_user(username))

    def users(self) -> list[dict[str, Any]]:
        """Every Code42 user of the tenant (the cleanup filters them by prefix)."""
        return self._via_sdk("list users", lambda: self.reads.users())

    def user_roles(self, user_uid: str) -> list[dict[str, Any]]:
        return self._via_sdk(f"roles of {user_uid}", lambda: self.reads.user_roles(user_uid))

    def scim_user_data(self, user_uid: str) -> dict[str, Any]:
        return self._via_sdk(f"SCIM user data of {user_uid}", lambda: self.console.scim_user_data(user_uid))

    def custodian_matters(self, user_uid: str) -> list[dict[str, Any]]:
        return self._via_sdk(f"legal holds of {user_uid}", lambda: self.reads.custodian_matters(user_uid))

    def user_action(self, user_uid: str, action: str) -> Answer:
        """Block/unblock (py42: incydr has no such call) and deactivate/activate (the plan's client), immediate
        per spec §3.5; the caller judges the status."""
        if action in ("block", "unblock"):
            return self._answer_via_sdk(action, lambda: self.console.set_blocked(user_uid, action == "block"))
        if action not in ("activate", "deactivate"):
            raise ValueError(f"unknown user action {action!r}")
        return self._answer_via_sdk(action, lambda: self.reads.set_active(user_uid, action == "activate"))

    def edit_user(self, user_uid: str, fields: dict[str, Any]) -> Answer:
        """A console edit of a user's profile (py42 ``update_user``); the caller judges the status."""
        return self._answer_via_sdk(f"edit {user_uid}", lambda: self.console.edit_user(user_uid, fields))

    def create_local_user(self, username: str, *, org: str | None = None,
                          roles: list[str] | None = None) -> dict[str, Any]:
        """A console user (py42 ``create_user``: local sign-in, so provisioning leaves it alone)."""
        return self._via_sdk(f"create console user {username}", lambda: self.console.create_user(username, org, roles))

    # -------------------------------------------------------------- orgs (§4.4), directory groups

    def orgs(self) -> list[dict[str, Any]]:
        return self._via_sdk("list orgs", lambda: self.reads.orgs())

    def org_guid(self, name: str) -> str:
        for org in self.orgs():
            if org.get("orgName") == name or org.get("orgGuid") == name:
                return org["orgGuid"]
        raise AdminCallFailed(f"no Code42 org named {name!r}")

    def directory_group_names(self) -> list[str]:
        """The SCIM groups Code42 offers for mapping (incydr on every plan: py42 has no such call)."""
        return self._via_sdk("list directory groups", lambda: self.incydr.directory_group_names())

    # -------------------------------------------------------------- legal hold (§4.6)

    def matters(self) -> list[dict[str, Any]]:
        """Every matter, as ``{matterId, name, active}``."""
        return self._via_sdk("list legal hold matters", lambda: self.reads.matters())

    def matter_id(self, name: str, *, create: bool) -> str | None:
        """The matter named ``name`` (the SDKs' name filter also matches partially: compare exactly); with
        ``create``, a new one under a policy of its own, as the SDKs require one."""
        for matter in self._via_sdk(f"find matter {name}", lambda: self.reads.matters(name)):
            if matter.get("name") == name:
                return matter["matterId"]
        if not create:
            return None
        return self._via_sdk(f"create matter {name}", lambda: self.reads.create_matter(name))

    def matter_active(self, matter_id: str) -> bool:
        return self._via_sdk(f"read matter {matter_id}", lambda: self.reads.matter_active(matter_id))

    def add_custodian(self, matter_id: str, user_uid: str) -> None:
        self._via_sdk(f"add {user_uid} to matter {matter_id}", lambda: self.reads.add_custodian(matter_id, user_uid))

    def remove_custodian(self, matter_id: str, user_uid: str) -> None:
        self._via_sdk(f"release {user_uid} from matter {matter_id}",
                      lambda: self.reads.remove_custodian(matter_id, user_uid))

    def hold_outcome(self, matter_id: str, user_uid: str, *, place: bool) -> str:
        """Add or release a custodian; what the tenant said, in words (for callers comparing two targets)."""
        calls = self.reads
        act = calls.add_custodian if place else calls.remove_custodian
        try:
            answer = self._answer_via_sdk(f"{'add' if place else 'release'} {user_uid}",
                                          lambda: act(matter_id, user_uid), raise_missing=False)
        except NotACustodian:
            return "not a custodian: no membership to release"
        return f"HTTP {answer.status_code}"

    def close_matter(self, matter_id: str) -> None:
        self._via_sdk(f"close matter {matter_id}", lambda: self.reads.close_matter(matter_id))

    # -------------------------------------------------------------- console only: Sync Log (§3.9)

    def sync_log(self, after: str | None = None) -> list[dict[str, Any]]:
        params = {"pgSize": "1000"}
        if after:
            params["eventOccurredAfter"] = after
        return self.json("GET", "/api/v3/DirectorySyncLog", params=params).get("Directory Sync Logs") or []

    # -------------------------------------------------------------- console only: provider settings

    def provider_id(self) -> str:
        servers = self.json("GET", "/v1/scim-providers").get("scimServers") or []
        if not servers:
            raise AdminCallFailed("the tenant has no SCIM provisioning provider")
        server = servers[0]
        return server.get("scimServerUid") or server.get("id")

    def provider_settings(self) -> dict[str, Any]:
        return self.json("GET", f"/v1/scim-providers/{self.provider_id()}")

    def patch_provider(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.json("PATCH", f"/v1/scim-providers/{self.provider_id()}", json=body)

    def patch_provider_answer(self, body: dict[str, Any]) -> Answer:
        """The settings edit, its refusal returned rather than raised (the caller expects a status)."""
        response = self.call("PATCH", f"/v1/scim-providers/{self.provider_id()}", json=body, expect=None)
        return Answer(response.status_code, response.text)

    def apply_settings(self) -> dict[str, Any]:
        return self.json("POST", f"/v1/scim-providers/{self.provider_id()}/apply-settings")

    def regenerate_credentials(self) -> dict[str, Any]:
        return self.json("POST", f"/v1/scim-providers/{self.provider_id()}/regenerate-credentials")

"""The engine's HTTP side: SCIM requests to the target with the job's Secret Token, the retry policy
of §7.12, the classification of error responses into provisioning-log error codes (§7.10), and the
random-GUID probe of "Test Connection" (§2)."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
import tenacity

from simulators.azure_ad.provisioning import payloads as sp
from simulators.azure_ad.provisioning.flags import EngineFlags, split_tenant_url
from simulators.common.clock import Clock, WallClockError
from simulators.common.http_recording import RecordingSession

SCIM_JSON = "application/scim+json"
#: Microsoft documents no User-Agent for its provisioning service (docs/azure-ad-requests.md), so the mock
#: sends a fixed product token of its own instead of its HTTP library's.
USER_AGENT = "scimgate-mock-entra-provisioning/1.0"
RETRYABLE = frozenset({"TooManyRequests", "InternalServerError", "Timeout", "WebExceptionProtocolError"})
INCOMPATIBLE = "SystemForCrossDomainIdentityManagementServiceIncompatible"


class TargetError(Exception):
    """A failed SCIM request, classified with the provisioning-log error code (§7.10)."""

    def __init__(self, code: str, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.status, self.retry_after = code, reason, status, retry_after

    @property
    def credential(self) -> bool:
        return self.status in (401, 403)


class TargetClient:
    """One SCIM target (Tenant URL, Secret Token) reached through a recording session.

    ``flags`` is the job's current configuration; the engine replaces it when Graph changes the job."""

    def __init__(self, tenant_url: str, token: str, session: RecordingSession, flags: EngineFlags, clock: Clock):
        self.token, self.session, self.flags, self.clock = token, session, flags, clock
        self.base_url, self.tenant_query = "", ""
        self.set_url(tenant_url)

    def set_url(self, tenant_url: str) -> None:
        """The Tenant URL: requests go to its path; its query string holds the behaviour flags (§1.1)."""
        self.base_url, _flags = split_tenant_url(tenant_url)
        self.tenant_query = urlsplit(tenant_url).query

    def url(self, path: str, query: str = "") -> str:
        """The request URL; the Tenant URL's flags ride along only when ``strip_flag_from_urls`` is off."""
        flags = "" if self.flags.strip_flag_from_urls else self.tenant_query
        joined = "&".join(q for q in (flags, query) if q)
        return self.base_url + path + (f"?{joined}" if joined else "")

    def _headers(self, body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": SCIM_JSON, "User-Agent": USER_AGENT}
        if body:
            headers["Content-Type"] = SCIM_JSON
        return headers

    def _sleep(self, seconds: float) -> None:
        try:
            self.clock.advance(seconds)  # virtual time: waiting is moving the clock, never the wall
        except WallClockError:
            time.sleep(seconds)

    def _send_once(self, method: str, path: str, query: str = "", body: Any = None) -> requests.Response:
        try:
            response = self.session.request(method, self.url(path, query), headers=self._headers(body is not None),
                                            json=body if body is not None else None)
        except requests.Timeout as exc:
            raise TargetError("Timeout", f"the request to {path} timed out") from exc
        except requests.RequestException as exc:
            raise TargetError("WebExceptionProtocolError", f"could not connect to the target: {type(exc).__name__}") from exc
        if response.status_code < 400:
            return response
        raise classify(response, path)

    def send(self, method: str, path: str, query: str = "", body: Any = None) -> requests.Response:
        """Send with the engine's retry policy: optional immediate retries on 5xx/timeouts and, with
        ``retry_after_policy="honour"``, one wait of Retry-After seconds on 429 (§7.12)."""

        def retry_now(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if not isinstance(exc, TargetError):
                return False
            if exc.code == "TooManyRequests":
                return self.flags.retry_after_policy == "honour" and state.attempt_number < 2 + self.flags.immediate_retries
            return exc.code in RETRYABLE and state.attempt_number <= self.flags.immediate_retries

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, TargetError) and exc.code == "TooManyRequests":
                return min(exc.retry_after or 0.0, self.flags.max_retry_after_seconds)
            return 0.0

        retrying = tenacity.Retrying(retry=retry_now, wait=wait, sleep=self._sleep, reraise=True)
        return retrying(self._send_once, method, path, query, body)

    @staticmethod
    def json(response: requests.Response, path: str) -> Any:
        """The response body as JSON (None for 204 or an empty body); anything else is incompatible."""
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise TargetError(INCOMPATIBLE, f"the response to {path} is not JSON", response.status_code) from None

    def send_json(self, method: str, path: str, query: str = "", body: Any = None) -> Any:
        return self.json(self.send(method, path, query, body), path)

    def query(self, path: str, query: str) -> list[dict[str, Any]]:
        """A filtered GET that must answer a ListResponse; its ``Resources``."""
        response = self.send("GET", path, query)
        if response.status_code != 200:
            raise TargetError(INCOMPATIBLE, f"expected 200 for a query, got {response.status_code}",
                              response.status_code)
        body = self.json(response, path)
        if not isinstance(body, dict) or not isinstance(body.get("Resources", []), list):
            raise TargetError(INCOMPATIBLE, "a query response must be a ListResponse", response.status_code)
        return list(body.get("Resources") or [])

    def probe(self, user_attribute: str, group_attribute: str | None) -> None:
        """Random-GUID probes for a user (and, given its matching attribute, a group) that cannot exist (§2)."""
        try:
            found = self.query("/Users", sp.filter_query(user_attribute, str(uuid.uuid4())))
            if group_attribute is not None:
                found += self.query("/Groups", "excludedAttributes=members&"
                                    + sp.filter_query(group_attribute, str(uuid.uuid4())))
        except TargetError as exc:
            if exc.status == 404:
                raise TargetError(exc.code, "SCIM Compliance issue: An HTTP/404 Not Found response was returned "
                                  "rather than the expected HTTP/200 OK response", 404) from None
            if exc.credential:
                raise TargetError(exc.code, "invalid credentials: the target refused the Secret Token", exc.status) from None
            raise
        if found:
            raise TargetError(INCOMPATIBLE, "the probe for a random GUID returned resources", 200)


_STATUS_CODES = {400: "UnprocessableEntity", 401: "Unauthorized", 403: "InsufficientRights", 405: "MethodNotAllowed",
                 409: "EntryConflict", 412: "Conflict", 422: "UnprocessableEntity", 501: "NotImplemented"}


def _retry_after(response: requests.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if not header:
        return None
    try:
        return float(header)
    except ValueError:
        return None


def classify(response: requests.Response, path: str) -> TargetError:
    """Map an error response to the provisioning-log error codes of §7.10 ([INF] status mapping)."""
    status = response.status_code
    detail = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or "")
    except ValueError:
        pass
    suffix = f" ({detail})" if detail else ""
    if status == 429:
        return TargetError("TooManyRequests", f"the target throttled the request to {path}{suffix}", status,
                           _retry_after(response))
    if status == 404:
        code = "InvalidAnchor" if path.count("/") >= 2 else "WebExceptionProtocolError"
    elif status in _STATUS_CODES:
        code = _STATUS_CODES[status]
    elif status >= 500:
        code = "InternalServerError"
    else:
        code = "WebExceptionProtocolError"
    return TargetError(code, f"HTTP {status} from {path}{suffix}", status)

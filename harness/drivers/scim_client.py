"""A SCIM 2.0 client for the target, over a recording session.

Why its own driver: scenarios send raw requests (RFC 7644 core checks) and read resources back, and
every byte of that traffic must land in the report, redacted, next to the step that caused it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from harness.errors import ExpectationFailed
from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession

SCIM_JSON = "application/scim+json"


class ScimAuth:
    """The SCIM credential: a bearer token or Basic user/password. Keeps the previous one after a
    regeneration so a scenario can prove the old secret is dead."""

    def __init__(self, token: str | None = None, basic: tuple[str, str] | None = None):
        self.token, self.basic = token, basic
        self.previous: ScimAuth | None = None

    def header(self) -> str:
        if self.token:
            return f"Bearer {self.token}"
        if self.basic:
            user, password = self.basic
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return ""

    def replace(self, token: str | None = None, basic: tuple[str, str] | None = None) -> None:
        old = ScimAuth(self.token, self.basic)
        self.token, self.basic, self.previous = token, basic, old


class ScimClient:
    def __init__(self, base_url: str, session: RecordingSession, auth: ScimAuth):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.auth = auth

    def request(self, method: str, path: str, *, body: Any = None, raw_body: str | None = None,
                headers: dict[str, str] | None = None, auth: str = "token",
                params: dict[str, str] | None = None) -> requests.Response:
        """Send one request; ``auth`` is ``token`` (current), ``previous``, ``invalid`` or ``none``."""
        sent = {"Accept": SCIM_JSON}
        if body is not None or raw_body is not None:
            sent["Content-Type"] = SCIM_JSON
        if auth == "token":
            sent["Authorization"] = self.auth.header()
        elif auth == "previous":
            if self.auth.previous is None:
                raise ValueError("auth: previous needs a code42.regenerate_credentials step first")
            sent["Authorization"] = self.auth.previous.header()
        elif auth == "invalid":
            sent["Authorization"] = "Bearer scimgate-invalid-token"
        sent.update(headers or {})
        data = raw_body.encode() if raw_body is not None else (
            json.dumps(body).encode() if body is not None else None)
        return send_with_retries(
            lambda: self.session.request(method, self.base_url + path, data=data, headers=sent, params=params),
            what=f"SCIM endpoint {self.base_url} ({method} {path})", method=method,
            timeout=self.session.timeout)

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def find(self, resource: str, attribute: str, value: str) -> dict[str, Any] | None:
        """The one resource whose ``attribute eq value`` (None when the target answers that there is none).

        A refused filter raises :class:`ExpectationFailed` with the target's answer: "no such user" would
        blame the wrong thing (Azure AD matches users and groups with exactly this filter).
        """
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        query = f'{attribute} eq "{escaped}"'
        response = self.request("GET", f"/{resource}", params={"filter": query})
        body = self._json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            detail = body.get("detail") if isinstance(body, dict) else response.text[:160]
            raise ExpectationFailed(f"GET /{resource}?filter={query} returned HTTP {response.status_code}"
                                    + (f": {detail}" if detail else "") + " (the filter Azure AD matches with)")
        # Only a real match: a server that ignores the filter answers with everything.
        found = [r for r in body.get("Resources") or []
                 if isinstance(r, dict) and str(r.get(attribute, "")).lower() == value.lower()]
        return found[0] if found else None

    def get(self, resource: str, resource_id: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/{resource}/{resource_id}")
        return self._json(response) if response.status_code == 200 else None

"""The Microsoft identity platform's client-credentials token endpoint
(``POST /{tenant}/oauth2/v2.0/token``) and the bearer check in front of every Graph route.

Shapes follow Microsoft's v2.0 endpoint: a form-encoded body ``grant_type=client_credentials``,
``client_id``, ``client_secret`` (or HTTP Basic, ``client_secret_basic``) and ``scope =
https://graph.microsoft.com/.default``; success is ``{"token_type": "Bearer", "expires_in",
"ext_expires_in", "access_token"}``; failures are ``{"error", "error_description", "error_codes",
"timestamp", "trace_id", "correlation_id", "error_uri"}`` with an ``AADSTS<n>:`` description.
Graph itself answers a missing or bad token with 401 ``InvalidAuthenticationToken`` and a
``WWW-Authenticate: Bearer`` challenge.

Tokens are opaque random strings (clients must not parse them) valid for ``expires_in`` seconds on
the app's clock, so a virtual clock can expire them. Secrets are compared in constant time and never
echoed.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.azure_ad.graph.common import GraphError
from simulators.common.clock import Clock, isoformat

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
TOKEN_LIFETIME = timedelta(seconds=3599)
#: Graph's challenge, as returned by graph.microsoft.com on a 401.
WWW_AUTHENTICATE = ('Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                    'client_id="00000003-0000-0000-c000-000000000000"')


@dataclass
class TokenIssuer:
    """Issues and checks access tokens for one registered client (the app's ``CLIENT_ID``/``CLIENT_SECRET``)."""

    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    clock: Clock
    _tokens: dict[str, datetime] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def issue(self) -> tuple[str, int]:
        token = secrets.token_urlsafe(48)
        now = self.clock.now()
        with self._lock:
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}  # forget expired tokens
            self._tokens[token] = now + TOKEN_LIFETIME
        return token, int(TOKEN_LIFETIME.total_seconds())

    def check(self, token: str) -> str | None:
        """None when ``token`` is valid, else the Graph message saying why not."""
        with self._lock:
            # compare_digest refuses non-ASCII str, so compare bytes: a token like "é" is simply wrong.
            presented = token.encode("utf-8", "surrogatepass")
            expiry = next((exp for known, exp in self._tokens.items()
                           if hmac.compare_digest(known.encode(), presented)), None)
        if expiry is None:
            return "Access token validation failure. Invalid audience."
        if expiry <= self.clock.now():
            return "Lifetime validation failed, the token is expired."
        return None

    def secret_matches(self, client_id: str, client_secret: str) -> bool:
        return hmac.compare_digest(client_id.encode(), self.client_id.encode()) and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode())


def _aadsts(status: int, error: str, code: int, message: str, clock: Clock) -> Response:
    now = clock.now()
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = isoformat(now).replace("+00:00", "Z")
    body = {
        "error": error,
        "error_description": (f"AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {correlation} "
                              f"Timestamp: {stamp}"),
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store, no-cache"
    return response


def create_token_blueprint(issuer: TokenIssuer) -> Blueprint:
    """``POST /{tenant}/oauth2/v2.0/token`` (the tenant is the tenant id or ``organizations``-style alias
    is refused: client credentials need a tenant)."""
    bp = Blueprint("graph_token", __name__)
    clock = issuer.clock

    @bp.post("/<tenant>/oauth2/v2.0/token")
    def token(tenant: str) -> Response:
        if tenant.lower() != issuer.tenant_id.lower():
            return _aadsts(400, "invalid_request", 90002,
                           f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                           "signing into the correct cloud.", clock)
        if request.mimetype != "application/x-www-form-urlencoded":
            return _aadsts(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'grant_type'.", clock)
        form = request.form
        grant_type = form.get("grant_type")
        if not grant_type:
            return _aadsts(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'grant_type'.", clock)
        if grant_type != "client_credentials":
            return _aadsts(400, "unsupported_grant_type", 70003,
                           f"The app requested an unsupported grant type '{grant_type}'.", clock)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if request.authorization and request.authorization.type == "basic":  # client_secret_basic
            client_id = client_id or request.authorization.username
            client_secret = client_secret or request.authorization.password
        if not client_id:
            return _aadsts(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'client_id'.", clock)
        if not hmac.compare_digest(client_id.encode(), issuer.client_id.encode()):
            return _aadsts(400, "unauthorized_client", 700016,
                           f"Application with identifier '{client_id}' was not found in the directory "
                           f"'{issuer.tenant_id}'.", clock)
        if not client_secret:
            return _aadsts(401, "invalid_client", 7000218,
                           "The request body must contain the following parameter: 'client_assertion' or "
                           "'client_secret'.", clock)
        if not issuer.secret_matches(client_id, client_secret):
            return _aadsts(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                           f"secret value, not the client secret ID, for a secret added to app '{client_id}'.", clock)
        scope = form.get("scope")
        if not scope:
            return _aadsts(400, "invalid_request", 90014,
                           "The required field 'scope' is missing from the credential.", clock)
        if scope.strip() != GRAPH_DEFAULT_SCOPE:
            return _aadsts(400, "invalid_scope", 1002012,
                           f"The provided value for scope {scope} is not valid. Client credential flows must have a "
                           "scope value with /.default suffixed to the resource identifier (application ID URI).",
                           clock)
        access_token, lifetime = issuer.issue()
        response = jsonify({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                            "access_token": access_token})
        response.headers["Cache-Control"] = "no-store, no-cache"
        return response

    return bp


def require_bearer(issuer: TokenIssuer) -> None:
    """Raise Graph's 401 unless the request carries a valid ``Authorization: Bearer`` token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": WWW_AUTHENTICATE}
    if not header or scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge)
    problem = issuer.check(token.strip())
    if problem is not None:
        raise GraphError(401, "InvalidAuthenticationToken", problem, challenge)


def token_request_form(client_id: str, client_secret: str) -> dict[str, Any]:
    """The form a Graph client posts (for tests and drivers)."""
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
            "scope": GRAPH_DEFAULT_SCOPE}


__all__ = [
    "GRAPH_DEFAULT_SCOPE",
    "WWW_AUTHENTICATE",
    "TokenIssuer",
    "create_token_blueprint",
    "require_bearer",
    "token_request_form",
]

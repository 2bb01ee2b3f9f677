"""Admin-API authentication (code42-behaviour.md §4.1): OAuth client credentials, 15-minute bearer
tokens on the simulator's clock."""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, jsonify, request

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import tokens
from simulators.common.clock import Clock

TOKEN_LIFETIME = timedelta(minutes=15)
INVALID_CREDENTIALS = "Invalid or missing credentials"

bp = Blueprint("oauth", __name__)

#: The endpoints a caller reaches without a bearer token (the token endpoints themselves).
OPEN_ENDPOINTS = frozenset({"code42_admin.oauth.oauth", "code42_admin.oauth.oauth_v3"})


class TokenIssuer:
    """OAuth client-credentials tokens for the admin API, expiring on the simulator clock."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._tokens: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self._clock.now() + TOKEN_LIFETIME
        return token

    def valid(self, token: str) -> bool:
        """Constant-time: the presented token is compared with every live one by ``hmac.compare_digest``
        (a dict lookup would compare the bytes of a hash-colliding key with an early exit)."""
        presented = token.encode("utf-8", "replace")
        with self._lock:
            now = self._clock.now()
            self._tokens = {t: expiry for t, expiry in self._tokens.items() if now < expiry}
            found = False
            for live in self._tokens:
                found |= hmac.compare_digest(live.encode("ascii"), presented)
            return found


def unauthorized(description: str = INVALID_CREDENTIALS) -> AdminError:
    return AdminError(401, "SYSTEM", description,
                      {"WWW-Authenticate": 'Bearer realm="code42", error="invalid_token"'})


def authenticate() -> None:
    """Every admin request but the token endpoints needs a live bearer token."""
    if request.endpoint in OPEN_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer ") or not tokens().valid(header[7:].strip()):
        raise unauthorized()


def _client_credentials() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
        except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text (that one was a 500)
            raise unauthorized("malformed Basic credentials") from None
        return user, secret
    return request.form.get("client_id", ""), request.form.get("client_secret", "")


def _token_response() -> Response:
    grant = request.args.get("grant_type") or request.form.get("grant_type")
    if grant != "client_credentials":
        raise AdminError(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, secret = _client_credentials()
    want_id = current_app.config.get("ADMIN_CLIENT_ID") or ""
    want_secret = current_app.config.get("ADMIN_CLIENT_SECRET") or ""
    ok = bool(want_id and want_secret) and hmac.compare_digest(client_id.encode(), want_id.encode()) \
        and hmac.compare_digest(secret.encode(), want_secret.encode())
    if not ok:
        raise unauthorized()
    return jsonify({"access_token": tokens().issue(), "token_type": "bearer",
                    "expires_in": int(TOKEN_LIFETIME.total_seconds())})


@bp.post("/v1/oauth", endpoint="oauth")
def oauth() -> Response:
    return _token_response()


@bp.post("/api/v3/oauth/token", endpoint="oauth_v3")
def oauth_v3() -> Response:
    return _token_response()

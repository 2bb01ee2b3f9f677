"""Admin-API authentication (code42-behaviour.md §4.1, as the SDKs call it): OAuth client credentials
at ``/v1/oauth`` (incydr: HTTP Basic, no ``grant_type``) and ``/api/v3/oauth/token`` (py42:
``?grant_type=client_credentials``), answered with a signed JWT that expires on the wall clock
(:mod:`simulators.code42.domain.admin_tokens`).

Token-endpoint errors are RFC 6749 §5.2 bodies (``{"error": "invalid_client", ...}``), with a Basic
challenge: a wrong client secret is a client error, not an invalid bearer token. A missing, forged or
expired bearer token on any other route is the legacy 401 with ``error="invalid_token"``.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Blueprint, Response, current_app, g, jsonify, request

from simulators.code42.domain import tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain, tokens

INVALID_CREDENTIALS = "Invalid or missing credentials"
_BASIC_CHALLENGE = 'Basic realm="code42"'

bp = Blueprint("oauth", __name__)

#: The endpoints a caller reaches without a bearer token (the token endpoints themselves).
OPEN_ENDPOINTS = frozenset({"code42_admin.oauth.oauth", "code42_admin.oauth.oauth_v3"})


def unauthorized(description: str = INVALID_CREDENTIALS) -> AdminError:
    return AdminError(401, "SYSTEM", description,
                      {"WWW-Authenticate": 'Bearer realm="code42", error="invalid_token"'})


def authenticate() -> None:
    """Every admin request but the token endpoints needs a live bearer token; the API client it names
    becomes ``g.admin_client`` (the creator of what the request makes)."""
    if request.endpoint in OPEN_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    client = tokens().client_id(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if client is None:
        raise unauthorized()
    g.admin_client = client


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = _BASIC_CHALLENGE
    return response


def _client_credentials() -> tuple[str, str] | None:
    """(client id, secret) from HTTP Basic or the form; None when the Basic header is malformed."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, ValueError):  # also UnicodeDecodeError and non-ASCII text (that was a 500)
            return None
        return user, secret
    return request.form.get("client_id", ""), request.form.get("client_secret", "")


def _token_response() -> Response:
    grant = request.args.get("grant_type") or request.form.get("grant_type")
    if grant not in (None, "", "client_credentials"):
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    credentials = _client_credentials()
    if credentials is None:
        return _oauth_error(401, "invalid_client", "malformed Basic credentials")
    client_id, secret = credentials
    want_id = current_app.config.get("ADMIN_CLIENT_ID") or ""
    want_secret = current_app.config.get("ADMIN_CLIENT_SECRET") or ""
    same_id = hmac.compare_digest(client_id.encode(), want_id.encode())
    same_secret = hmac.compare_digest(secret.encode(), want_secret.encode())
    if not (want_id and want_secret and same_id and same_secret):
        return _oauth_error(401, "invalid_client", INVALID_CREDENTIALS)
    with domain().transaction() as tx:
        uid = tenant.tenant_uid(tx)
    issuer = tokens()
    return jsonify({"access_token": issuer.issue(client_id, uid), "token_type": "bearer",
                    "expires_in": issuer.lifetime})


@bp.post("/v1/oauth", endpoint="oauth")
def oauth() -> Response:
    return _token_response()


@bp.post("/api/v3/oauth/token", endpoint="oauth_v3")
def oauth_v3() -> Response:
    return _token_response()

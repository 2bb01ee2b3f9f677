"""The Code42-shaped admin API: what a real Code42 driver (py42, incydr, the console) calls.

Paths, bodies and error tokens follow code42-behaviour.md §4 (clients match error *substrings*, so the
tokens are exact). One parent blueprint holds what every admin route shares (bearer authentication,
the legacy error body); each resource is a child blueprint in its own module, whose views parse the
request, run one domain service in one ``domain.transaction()`` and render its answer.
Console-only actions that have no public API (provider settings, regenerate credentials, apply
settings, local users) are served under ``/v1/scim-providers/{id}`` and ``POST /v1/users``; those
shapes are scimgate's, modelled on ``ScimServerData`` (code42-open-questions.md).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.admin_tokens import AdminTokens
from simulators.code42.domain.rules import Code42Domain
from simulators.code42.http import scim_io
from simulators.code42.http.admin import (
    actors,
    audit_log,
    console_orgs,
    console_users,
    customer,
    devices,
    directory_groups,
    legal_hold,
    legal_hold_console,
    oauth,
    orgs,
    providers,
    roles,
    service_discovery,
    sync_log,
    user_data,
    users,
)
from simulators.code42.http.admin.context import DOMAIN_KEY, TOKENS_KEY

bp = Blueprint("code42_admin", __name__)
for _child in (oauth, users, console_users, roles, orgs, console_orgs, legal_hold, legal_hold_console, user_data,
               actors, directory_groups, devices, customer, audit_log, service_discovery, sync_log, providers):
    bp.register_blueprint(_child.bp)


@bp.errorhandler(AdminError)
def _admin_error(error: AdminError) -> Response:
    response = jsonify([{"name": error.token, "description": error.description}])
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """A werkzeug error raised in an admin view (413 from a too-large form body, say) in the admin shape,
    not as werkzeug's HTML page."""
    token = (error.name or "ERROR").upper().replace(" ", "_")
    return _admin_error(AdminError(error.code or 500, token, error.description or error.name or token))


@bp.before_request
def _authenticate() -> None:
    """Bearer authentication, except py42's key-value lookups, which it sends without credentials."""
    if request.endpoint not in service_discovery.OPEN_ENDPOINTS:
        oauth.authenticate()


def _unrouted(error: HTTPException) -> Response:
    """No route (404) or not this method (405), anywhere outside ``/scim/v2``: the admin API's JSON error,
    never werkzeug's HTML page (SCIM paths keep their RFC 7644 bodies)."""
    if request.path == scim_io.SCIM_PREFIX or request.path.startswith(scim_io.SCIM_PREFIX + "/"):
        return scim_io.http_error_response(error)
    token = "NOT_FOUND" if isinstance(error, NotFound) else "METHOD_NOT_ALLOWED"
    response = _admin_error(AdminError(error.code or 404, token, f"{request.method} {request.path}: "
                                       f"{error.description or error.name}"))
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def install(app: Flask, domain: Code42Domain) -> None:
    """Serve the admin API for ``domain``'s tenant at ``/``; unrouted requests answer in its error shape."""
    app.extensions[DOMAIN_KEY] = domain
    app.extensions[TOKENS_KEY] = AdminTokens()
    app.register_blueprint(bp)
    app.register_error_handler(NotFound, _unrouted)
    app.register_error_handler(MethodNotAllowed, _unrouted)

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

from flask import Blueprint, Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.rules import Code42Domain
from simulators.code42.http.admin import (
    directory_groups,
    legal_hold,
    oauth,
    orgs,
    providers,
    roles,
    sync_log,
    user_data,
    users,
)
from simulators.code42.http.admin.context import DOMAIN_KEY, TOKENS_KEY
from simulators.code42.http.admin.oauth import TokenIssuer

bp = Blueprint("code42_admin", __name__)
for _child in (oauth, users, roles, orgs, legal_hold, user_data, directory_groups, sync_log, providers):
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


bp.before_request(oauth.authenticate)


def install(app: Flask, domain: Code42Domain) -> None:
    """Serve the admin API for ``domain``'s tenant at ``/`` (its token issuer runs on the tenant's clock)."""
    app.extensions[DOMAIN_KEY] = domain
    app.extensions[TOKENS_KEY] = TokenIssuer(domain.runtime.clock)
    app.register_blueprint(bp)

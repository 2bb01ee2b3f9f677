"""The console API's orgs, as py42 calls them (code42-behaviour.md §4.4): ``GET /api/v1/Org`` (paged by
``pgNum``/``pgSize``, in the console envelope; py42 maps integer ``orgId`` to ``orgGuid`` through it),
``POST /api/v3/orgs``, ``GET|PUT /api/v3/orgs/{orgGuid}``, ``POST .../deactivate|activate|block|unblock`` and
``GET /api/v1/Org/my`` (a signed-in user's org: an API client has none)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.code42.domain import organizations, tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, legacy_paging, require_strings

bp = Blueprint("console_orgs", __name__)

#: The token of the 500 an API client gets from ``GET /api/v1/Org/my`` (no org of its own).
API_CLIENT_HAS_NO_ORG = "API_CLIENT_HAS_NO_ORG"


@bp.get("/api/v1/Org")
def list_orgs() -> Any:
    page = legacy_paging()
    with domain().transaction() as tx:
        return jsonify(tenant.legacy_envelope(tx, organizations.list_orgs_legacy(tx, page)))


@bp.get("/api/v1/Org/my")
def current_org() -> Any:
    """py42 ``orgs.get_current``: "incompatible with api client authentication", and what it catches is a
    500 (``Py42InternalServerError``), so that is Code42's answer to an API client (docs/code42-api.md)."""
    raise AdminError(500, API_CLIENT_HAS_NO_ORG, "an API client belongs to no organization of its own")


@bp.post("/api/v3/orgs")
def create_org() -> Any:
    """``{orgName, orgExtRef, notes, parentOrgGuid}`` (the root org when no parent is given)."""
    data = body()
    name = data.get("orgName")
    if not isinstance(name, str) or not name.strip():
        raise AdminError(400, "INVALID_ORG_NAME", "orgName is required")
    require_strings(data, "parentOrgGuid", "orgExtRef", "notes")
    with domain().transaction() as tx:
        created = organizations.create_org(tx, name.strip(), data.get("parentOrgGuid"), data.get("orgExtRef"),
                                           data.get("notes"))
        org = organizations.org_or_404(tx, created["orgGuid"])
        return jsonify(organizations.org_legacy(tx, org)), 201


@bp.get("/api/v3/orgs/<guid>")
def get_org(guid: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(organizations.org_legacy(tx, organizations.org_or_404(tx, guid)))


@bp.put("/api/v3/orgs/<guid>")
def update_org(guid: str) -> Any:
    """py42 ``update_org``: "Only fields associated with passed parameters will be updated"."""
    data = body()
    require_strings(data, "orgName", "orgExtRef", "notes")
    with domain().transaction() as tx:
        org = organizations.update_org(tx, guid, data.get("orgName"), data.get("orgExtRef"), data.get("notes"))
        return jsonify(organizations.org_legacy(tx, org))


def _set_active(guid: str, active: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        organizations.set_active(rules, tx, guid, active)
    return Response(status=204)


@bp.post("/api/v3/orgs/<guid>/deactivate")
def deactivate_org(guid: str) -> Response:
    return _set_active(guid, False)


@bp.post("/api/v3/orgs/<guid>/activate")
def activate_org(guid: str) -> Response:
    return _set_active(guid, True)


def _set_blocked(guid: str, blocked: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        organizations.set_blocked(rules, tx, guid, blocked)
    return Response(status=204)


@bp.post("/api/v3/orgs/<guid>/block")
def block_org(guid: str) -> Response:
    return _set_blocked(guid, True)


@bp.post("/api/v3/orgs/<guid>/unblock")
def unblock_org(guid: str) -> Response:
    return _set_blocked(guid, False)

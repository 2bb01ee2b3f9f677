"""The console API's orgs, as py42 calls them (code42-behaviour.md §4.4): ``GET /api/v1/Org`` (paged by
``pgNum``/``pgSize``, in the console envelope; py42 maps integer ``orgId`` to ``orgGuid`` through it),
``POST /api/v3/orgs``, ``GET|PUT /api/v3/orgs/{orgGuid}`` and ``POST .../deactivate|activate``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.code42.domain import organizations, tenant
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, legacy_paging, require_strings

bp = Blueprint("console_orgs", __name__)


@bp.get("/api/v1/Org")
def list_orgs() -> Any:
    page = legacy_paging()
    with domain().transaction() as tx:
        return jsonify(tenant.legacy_envelope(tx, organizations.list_orgs_legacy(tx, page)))


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

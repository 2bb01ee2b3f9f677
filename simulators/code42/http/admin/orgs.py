"""``/v1/orgs`` (code42-behaviour.md §4.4); the console's ``/api/v1/Org`` and ``/api/v3/orgs`` are
:mod:`console_orgs`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.code42.domain import organizations
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg, require_strings

bp = Blueprint("orgs", __name__)


@bp.get("/v1/orgs")
def list_orgs() -> Any:
    active = bool_arg("active")
    with domain().transaction() as tx:
        return jsonify(organizations.list_orgs(tx, active))


@bp.post("/v1/orgs")
def create_org() -> Any:
    data = body()
    name = data.get("orgName")
    if not isinstance(name, str) or not name.strip():
        raise AdminError(400, "INVALID_ORG_NAME", "orgName is required")
    require_strings(data, "parentOrgGuid", "orgExtRef", "notes")
    with domain().transaction() as tx:
        org = organizations.create_org(tx, name.strip(), data.get("parentOrgGuid"), data.get("orgExtRef"),
                                       data.get("notes"))
        return jsonify(org), 201


@bp.get("/v1/orgs/<ident>")
def get_org(ident: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(organizations.get_org(tx, ident))


@bp.put("/v1/orgs/<ident>")
def update_org(ident: str) -> Any:
    """``{orgName, orgExtRef, notes}``; null fields are left as they are (:func:`organizations.update_org`)."""
    data = body()
    require_strings(data, "orgName", "orgExtRef", "notes")
    with domain().transaction() as tx:
        org = organizations.update_org(tx, ident, data.get("orgName"), data.get("orgExtRef"), data.get("notes"))
        return jsonify(organizations.org_v1(tx, org))


def _set_active(ident: str, active: bool) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        organizations.set_active(rules, tx, ident, active)
    return Response(status=204)


@bp.post("/v1/orgs/<ident>/activate")
def activate_org(ident: str) -> Response:
    return _set_active(ident, True)


@bp.post("/v1/orgs/<ident>/deactivate")
def deactivate_org(ident: str) -> Response:
    return _set_active(ident, False)

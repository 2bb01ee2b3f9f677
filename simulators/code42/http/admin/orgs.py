"""``/v1/orgs`` (code42-behaviour.md §4.4)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import organizations
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg

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
    with domain().transaction() as tx:
        org = organizations.create_org(tx, name.strip(), data.get("parentOrgGuid"), data.get("orgExtRef"),
                                       data.get("notes"))
        return jsonify(org), 201


@bp.get("/v1/orgs/<ident>")
def get_org(ident: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(organizations.get_org(tx, ident))

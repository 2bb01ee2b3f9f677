"""``/v1/legal-hold`` routes (code42-behaviour.md §4.6): policies, matters, custodians."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.code42.domain import legal_hold
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import creator, domain
from simulators.code42.http.admin.params import body, bool_arg, paging, require_strings, text_arg

bp = Blueprint("legal_hold", __name__)


@bp.get("/v1/legal-hold/policies")
def list_policies() -> Any:
    page = paging()
    with domain().transaction() as tx:
        return jsonify(legal_hold.list_policies(tx, page))


@bp.post("/v1/legal-hold/policies")
def create_policy() -> Any:
    data = body()
    require_strings(data, "name")
    name = data.get("name") or "Legal hold policy"
    with domain().transaction() as tx:
        return jsonify(legal_hold.create_policy(tx, name, creator())), 201


@bp.get("/v1/legal-hold/policies/<policy_id>")
def get_policy(policy_id: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(legal_hold.get_policy(tx, policy_id))


@bp.get("/v1/legal-hold/matters")
def list_matters() -> Any:
    active, name, creator_id = bool_arg("active"), text_arg("name"), text_arg("creatorUserId")
    page = paging()
    with domain().transaction() as tx:
        return jsonify(legal_hold.list_matters(tx, active, name, creator_id, page))


@bp.post("/v1/legal-hold/matters")
def create_matter() -> Any:
    data = body()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AdminError(400, "INVALID_NAME", "name is required")
    require_strings(data, "policyId", "description", "notes")
    with domain().transaction() as tx:
        return jsonify(legal_hold.create_matter(tx, name, data, creator())), 201


@bp.get("/v1/legal-hold/matters/<matter_id>")
def get_matter(matter_id: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(legal_hold.get_matter(tx, matter_id))


@bp.post("/v1/legal-hold/matters/<matter_id>/deactivate")
def deactivate_matter(matter_id: str) -> Response:
    rules = domain()
    with rules.transaction() as tx:
        legal_hold.deactivate_matter(rules, tx, matter_id)
    return Response(status=204)


@bp.post("/v1/legal-hold/matters/<matter_id>/reactivate")
def reactivate_matter(matter_id: str) -> Response:
    with domain().transaction() as tx:
        legal_hold.reactivate_matter(tx, matter_id)
    return Response(status=204)


@bp.get("/v1/legal-hold/matters/<matter_id>/custodians")
def list_custodians(matter_id: str) -> Any:
    page = paging()
    with domain().transaction() as tx:
        return jsonify(legal_hold.list_custodians(tx, matter_id, page))


@bp.post("/v1/legal-hold/matters/<matter_id>/custodians")
def add_custodian(matter_id: str) -> Any:
    ident = body().get("userId")
    with domain().transaction() as tx:
        return jsonify(legal_hold.add_custodian(tx, matter_id, str(ident))), 201


@bp.post("/v1/legal-hold/matters/<matter_id>/custodians/remove")
def remove_custodian(matter_id: str) -> Response:
    ident = body().get("userId")
    rules = domain()
    with rules.transaction() as tx:
        legal_hold.remove_custodian(rules, tx, matter_id, str(ident))
    return Response(status=204)


@bp.get("/v1/legal-hold/custodians/<ident>")
def custodian_matters(ident: str) -> Any:
    page = paging()
    with domain().transaction() as tx:
        return jsonify(legal_hold.matters_of_user(tx, ident, page))

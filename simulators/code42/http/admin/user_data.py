"""Provisioned attributes (code42-behaviour.md §4.7): the risk profile and the SCIM user data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from simulators.code42.domain import user_data
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body, bool_arg, paging, text_arg

bp = Blueprint("user_data", __name__)


@bp.get("/v1/user-risk-profiles")
def list_risk_profiles() -> Any:
    """Paged by ``page``/``page_size``, filtered by the query names incydr sends (snake case)."""
    filters = {name: value for name in user_data.PROFILE_FILTERS if (value := text_arg(name)) is not None}
    flags = {name: bool_arg(name) for name in ("active", "deleted", "support_user")}
    page = paging()
    with domain().transaction() as tx:
        return jsonify(user_data.list_profiles(tx, filters, flags, page))


@bp.get("/v1/user-risk-profiles/<ident>")
def risk_profile(ident: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.risk_profile(tx, ident))


@bp.patch("/v1/user-risk-profiles/<ident>")
def update_risk_profile(ident: str) -> Any:
    """``?paths=startDate&paths=notes`` names what changes; the body holds the new values."""
    data = body(structured=frozenset({"startDate", "endDate"}))
    # incydr repeats ``paths``; py42 sends one ``paths=startDate, notes`` (comma and space).
    paths = [p.strip() for value in request.args.getlist("paths") for p in value.split(",") if p.strip()]
    with domain().transaction() as tx:
        return jsonify(user_data.update_profile(tx, ident, paths, data))


@bp.post("/v1/user-risk-profiles/<ident>/add-cloud-aliases")
def add_cloud_aliases(ident: str) -> Any:
    data = body(structured=frozenset({"cloudAliases"}))
    with domain().transaction() as tx:
        return jsonify(user_data.add_cloud_aliases(tx, ident, data))


@bp.post("/v1/user-risk-profiles/<ident>/delete-cloud-aliases")
def delete_cloud_aliases(ident: str) -> Any:
    data = body(structured=frozenset({"cloudAliases"}))
    with domain().transaction() as tx:
        return jsonify(user_data.delete_cloud_aliases(tx, ident, data))


@bp.get("/api/v18/scim-user-data/collated-view")
def scim_user_data() -> Any:
    """``ScimUserDataEntry`` (code42-open-questions.md)."""
    ident = request.args.get("userId")
    if not ident:
        raise AdminError(400, "INVALID_PARAMETER", "userId is required")
    with domain().transaction() as tx:
        return jsonify(user_data.scim_user_data(tx, ident))

"""Provisioned attributes (code42-behaviour.md §4.7): the risk profile and the SCIM user data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from simulators.code42.domain import user_data
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.http.admin.context import domain

bp = Blueprint("user_data", __name__)


@bp.get("/v1/user-risk-profiles/<ident>")
def risk_profile(ident: str) -> Any:
    with domain().transaction() as tx:
        return jsonify(user_data.risk_profile(tx, ident))


@bp.get("/api/v18/scim-user-data/collated-view")
def scim_user_data() -> Any:
    """``ScimUserDataEntry`` (code42-open-questions.md)."""
    ident = request.args.get("userId")
    if not ident:
        raise AdminError(400, "INVALID_PARAMETER", "userId is required")
    with domain().transaction() as tx:
        return jsonify(user_data.scim_user_data(tx, ident))


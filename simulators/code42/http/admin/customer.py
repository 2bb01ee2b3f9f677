"""The tenant: ``GET /v1/customer`` (incydr) and ``GET /api/v3/customer/my`` (py42's tenant id)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from simulators.code42.domain import tenant
from simulators.code42.http.admin.context import domain

bp = Blueprint("customer", __name__)


@bp.get("/v1/customer")
def customer() -> Any:
    with domain().transaction() as tx:
        return jsonify(tenant.customer(tx))


@bp.get("/api/v3/customer/my")
def customer_my() -> Any:
    with domain().transaction() as tx:
        return jsonify(tenant.customer_legacy(tx))

"""``/v1/audit`` (incydr ``audit_log/client.py``): search, count, export and download
(:mod:`domain.audit_log`: the mock keeps no audit trail, so the answers are empty)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.code42.domain import audit_log
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body

bp = Blueprint("audit_log", __name__, url_prefix="/v1/audit")

_QUERY_FIELDS = frozenset({"actorIds", "actorIpAddresses", "actorNames", "dateRange", "eventTypes",
                           "resourceIds", "userTypes"})


@bp.post("/search-audit-log")
def search() -> Any:
    return jsonify(audit_log.search(body(_QUERY_FIELDS)))


@bp.post("/search-results-count")
def count() -> Any:
    return jsonify(audit_log.count(body(_QUERY_FIELDS)))


@bp.post("/export")
def export() -> Any:
    data = body(_QUERY_FIELDS)
    with domain().transaction() as tx:
        return jsonify(audit_log.export(tx, data))


@bp.get("/redeem-download-token")
def redeem() -> Response:
    token = request.args.get("downloadToken") or ""
    with domain().transaction() as tx:
        csv = audit_log.redeem(tx, token)
    return Response(csv, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="AuditLog_SearchResults.csv"'})

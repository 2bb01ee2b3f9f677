"""The audit log: incydr's ``/v1/audit`` (search, count, export, download; ``audit_log/client.py``) and py42's
``POST /rpc/search/search-audit-log`` (``auditlogs``, on the host py42 looks up as ``AUDIT-LOG_API-URL``:
:mod:`service_discovery`), with ``Accept: text/csv`` or ``text/x-cef`` for an export in the answer
(:mod:`domain.audit_log`: the mock keeps no audit trail, so the answers are empty)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.code42.domain import audit_log
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import body

bp = Blueprint("audit_log", __name__)

_QUERY_FIELDS = frozenset({"actorIds", "actorIpAddresses", "actorNames", "dateRange", "eventTypes",
                           "resourceIds", "userTypes", "affectedUserIds", "affectedUserNames"})


@bp.post("/v1/audit/search-audit-log")
def search() -> Any:
    return jsonify(audit_log.search(body(_QUERY_FIELDS)))


@bp.post("/rpc/search/search-audit-log")
def search_rpc() -> Any:
    """py42's search: JSON, or the page as CSV / CEF when its ``format`` asks for one (``Accept``)."""
    data = body(_QUERY_FIELDS)
    accept = request.headers.get("Accept", "")
    if "text/csv" in accept:
        audit_log.search(data)  # the query is checked all the same
        return Response(audit_log.CSV_HEADER, mimetype="text/csv")
    if "text/x-cef" in accept:
        audit_log.search(data)
        return Response("", mimetype="text/x-cef")
    return jsonify(audit_log.search(data))


@bp.post("/v1/audit/search-results-count")
def count() -> Any:
    return jsonify(audit_log.count(body(_QUERY_FIELDS)))


@bp.post("/v1/audit/export")
def export() -> Any:
    data = body(_QUERY_FIELDS)
    with domain().transaction() as tx:
        return jsonify(audit_log.export(tx, data))


@bp.get("/v1/audit/redeem-download-token")
def redeem() -> Response:
    token = request.args.get("downloadToken") or ""
    with domain().transaction() as tx:
        csv = audit_log.redeem(tx, token)
    return Response(csv, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="AuditLog_SearchResults.csv"'})

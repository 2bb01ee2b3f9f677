"""``/api/v3/DirectorySyncLog`` (code42-behaviour.md §3.9): the provisioning Sync Log, JSON and CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.code42.domain.synclog import page_json, to_csv
from simulators.code42.http.admin.context import domain
from simulators.code42.http.admin.params import int_arg, parse_time

bp = Blueprint("sync_log", __name__)


def _entries() -> list[dict[str, Any]]:
    after = parse_time(request.args.get("eventOccurredAfter"), "eventOccurredAfter")
    before = parse_time(request.args.get("eventOccurredBefore"), "eventOccurredBefore")
    rules = domain()
    with rules.transaction() as tx:
        return rules.synclog.entries(tx, after, before)


@bp.get("/api/v3/DirectorySyncLog")
def sync_log() -> Any:
    entries = _entries()
    page = int_arg("pgNum", int_arg("PageNumber", 1, 1), 1)
    size = int_arg("pgSize", int_arg("PageSize", 100, 1), 1)
    return jsonify(page_json(entries, page, size))


@bp.get("/api/v3/DirectorySyncLog/csv")
def sync_log_csv() -> Response:
    return Response(to_csv(_entries()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="directory-sync-log.csv"'})

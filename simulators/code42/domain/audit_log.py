"""The Incydr audit log (``/v1/audit/...``, incydr ``audit_log/client.py``).

The mock records provisioning in the Sync Log, not in an audit trail, and issue 12 observed a real tenant
answering these searches with empty pages; so a search finds nothing, counts 0, and an export is a CSV
with the header only. The query is still checked, so a malformed one is a 400 as it would be.
Search pages are 0-based (``page`` in the body; ``iter_all`` starts at 0).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.storage.store import Tx

_LIST_FIELDS = ("actorIds", "actorIpAddresses", "actorNames", "eventTypes", "resourceIds", "userTypes",
                "affectedUserIds", "affectedUserNames")
_KV_PREFIX = "c42_audit_export:"
#: [INF] the columns of Code42's audit-log CSV are not published.
CSV_HEADER = "timestamp,type,actorId,actorName,actorIpAddress,userType,resourceId\r\n"


def check_query(body: dict[str, Any]) -> None:
    """The fields of ``QueryAuditLogRequest`` (and py42's ``affectedUserIds``/``affectedUserNames``): lists of
    strings, a ``dateRange`` of epoch seconds (incydr) or ISO 8601 timestamps (py42 sends
    ``2024-01-01T00:00:00.000000Z``)."""
    for name in _LIST_FIELDS:
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be a list of strings")
    window = body.get("dateRange")
    if window is not None:
        if not isinstance(window, dict):
            raise AdminError(400, "INVALID_PARAMETER", "dateRange must be {startTime, endTime}")
        for name in ("startTime", "endTime"):
            value = window.get(name)
            if value is not None and not _is_time(value):
                raise AdminError(400, "INVALID_PARAMETER", f"dateRange.{name} must be epoch seconds or ISO 8601")


def _is_time(value: Any) -> bool:
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)  # Python 3.11 reads the "Z" suffix
        except ValueError:
            return False
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _page_numbers(body: dict[str, Any]) -> tuple[int, int]:
    page, size = body.get("page", 0), body.get("pageSize", 100)
    for name, value, low in (("page", page, 0), ("pageSize", size, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 10_000_000:
            raise AdminError(400, "INVALID_PARAMETER", f"{name} must be an integer >= {low}")
    return page, size


def search(body: dict[str, Any]) -> dict[str, Any]:
    """``AuditEventsPage{events, paginationRangeStartIndex, paginationRangeEndIndex}``."""
    check_query(body)
    page, size = _page_numbers(body)
    return {"events": [], "paginationRangeStartIndex": page * size, "paginationRangeEndIndex": page * size}


def count(body: dict[str, Any]) -> dict[str, Any]:
    check_query(body)
    return {"totalResultCount": 0}


def export(tx: Tx, body: dict[str, Any]) -> dict[str, Any]:
    """Start an export: a one-time download token, redeemed by :func:`redeem`."""
    check_query(body)
    token = secrets.token_urlsafe(24)
    tx.kv_put(_KV_PREFIX + token, "ready")
    return {"downloadToken": token}


def redeem(tx: Tx, token: str) -> str:
    """The export's CSV; an unknown (or already redeemed) token is 404."""
    if not token or tx.kv_get(_KV_PREFIX + token) != "ready":
        raise AdminError(404, "DOWNLOAD_TOKEN_NOT_FOUND", "no export with this download token")
    tx.kv_put(_KV_PREFIX + token, "redeemed")
    return CSV_HEADER

"""Devices and agents (incydr ``/v1/users/{id}/devices``, ``/v1/devices``, ``/v1/agents``; py42
``/api/v1/Computer``).

The mock provisions people, not machines: no backup or Incydr agent ever registers with it, so every
list is empty. The pages still carry what the SDK's models require (``DevicesPage{totalCount, devices}``,
``AgentsPage{agents, totalCount, pageSize, page}``, all without defaults), and a user's devices need a
real user (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from simulators.code42.domain.accounts import user_or_404
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.paging import Paging
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx


def devices_page(paging: Paging) -> dict[str, Any]:
    page, total = paging.apply([])
    return {"totalCount": total, "devices": page}


def user_devices(tx: Tx, ident: str, paging: Paging) -> dict[str, Any]:
    user_or_404(tx, ident)
    return devices_page(paging)


def agents_page(paging: Paging) -> dict[str, Any]:
    page, total = paging.apply([])
    return {"agents": page, "totalCount": total, "pageSize": paging.size, "page": paging.page}


def computers_page(tx: Tx, org_ref: str | None, paging: Paging) -> dict[str, Any]:
    """py42 ``devices.get_page``: ``{totalCount, computers}`` (py42 pages on ``computers``). An ``orgUid`` that
    names no org is 400 "Unable to find org" (py42 turns that text into ``Py42OrgNotFoundError``)."""
    if org_ref is not None and tables.resolve_org(tx, org_ref) is None:
        raise AdminError(400, "ORG_NOT_FOUND", f"Unable to find org: {org_ref}")
    page, total = paging.apply([])
    return {"totalCount": total, "computers": page}

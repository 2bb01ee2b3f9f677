"""Devices and agents (incydr ``/v1/users/{id}/devices``, ``/v1/devices``, ``/v1/agents``).

The mock provisions people, not machines: no backup or Incydr agent ever registers with it, so every
list is empty. The pages still carry what the SDK's models require (``DevicesPage{totalCount, devices}``,
``AgentsPage{agents, totalCount, pageSize, page}``, all without defaults), and a user's devices need a
real user (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from simulators.code42.domain.accounts import user_or_404
from simulators.code42.domain.paging import Paging
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

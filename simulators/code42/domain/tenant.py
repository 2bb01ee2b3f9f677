"""The tenant itself: its id, name and registration key (``GET /v1/customer``, py42's
``GET /api/v3/customer/my``), and the registration keys of its orgs.

Why stored with the credentials (the store's kv table, which ``/_sim/reset`` keeps): a reset empties the
tenant's users and orgs, not the tenant, so the ``tenantUid`` claim of tokens issued before a reset
still names this tenant. The name is the root org's, as a Code42 tenant's top org carries the
customer's name.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat

_KV_KEY = "c42_tenant"


def registration_key(seed: str) -> str:
    """A Code42-style registration key (four groups of four), stable for ``seed``."""
    digest = hashlib.sha256(f"scimgate:registration:{seed}".encode()).hexdigest().upper()
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def tenant_uid(tx: Tx) -> str:
    """This tenant's id, made on first use and kept across restarts (file database) and resets."""
    stored = tx.kv_get(_KV_KEY)
    if stored is not None:
        return json.loads(stored)["tenantUid"]
    uid = str(uuid.uuid4())
    tx.kv_put(_KV_KEY, json.dumps({"tenantUid": uid}))
    return uid


def customer(tx: Tx) -> dict[str, Any]:
    """``Customer{name, registrationKey, tenantId}`` (incydr ``customer/models.py``)."""
    uid = tenant_uid(tx)
    root = tables.root_org(tx) or {}
    return {"name": root.get("name"), "registrationKey": registration_key(uid), "tenantId": uid}


def customer_legacy(tx: Tx) -> dict[str, Any]:
    """py42's ``/api/v3/customer/my``: the same tenant under ``tenantUid`` (``py42/usercontext.py``)."""
    answer = customer(tx)
    return {"tenantUid": answer["tenantId"], "name": answer["name"], "registrationKey": answer["registrationKey"]}


def created(tx: Tx) -> str | None:
    """When the tenant was set up (its root org's creation), e.g. the date of its built-in roles."""
    root = tables.root_org(tx)
    return root["created_at"] if root else None


def legacy_envelope(tx: Tx, data: Any) -> dict[str, Any]:
    """The console API's ``/api/v1`` wrapper (code42-behaviour.md §4.2): py42 unwraps ``data``."""
    return {"metadata": {"timestamp": isoformat(tx.now), "params": {}}, "data": data}

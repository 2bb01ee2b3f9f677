"""How py42 finds Code42's microservices: ``GET /api/v1/ServerEnv`` names the token service
(``stsBaseUrl``), py42 swaps its first ``sts`` for ``simple-key-value-store`` and asks that host
``GET /v1/{key}`` for a service's base URL, as plain text (``py42/services/_connection.py``,
``_keyvaluestore.py``).

The mock is every one of those services itself, so each key it serves answers its own root: the audit
log (``AUDIT-LOG_API-URL``, py42 ``auditlogs``) and the watchlists host that also serves user risk profiles
(``watchlists-API_URL``, py42 ``userriskprofile``). Keys of services the mock does not run (alerts, file
events, cases...) stay unrouted: a 404, as for a service a tenant lacks.

py42 asks the key-value store without credentials (its connection carries no auth), so those lookups are
open; they tell a caller nothing but this server's own address. ``stsBaseUrl`` is ``{root}/sts``: py42
rewrites the *first* ``sts`` of the URL, which is that path unless the host name itself contains "sts"
(docs/code42-api.md).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

bp = Blueprint("service_discovery", __name__)

#: The key-value store keys whose service the mock serves (the endpoints that need no bearer token).
SERVED_KEYS = ("AUDIT-LOG_API-URL", "watchlists-API_URL")
OPEN_ENDPOINTS = frozenset(f"code42_admin.service_discovery.key_{n}" for n in range(len(SERVED_KEYS)))


def _root() -> str:
    return request.host_url.rstrip("/")


@bp.get("/api/v1/ServerEnv")
def server_env() -> Any:
    """The one field py42 reads (bare JSON, not the console envelope: py42 reads it from the top level)."""
    return jsonify({"stsBaseUrl": f"{_root()}/sts"})


def _key_view(key: str) -> Any:
    def view() -> Response:
        return Response(_root(), mimetype="text/plain")
    view.__doc__ = f"``GET /v1/{key}``: this server's root (it serves that service too)."
    return view


for _n, _key in enumerate(SERVED_KEYS):
    bp.add_url_rule(f"/v1/{_key}", endpoint=f"key_{_n}", view_func=_key_view(_key), methods=["GET"])

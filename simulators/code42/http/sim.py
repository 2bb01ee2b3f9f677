"""``/_sim``: simulation control (virtual clock, reset), registered only with config ``SIM_CONTROL``.

Why: a 15-minute deactivation delay must pass in a millisecond in simulation (DESIGN.md "Time"), and
each scenario starts from an empty tenant, as moto's ``/moto-api/reset`` does
(libraries-and-style.md §4.1). These routes could rewrite the tenant's history, so they answer only
loopback callers unless ``SIM_CONTROL_REMOTE`` is set, and they do not exist at all without
``SIM_CONTROL`` (404).

- ``GET /_sim/clock`` → ``{"now": iso}``
- ``POST /_sim/clock/advance`` ``{"seconds": N}`` → moves a VirtualClock, fires what fell due
  (``rules.tick``), returns ``{"now": iso, "fired": [...]}``; 409 on a wall clock
- ``POST /_sim/reset`` → empties the store (SCIM resources and domain tables; credentials kept) and
  calls ``rules.reset()`` when the rules have one, so in-memory domain state goes too
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from simulators.code42.http.scim_io import current_runtime
from simulators.common.clock import isoformat
from simulators.common.json_body import JsonBodyError, parse_json

_LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


bp = Blueprint("sim_api", __name__, url_prefix="/_sim")


@bp.before_request
def _loopback_only() -> Response | None:
    if current_app.config["SIM_CONTROL_REMOTE"] or request.remote_addr in _LOOPBACK:
        return None
    return _error(403, "simulation control answers loopback callers only (start with SIM_CONTROL_REMOTE)")


@bp.get("/clock")
def clock() -> Response:
    runtime = current_runtime()
    return jsonify({"now": isoformat(runtime.clock.now()), "virtual": runtime.clock.simulated})


@bp.post("/clock/advance")
def advance() -> Response:
    runtime = current_runtime()
    if not runtime.clock.simulated:
        return _error(409, "this simulator runs on the wall clock; start it with a VirtualClock to advance time")
    try:
        body = parse_json(request.get_data())
    except JsonBodyError:
        body = None
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
            or seconds < 0:
        return _error(400, 'send {"seconds": N} with N a finite number >= 0')
    now = runtime.clock.advance(seconds)
    fired: Any = runtime.tick()
    return jsonify({"now": isoformat(now), "fired": list(fired) if isinstance(fired, (list, tuple, set)) else []})


@bp.post("/reset")
def reset() -> Response:
    runtime = current_runtime()
    runtime.store.reset()
    runtime.rules.reset()
    return jsonify({"reset": True, "now": isoformat(runtime.clock.now())})


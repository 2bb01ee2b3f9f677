"""``/_sim``: simulation control for the mock Entra tenant, registered only with ``SIM_CONTROL``.

With a ``VirtualClock`` the provisioning schedule ("approximately every 40 minutes") only moves when
the harness moves time: ``POST /_sim/clock/advance {"seconds": N}`` advances the clock and runs every
cycle that fell due, returning what ran. Loopback callers only unless ``SIM_CONTROL_REMOTE``; no
bearer token (the harness drives it like Code42's ``/_sim``).
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from simulators.azure_ad.graph.common import GraphError, json_body
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.common.clock import isoformat

_LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def create_sim_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("azure_sim", __name__, url_prefix="/_sim")

    @bp.before_request
    def _loopback_only() -> None:
        if not (current_app.config["SIM_CONTROL_REMOTE"] or request.remote_addr in _LOOPBACK):
            raise GraphError(403, "Authorization_RequestDenied", "simulation control answers loopback callers only")

    @bp.get("/clock")
    def clock_now() -> Response:
        return jsonify({"now": isoformat(runtime.clock.now())})

    @bp.post("/clock/advance")
    def advance() -> Response:
        body = json_body()
        seconds: Any = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
            raise GraphError(400, "Request_BadRequest", "'seconds' must be a finite number >= 0")
        if not runtime.clock.simulated:
            raise GraphError(409, "Request_BadRequest", "the tenant runs on the system clock; time cannot be advanced")
        runtime.clock.advance(seconds)
        cycles = runtime.engine.run_due() if runtime.configured else []
        return jsonify({"now": isoformat(runtime.clock.now()), "cycles": [c.to_graph() for c in cycles]})

    return bp


__all__ = ["create_sim_blueprint"]

"""``create_app(config)``: one mock Code42 tenant as a Flask app (no module-level app, no globals).

Config keys (all optional):

======================  =====================================================================
``SCIM_TOKEN``          bearer token for ``/scim/v2`` (random when neither it nor ``SCIM_BASIC`` is
                        given and the store holds none: read it from ``runtime.credentials.token``)
``SCIM_BASIC``          ``(user, password)`` for Basic authentication, or None
``ADMIN_CLIENT_ID``     OAuth client id of the admin API; ``ADMIN_CLIENT_SECRET`` its secret
``DATABASE``            SQLite file path or ``":memory:"`` (default)
``PROFILE``             a profile dict or file path (``profile.load_profile``)
``SIM_CONTROL``         serve ``/_sim/*`` (clock, reset); ``SIM_CONTROL_REMOTE`` allows non-loopback callers
``FAULTS``              fault names (``faults.FAULTS``)
``CLOCK``               a Clock (default ``SystemClock()``)
``MAX_BODY_BYTES``      request body limit, default 1 MiB (413 above it)
``RULES``               ``"none"`` for a plain RFC 7644 service provider (no Code42 behaviour)
``GROUP_PATCH_STATUS``  204 (default, what Azure AD expects) or 200 (answer with the group)
``SCIM_DISCOVERY``      serve ServiceProviderConfig/Schemas/ResourceTypes (default True)
``TICK_ON_REQUEST``     call ``rules.tick(now)`` before each request when time has moved (default True;
                        on the wall clock at most every ``TICK_SECONDS``, default 1.0)
======================  =====================================================================
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from flask import Flask, g, request

from simulators.code42.domain.credentials import ScimCredentials
from simulators.code42.domain.faults import Faults
from simulators.code42.domain.hooks import NoRules
from simulators.code42.domain.profile import load_profile
from simulators.code42.domain.rules import Code42Domain
from simulators.code42.http import scim, sim
from simulators.code42.http.admin import blueprint as admin
from simulators.code42.http.scim_io import register_error_handlers
from simulators.code42.http.scim_rejections import RejectionLog
from simulators.code42.runtime import Code42Runtime
from simulators.code42.storage.store import Store
from simulators.common.clock import SystemClock

log = logging.getLogger("scimgate.code42")

DEFAULTS: dict[str, Any] = {
    "SCIM_TOKEN": None,
    "SCIM_BASIC": None,
    "ADMIN_CLIENT_ID": None,
    "ADMIN_CLIENT_SECRET": None,
    "DATABASE": ":memory:",
    "PROFILE": None,
    "SIM_CONTROL": False,
    "SIM_CONTROL_REMOTE": False,
    "FAULTS": [],
    "CLOCK": None,
    "MAX_BODY_BYTES": 1024 * 1024,
    "RULES": "code42",
    "GROUP_PATCH_STATUS": 204,
    "SCIM_DISCOVERY": True,
    "TICK_ON_REQUEST": True,
    "TICK_SECONDS": 1.0,
}


def _build_rules(runtime: Code42Runtime) -> Code42Domain | None:
    """The Code42 rules for this tenant, or None for a plain RFC 7644 service provider (``RULES="none"``)."""
    if runtime.config.get("RULES") == "none":
        return None
    return Code42Domain(runtime)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build one mock Code42 tenant: store, credentials, rules, and the SCIM/admin/sim blueprints."""
    settings = {**DEFAULTS, **(config or {})}
    if settings["GROUP_PATCH_STATUS"] not in (200, 204):
        raise ValueError(f"GROUP_PATCH_STATUS={settings['GROUP_PATCH_STATUS']!r} must be 200 or 204")
    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    clock = settings["CLOCK"] or SystemClock()
    faults = Faults(settings["FAULTS"])
    profile = load_profile(settings["PROFILE"])
    store = Store(settings["DATABASE"], clock=clock)
    basic = tuple(settings["SCIM_BASIC"]) if settings["SCIM_BASIC"] else None
    credentials = ScimCredentials(store, token=settings["SCIM_TOKEN"], basic=basic, faults=faults,  # type: ignore[arg-type]
                                  credential_type=profile.provider.get("credential_type", "oauth"))
    runtime = Code42Runtime(store=store, clock=clock, profile=profile, faults=faults, credentials=credentials,
                            config=settings)
    domain = _build_rules(runtime)
    runtime.rules = domain or NoRules()
    app.extensions["scimgate"] = runtime

    register_error_handlers(app)
    app.register_blueprint(scim.bp)
    rejections = None
    if domain is not None:  # the admin API and the Sync Log read the Code42 rules' tables
        admin.install(app, domain)
        rejections = RejectionLog(domain)
    if settings["SIM_CONTROL"]:
        app.register_blueprint(sim.bp)
    _install_request_hooks(app, runtime, rejections)
    return app


def _install_request_hooks(app: Flask, runtime: Code42Runtime, rejections: RejectionLog | None) -> None:
    """Tick the rules before each request; log one line per request (never the Authorization header) and,
    with the Code42 rules, the SCIM writes the SCIM layer rejected (:class:`RejectionLog`). One hook each
    way: Flask's dispatch of every hook is a cost each request pays."""
    tick_on_request = bool(app.config["TICK_ON_REQUEST"])
    # Writes always tick first (the rules also flush work they deferred, e.g. Sync Log entries of
    # rejected requests). Reads tick only when time has moved: on a virtual clock whenever it moved, on
    # the wall clock at most every TICK_SECONDS (the Ticker thread covers idle times). See
    # Code42Runtime.tick_if_time_moved; this keeps a transaction off the hot path of a GET.
    min_interval = timedelta(0) if runtime.clock.simulated else timedelta(seconds=app.config["TICK_SECONDS"])

    @app.before_request
    def _start() -> None:
        if rejections is not None:
            rejections.mark()
        g.started = time.perf_counter()
        if not tick_on_request or request.path.startswith("/_sim/"):
            return
        if request.method in ("GET", "HEAD", "OPTIONS"):
            runtime.tick_if_time_moved(min_interval)
        else:
            runtime.tick()

    @app.after_request
    def _log(response: Any) -> Any:
        if rejections is not None:
            rejections.log(response)
        if log.isEnabledFor(logging.INFO):
            started = g.get("started")
            elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
            log.info("%s %s %d %.1fms", request.method, request.path, response.status_code, elapsed)
        return response

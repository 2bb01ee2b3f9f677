"""``create_app(config)``: one mock Entra tenant as a Flask app (no module-level app, no globals) —
the directory, the Code42 provisioning job and the Graph-shaped HTTP surface over them.

Config keys (all optional):

==================  =========================================================================
``TARGET_URL``      the job's Tenant URL (``BaseAddress``), flags in its query string allowed
``TARGET_TOKEN``    the job's Secret Token (``SecretToken``); never logged
``CLIENT_ID``       the Graph client (app registration) allowed to get tokens; ``CLIENT_SECRET`` its secret
``TENANT_ID``       the tenant id in ``/{tenant}/oauth2/v2.0/token`` and the job id (random when absent)
``CLOCK``           a Clock (default ``SystemClock``); a ``VirtualClock`` enables ``/_sim/clock/advance``
``FLAGS``           an ``EngineFlags`` or a dict of flag names → values
``DIRECTORY``       a ready ``Directory`` (default: an empty one, seed ``SEED``)
``SEED``            Faker seed for the default directory (default 0)
``DOMAIN``          the tenant's verified domain (default ``contoso.example``)
``SIM_CONTROL``     serve ``/_sim/*``; ``SIM_CONTROL_REMOTE`` allows non-loopback callers
``START_JOB``       start the provisioning job at once (default False: "Provisioning Status: Off")
``MAX_BODY_BYTES``  request body limit (default 1 MiB)
``DATABASE``        a SQLite file keeping the tenant's state across restarts (default None: memory only)
==================  =========================================================================

``app.extensions["scimgate"]`` holds the :class:`AzureAdRuntime`; with ``DATABASE``,
``app.extensions["scimgate.save"]`` saves the state (done after every request that may change it).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.graph.audit_logs import create_logs_blueprint
from simulators.azure_ad.graph.auth import TokenIssuer, create_token_blueprint, require_bearer
from simulators.azure_ad.graph.common import register_graph_error_handlers
from simulators.azure_ad.graph.directory import create_directory_blueprint
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.sim import create_sim_blueprint
from simulators.azure_ad.graph.synchronization import create_sync_blueprint
from simulators.azure_ad.persistence import TenantStore
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.common.clock import SystemClock

DEFAULTS: dict[str, Any] = {
    "TARGET_URL": None,
    "TARGET_TOKEN": None,
    "CLIENT_ID": None,
    "CLIENT_SECRET": None,
    "TENANT_ID": None,
    "CLOCK": None,
    "FLAGS": None,
    "DIRECTORY": None,
    "SEED": 0,
    "DOMAIN": "contoso.example",
    "SIM_CONTROL": False,
    "SIM_CONTROL_REMOTE": False,
    "START_JOB": False,
    "MAX_BODY_BYTES": 1024 * 1024,
    "DATABASE": None,
}
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _flags(value: Any) -> EngineFlags:
    if value is None:
        return EngineFlags()
    if isinstance(value, EngineFlags):
        return value
    if isinstance(value, dict):
        return EngineFlags().with_(**value)
    raise ValueError(f"FLAGS must be an EngineFlags or a dict, not {type(value).__name__}")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build one mock tenant: directory, engine, token issuer, Graph blueprints, optional ``/_sim``."""
    settings = {**DEFAULTS, **(config or {})}
    app = Flask(__name__)
    app.config.update({k: v for k, v in settings.items() if k not in ("TARGET_TOKEN", "CLIENT_SECRET")})
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    clock = settings["CLOCK"] or SystemClock()
    store = TenantStore(settings["DATABASE"]) if settings["DATABASE"] else None
    tenant_id = _tenant_id(settings["TENANT_ID"], store)
    directory = settings["DIRECTORY"] or Directory(seed=settings["SEED"], clock=clock, domain=settings["DOMAIN"])
    target_url, target_token = settings["TARGET_URL"], settings["TARGET_TOKEN"]
    engine = ProvisioningEngine(directory, target_url or "", target_token or "", clock=clock,
                                flags=_flags(settings["FLAGS"]), tenant_id=tenant_id)
    client_id = settings["CLIENT_ID"] or str(uuid.uuid4())
    client_secret = settings["CLIENT_SECRET"] or str(uuid.uuid4())  # unguessable when not configured
    issuer = TokenIssuer(tenant_id=tenant_id, client_id=client_id, client_secret=client_secret, clock=clock)
    runtime = AzureAdRuntime(directory=directory, engine=engine, clock=clock, issuer=issuer, tenant_id=tenant_id,
                             service_principal_id=str(uuid.uuid5(uuid.UUID(tenant_id), "service-principal")),
                             app_id=str(uuid.uuid5(uuid.UUID(tenant_id), "application")),
                             configured=bool(target_url and target_token))
    if target_url:
        runtime.secrets["BaseAddress"] = target_url
    if settings["START_JOB"]:
        runtime.started = True
        engine.start()
    else:
        engine.pause()  # "Provisioning Status: Off" until Graph start
    app.extensions["scimgate"] = runtime
    save = _persisted(store, runtime, tenant_id) if store is not None else None
    if save is not None:
        app.extensions["scimgate.save"] = save

    register_graph_error_handlers(app, clock)
    app.register_blueprint(create_token_blueprint(issuer))


    @app.before_request
    def _graph_needs_a_token() -> None:  # before any blueprint check: no token, no information
        if request.path.startswith("/v1.0/") or request.path == "/v1.0":
            require_bearer(issuer)

    for bp in (create_directory_blueprint(runtime), create_sync_blueprint(runtime), create_logs_blueprint(runtime)):
        app.register_blueprint(bp)
    if settings["SIM_CONTROL"]:
        app.register_blueprint(create_sim_blueprint(runtime))
    app.wsgi_app = _Serialised(app.wsgi_app, runtime.lock, save)  # type: ignore[method-assign]
    return app


def _persisted(store: TenantStore, runtime: AzureAdRuntime, tenant_id: str) -> Callable[[], None]:
    """Load the saved state (when there is some) into the new tenant; the function that saves it."""
    if not store.empty:
        store.load(runtime.directory, runtime.engine)
        runtime.started = store.meta("started") == "true"

    def save() -> None:
        store.save(runtime.directory, runtime.engine,
                   {"tenant_id": tenant_id, "started": str(runtime.started).lower()})

    save()
    return save


def _tenant_id(configured: str | None, store: TenantStore | None) -> str:
    """The configured tenant id, else the saved one, else a new one; a saved tenant is not renamed."""
    saved = store.meta("tenant_id") if store is not None else None
    if configured and saved and str(configured) != saved:
        raise ValueError(f"the state file holds tenant {saved}, not {configured}")
    return str(configured or saved or uuid.uuid4())


class _Serialised:
    """WSGI middleware: one request at a time through the directory and engine (see graph/runtime.py),
    and, with a state file, a save after each request that may have changed something."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], lock: threading.RLock,
                 save: Callable[[], None] | None = None):
        self._app, self._lock, self._save = wsgi_app, lock, save

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            body = list(self._app(environ, start_response))
            if self._save is not None and environ.get("REQUEST_METHOD", "GET") not in _READS:
                self._save()
            return body


__all__ = ["DEFAULTS", "create_app"]

"""``scimgate serve azure-ad``: run one mock Entra tenant (directory, Code42 provisioning job, Graph
surface) on waitress until SIGTERM/SIGINT, provisioning into ``--target`` on the system clock.

A background :class:`CycleScheduler` runs every cycle that is due ("approximately every 40 minutes",
Code42 tutorial) once the job is started — by ``--start`` or by Graph ``POST .../jobs/{id}/start``.
Secrets come from flags or, better (flags show in ``ps``), from environment variables; they are never
printed. The harness wires :func:`add_arguments` and :func:`run` into ``harness/cli.py``;
``python -m simulators.azure_ad`` runs the same thing.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.common.clock import SystemClock, VirtualClock
from simulators.common.server import serve_forever

ENV_TARGET_TOKEN = "SCIMGATE_AZURE_TARGET_TOKEN"
ENV_CLIENT_ID = "SCIMGATE_AZURE_CLIENT_ID"
ENV_CLIENT_SECRET = "SCIMGATE_AZURE_CLIENT_SECRET"

log = logging.getLogger("scimgate.azure_ad")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serve azure-ad``."""
    parser.add_argument("--target", required=True, metavar="URL",
                        help="the job's Tenant URL (Code42 SCIM base URL); ?aadOptscim062020 allowed")
    parser.add_argument("--target-token", help=f"the job's Secret Token (or ${ENV_TARGET_TOKEN}; preferred)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8043, help="port (default 8043; 0 picks a free one)")
    parser.add_argument("--client-id", help=f"Graph client id allowed to get tokens (or ${ENV_CLIENT_ID})")
    parser.add_argument("--client-secret", help=f"its client secret (or ${ENV_CLIENT_SECRET}; preferred)")
    parser.add_argument("--tenant-id", help="tenant id in /{tenant}/oauth2/v2.0/token (default: random, printed)")
    parser.add_argument("--sim-control", action="store_true",
                        help="virtual clock and /_sim/clock/advance (cycles run only when time is advanced)")
    parser.add_argument("--flag", action="append", default=[], metavar="NAME[=VALUE]",
                        help="engine flag, e.g. aadOptscim062020 or accidental_deletion_threshold=500 (repeatable)")
    parser.add_argument("--start", action="store_true", help="start the provisioning job at once")
    parser.add_argument("--seed", type=int, default=0, help="Faker seed of the directory (default 0)")
    parser.add_argument("--db", metavar="FILE", help="SQLite file keeping the directory, assignments, escrows and "
                                                     "provisioning logs across restarts (default: memory only)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    parser.add_argument("--poll-seconds", type=float, default=5.0,
                        help="how often the scheduler checks for a due cycle on the wall clock (default 5 s)")


def parse_flags(items: list[str]) -> dict[str, Any]:
    """``NAME`` (a boolean switched on) or ``NAME=VALUE`` typed after the flag's default."""
    defaults = {f.name: f.default for f in dataclasses.fields(EngineFlags)
                if f.default is not dataclasses.MISSING}
    result: dict[str, Any] = {}
    for item in items:
        name, has_value, text = item.partition("=")
        if name not in defaults:
            raise ValueError(f"unknown engine flag {name!r}; known: {', '.join(EngineFlags.names())}")
        default = defaults[name]
        if not has_value:
            if not isinstance(default, bool):
                raise ValueError(f"flag {name!r} needs a value: {name}=VALUE")
            result[name] = True
        elif isinstance(default, bool):
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"flag {name!r} is a boolean: true or false")
            result[name] = text.lower() in ("true", "1")
        elif isinstance(default, int) or name in ("accidental_deletion_threshold", "group_member_batch_size"):
            result[name] = None if text.lower() == "none" else int(text)
        elif isinstance(default, float):
            result[name] = float(text)
        elif isinstance(default, str) or default is None:
            result[name] = text
        else:
            raise ValueError(f"flag {name!r} cannot be set from the command line")
    return result


def build_config(args: argparse.Namespace, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``create_app`` config for parsed arguments (flags win over environment variables)."""
    env = os.environ if environ is None else environ
    return {
        "TARGET_URL": args.target,
        "TARGET_TOKEN": args.target_token or env.get(ENV_TARGET_TOKEN),
        "CLIENT_ID": args.client_id or env.get(ENV_CLIENT_ID),
        "CLIENT_SECRET": args.client_secret or env.get(ENV_CLIENT_SECRET),
        "TENANT_ID": args.tenant_id,
        "SIM_CONTROL": bool(args.sim_control),
        "CLOCK": VirtualClock() if args.sim_control else SystemClock(),
        "FLAGS": parse_flags(args.flag),
        "SEED": args.seed,
        "START_JOB": bool(args.start),
        "DATABASE": args.db,
    }


class CycleHost(Protocol):
    """What the scheduler needs of a tenant: the ``AzureAdRuntime`` the app holds, which this module
    reaches only through ``create_app`` (graph stays behind the app)."""

    engine: ProvisioningEngine
    configured: bool
    lock: threading.RLock


class CycleScheduler:
    """Runs the engine's due cycles on the wall clock, under the app's lock, until stopped; ``save``
    (the app's state saver, with ``--db``) runs after cycles ran."""

    def __init__(self, runtime: CycleHost, poll_seconds: float, save: Callable[[], None] | None = None):
        self._runtime, self._poll, self._save = runtime, poll_seconds, save
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="azure-ad-cycles", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                with self._runtime.lock:
                    if not self._runtime.configured:
                        continue
                    cycles = self._runtime.engine.run_due()
                    for cycle in cycles:
                        log.info("cycle %s: %s, %d exported, %d escrowed", cycle.cycle_id, cycle.state,
                                 cycle.exports, cycle.failures)
                    if cycles and self._save is not None:
                        self._save()
            except Exception:  # a broken cycle must not kill the scheduler; it is logged and retried
                log.exception("provisioning cycle failed")


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; returns the process exit code."""
    from simulators.azure_ad.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        config = build_config(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [what for what, key in (("--target-token or $" + ENV_TARGET_TOKEN, "TARGET_TOKEN"),
                                      ("--client-id or $" + ENV_CLIENT_ID, "CLIENT_ID"),
                                      ("--client-secret or $" + ENV_CLIENT_SECRET, "CLIENT_SECRET"))
               if not config[key]]
    if missing:
        print(f"error: give {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        app = create_app(config)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runtime = app.extensions["scimgate"]
    save = app.extensions.get("scimgate.save")
    scheduler = CycleScheduler(runtime, args.poll_seconds, save) if isinstance(runtime.clock, SystemClock) else None
    if scheduler:
        scheduler.start()
    banner = ("mock Azure AD Graph base URL: {url}/v1.0  token endpoint: {url}/" + runtime.tenant_id +
              "/oauth2/v2.0/token  service principal: " + runtime.service_principal_id +
              "  job: " + runtime.engine.job_id)
    try:
        serve_forever(app, args.host, args.port, threads=args.threads, banner=banner)
    finally:
        if scheduler:
            scheduler.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.azure_ad",
                                     description="Serve a mock Azure AD tenant provisioning into a SCIM target.")
    add_arguments(parser)
    return run(parser.parse_args(argv))

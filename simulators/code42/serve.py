"""``scimgate serve code42``: run one mock Code42 tenant on waitress until SIGTERM/SIGINT.

Secrets come from flags or, better (flags show in ``ps``), from environment variables; they are
never printed. The harness wires :func:`add_arguments` and :func:`run` into ``harness/cli.py``;
``python -m simulators.code42`` runs the same thing.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from simulators.code42.domain.faults import FAULTS, UnknownFaultError
from simulators.code42.domain.profile import ProfileError
from simulators.common.bundled import data_dir
from simulators.common.clock import SystemClock, VirtualClock
from simulators.common.server import serve_forever

ENV_TOKEN = "SCIMGATE_CODE42_TOKEN"
ENV_BASIC_USER = "SCIMGATE_CODE42_BASIC_USER"
ENV_BASIC_PASSWORD = "SCIMGATE_CODE42_BASIC_PASSWORD"
ENV_ADMIN_ID = "SCIMGATE_CODE42_ADMIN_CLIENT_ID"
ENV_ADMIN_SECRET = "SCIMGATE_CODE42_ADMIN_SECRET"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serve code42``."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8042, help="port (default 8042; 0 picks a free one)")
    parser.add_argument("--token", help=f"SCIM bearer token (or ${ENV_TOKEN}; preferred: flags show in ps)")
    parser.add_argument("--basic-user", help=f"SCIM Basic-auth user (or ${ENV_BASIC_USER}); "
                                             f"its password from ${ENV_BASIC_PASSWORD}")
    parser.add_argument("--admin-client-id", help=f"admin API OAuth client id (or ${ENV_ADMIN_ID})")
    parser.add_argument("--admin-client-secret", help=f"admin API OAuth client secret (or ${ENV_ADMIN_SECRET})")
    parser.add_argument("--db", default=":memory:", metavar="PATH|:memory:",
                        help="SQLite database file (kept across restarts) or :memory: (default: private to the process, "
                             "gone when it ends)")
    parser.add_argument("--profile", metavar="FILE", help="tenant profile YAML (scenarios/profiles/*.yaml; default: "
                                                          "profiles/default.yaml, the harness's default profile)")
    parser.add_argument("--sim-control", action="store_true",
                        help="serve /_sim (virtual clock starting now, reset) to loopback callers")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME", choices=sorted(FAULTS),
                        help="switch on a named deviation from Code42's documented behaviour (repeatable)")
    # One worker by default: every SCIM and admin request takes the store's single lock (one SQLite
    # connection, one writer), so a second worker can only wait for it, and while it waits CPython hands
    # the GIL back and forth at every SQLite call the first worker makes. Measured at 20,000 users, 8
    # client threads over 4 processes, 60/20/10/10 mix (bench/bench_code42.py --users 20000
    # --server-threads N reproduces it): 1 worker 1,760-2,170 req/s at 0.51-0.63 ms of server CPU per
    # request; 2 workers 1,260-1,370; 3 workers 1,010-1,120; 8 workers 1,140-1,370. waitress's own
    # thread still reads and writes every connection asynchronously, so a slow client never holds it.
    parser.add_argument("--threads", type=int, default=1,
                        help="waitress worker threads (default 1: requests serialise on the store anyway)")
    parser.add_argument("--tick-seconds", type=float, default=1.0,
                        help="how often due deactivations are checked on the wall clock (default 1 s)")


def build_config(args: argparse.Namespace, environ: dict[str, str] | None = None) -> dict:
    """The ``create_app`` config for parsed arguments (flags win over environment variables)."""
    env = os.environ if environ is None else environ
    token = args.token or env.get(ENV_TOKEN)
    basic_user = args.basic_user or env.get(ENV_BASIC_USER)
    basic_password = env.get(ENV_BASIC_PASSWORD)
    if basic_user and not basic_password:
        raise SystemExit(f"--basic-user needs the password in ${ENV_BASIC_PASSWORD}")
    return {
        "SCIM_TOKEN": token,
        "SCIM_BASIC": (basic_user, basic_password) if basic_user else None,
        "ADMIN_CLIENT_ID": args.admin_client_id or env.get(ENV_ADMIN_ID),
        "ADMIN_CLIENT_SECRET": args.admin_client_secret or env.get(ENV_ADMIN_SECRET),
        "DATABASE": args.db,
        # The harness's default profile, so `serve code42` and a run without --profile agree on the tenant.
        "PROFILE": args.profile or str(data_dir("scenarios") / "profiles" / "default.yaml"),
        "SIM_CONTROL": bool(args.sim_control),
        "FAULTS": list(args.fault),
        "CLOCK": VirtualClock() if args.sim_control else SystemClock(),
    }


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; returns the process exit code."""
    from simulators.code42.app import create_app
    from simulators.code42.runtime import Ticker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # waitress warns "Task queue depth is N" for every request queued behind busy threads: under load
    # that drowns the one-line-per-request log, which is what users read.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    config = build_config(args)
    if not config["SCIM_TOKEN"] and not config["SCIM_BASIC"] and args.db == ":memory:":
        print(f"error: give a SCIM secret: --token or ${ENV_TOKEN} (or --basic-user with ${ENV_BASIC_PASSWORD})",
              file=sys.stderr)
        return 2
    try:
        app = create_app(config)
    except (ProfileError, UnknownFaultError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runtime = app.extensions["scimgate"]
    ticker = Ticker(runtime, args.tick_seconds) if isinstance(runtime.clock, SystemClock) else None
    if ticker:
        ticker.start()
    try:
        serve_forever(app, args.host, args.port, threads=args.threads,
                      banner="mock Code42 SCIM base URL: {url}/scim/v2")
    finally:
        if ticker:
            ticker.stop()
        runtime.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.code42", description="Serve a mock Code42 tenant.")
    add_arguments(parser)
    return run(parser.parse_args(argv))

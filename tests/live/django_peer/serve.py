"""Serve the django-scim2 peer with waitress: ``python -m django_peer.serve --port 0`` (from tests/live).

Creates the tables (``migrate --run-syncdb``: the peer app has no migration files), binds a free
loopback port and prints ``django-scim2 SCIM base URL: http://127.0.0.1:PORT/scim/v2`` once it listens.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="django_peer.serve")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db", required=True, help="SQLite file")
    args = parser.parse_args(argv)
    if not os.environ.get("DJANGO_PEER_TOKEN"):
        parser.error("set DJANGO_PEER_TOKEN")
    with socket.socket() as probe:  # waitress needs the port up front; NETLOC must name it
        probe.bind(("127.0.0.1", args.port))
        port = probe.getsockname()[1]
    os.environ["DJANGO_PEER_DB"] = args.db
    os.environ["DJANGO_PEER_NETLOC"] = f"127.0.0.1:{port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_peer.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    server = create_server(get_wsgi_application(), host="127.0.0.1", port=port, threads=4)
    print(f"django-scim2 SCIM base URL: http://127.0.0.1:{port}/scim/v2", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Misbehaving targets on 127.0.0.1 for the robustness tests: a port nobody listens on, a raw socket
server that never answers or hangs up, and a werkzeug proxy that injects 429s and 5xx bursts in front
of a real mock Code42."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import requests
from werkzeug.wrappers import Request, Response

from simulators.common.server import ServerThread

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "te", "trailer",
              "upgrade", "proxy-authenticate", "proxy-authorization"}


def refused_port() -> int:
    """A loopback port that was free a moment ago: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: 0.1 s polls a silent server holds a request before letting go: only a bound on a hang (a client
#: that never times out), never a speed budget.
HOLD_POLLS_HANG_GUARD = 3000


class RawServer:
    """``mode="silent"``: accept, read, never answer. ``mode="hangup"``: accept, read, close."""

    def __init__(self, mode: str):
        stop = self.stop_event = threading.Event()
        #: Silent mode: requests held unanswered, how many the client gave up on (closed the connection
        #: while waiting), and how many the server let go (hang guard reached or server stopped).
        self.held = self.abandoned_by_client = self.released_by_server = 0
        self._ended = threading.Condition()
        raw = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(1.0)
                try:
                    self.request.recv(65536)
                except OSError:
                    return
                if mode == "silent":
                    raw._hold(self.request, stop)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def _hold(self, sock: socket.socket, stop: threading.Event) -> None:
        """Never answer: wait for the client to hang up, counting who ended the connection."""
        with self._ended:
            self.held += 1
        sock.settimeout(0.1)
        gave_up = False
        for _ in range(HOLD_POLLS_HANG_GUARD):
            if stop.is_set():
                break
            try:
                gave_up = sock.recv(65536) == b""
            except TimeoutError:
                continue
            except OSError:
                gave_up = True
            if gave_up:
                break
        with self._ended:
            if gave_up:
                self.abandoned_by_client += 1
            else:
                self.released_by_server += 1
            self._ended.notify_all()

    def settle(self) -> None:
        """Wait until every held request has ended (the client's hang-ups reach the server's threads a
        moment after the client saw its timeout)."""
        with self._ended:
            self._ended.wait_for(lambda: self.abandoned_by_client + self.released_by_server == self.held,
                                 timeout=HOLD_POLLS_HANG_GUARD * 0.1)

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


class FaultyProxy:
    """Forwards to ``upstream``; ``fault(n, request)`` may replace the n-th answer (1-based) with
    ``(status, headers)``."""

    def __init__(self, upstream: str, fault: Callable[[int, Request], tuple[int, dict[str, str]] | None]):
        self.upstream, self.fault = upstream.rstrip("/"), fault
        self.count = 0
        self.arrivals: list[float] = []  # time.monotonic() of each request, in arrival order
        self._lock = threading.Lock()
        self._session = requests.Session()

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        with self._lock:
            self.count += 1
            self.arrivals.append(time.monotonic())
            n = self.count
        injected = self.fault(n, request)
        if injected is not None:
            status, headers = injected
            body = '{"detail": "injected by the test proxy"}'
            return Response(body, status=status, headers=headers, content_type="application/json")(environ, start_response)
        upstream = self._session.request(request.method, self.upstream + request.full_path.rstrip("?"),
                                         headers={k: v for k, v in request.headers if k.lower() != "host"},
                                         data=request.get_data(), timeout=30, allow_redirects=False)
        headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP]
        return Response(upstream.content, status=upstream.status_code, headers=headers)(environ, start_response)

    def serve(self) -> ServerThread:
        return ServerThread(self, threads=4)

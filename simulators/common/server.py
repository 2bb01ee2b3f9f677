"""Serve a WSGI app with waitress: in a background thread (tests, the in-process mock) or in the
foreground with clean shutdown on SIGTERM/SIGINT (``scimgate serve``).

waitress keeps one process and one store, so state is consistent across threads (gunicorn workers
would each hold their own store; see libraries-and-style.md §4.3).
"""

from __future__ import annotations

import logging
import signal
import threading
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from waitress.adjustments import Adjustments
from waitress.server import create_server

log = logging.getLogger(__name__)

#: A response up to this size leaves in one ``send()``. waitress 3 flushes from the worker thread as soon
#: as ``send_bytes`` bytes are queued, and its default of 1 makes every response two sends (headers, then
#: body), each waking the client. With the threshold above a SCIM response, the worker only queues it and
#: waitress's I/O thread, which the end of every task wakes anyway, sends it whole. Measured on the mock at
#: 20,000 users (bench/bench_code42.py's mixed load): 0.70 -> 0.62 ms of server CPU per request, 1,420 ->
#: 1,690 req/s. Larger responses (long list pages) are still flushed by the worker as they are written.
#: waitress marks the option deprecated but honours it; if a release drops it, the server still starts.
COALESCE_BYTES = 65536


def _create_server(app: Callable[..., Any], **options: Any) -> Any:
    if hasattr(Adjustments, "send_bytes"):
        options["send_bytes"] = COALESCE_BYTES
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="send_bytes", category=DeprecationWarning)
        return create_server(app, clear_untrusted_proxy_headers=True, **options)


class ServerThread:
    """Run ``app`` on ``host:port`` (port 0 picks a free one) in a daemon thread.

    Use as a context manager; :attr:`url` is ``http://host:port``.
    """

    def __init__(self, app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, threads: int = 8):
        # A short select timeout lets stop() return within ~50 ms instead of waitress's default 1 s; the
        # harness starts and stops one mock per scenario, so the default would dominate suite time.
        self._server = _create_server(app, host=host, port=port, threads=threads, asyncore_loop_timeout=0.05)
        self.host = host
        self.port = self._server.effective_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._run, name=f"waitress:{self.port}", daemon=True)

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError:  # the socket closed under asyncore's select during shutdown
            pass

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        _close(self._server)
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, _exc_type: type[BaseException] | None, _exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        self.stop()


def serve_forever(app: Callable[..., Any], host: str, port: int, threads: int = 8, banner: str = "") -> None:
    """Serve in the foreground until SIGTERM or SIGINT, then close the socket and return."""
    server = _create_server(app, host=host, port=port, threads=threads)
    stopping = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stopping.set()
        _close(server)

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    if banner:
        print(banner.format(url=f"http://{host}:{server.effective_port}"), flush=True)
    try:
        server.run()
    except (OSError, ValueError):
        if not stopping.is_set():
            raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _close(server: Any) -> None:
    """Close the listener and every open keep-alive channel, so asyncore's loop (which runs while
    any channel is open) returns at once. Workers stop first so no task pulls a closed trigger."""
    server.task_dispatcher.shutdown(timeout=5)
    server.close()  # also closes the trigger, which a still-running task would pull: hence workers first
    for channel in list(server._map.values()):
        channel.close()

"""Record every HTTP exchange a client makes, with secrets redacted, so a report can show the traffic
line by line without leaking a bearer token.

Both the mock Azure AD engine (its SCIM traffic to the target) and the harness (its own checks) send
through :class:`RecordingSession`. Redaction happens when the exchange is recorded, so nothing
un-redacted is ever stored: ``Authorization``/``Cookie`` header values are replaced outright, and any
occurrence of a registered secret (raw or URL-encoded) in the URL, a header value or a body is
replaced by ``[REDACTED]``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import requests

from simulators.common.clock import Clock, SystemClock, isoformat

REDACTED = "[REDACTED]"
#: Header values replaced wholesale whatever they contain (credentials by definition).
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass
class Exchange:
    """One request and its response (or the connection error that replaced it), already redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None
    response_headers: dict[str, str]
    response_body: Any
    started_at: datetime
    elapsed_ms: float
    error: str | None = None

    @property
    def path(self) -> str:
        """The URL path without scheme, host or query (what transcript assertions usually compare)."""
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        """The raw (still percent-encoded) query string, exactly as sent."""
        return urlsplit(self.url).query

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": dict(self.request_headers),
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": dict(self.response_headers),
            "response_body": self.response_body,
            "started_at": isoformat(self.started_at),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "error": self.error,
        }


class Redactor:
    """Replace registered secrets in strings, headers and JSON-like bodies."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._needles: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short secrets would redact ordinary text ("a", "1"); refuse them loudly instead.
        if not secret:
            return
        if len(secret) < 4:
            raise ValueError(f"a secret of {len(secret)} characters cannot be redacted reliably; use at least 4")
        self._needles.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def text(self, value: str) -> str:
        for needle in sorted(self._needles, key=len, reverse=True):
            value = value.replace(needle, REDACTED)
        return value

    def headers(self, headers: Mapping[str, Any]) -> dict[str, str]:
        return {
            name: REDACTED if name.lower() in SENSITIVE_HEADERS else self.text(str(value))
            for name, value in headers.items()
        }

    def body(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.body(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(key)): self.body(item) for key, item in value.items()}
        return value


def _decode_body(raw: bytes | str | None, content_type: str | None) -> Any:
    """Parsed JSON when the body is JSON (any ``+json`` media type included), else text, else None."""
    if raw is None or raw == b"" or raw == "":
        return None
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    ctype = (content_type or "").lower()
    looks_json = "json" in ctype or text.lstrip()[:1] in ("{", "[")
    if looks_json:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class RecordingSession(requests.Session):
    """A :class:`requests.Session` that records every exchange (redacted) in :attr:`exchanges`.

    :param secrets: strings to redact wherever they appear (tokens, client secrets).
    :param redact: alias of ``secrets`` (the spelling in docs/internals.md).
    :param timeout: per-request timeout in seconds applied when the caller gives none.
    :param clock: where ``started_at`` comes from (virtual time in simulations).
    """

    def __init__(
        self,
        secrets: Iterable[str] = (),
        *,
        redact: Iterable[str] = (),
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
        clock: Clock | None = None,
    ):
        super().__init__()
        self.redactor = Redactor([*secrets, *redact])
        self.timeout = timeout
        self.clock: Clock = clock or SystemClock()
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def add_secret(self, secret: str) -> None:
        """Register one more secret (e.g. a regenerated or freshly issued token) and scrub it from the
        exchanges already recorded: a secret is usually learnt from a response that was recorded
        before anyone knew it was one (an OAuth token response, a "regenerate credentials" answer)."""
        self.redactor.add(secret)
        with self._lock:
            for exchange in self.exchanges:
                self._redact(exchange)

    def _redact(self, exchange: Exchange) -> None:
        r = self.redactor
        exchange.url = r.text(exchange.url)
        exchange.request_headers = r.headers(exchange.request_headers)
        exchange.response_headers = r.headers(exchange.response_headers)
        exchange.request_body = r.body(exchange.request_body)
        exchange.response_body = r.body(exchange.response_body)
        if exchange.error:
            exchange.error = r.text(exchange.error)

    def clear(self) -> None:
        with self._lock:
            self.exchanges.clear()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        started_at = self.clock.now()
        t0 = time.perf_counter()
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException as exc:
            self._record(request, None, started_at, (time.perf_counter() - t0) * 1000, exc)
            raise
        self._record(request, response, started_at, (time.perf_counter() - t0) * 1000, None)
        return response

    def _record(
        self,
        request: requests.PreparedRequest,
        response: requests.Response | None,
        started_at: datetime,
        elapsed_ms: float,
        exc: BaseException | None,
    ) -> None:
        r = self.redactor
        req_headers = dict(request.headers)
        exchange = Exchange(
            method=str(request.method),
            url=r.text(str(request.url)),
            request_headers=r.headers(req_headers),
            request_body=r.body(_decode_body(request.body, req_headers.get("Content-Type"))),
            status=response.status_code if response is not None else None,
            response_headers=r.headers(dict(response.headers)) if response is not None else {},
            response_body=(
                r.body(_decode_body(response.content, response.headers.get("Content-Type")))
                if response is not None
                else None
            ),
            started_at=started_at,
            elapsed_ms=elapsed_ms,
            error=r.text(f"{type(exc).__name__}: {exc}") if exc is not None else None,
        )
        with self._lock:
            self.exchanges.append(exchange)


__all__ = ["REDACTED", "Exchange", "RecordingSession", "Redactor"]

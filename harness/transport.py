"""How the harness's own requests survive a flaky target, and how they give up readably.

Why: a target that is down, slow, rate-limiting or flapping proves nothing about conformance. Each
scenario must end once, as *target unreachable*, with a sentence an engineer can act on ("connection
refused", "no answer within 30s (--request-timeout)"), never with a urllib3 traceback, and never
hang. Short outages are ridden out: HTTP 429/502/503/504 are retried honouring ``Retry-After``
(RFC 9110 §10.2.3, capped), and a refused connection is retried briefly. Timeouts are not retried,
so no request waits longer than the configured timeout. Only requests that cannot have been
processed are retried, so a retried POST cannot create a duplicate.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
import tenacity

from harness.errors import TargetUnreachable

#: Statuses that say "not now" rather than "no": the request was not processed.
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_ATTEMPTS = 3
MAX_RETRY_AFTER = 10.0


class _Transient(Exception):
    def __init__(self, response: requests.Response | None = None, error: BaseException | None = None):
        super().__init__()
        self.response, self.error = response, error


def retry_after_seconds(value: str | None, cap: float = MAX_RETRY_AFTER) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP-date), capped; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), cap))


def describe_error(exc: BaseException, timeout: float | None = None) -> str:
    """One readable clause for a requests exception (no URL: it may carry a query with secrets)."""
    if isinstance(exc, requests.Timeout):
        limit = f" within {timeout:g}s" if timeout else ""
        kind = "connect" if isinstance(exc, requests.ConnectTimeout) else "answer"
        return f"no {kind}{limit} (--request-timeout)"
    text = str(exc)
    if "RemoteDisconnected" in text or "without response" in text:
        return "the target closed the connection without answering"
    if "Connection reset" in text or "ConnectionResetError" in text:
        return "the target reset the connection"
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if errno:
        return errno.group(1).strip().rstrip(".").lower()
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the target broke off the response"
    return type(exc).__name__


def _is_connect_failure(exc: BaseException) -> bool:
    """True when the request never reached the target (refused, DNS), so any method may be retried."""
    return isinstance(exc, requests.ConnectionError) and (
        "NewConnectionError" in str(exc) or "Failed to establish" in str(exc))


def send_with_retries(send: Callable[[], requests.Response], *, what: str, method: str = "GET",
                      timeout: float | None = None, attempts: int = DEFAULT_ATTEMPTS,
                      sleep: Callable[[float], Any] = time.sleep) -> requests.Response:
    """``send()`` with the harness's retry policy; raises :class:`TargetUnreachable` when it gives up.

    ``what`` names the call in the message ("SCIM endpoint http://... GET /Users").
    """
    method = method.upper()

    def once() -> requests.Response:
        try:
            response = send()
        except requests.Timeout as exc:
            raise TargetUnreachable(f"{what}: {describe_error(exc, timeout)}") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if method in SAFE_METHODS or _is_connect_failure(exc):
                raise _Transient(error=exc) from None
            raise TargetUnreachable(f"{what}: {describe_error(exc, timeout)}") from None
        if response.status_code in TRANSIENT_STATUSES:
            raise _Transient(response=response)
        return response

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.response is not None:
            after = retry_after_seconds(exc.response.headers.get("Retry-After"),
                                        cap=min(MAX_RETRY_AFTER, timeout or MAX_RETRY_AFTER))
            if after is not None:
                return after
        return 0.2 * 2 ** (state.attempt_number - 1)

    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(attempts), wait=wait, sleep=sleep,
                                 retry=tenacity.retry_if_exception_type(_Transient), reraise=True)
    try:
        return retrying(once)
    except _Transient as last:
        if last.response is not None:
            r = last.response
            after = r.headers.get("Retry-After")
            hint = f", Retry-After: {after}" if after else ""
            raise TargetUnreachable(f"{what}: HTTP {r.status_code} {r.reason or ''}".rstrip()
                                    + f" on {attempts} attempts{hint}") from None
        raise TargetUnreachable(f"{what}: {describe_error(last.error, timeout)} "
                                f"({attempts} attempts)") from None

"""Code42's own SDK (incydr) as the harness's Code42 client, sending through the harness's transport.

Why: a live run should talk to a tenant the way Code42's tools do (issue 12), yet every exchange must
still land in the report, redacted, under the harness's retry policy. ``requests`` lets a session route a
URL prefix to any transport adapter (``Session.mount``, public API), so the SDK keeps its own auth,
paging and models while :class:`RecordingAdapter` hands each prepared request to the harness's
:class:`RecordingSession`. Nothing of the SDK is patched.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter

from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession

with warnings.catch_warnings():  # the SDK's pydantic-v1-style deprecation noise at import time
    warnings.simplefilter("ignore")
    import incydr

T = TypeVar("T")

#: The token endpoint whose answer carries a secret the report must not show.
_TOKEN_PATH = "/v1/oauth"


class RecordingAdapter(BaseAdapter):
    """A transport adapter that sends through a :class:`RecordingSession` (recorded, redacted, retried)."""

    def __init__(self, session: RecordingSession, what: str):
        super().__init__()
        self._session = session
        self._what = what

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        # The SDK's response hooks run once, in the SDK's own session: not again inside the recording one.
        plain = request.copy()
        plain.hooks = {"response": []}
        path = urlsplit(str(request.url)).path
        response = send_with_retries(
            lambda: self._session.send(plain, stream=stream, timeout=timeout, verify=verify, cert=cert,
                                       proxies=proxies),
            what=f"{self._what} ({request.method} {path})", method=str(request.method),
            timeout=self._session.timeout)
        if path.endswith(_TOKEN_PATH) and response.ok:
            token = (response.json() or {}).get("access_token")
            if token:
                self._session.add_secret(token)  # also scrubs the exchange just recorded
        return response

    def close(self) -> None:
        """Nothing to release: the recording session owns the connections."""


def incydr_client(base_url: str, client_id: str, client_secret: str, session: RecordingSession) -> Any:
    """An ``incydr.Client`` for ``base_url`` whose traffic goes through ``session``; it logs in on first use."""
    client = incydr.Client(url=base_url, api_client_id=client_id, api_client_secret=client_secret, skip_auth=True,
                           use_rich=False, log_stderr=False, retry_on_rate_limit=False)
    client.session.mount(base_url, RecordingAdapter(session, f"Code42 API {base_url}"))
    return client


def quiet(fn: Callable[[], T]) -> T:
    """Call into the SDK without its pydantic-v1-style DeprecationWarnings (one per call otherwise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return fn()


def as_json(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON object the API answered (aliases, ISO dates), for callers that read dicts."""
    return json.loads(model.json())

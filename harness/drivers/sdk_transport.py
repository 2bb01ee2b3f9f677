"""Code42's own SDKs (incydr, py42) as the harness's Code42 clients, sending through the harness's transport.

Why: a live run should talk to a tenant the way Code42's tools do (issue 12), yet every exchange must
still land in the report, redacted, under the harness's retry policy. ``requests`` lets a session route a
URL prefix to any transport adapter (``Session.mount``, public API), so the SDKs keep their own auth,
paging and models while :class:`RecordingAdapter` hands each prepared request to the harness's
:class:`RecordingSession`. Nothing of either SDK is patched: incydr's client exposes its session; py42's
``SDKClient`` is assembled from py42's own parts exactly as ``SDKClient.from_api_client`` assembles it,
only with a session of ours (py42's ``Connection`` takes one), instead of py42's module-wide session.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter
from requests.auth import HTTPBasicAuth

from harness.transport import send_with_retries
from simulators.common.http_recording import RecordingSession

with warnings.catch_warnings():  # the SDKs' import-time noise; py42 also sets global warning filters on import,
    warnings.simplefilter("ignore")  # which leaving this block undoes
    import incydr
    import py42.sdk
    from py42.services._auth import ApiClientAuth
    from py42.services._connection import Connection

T = TypeVar("T")

#: The token endpoints (incydr, py42) whose answers carry a secret the report must not show.
_TOKEN_PATHS = ("/v1/oauth", "/api/v3/oauth/token")
#: py42 logs every response body (tokens included) at DEBUG on its "py42" logger, which has a stderr handler
#: of its own: held at WARNING so a run with debug logging never prints a secret.
logging.getLogger("py42").setLevel(logging.WARNING)


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
        if path.endswith(_TOKEN_PATHS) and response.ok:
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


def console_url(api_url: str) -> str:
    """Where py42 calls a tenant: the console host (code42-behaviour.md §4.1: "API host = console host with
    ``console`` -> ``api``", py42 "calls the console host"). A host that is not ``api.*`` (the mock, which
    serves both) is its own console."""
    parts = urlsplit(api_url.rstrip("/"))
    host = parts.netloc
    if host.startswith("api."):
        host = "console." + host[len("api."):]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def py42_client(console: str, client_id: str, client_secret: str, session: RecordingSession) -> Any:
    """A py42 ``SDKClient`` logged in as an API client at ``console``, sending through ``session``; it fetches
    its token on first use (``from_api_client`` fetches it at once)."""
    transport = requests.Session()
    transport.mount(console, RecordingAdapter(session, f"Code42 console API {console}"))
    auth = ApiClientAuth(Connection.from_host_address(console, auth=HTTPBasicAuth(client_id, client_secret),
                                                      session=transport))
    main = Connection.from_host_address(console, auth=auth, session=transport)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return py42.sdk.SDKClient(main, auth, auth_flag=1)  # auth_flag: the API-client legal hold service


def quiet(fn: Callable[[], T]) -> T:
    """Call into the SDK without its pydantic-v1-style DeprecationWarnings (one per call otherwise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return fn()


def as_json(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON object the API answered (aliases, ISO dates), for callers that read dicts."""
    return json.loads(model.json())

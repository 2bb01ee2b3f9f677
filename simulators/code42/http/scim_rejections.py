"""The Sync Log entries of SCIM writes the SCIM layer rejects before the domain sees them.

Seed: the Sync Log has "an entry for every SCIM action and error". A malformed body, an unknown id or
a duplicate userName in the store is refused by the SCIM layer (:mod:`scim`) before any rule runs; these
app hooks log such a rejection. Rejections the domain itself made are already logged and are not
repeated; 401s are not provisioning actions and are left out.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from simulators.code42.domain.rules import Code42Domain
from simulators.code42.domain.synclog import Entry
from simulators.common.json_body import JsonBodyError, parse_json


def _logged_body() -> Any:
    """The rejected request's JSON body for the Sync Log, or None: a body the SCIM layer refused as too
    large, too deep or not Unicode must not turn the rejection into a 500 here."""
    limit = current_app.config.get("MAX_BODY_BYTES")
    if limit is not None and (request.content_length or 0) > limit:
        return None
    try:
        return parse_json(request.get_data(cache=True))
    except (JsonBodyError, HTTPException):
        return None


class RejectionLog:
    """Logs the SCIM write requests the SCIM layer rejected (see the module docstring).

    Not hooks of its own: the app's one before/after-request pair calls :meth:`mark` and :meth:`log`
    (every hook Flask dispatches costs each request, GETs included, a few microseconds).
    """

    def __init__(self, domain: Code42Domain):
        self.domain = domain

    def mark(self) -> None:
        """Before a request: remember how many rejections the domain has logged so far."""
        g.c42_rejections = self.domain.synclog.rejections

    def log(self, response: Response) -> None:
        """After a request: defer a Sync Log entry for a rejected SCIM write the domain did not log."""
        if response.status_code < 400 or response.status_code == 401:
            return
        path = request.path
        domain = self.domain
        if (request.method not in ("POST", "PUT", "PATCH", "DELETE") or not path.startswith("/scim/v2/")
                or domain.synclog.rejections != g.get("c42_rejections", domain.synclog.rejections)):
            return
        body = _logged_body()
        username = body.get("userName") if isinstance(body, dict) and isinstance(body.get("userName"), str) else None
        error = response.get_json(silent=True) or {}
        detail = error.get("detail") if isinstance(error, dict) else None
        resource = "group" if path.startswith("/scim/v2/Groups") else "user"
        domain.synclog.defer(Entry(domain.runtime.clock.now(), username, None, f"{request.method} {resource}", "ERROR",
                                   f"HTTP {response.status_code}: {detail or response.status}"))

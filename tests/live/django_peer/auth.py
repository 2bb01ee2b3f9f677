"""One static bearer token, compared in constant time: how Azure AD authenticates to a SCIM endpoint."""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any


class BearerTokenMiddleware:
    """Sets ``request.user`` to the service account when ``Authorization: Bearer <token>`` matches."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response
        self.token = os.environ["DJANGO_PEER_TOKEN"].encode()

    def __call__(self, request: Any) -> Any:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self.token)
        request.user = _ServiceAccount() if ok else _Anonymous()
        return self.get_response(request)


class _ServiceAccount:
    """The provisioning client: authenticated, not a row in the provisioned user table."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = id = None
    username = "scim-client"


class _Anonymous:
    is_authenticated = False
    is_anonymous = True

"""Glue between Microsoft's Graph SDK for Python and a mock tenant served on a loopback port.

The SDK is used the way its own docs build a client for a custom endpoint: a ``GraphRequestAdapter``
over an ``AuthenticationProvider``, with ``base_url`` set to the mock's ``/v1.0`` (or ``/beta``). The
only piece we supply is :class:`MockTenantTokenProvider`, kiota's ``AccessTokenProvider`` contract
implemented as a client-credentials call to the mock's ``/{tenant}/oauth2/v2.0/token`` (what
azure-identity's ``ClientSecretCredential`` does against login.microsoftonline.com; it refuses plain
http, so it cannot be pointed at a loopback server). Nothing in the SDK is patched.
"""

from __future__ import annotations

import importlib
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
from kiota_abstractions.authentication.base_bearer_token_authentication_provider import (
    BaseBearerTokenAuthenticationProvider,
)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class MockTenantTokenProvider(AccessTokenProvider):
    """Client-credentials tokens from the mock tenant, cached until five minutes before expiry."""

    def __init__(self, authority: str, tenant: str, client_id: str, client_secret: str, graph_base: str):
        self._token_url = f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0/token"
        self._client_id, self._client_secret = client_id, client_secret
        self._hosts = AllowedHostsValidator([urlsplit(graph_base).hostname or ""])
        self._token: str | None = None
        self._expires = 0.0

    async def get_authorization_token(self, uri: str, _context: dict[str, Any] | None = None) -> str:
        if not self._hosts.is_url_host_valid(uri):
            return ""  # kiota's rule: never send the token to a host it was not meant for
        if self._token is None or time.monotonic() >= self._expires:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(self._token_url, data={
                    "grant_type": "client_credentials", "client_id": self._client_id,
                    "client_secret": self._client_secret, "scope": GRAPH_SCOPE})
            response.raise_for_status()
            body = response.json()
            self._token = str(body["access_token"])
            self._expires = time.monotonic() + max(0, int(body["expires_in"]) - 300)
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


class _RecordingNode:
    """Stands in for a kiota ParseNode: remembers the type a field deserialiser asks for."""

    def __init__(self) -> None:
        self.asked: Any = None

    def __getattr__(self, _getter: str) -> Any:
        def record(*args: Any, **_kwargs: Any) -> None:
            self.asked = args[0] if args else None
        return record


class Sdk:
    """One Graph SDK package (``msgraph`` or ``msgraph_beta``): its client and its generated classes
    by dotted path under ``generated`` (``sdk.cls("models.user.User")``)."""

    def __init__(self, package: str, version_segment: str):
        self.package, self.segment = package, version_segment
        self.module = importlib.import_module(package)
        self.version = importlib.import_module(f"{package}._version").VERSION

    def cls(self, dotted: str) -> Any:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(f"{self.package}.generated.{module}"), name)

    def model(self, name: str) -> Any:
        """``sdk.model("PasswordProfile")`` → ``<package>.generated.models.password_profile.PasswordProfile``."""
        snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
        snake = snake.replace("o_auth2", "oauth2")
        return self.cls(f"models.{snake}.{name}")

    def structural_properties(self, model: str) -> list[str]:
        """The JSON names of ``model``'s properties that are not relationships (a relationship's type
        is an Entity), read from the model's own field deserialisers."""
        entity = self.cls("models.entity.Entity")
        names = []
        for name, deserialise in self.model(model)().get_field_deserializers().items():
            node = _RecordingNode()
            deserialise(node)
            if not (isinstance(node.asked, type) and issubclass(node.asked, entity)):
                names.append(name)
        return sorted(names)

    def client(self, server: str, tenant: str, client_id: str, client_secret: str) -> tuple[Any, MockTenantTokenProvider]:
        base = f"{server.rstrip('/')}/{self.segment}"
        tokens = MockTenantTokenProvider(server, tenant, client_id, client_secret, base)
        adapter = self.module.GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(tokens))
        adapter.base_url = base
        return self.module.GraphServiceClient(request_adapter=adapter), tokens

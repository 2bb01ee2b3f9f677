"""What one mock Entra tenant holds behind its Graph surface: the directory, the provisioning job's
engine, the enterprise app (service principal) the job belongs to, and the app-role catalogue.

It lives in ``app.extensions["scimgate"]`` (no globals). One lock serialises every request and every
scheduled cycle, because the directory and the engine are plain objects that are not thread-safe and
waitress serves requests on several threads.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from simulators.azure_ad.directory import DEFAULT_ACCESS, USER_ROLE, Directory
from simulators.azure_ad.graph.auth import TokenIssuer
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.common.clock import Clock

#: "Default Access" is the implicit role of an assignment made without a role; Graph gives it the
#: all-zero id (appRoleAssignment: "If the resource application has not declared any app roles, a
#: default app role ID of 00000000-0000-0000-0000-000000000000 can be specified").
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
_ROLE_NAMESPACE = uuid.UUID("6f1d0e6c-5c2a-4e0b-9d35-6b7f1f4c8a42")


def role_id(name: str) -> str:
    """A stable id per app-role name (the same name gives the same id in every run)."""
    return DEFAULT_ACCESS_ROLE_ID if name == DEFAULT_ACCESS else str(uuid.uuid5(_ROLE_NAMESPACE, name))


@dataclass
class AzureAdRuntime:
    directory: Directory
    engine: ProvisioningEngine
    clock: Clock
    issuer: TokenIssuer
    tenant_id: str
    service_principal_id: str
    app_id: str
    app_display_name: str = "Code42"
    #: app roles the enterprise app declares ("User" is what the Code42 gallery app offers).
    app_roles: list[str] = field(default_factory=lambda: [USER_ROLE])
    #: False until the first Graph ``start`` (the portal's "Provisioning Status: Off").
    started: bool = False
    #: Tenant URL and token known (constructor or ``PUT .../secrets``): the job is configured.
    configured: bool = True
    rule_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    schema_version: int = 1
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def role_name(self, app_role_id: str) -> str | None:
        for name in [DEFAULT_ACCESS, *self.app_roles]:
            if role_id(name) == app_role_id.lower():
                return name
        return None

    def app_roles_graph(self) -> list[dict[str, Any]]:
        return [{"allowedMemberTypes": ["User"], "description": name, "displayName": name, "id": role_id(name),
                 "isEnabled": True, "origin": "Application", "value": None} for name in self.app_roles]


__all__ = ["DEFAULT_ACCESS_ROLE_ID", "AzureAdRuntime", "role_id"]

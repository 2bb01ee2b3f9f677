"""Code42 roles (code42-behaviour.md §5): documented names with kebab-case slug ids.

Ids seen in the SDKs are ``desktop-user``, ``proe-user``, ``customer-cloud-admin``, ``alert-emails``,
``watchlist-manager``; the others follow the same slug pattern ([INF]). Roles are looked up by id or
name, as py42 and incydr do. The roles' admin-API shapes (``/v1/users/roles``) are here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.profile import INCYDR_PRO_PLANS


@dataclass(frozen=True)
class Role:
    role_id: str
    name: str
    permissions: tuple[str, ...] = ()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


_NAMES = (
    "Admin Restore", "Admin Restore Limited", "Cross-Org Admin", "Cross Org Legal Admin", "Cross Org Manager",
    "Customer Cloud Admin", "Insider Risk Admin", "Insider Risk Analyst", "Insider Risk Read Only",
    "Insider Risk Respond", "Org Admin", "Org Legal Admin", "Org Manager", "Security Administrator",
    "Security Center - Restore", "Security Center User", "Departing Employee Manager", "Audit Log Viewer",
    "Identity Management Administrator", "Alert Emails", "Desktop User", "PROe User", "Agent User",
    "Watchlist Manager",
)
_OVERRIDES = {"PROe User": "proe-user", "Cross-Org Admin": "cross-org-admin"}

ROLES: dict[str, Role] = {}
for _name in _NAMES:
    _id = _OVERRIDES.get(_name, _slug(_name))
    ROLES[_id] = Role(_id, _name, (f"{_id}.permission",))

#: Seed "Basic roles".
AGENT_USER = "agent-user"
DESKTOP_USER = "desktop-user"
PROE_USER = "proe-user"


def basic_roles(plan: str) -> list[str]:
    """The plan's basic roles: Agent User on Incydr Professional/Enterprise, else Desktop User + PROe User."""
    return [AGENT_USER] if plan in INCYDR_PRO_PLANS else [DESKTOP_USER, PROE_USER]


def resolve_role(id_or_name: str) -> Role | None:
    """Find a role by id (exact) or by name (case-insensitive)."""
    if id_or_name in ROLES:
        return ROLES[id_or_name]
    lowered = id_or_name.strip().lower()
    for role in ROLES.values():
        if role.name.lower() == lowered or role.role_id == lowered:
            return role
    return None


# ---------------------------------------------------------------- admin API (§4.3, §5)

def role_json(role_id: str, since: str | None) -> dict[str, Any]:
    """A role as a user's role list shows it; ``since``: when the tenant (and so its role catalogue) was
    made, the creation and modification date of every built-in role."""
    role = ROLES[role_id]
    return {"roleId": role.role_id, "roleName": role.name, "creationDate": since, "modificationDate": since,
            "permissionIds": list(role.permissions)}


def _permissions(role: Role) -> list[dict[str, str]]:
    """``Permission{permission, description}`` (incydr ``users/models.py``)."""
    return [{"permission": p, "description": f"Granted by the {role.name} role"} for p in role.permissions]


def role_or_400(ref: Any) -> str:
    """The id of the role ``ref`` names; 400 ``INVALID_ROLE`` when there is none."""
    role = resolve_role(str(ref))
    if role is None:
        raise AdminError(400, "INVALID_ROLE", f"role {ref!r} does not exist")
    return role.role_id


def list_roles(since: str | None) -> list[dict[str, Any]]:
    """``GET /v1/users/roles`` (incydr) and ``GET /api/v1/role`` (py42): the roles with their permissions."""
    return [{**role_json(r, since), "permissions": _permissions(ROLES[r])} for r in ROLES]


def get_role(role_id: str, since: str | None) -> dict[str, Any]:
    role = resolve_role(role_id)
    if role is None:
        raise AdminError(404, "ROLE_NOT_FOUND", f"no role {role_id!r}")
    return {**role_json(role.role_id, since), "permissions": _permissions(role)}

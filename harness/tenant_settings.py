"""Put a live tenant's provider settings back after a scenario that edited them (``--allow-destructive``).

Why: a scenario that edits the console's provider settings (``code42.settings``) changes them for
everyone using the tenant. On a simulated target the reset before the next scenario restores them;
on a live tenant nothing does, so the runner saves the settings before such a scenario and writes them
back afterwards. What the API cannot take back is said by name: Code42's ``ScimServer_Update`` leaves
"missing or empty fields unchanged", so a mapping list that was empty before cannot be emptied again.
"""

from __future__ import annotations

from typing import Any

from harness.drivers.code42_admin import Code42Admin

#: Settings written back as they were (non-empty values only: the API ignores empty ones).
PLAIN = ("plan", "provisioningDeactivationDelay", "orgMappingType", "defaultOrgId", "scimOrgAttribute",
         "roleMappingType", "scimRoleAttribute", "scimRoleAllowList")
MAPS = {"scimGroupOrgMap": "orgId", "scimGroupRoleMap": "roleIds"}


def save(admin: Code42Admin) -> dict[str, Any]:
    return admin.provider_settings()


def _map_entries(saved: dict[str, Any], key: str, value_key: str) -> list[dict[str, Any]] | None:
    entries = saved.get(key) or []
    if not entries or any(not e.get("scimGroupUid") for e in entries):
        return None
    return [{"scimGroupUid": e["scimGroupUid"], value_key: e[value_key]} for e in entries]


def restore(admin: Code42Admin, saved: dict[str, Any]) -> str:
    """Write ``saved`` back; one line saying what was restored and what could not be."""
    body: dict[str, Any] = {k: saved[k] for k in PLAIN if saved.get(k) not in (None, "", [])}
    for key, value_key in MAPS.items():
        entries = _map_entries(saved, key, value_key)
        if entries:
            body[key] = entries
    admin.patch_provider(body)
    now = save(admin)
    kept = [k for k in (*PLAIN, *MAPS) if _comparable(now.get(k)) != _comparable(saved.get(k))]
    text = "provider settings restored"
    if kept:
        text += f"; still changed (the API keeps empty fields unchanged): {', '.join(kept)}"
    return text


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [{k: v for k, v in e.items() if k != "scimGroupRef"} if isinstance(e, dict) else e for e in value]
    return value

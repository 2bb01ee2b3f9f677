"""The provisioning provider's settings as the console edits them, persisted in SQLite.

Seeded from the profile on first use, then changed through the console routes
(``/v1/scim-providers/{id}``), so an edited mapping survives a restart with a file database.
The field names of :func:`to_scim_server_data` follow ``ScimServerData`` (code42-open-questions.md).
"""

from __future__ import annotations

from typing import Any

from simulators.code42.domain.profile import Code42Profile
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx
from simulators.common.clock import isoformat


def seed(tx: Tx, profile: Code42Profile) -> dict[str, Any]:
    """Build the stored settings from the profile (org names resolved to ids)."""
    def org_id(name: str | None) -> int | None:
        if name is None:
            return None
        found = tables.orgs_named(tx, name)
        return found[0]["org_id"] if found else None

    om, rm = profile.org_mapping, profile.role_mapping
    settings = {
        "provider_id": profile.provider["id"],
        "name": profile.provider["name"],
        "credential_type": profile.provider["credential_type"],
        "server_type": profile.provider["server_type"],
        "sync_username": profile.provider["sync_username"],
        "plan": profile.plan,
        "delay_minutes": profile.deactivation_delay_minutes,
        "org_mapping": {
            "method": om.method,
            "default_org_id": org_id(om.default_org),
            "groups": [{"group": g["group"], "org_id": org_id(g["org"])} for g in om.groups],
            "attribute": om.attribute,
            "attribute_urn": om.attribute_urn,
            "parent_org_id": org_id(om.parent_org),
        },
        "role_mapping": {
            "method": rm.method,
            "groups": [{"group": g["group"], "roles": list(g["roles"])} for g in rm.groups],
            "attribute": rm.attribute,
            "allow_list": list(rm.allow_list),
        },
        "created_at": isoformat(tx.now),
        "modified_at": isoformat(tx.now),
    }
    tables.insert_provider(tx, settings)
    return settings


def load(tx: Tx) -> dict[str, Any] | None:
    return tables.load_provider(tx)


def save(tx: Tx, settings: dict[str, Any]) -> None:
    settings["modified_at"] = isoformat(tx.now)
    tables.save_provider(tx, settings)


def to_scim_server_data(tx: Tx, settings: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The ``ScimServerData``-shaped record the console GET returns."""
    def group_uid(ref: str) -> str | None:
        found = tables.find_group(tx, ref)
        return found["scim_id"] if found else None

    om, rm = settings["org_mapping"], settings["role_mapping"]
    return {
        "scimServerUid": settings["provider_id"],
        "scimServerName": settings["name"],
        "scimBaseUrl": base_url,
        "serverType": settings["server_type"],
        "credentialType": settings["credential_type"],
        "plan": settings["plan"],
        "orgMappingType": om["method"],
        "defaultOrgId": om["default_org_id"],
        "scimOrgAttribute": om["attribute"],
        "scimOrgAttributeUrn": om["attribute_urn"],
        "scimGroupOrgMap": [{"scimGroupUid": group_uid(g["group"]), "scimGroupRef": g["group"],
                             "orgId": g["org_id"]} for g in om["groups"]],
        "roleMappingType": rm["method"],
        "scimGroupRoleMap": [{"scimGroupUid": group_uid(g["group"]), "scimGroupRef": g["group"],
                              "roleIds": g["roles"]} for g in rm["groups"]],
        "scimRoleAttribute": rm["attribute"],
        "scimRoleAllowList": rm["allow_list"],
        "provisioningDeactivationDelay": settings["delay_minutes"],
        "scimSyncUserUsername": settings["sync_username"],
        "creationDate": settings["created_at"],
        "modificationDate": settings["modified_at"],
    }

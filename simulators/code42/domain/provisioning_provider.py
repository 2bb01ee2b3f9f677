"""The console's provisioning-provider actions: read and edit the settings, regenerate the SCIM
credentials, apply org and role settings. These shapes are scimgate's, modelled on ``ScimServerData``
(code42-open-questions.md); Code42 has no public API for them.

Mapping edits reach existing users only through apply-settings or their next SCIM change (seed: "If you
change organization or role mapping in the future, apply the mappings").
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from simulators.code42.domain import settings as provider_settings
from simulators.code42.domain.admin_errors import AdminError
from simulators.code42.domain.roles import role_or_400
from simulators.code42.storage import tables
from simulators.code42.storage.store import Tx

if TYPE_CHECKING:
    from simulators.code42.domain.rules import Code42Domain

PLANS = ("incydr-professional", "incydr-enterprise", "incydr-basic", "incydr-advanced", "crashplan-cloud", "other")


def provider_or_404(domain: Code42Domain, tx: Tx, provider_id: str) -> dict[str, Any]:
    """The provider's settings as a copy the caller may edit (the domain's cached ones are read-only)."""
    settings = domain.current_settings(tx)
    if provider_id != settings["provider_id"]:
        raise AdminError(404, "PROVIDER_NOT_FOUND", f"no provisioning provider {provider_id!r}")
    return copy.deepcopy(settings)


#: What the list of providers says it is: these console routes are scimgate's own shapes (Code42 publishes no
#: API for them), so a harness asks for them only where the answer names the mock (``harness/probe.py``).
SIMULATOR = "scimgate-code42"


def list_providers(domain: Code42Domain, tx: Tx, base_url: str) -> dict[str, Any]:
    settings = domain.current_settings(tx)
    return {"scimServers": [provider_settings.to_scim_server_data(tx, settings, base_url)], "totalCount": 1,
            "simulator": SIMULATOR}


def get_provider(domain: Code42Domain, tx: Tx, provider_id: str, base_url: str) -> dict[str, Any]:
    return provider_settings.to_scim_server_data(tx, provider_or_404(domain, tx, provider_id), base_url)


def patch_provider(domain: Code42Domain, tx: Tx, provider_id: str, body: dict[str, Any],
                   base_url: str) -> dict[str, Any]:
    """``ScimServer_Update``: "Missing or empty fields remain unchanged." The domain's cached settings
    (and the SCIM User schema) follow once the transaction has committed."""
    settings = provider_or_404(domain, tx, provider_id)
    _patch_provider_fields(settings, body)
    _patch_org_mapping(domain, tx, settings["org_mapping"], body)
    _patch_role_mapping(domain, tx, settings["role_mapping"], body)
    provider_settings.save(tx, settings)
    answer = provider_settings.to_scim_server_data(tx, settings, base_url)
    tx.on_commit(lambda: domain.settings_changed(settings))
    return answer


def regenerate_credentials(domain: Code42Domain, tx: Tx, provider_id: str, base_url: str) -> dict[str, Any]:
    """Seed Step 2: "click Regenerate credentials on the provisioning provider details page and copy the
    newly-generated token". The old token stops working at once ([INF] spec §3.1)."""
    settings = provider_or_404(domain, tx, provider_id)
    new = domain.runtime.credentials.regenerate()
    domain.synclog.add(tx, "Regenerate credentials", "SUCCESS", "provider credentials regenerated")
    if isinstance(new, tuple):
        return {"scimBaseUrl": base_url, "username": new[0], "credentialPassword": new[1]}
    return {"scimBaseUrl": base_url, "token": new, "credentialType": settings["credential_type"]}


def apply_settings(domain: Code42Domain, tx: Tx, provider_id: str) -> dict[str, Any]:
    provider_or_404(domain, tx, provider_id)
    return {"usersEvaluated": domain.apply_settings(tx)}


# ---------------------------------------------------------------- validating an edit

def _patch_provider_fields(settings: dict[str, Any], body: dict[str, Any]) -> None:
    if body.get("scimServerName"):
        settings["name"] = str(body["scimServerName"])
    if body.get("plan"):
        if body["plan"] not in PLANS:
            raise AdminError(400, "INVALID_PLAN", f"plan {body['plan']!r} has no SCIM provisioning or is unknown")
        settings["plan"] = body["plan"]
    if body.get("provisioningDeactivationDelay") is not None:
        delay = body["provisioningDeactivationDelay"]
        if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 129600:
            raise AdminError(400, "INVALID_DELAY", "provisioningDeactivationDelay must be minutes in [0,129600]")
        settings["delay_minutes"] = delay


def _patch_org_mapping(domain: Code42Domain, tx: Tx, om: dict[str, Any], body: dict[str, Any]) -> None:
    if body.get("orgMappingType"):
        if body["orgMappingType"] not in ("DEFAULT", "MAPPING", "ATTRIBUTE"):
            raise AdminError(400, "INVALID_MAPPING_TYPE", "orgMappingType must be DEFAULT, MAPPING or ATTRIBUTE")
        om["method"] = body["orgMappingType"]
    if body.get("defaultOrgId") not in (None, ""):
        om["default_org_id"] = _org_ref(tx, body["defaultOrgId"], "defaultOrgId")
    if body.get("scimOrgAttribute"):
        if not 1 <= len(str(body["scimOrgAttribute"])) <= 100:
            raise AdminError(400, "INVALID_ATTRIBUTE", "scimOrgAttribute must be 1-100 characters")
        om["attribute"] = str(body["scimOrgAttribute"])
    if body.get("scimGroupOrgMap"):
        om["groups"] = [{"group": _group_ref(domain, tx, e.get("scimGroupUid"), f"scimGroupOrgMap[{i}]"),
                         "org_id": _org_ref(tx, e.get("orgId"), f"scimGroupOrgMap[{i}]")}
                        for i, e in enumerate(_objects(body["scimGroupOrgMap"], "scimGroupOrgMap"))]


def _patch_role_mapping(domain: Code42Domain, tx: Tx, rm: dict[str, Any], body: dict[str, Any]) -> None:
    if body.get("roleMappingType"):
        if body["roleMappingType"] not in ("NONE", "GROUP", "ATTRIBUTE"):
            raise AdminError(400, "INVALID_MAPPING_TYPE", "roleMappingType must be NONE, GROUP or ATTRIBUTE")
        rm["method"] = body["roleMappingType"]
    if body.get("scimGroupRoleMap"):
        entries = []
        for i, e in enumerate(_objects(body["scimGroupRoleMap"], "scimGroupRoleMap")):
            roles = e.get("roleIds")
            if not isinstance(roles, list) or not roles:
                raise AdminError(400, "INVALID_ROLE", f"scimGroupRoleMap[{i}]: at least one role id is required")
            entries.append({"group": _group_ref(domain, tx, e.get("scimGroupUid"), f"scimGroupRoleMap[{i}]"),
                            "roles": [role_or_400(r) for r in roles]})
        rm["groups"] = entries
    if body.get("scimRoleAllowList"):
        rm["allow_list"] = [role_or_400(r) for r in _list(body["scimRoleAllowList"], "scimRoleAllowList")]
    if body.get("scimRoleAttribute"):
        rm["attribute"] = str(body["scimRoleAttribute"])


def _group_ref(domain: Code42Domain, tx: Tx, ref: Any, field: str) -> str:
    if not isinstance(ref, str) or not ref:
        raise AdminError(400, "INVALID_GROUP", f"{field}: scimGroupUid is required")
    if tables.find_group(tx, ref) is None and not domain.faults.on("groups_visible_before_sync"):
        # Seed: "There are no SCIM groups available ... You must first provision groups to Code42".
        raise AdminError(400, "SCIM_GROUP_NOT_FOUND",
                         f"{field}: SCIM group {ref!r} has not been provisioned; groups appear only after a "
                         "provisioning synchronization")
    return ref


def _org_ref(tx: Tx, ref: Any, field: str) -> int:
    org = tables.resolve_org(tx, ref) if ref not in (None, "") else None
    if org is None:
        raise AdminError(400, "ORG_NOT_FOUND", f"{field}: Organization was not found")
    return org["org_id"]


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise AdminError(400, "INVALID_PARAMETER", f"{field} must be a list")
    return value


def _objects(value: Any, field: str) -> list[dict[str, Any]]:
    """A list of JSON objects (a string entry was an AttributeError, i.e. a 500)."""
    entries = _list(value, field)
    if not all(isinstance(e, dict) for e in entries):
        raise AdminError(400, "INVALID_PARAMETER", f"every entry of {field} must be an object")
    return entries

"""``POST .../jobs/{id}/provisionOnDemand``: the answer about the one subject that was asked for.

Graph answers with a ``stringKeyStringValuePair`` whose ``key`` and ``value`` are JSON documents
encoded as strings ("synchronizationJob: provisionOnDemand", example response; azure-ad-behaviour.md
§9): ``key`` is ``{"result", "details"}``, ``value`` the run's record (action, provisioningSteps,
sourceIdentity, targetIdentity, statusInfo...). The record is always the subject's own: a subject
the job does not provision (not assigned, outside a scoping filter, deleted or disabled in Entra)
still gets a record that says so in its ``Scoping`` step ("Provision on demand": "the scoping step
... shows whether the user is in scope"), never the record of some other object.

:func:`subject_out_of_scope` decides the cases the route answers without running the engine;
:func:`on_demand_response` renders any record.
"""

from __future__ import annotations

import json
from typing import Any

from simulators.azure_ad.directory import DEFAULT_ACCESS, DirectoryGroup, DirectoryUser
from simulators.azure_ad.graph.common import context_url
from simulators.azure_ad.graph.schema import GROUP_TARGET_OBJECT, USER_TARGET_OBJECT
from simulators.azure_ad.logs import ProvisioningLogRecord, new_id
from simulators.common.clock import isoformat

_STEP_TYPES = {"import": "Import", "scoping": "Scoping", "matching": "Matching", "processing": "Processing",
               "referenceResolution": "ReferenceResolution", "export": "Export"}
#: Microsoft's words for a user the portal refuses to provision on demand ("On-demand provisioning",
#: Known limitations: "On-demand provisioning ... can't disable or delete users and groups that have
#: been disabled or deleted in Microsoft Entra ID").
DELETED_OR_DISABLED = "Provision on demand can't disable or delete users and groups that have been disabled or " \
                      "deleted in Microsoft Entra ID"


def _result_word(status: str) -> str:
    return {"success": "Success", "failure": "Failure", "skipped": "Skipped", "warning": "Warning"}.get(status, status)


def subject_out_of_scope(obj: DirectoryUser | DirectoryGroup, *, job_id: str, now: Any, sync_all: bool,
                         exclude_default_access: bool, roles: list[str]) -> ProvisioningLogRecord | None:
    """The subject's own ``Skipped`` record when the job would not provision it at all (deleted or
    disabled in Entra, not assigned, only Default Access); None when the engine must decide."""
    object_type = "User" if isinstance(obj, DirectoryUser) else "Group"
    reason, entitled = None, True
    if obj.soft_deleted:
        reason = f"{DELETED_OR_DISABLED}: the {object_type.lower()} is deleted (in the recycle bin)."
    elif isinstance(obj, DirectoryUser) and obj.attributes.get("accountEnabled") is False:
        reason = f"{DELETED_OR_DISABLED}: the user is disabled."
    elif not sync_all and not roles:
        reason, entitled = f"The {object_type.lower()} is not assigned to the application.", False
    elif not sync_all and exclude_default_access and all(r == DEFAULT_ACCESS for r in roles):
        reason, entitled = "NotEffectivelyEntitled: only the Default Access role is assigned.", False
    if reason is None:
        return None
    record = ProvisioningLogRecord(job_id, "on-demand-" + new_id(), new_id(), now, object_type, obj.object_id,
                                   obj.display_name, action="Other", status="skipped")
    record.step("EntryImport", "import", "success", f"Retrieved the {object_type.lower()} from Azure Active Directory")
    record.step("EntrySynchronizationScoping", "scoping", "skipped", reason,
                IsEffectivelyEntitledForProvisioning=str(entitled), ScopeEvaluationResult="NotInScope")
    record.error_code = "NotEffectivelyEntitled" if not entitled else "EntrySynchronizationSkipped"
    record.reason = reason
    return record


def on_demand_response(record: ProvisioningLogRecord, ended: str) -> dict[str, Any]:
    """``stringKeyStringValuePair`` with ``key``/``value`` JSON-encoded as strings (§9, verbatim shape)."""
    details: dict[str, Any] = {}
    if record.status != "success":
        skip = next((s for s in reversed(record.steps) if "SkipReason" in s.details), None)
        code = record.error_code or (skip.details["SkipReason"] if skip else None)
        message = record.reason or (skip.description if skip else None)
        details = {"errorCode": code, "errorMessage": message}
    key = {"result": _result_word(record.status), "details": details}
    target_type = USER_TARGET_OBJECT if record.object_type == "User" else GROUP_TARGET_OBJECT
    status_info: dict[str, Any] = {"status": _result_word(record.status)}
    if record.error_code:
        status_info["errorInformation"] = {"errorCode": record.error_code, "reason": record.reason}
    value = {
        "action": record.action,
        "changeId": record.change_id,
        "cycleId": record.cycle_id,
        "startTime": isoformat(record.activity_datetime),
        "endTime": ended,
        "modifiedProperties": [{"displayName": p.get("displayName"), "oldValue": p.get("oldValue"),
                                "newValue": p.get("newValue")} for p in record.modified_properties],
        "provisioningSteps": [{"name": s.name, "type": _STEP_TYPES.get(s.step_type, s.step_type),
                               "status": _result_word(s.status), "description": s.description,
                               "timestamp": isoformat(record.activity_datetime), "details": dict(s.details)}
                              for s in record.steps],
        "reportableIdentifier": record.source_display_name,
        "statusInfo": status_info,
        "sourceIdentity": {"id": record.source_id, "type": record.object_type, "name": record.source_display_name,
                           "details": {}},
        "sourceSystem": {"name": "Azure Active Directory"},
        "targetIdentity": {"id": record.target_id or "", "type": target_type, "name": record.source_display_name,
                           "details": {}},
        "targetSystem": {"name": "customappsso"},
    }
    return {"@odata.context": context_url("microsoft.graph.stringKeyStringValuePair"),
            "key": json.dumps(key, separators=(",", ":")), "value": json.dumps(value, separators=(",", ":"))}


__all__ = ["DELETED_OR_DISABLED", "on_demand_response", "subject_out_of_scope"]

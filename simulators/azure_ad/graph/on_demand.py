"""``POST .../jobs/{id}/provisionOnDemand``: the answer about the one subject that was asked for.

Graph answers with a ``stringKeyStringValuePair`` whose ``key`` and ``value`` are JSON documents
encoded as strings ("synchronizationJob: provisionOnDemand", example response; azure-ad-behaviour.md
§9): ``key`` is ``{"result", "details"}``, ``value`` the run's record (action, provisioningSteps,
sourceIdentity, targetIdentity, statusInfo...). The record is always the subject's own: a subject
the job does not provision (not assigned, outside a scoping filter, deleted or disabled in Entra)
still gets a record that says so in its ``Scoping`` step ("Provision on demand": "the scoping step
... shows whether the user is in scope"), never the record of some other object.

:func:`subject_out_of_scope` decides the cases the route answers without running the engine;
:func:`on_demand_response` renders any record; :class:`OnDemandRoutes` is the route.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.azure_ad.directory import DEFAULT_ACCESS, Directory, DirectoryGroup, DirectoryUser
from simulators.azure_ad.graph.common import (
    GraphError,
    bad_request,
    check_properties,
    context_url,
    json_body,
    not_found,
    require,
    typed,
)
from simulators.azure_ad.graph.jobs import require_configured
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema import GROUP_TARGET_OBJECT, USER_TARGET_OBJECT
from simulators.azure_ad.provisioning.engine import OnDemandError
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord, new_id
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


PARAMETERS = "synchronizationJobApplicationParameters"
SUBJECT = "synchronizationJobSubject"


def _one_subject(body: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The one ``{"objectId", "objectTypeName", "links"}`` of ``{"parameters": [{"ruleId", "subjects"}]}``."""
    check_properties(body, ("parameters",), PARAMETERS)
    parameters = require(body, "parameters", list, PARAMETERS)
    if len(parameters) != 1 or not isinstance(parameters[0], dict):
        raise bad_request("'parameters' must hold exactly one {\"subjects\", \"ruleId\"} object.")
    check_properties(parameters[0], ("subjects", "ruleId"), PARAMETERS)
    if require(parameters[0], "ruleId", str, PARAMETERS) != rule_id:
        raise bad_request(f"Invalid ruleId '{parameters[0]['ruleId']}': use the synchronizationRule id of the job schema.")
    subjects = require(parameters[0], "subjects", list, PARAMETERS)
    if len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise bad_request("Provision on demand takes one subject (a user, or a group with up to 5 members).")
    check_properties(subjects[0], ("objectId", "objectTypeName", "links"), SUBJECT)
    return subjects[0]


def _roles(d: Directory, object_id: str, object_type: str) -> list[str]:
    roles = [a.role for a in d.assignments_of(object_id)]
    if object_type == "User":  # a user is also in scope through an assigned group it is a direct member of
        roles += [a.role for group in d.direct_groups_of(object_id) for a in d.assignments_of(group.object_id)]
    return roles


class OnDemandRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime = runtime

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/jobs/<job_id>/provisionOnDemand", view_func=self.provision_on_demand, methods=["POST"])

    def _subject(self, subject: dict[str, Any]) -> DirectoryUser | DirectoryGroup:
        object_id = require(subject, "objectId", str, SUBJECT)
        object_type = require(subject, "objectTypeName", str, SUBJECT)
        if object_type not in ("User", "Group"):
            raise bad_request("objectTypeName must be 'User' or 'Group'.")
        try:
            uuid.UUID(object_id)
        except ValueError:
            raise bad_request(f"Invalid objectId '{object_id}'.") from None
        d = self.runtime.directory
        found = (d.users if object_type == "User" else d.groups).get(object_id)
        if found is None:
            raise not_found(object_id)
        limit = self.runtime.engine.flags.on_demand_max_group_members
        members = (typed(subject, "links", dict, SUBJECT) or {}).get("members") or []
        if object_type == "Group" and (not isinstance(members, list) or len(members) > limit):
            raise bad_request(f"links.members must be a list of at most {limit} members.")
        return found

    def _run_engine(self, object_id: str) -> ProvisioningLogRecord:
        try:
            record = self.runtime.engine.provision_on_demand(object_id)
        except OnDemandError as exc:
            message = str(exc)
            if message.startswith("TooManyRequests"):
                raise GraphError(429, "TooManyRequests", message, {"Retry-After": "10"}) from None
            raise GraphError(400, "BadRequest", message) from None
        if record.source_id != object_id:  # never report about another object
            raise GraphError(500, "InternalServerError", f"provisioning on demand produced no record for '{object_id}'.")
        return record

    def provision_on_demand(self, job_id: str) -> Response:
        rt = self.runtime
        require_configured(rt)
        subject = self._subject(_one_subject(json_body(), rt.rule_id))
        object_type = "User" if isinstance(subject, DirectoryUser) else "Group"
        flags = rt.engine.flags
        record = subject_out_of_scope(subject, job_id=rt.engine.job_id, now=rt.clock.now(), sync_all=flags.sync_all,
                                      exclude_default_access=flags.exclude_default_access,
                                      roles=_roles(rt.directory, subject.object_id, object_type))
        if record is None:
            record = self._run_engine(subject.object_id)
        return jsonify(on_demand_response(record, isoformat(rt.clock.now())))


__all__ = ["DELETED_OR_DISABLED", "OnDemandRoutes", "on_demand_response", "subject_out_of_scope"]

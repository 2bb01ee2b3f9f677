"""``POST .../jobs/{id}/provisionOnDemand``: the answer about the one subject that was asked for.

Graph answers with a ``stringKeyStringValuePair`` whose ``key`` and ``value`` are JSON documents
encoded as strings ("synchronizationJob: provisionOnDemand", example response; azure-ad-behaviour.md
§9): ``key`` is ``{"result", "details"}``, ``value`` the run's record (action, provisioningSteps,
sourceIdentity, targetIdentity, statusInfo...). The record is always the subject's own: a subject
the job does not provision (not assigned, outside a scoping filter, deleted or disabled in Entra)
still gets a record that says so in its ``Scoping`` step ("Provision on demand": "the scoping step
... shows whether the user is in scope"), never the record of some other object.

The engine decides and records every case (``ProvisioningEngine.provision_on_demand``: the
subject's own record, also written to the provisioning log); this module parses the request, maps
the engine's refusals onto Graph's errors (not found → 404, throttled → 429 with ``Retry-After``,
other refusals → 400) and renders the record (:func:`on_demand_response`).
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify

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
from simulators.azure_ad.provisioning.engine import OnDemandError, OnDemandNotFound, OnDemandThrottled
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.common.clock import isoformat

_STEP_TYPES = {"import": "Import", "scoping": "Scoping", "matching": "Matching", "processing": "Processing",
               "referenceResolution": "ReferenceResolution", "export": "Export"}


def _result_word(status: str) -> str:
    return {"success": "Success", "failure": "Failure", "skipped": "Skipped", "warning": "Warning"}.get(status, status)


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


class OnDemandRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime = runtime

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/jobs/<job_id>/provisionOnDemand", view_func=self.provision_on_demand, methods=["POST"])

    def _subject(self, subject: dict[str, Any]) -> tuple[str, str]:
        """``(objectId, objectTypeName)``, checked for shape (the engine looks the object up)."""
        object_id = require(subject, "objectId", str, SUBJECT)
        object_type = require(subject, "objectTypeName", str, SUBJECT)
        if object_type not in ("User", "Group"):
            raise bad_request("objectTypeName must be 'User' or 'Group'.")
        try:
            uuid.UUID(object_id)
        except ValueError:
            raise bad_request(f"Invalid objectId '{object_id}'.") from None
        limit = self.runtime.engine.flags.on_demand_max_group_members
        members = (typed(subject, "links", dict, SUBJECT) or {}).get("members") or []
        if object_type == "Group" and (not isinstance(members, list) or len(members) > limit):
            raise bad_request(f"links.members must be a list of at most {limit} members.")
        return object_id, object_type

    def _run_engine(self, object_id: str, object_type: str) -> ProvisioningLogRecord:
        try:
            record = self.runtime.engine.provision_on_demand(object_id, object_type)
        except OnDemandNotFound:
            raise not_found(object_id) from None
        except OnDemandThrottled as exc:
            raise GraphError(429, "TooManyRequests", str(exc), {"Retry-After": str(math.ceil(exc.retry_after))}) \
                from None
        except OnDemandError as exc:
            raise GraphError(400, "BadRequest", str(exc)) from None
        if record.source_id != object_id:  # the engine's contract; never report about another object
            raise GraphError(500, "InternalServerError", f"provisioning on demand produced no record for '{object_id}'.")
        return record

    def provision_on_demand(self, job_id: str) -> Response:
        rt = self.runtime
        require_configured(rt)
        object_id, object_type = self._subject(_one_subject(json_body(), rt.rule_id))
        record = self._run_engine(object_id, object_type)
        return jsonify(on_demand_response(record, isoformat(rt.clock.now())))


__all__ = ["OnDemandRoutes", "on_demand_response"]

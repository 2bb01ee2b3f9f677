"""``/v1.0/servicePrincipals/{id}/synchronization``: the provisioning job as Graph exposes it
(azure-ad-behaviour.md §9) — templates, jobs, start/pause/restart, validateCredentials,
provisionOnDemand, schema (GET/PUT/DELETE, parseExpression, functions, filterOperators) and secrets.

Starting the job does not run a cycle inside the request (Graph's ``start`` is asynchronous, 204):
it makes a cycle due now; the scheduler of ``serve`` (system clock) or ``POST /_sim/clock/advance``
(virtual clock) runs it.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, g, jsonify

from simulators.azure_ad.expressions import parse_expression_response
from simulators.azure_ad.expressions.syntax import ExpressionError
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
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema import (
    GROUP_TARGET_OBJECT,
    USER_TARGET_OBJECT,
    filter_operators_graph,
    functions_graph,
    parse_schema,
    schema_graph,
)
from simulators.azure_ad.provisioning.engine import OnDemandError, ProvisioningEngine
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord
from simulators.azure_ad.provisioning.mappings import JobMappings
from simulators.common.clock import isoformat
from simulators.common.http_recording import RecordingSession

#: [GRAPH §9] the ``resetScope`` values.
RESET_SCOPES = frozenset({"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"})
#: [GRAPH §9] secret keys: the ones the mock acts on, then the rest of the documented enum (accepted, stored).
SECRET_KEYS = frozenset({"BaseAddress", "SecretToken", "SyncAll", "SkipOutOfScopeDeletions", "SyncNotificationSettings",
                         "HardDeletesEnabled", "TestReferences", "ClientIdentifier", "ClientSecret", "UserName",
                         "Password", "Domain", "Server", "InstanceName", "AppKey", "Oauth2AccessToken",
                         "Oauth2RefreshToken", "Oauth2TokenExchangeUri", "Oauth2ClientId", "Oauth2ClientSecret",
                         "SingleSignOnType", "Sandbox", "Url", "ValidateDomain", "SyncNowInterval"})
_STEP_TYPES = {"import": "Import", "scoping": "Scoping", "matching": "Matching", "processing": "Processing",
               "referenceResolution": "ReferenceResolution", "export": "Export"}


def iso_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (
        f"{secs}S" if secs or not (hours or minutes) else "")


def job_graph(runtime: AzureAdRuntime) -> dict[str, Any]:
    engine = runtime.engine
    status = engine.status()
    code = status["code"]
    if not runtime.configured:
        code = "NotConfigured"
    elif not runtime.started:
        code = "Paused" if engine.cycles else "NotRun"
    state = "Disabled" if not runtime.started else "Paused" if engine.paused else "Active"
    graph_status = {key: status[key] for key in (
        "countSuccessiveCompleteFailures", "escrowsPruned", "synchronizedEntryCountByType", "lastExecution",
        "lastSuccessfulExecution", "lastSuccessfulExecutionWithExports", "steadyStateFirstAchievedTime",
        "steadyStateLastAchievedTime", "quarantine")}
    graph_status.update(code=code, progress=[], troubleshootingUrl=None)
    settings = []
    if engine.flags.accidental_deletion_threshold is not None:
        settings.append({"name": "QuarantineTooManyDeletesThreshold", "value": str(engine.flags.accidental_deletion_threshold)})
    return {"id": engine.job_id, "templateId": engine.flags.template_id,
            "schedule": {"expiration": None, "interval": iso_duration(engine.flags.cycle_interval), "state": state},
            "status": graph_status, "synchronizationJobSettings": settings}


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


def _key_values(items: Any, where: str) -> dict[str, str]:
    if not isinstance(items, list):
        raise bad_request(f"'{where}' must be a list of {{\"key\", \"value\"}} objects.")
    result: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), str):
            raise bad_request(f"every item of '{where}' must be {{\"key\": string, \"value\": string}}.")
        if item["key"] not in SECRET_KEYS:
            raise bad_request(f"'{item['key']}' is not a synchronizationSecret; known: {', '.join(sorted(SECRET_KEYS))}.")
        result[item["key"]] = item["value"]
    return result


def _bool_text(value: str, key: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise bad_request(f"secret '{key}' must be \"true\" or \"false\".")
    return value.lower() == "true"


def create_sync_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_sync", __name__, url_prefix="/v1.0/servicePrincipals/<sp_id>/synchronization")

    @bp.url_value_preprocessor
    def _ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.sync_ids = ((values or {}).pop("sp_id", ""), (values or {}).get("job_id"))

    @bp.before_request
    def _own_job() -> None:  # runs after the app-level bearer check
        sp_id, job_id = g.sync_ids
        if sp_id.lower() != runtime.service_principal_id:
            raise not_found(sp_id)
        if job_id is not None and job_id != runtime.engine.job_id:
            raise not_found(job_id)

    @bp.url_defaults
    def _defaults(_endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("sp_id", runtime.service_principal_id)

    engine = runtime.engine

    @bp.get("/templates")
    def templates() -> Response:
        return jsonify({"@odata.context": context_url("synchronizationTemplates"), "value": [
            {"id": engine.flags.template_id, "factoryTag": engine.flags.template_id, "applicationId": runtime.app_id,
             "default": True, "description": "SCIM 2.0 provisioning (non-gallery and Code42)", "discoverable": True,
             "metadata": [], "schema": None}]})

    @bp.get("/jobs")
    def list_jobs() -> Response:
        return jsonify({"@odata.context": context_url("synchronizationJobs"), "value": [job_graph(runtime)]})

    @bp.get("/jobs/<job_id>")
    def get_job(job_id: str) -> Response:
        return jsonify({"@odata.context": context_url("synchronizationJobs/$entity"), **job_graph(runtime)})

    def configured() -> None:
        if not runtime.configured:
            raise GraphError(400, "BadRequest", "The job has no credentials: save BaseAddress and SecretToken with "
                             "PUT .../synchronization/secrets first.")

    @bp.post("/jobs/<job_id>/start")
    def start(job_id: str) -> Response:
        json_body(allow_empty=True)
        configured()
        runtime.started = True
        engine.start()
        return Response(status=204)

    @bp.post("/jobs/<job_id>/pause")
    def pause(job_id: str) -> Response:
        json_body(allow_empty=True)
        engine.pause()
        return Response(status=204)

    @bp.post("/jobs/<job_id>/restart")
    def restart(job_id: str) -> Response:
        body = json_body(allow_empty=True)
        check_properties(body, ("criteria",), "synchronizationJobRestartCriteria")
        criteria = typed(body, "criteria", dict, "synchronizationJobRestartCriteria") or {}
        check_properties(criteria, ("resetScope",), "synchronizationJobRestartCriteria")
        scope = typed(criteria, "resetScope", str, "synchronizationJobRestartCriteria") or ""
        parts = [p.strip() for p in scope.split(",") if p.strip()]
        unknown = [p for p in parts if p not in RESET_SCOPES]
        if unknown:
            raise bad_request(f"Invalid resetScope value(s) {unknown}; use {', '.join(sorted(RESET_SCOPES))}.")
        engine.restart(", ".join(p for p in parts if p != "None") if parts != ["None"] else "None")
        if runtime.started:
            engine.paused = False
        return Response(status=204)

    @bp.post("/jobs/<job_id>/validateCredentials")
    def validate_credentials(job_id: str) -> Response:
        body = json_body(allow_empty=True)
        check_properties(body, ("useSavedCredentials", "credentials", "applicationIdentifier", "templateId"),
                         "validateCredentials")
        saved = typed(body, "useSavedCredentials", bool, "validateCredentials")
        if saved or "credentials" not in body:
            configured()
            result = engine.test_connection()
        else:
            creds = _key_values(body["credentials"], "credentials")
            url, token = creds.get("BaseAddress"), creds.get("SecretToken")
            if not url or not token:
                raise bad_request("credentials must include BaseAddress and SecretToken.")
            probe = ProvisioningEngine(runtime.directory, url, token, mappings=engine.mappings, clock=runtime.clock,
                                       flags=engine.flags, tenant_id=runtime.tenant_id,
                                       session=RecordingSession(secrets=[token], timeout=engine.flags.request_timeout,
                                                                clock=runtime.clock))
            result = probe.test_connection()
        if not result.ok:
            raise GraphError(400, "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
                             f"You appear to have entered invalid credentials. {result.message}"
                             + (f" (HTTP {result.status})" if result.status else ""))
        return Response(status=204)

    @bp.post("/jobs/<job_id>/provisionOnDemand")
    def provision_on_demand(job_id: str) -> Response:
        configured()
        body = json_body()
        check_properties(body, ("parameters",), "synchronizationJobApplicationParameters")
        parameters = require(body, "parameters", list, "synchronizationJobApplicationParameters")
        if len(parameters) != 1 or not isinstance(parameters[0], dict):
            raise bad_request("'parameters' must hold exactly one {\"subjects\", \"ruleId\"} object.")
        parameter = parameters[0]
        check_properties(parameter, ("subjects", "ruleId"), "synchronizationJobApplicationParameters")
        rule_id = require(parameter, "ruleId", str, "synchronizationJobApplicationParameters")
        if rule_id != runtime.rule_id:
            raise bad_request(f"Invalid ruleId '{rule_id}': use the synchronizationRule id of the job schema.")
        subjects = require(parameter, "subjects", list, "synchronizationJobApplicationParameters")
        if len(subjects) != 1 or not isinstance(subjects[0], dict):
            raise bad_request("Provision on demand takes one subject (a user, or a group with up to 5 members).")
        subject = subjects[0]
        check_properties(subject, ("objectId", "objectTypeName", "links"), "synchronizationJobSubject")
        object_id = require(subject, "objectId", str, "synchronizationJobSubject")
        object_type = require(subject, "objectTypeName", str, "synchronizationJobSubject")
        if object_type not in ("User", "Group"):
            raise bad_request("objectTypeName must be 'User' or 'Group'.")
        try:
            uuid.UUID(object_id)
        except ValueError:
            raise bad_request(f"Invalid objectId '{object_id}'.") from None
        known = runtime.directory.users if object_type == "User" else runtime.directory.groups
        if object_id not in known:
            raise not_found(object_id)
        links = typed(subject, "links", dict, "synchronizationJobSubject") or {}
        members = links.get("members") or []
        if object_type == "Group" and (not isinstance(members, list) or
                                       len(members) > engine.flags.on_demand_max_group_members):
            raise bad_request(f"links.members must be a list of at most {engine.flags.on_demand_max_group_members} members.")
        try:
            record = engine.provision_on_demand(object_id)
        except OnDemandError as exc:
            message = str(exc)
            if message.startswith("TooManyRequests"):
                raise GraphError(429, "TooManyRequests", message, {"Retry-After": "10"}) from None
            raise GraphError(400, "BadRequest", message) from None
        return jsonify(on_demand_response(record, isoformat(runtime.clock.now())))

    # ------------------------------------------------------------------ schema
    @bp.get("/jobs/<job_id>/schema")
    def get_schema(job_id: str) -> Response:
        body = schema_graph(engine.mappings, engine.flags, rule_id=runtime.rule_id, job_id=engine.job_id,
                            version=runtime.schema_version)
        return jsonify({"@odata.context": context_url("synchronizationSchema/$entity"), **body})

    @bp.put("/jobs/<job_id>/schema")
    def put_schema(job_id: str) -> Response:
        mappings, flags = parse_schema(json_body(), engine.mappings, engine.flags, runtime.rule_id)
        engine.mappings, engine.flags = mappings, flags
        runtime.schema_version += 1
        return Response(status=204)

    @bp.delete("/jobs/<job_id>/schema")
    def reset_schema(job_id: str) -> Response:
        engine.mappings = JobMappings()
        engine.flags = engine.flags.with_(provision_groups=True, user_flow_types=frozenset({"Add", "Update", "Delete"}),
                                          group_flow_types=frozenset({"Add", "Update", "Delete"}))
        runtime.schema_version += 1
        return Response(status=204)

    @bp.get("/jobs/<job_id>/schema/functions")
    def functions(job_id: str) -> Response:
        return jsonify({"@odata.context": context_url("Collection(microsoft.graph.attributeMappingFunctionSchema)"),
                        "value": functions_graph()})

    @bp.get("/jobs/<job_id>/schema/filterOperators")
    def filter_operators(job_id: str) -> Response:
        return jsonify({"@odata.context": context_url("Collection(microsoft.graph.filterOperatorSchema)"),
                        "value": filter_operators_graph()})

    @bp.post("/jobs/<job_id>/schema/parseExpression")
    def parse_expression(job_id: str) -> Response:
        body = json_body()
        check_properties(body, ("expression", "testInputObject", "targetAttributeDefinition"), "parseExpression")
        expression = require(body, "expression", str, "parseExpression")
        test_input = typed(body, "testInputObject", dict, "parseExpression")
        typed(body, "targetAttributeDefinition", dict, "parseExpression")
        try:
            result = parse_expression_response(expression, test_input, now=runtime.clock.now())
        except ExpressionError as exc:
            raise bad_request(f"testInputObject: {exc}") from None
        return jsonify({"@odata.context": context_url("microsoft.graph.parseExpressionResponse"), **result})

    # ------------------------------------------------------------------ secrets
    @bp.put("/secrets")
    def put_secrets(**_: Any) -> Response:
        body = json_body()
        check_properties(body, ("value",), "synchronizationSecretKeyStringValuePair")
        values = _key_values(require(body, "value", list, "synchronizationSecretKeyStringValuePair"), "value")
        changes: dict[str, Any] = {}
        if "SyncAll" in values:
            changes["sync_all"] = _bool_text(values["SyncAll"], "SyncAll")
        if "SkipOutOfScopeDeletions" in values:
            changes["skip_out_of_scope_deletions"] = _bool_text(values["SkipOutOfScopeDeletions"], "SkipOutOfScopeDeletions")
        if "SyncNotificationSettings" in values:
            try:
                notify = json.loads(values["SyncNotificationSettings"])
            except ValueError:
                raise bad_request("SyncNotificationSettings must be a JSON object encoded as a string.") from None
            if not isinstance(notify, dict):
                raise bad_request("SyncNotificationSettings must be a JSON object encoded as a string.")
            if notify.get("Enabled") is True and isinstance(notify.get("Recipients"), str):
                changes["notification_email"] = notify["Recipients"]
            if notify.get("DeleteThresholdEnabled") is True:
                threshold = notify.get("DeleteThresholdValue")
                if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
                    raise bad_request("DeleteThresholdValue must be a positive integer.")
                changes["accidental_deletion_threshold"] = threshold
            elif notify.get("DeleteThresholdEnabled") is False:
                changes["accidental_deletion_threshold"] = None
        flags = engine.flags.with_(**changes)  # validate everything before touching the engine
        engine.flags = flags
        if "BaseAddress" in values or "SecretToken" in values:
            engine.set_target(values.get("BaseAddress"), values.get("SecretToken"))
        runtime.secrets.update({k: v for k, v in values.items() if k != "SecretToken"})
        runtime.configured = engine.has_target
        return Response(status=204)

    return bp


__all__ = ["create_sync_blueprint", "iso_duration", "job_graph", "on_demand_response"]

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

from simulators.azure_ad.engine import OnDemandError, ProvisioningEngine
from simulators.azure_ad.expression_syntax import ExpressionError
from simulators.azure_ad.expressions import parse_expression_response
from simulators.azure_ad.graph.common import (
    GraphError,
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    not_found,
    require,
    typed,
)
from simulators.azure_ad.graph.on_demand import on_demand_response, subject_out_of_scope
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema import (
    filter_operators_graph,
    functions_graph,
    parse_schema,
    schema_graph,
)
from simulators.azure_ad.mappings import JobMappings
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


def iso_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (
        f"{secs}S" if secs or not (hours or minutes) else "")


def _execution(execution: dict[str, Any] | None, quarantine: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ``synchronizationTaskExecution`` whose ``error`` is a ``synchronizationError`` object
    (``code``, ``message``, ``tenantActionable``), as Graph types it, never a bare string."""
    if execution is None:
        return None
    result = dict(execution)
    error = result.get("error")
    if isinstance(error, str):
        code = ((quarantine or {}).get("error") or {}).get("code") or "SynchronizationError"
        result["error"] = {"code": code, "message": error, "tenantActionable": True}
    return result


def job_graph(runtime: AzureAdRuntime) -> dict[str, Any]:
    """The ``synchronizationJob`` resource (id, templateId, schedule, status, synchronizationJobSettings)."""
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
    for key in ("lastExecution", "lastSuccessfulExecution", "lastSuccessfulExecutionWithExports"):
        graph_status[key] = _execution(graph_status[key], status["quarantine"])
    settings = []
    if engine.flags.accidental_deletion_threshold is not None:
        settings.append({"name": "QuarantineTooManyDeletesThreshold", "value": str(engine.flags.accidental_deletion_threshold)})
    return {"id": engine.job_id, "templateId": engine.flags.template_id,
            "schedule": {"expiration": None, "interval": iso_duration(engine.flags.cycle_interval), "state": state},
            "status": graph_status, "synchronizationJobSettings": settings}


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
        if job_id is not None and (not runtime.job_present or job_id != runtime.engine.job_id):
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
        jobs = [job_graph(runtime)] if runtime.job_present else []
        return jsonify({"@odata.context": context_url("synchronizationJobs"), "value": jobs})

    def forget_job_state() -> None:
        """Delete job: "Stop synchronization, and permanently delete all the state associated with the
        job" (synchronizationJob resource, Methods) — links, watermark, escrows, quarantine, cycles.
        The provisioning logs stay: they are the tenant's audit log, not the job's state."""
        engine.pause()
        engine.restart("Full")
        engine.cycles.clear()
        engine.staged_deletes.clear()
        runtime.started = False

    @bp.post("/jobs")
    def create_job() -> Response:
        """Create synchronizationJob: "Create new synchronization job with a default synchronization
        schema. The job is created in a disabled state. Call Start job to start synchronization." The
        mock's service principal holds one job (one engine): a second one is a 409."""
        body = json_body()
        check_properties(body, ("templateId", "id", "schedule", "schema", "status", "synchronizationJobSettings",
                                "bulkUpload"), "synchronizationJob")
        template = require(body, "templateId", str, "synchronizationJob")
        if template != engine.flags.template_id:
            raise bad_request(f"Invalid templateId '{template}': the templates of this application are "
                              f"'{engine.flags.template_id}'.")
        if runtime.job_present:
            raise GraphError(409, "Conflict", f"A synchronization job for template '{template}' already exists on "
                             "this service principal; delete it first.")
        forget_job_state()
        engine.job_id = f"{template}.{runtime.tenant_id.replace('-', '')}.{uuid.uuid4()}"
        default_schema()
        runtime.job_present = True
        response = jsonify({"@odata.context": context_url("synchronizationJobs/$entity"), **job_graph(runtime)})
        response.status_code = 201
        response.headers["Location"] = graph_url(f"servicePrincipals/{runtime.service_principal_id}/synchronization/"
                                                 f"jobs/{engine.job_id}")
        return response

    @bp.delete("/jobs/<job_id>")
    def delete_job(job_id: str) -> Response:
        forget_job_state()
        runtime.job_present = False
        return Response(status=204)

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
        d = runtime.directory
        asked_for = (d.users if object_type == "User" else d.groups).get(object_id)
        if asked_for is None:
            raise not_found(object_id)
        links = typed(subject, "links", dict, "synchronizationJobSubject") or {}
        members = links.get("members") or []
        if object_type == "Group" and (not isinstance(members, list) or
                                       len(members) > engine.flags.on_demand_max_group_members):
            raise bad_request(f"links.members must be a list of at most {engine.flags.on_demand_max_group_members} members.")
        roles = [a.role for a in d.assignments_of(object_id)]
        if object_type == "User":  # a user is also in scope through an assigned group it is a direct member of
            roles += [a.role for group in d.direct_groups_of(object_id) for a in d.assignments_of(group.object_id)]
        skipped = subject_out_of_scope(asked_for, job_id=engine.job_id, now=runtime.clock.now(),
                                       sync_all=engine.flags.sync_all,
                                       exclude_default_access=engine.flags.exclude_default_access, roles=roles)
        if skipped is not None:
            return jsonify(on_demand_response(skipped, isoformat(runtime.clock.now())))
        try:
            record = engine.provision_on_demand(object_id)
        except OnDemandError as exc:
            message = str(exc)
            if message.startswith("TooManyRequests"):
                raise GraphError(429, "TooManyRequests", message, {"Retry-After": "10"}) from None
            raise GraphError(400, "BadRequest", message) from None
        if record.source_id != object_id:  # the engine wrote nothing about the subject: never report another object
            raise GraphError(500, "InternalServerError", f"provisioning on demand produced no record for '{object_id}'.")
        return jsonify(on_demand_response(record, isoformat(runtime.clock.now())))

    # ------------------------------------------------------------------ schema
    @bp.get("/jobs/<job_id>/schema")
    def get_schema(job_id: str) -> Response:
        body = schema_graph(engine.mappings, engine.flags, rule_id=runtime.rule_id, job_id=engine.job_id,
                            version=runtime.schema_version)
        return jsonify({"@odata.context": context_url("synchronizationSchema/$entity"), **body})

    @bp.put("/jobs/<job_id>/schema")
    @bp.patch("/jobs/<job_id>/schema")
    def put_schema(job_id: str) -> Response:
        """Graph documents ``PUT`` ("Update synchronizationSchema"); msgraph-sdk and msgraph-beta-sdk
        have no ``put`` on this builder and send ``PATCH`` with the whole schema. Both replace it."""
        mappings, flags = parse_schema(json_body(), engine.mappings, engine.flags, runtime.rule_id)
        engine.mappings, engine.flags = mappings, flags
        runtime.schema_version += 1
        return Response(status=204)

    def default_schema() -> None:
        engine.mappings = JobMappings()
        engine.flags = engine.flags.with_(provision_groups=True, user_flow_types=frozenset({"Add", "Update", "Delete"}),
                                          group_flow_types=frozenset({"Add", "Update", "Delete"}))
        runtime.schema_version += 1

    @bp.delete("/jobs/<job_id>/schema")
    def reset_schema(job_id: str) -> Response:
        default_schema()
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


__all__ = ["create_sync_blueprint", "iso_duration", "job_graph", "on_demand_response"]  # on_demand_response: re-export

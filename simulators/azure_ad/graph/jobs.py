"""``.../synchronization/templates`` and ``.../synchronization/jobs``: the job as Graph exposes it
(azure-ad-behaviour.md §9) — list, create, get, delete, start, pause, restart, validateCredentials.

Starting the job does not run a cycle inside the request (Graph's ``start`` is asynchronous, 204):
it makes a cycle due now; the scheduler of ``serve`` (system clock) or ``POST /_sim/clock/advance``
(virtual clock) runs it.

Create and delete: "Create new synchronization job with a default synchronization schema. The job is
created in a disabled state. Call Start job to start synchronization" ("Create synchronizationJob");
delete will "Stop synchronization, and permanently delete all the state associated with the job"
("synchronizationJob resource type", Methods). The mock's service principal holds one job (one
engine), so creating a second one is a 409 until the first is deleted.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, jsonify

from simulators.azure_ad.graph.common import (
    GraphError,
    bad_request,
    check_properties,
    context_url,
    graph_url,
    json_body,
    refuse_options,
    require,
    typed,
)
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema_routes import reset_to_default_schema
from simulators.azure_ad.graph.secrets import key_values
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.common.http_recording import RecordingSession

#: [GRAPH §9] the ``resetScope`` values.
RESET_SCOPES = frozenset({"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"})
JOB_PROPERTIES = ("templateId", "id", "schedule", "schema", "status", "synchronizationJobSettings", "bulkUpload")
EXECUTIONS = ("lastExecution", "lastSuccessfulExecution", "lastSuccessfulExecutionWithExports")


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


def _status_code(runtime: AzureAdRuntime, engine_code: str) -> str:
    if not runtime.configured:
        return "NotConfigured"
    if not runtime.started:
        return "Paused" if runtime.engine.cycles else "NotRun"
    return engine_code


def job_graph(runtime: AzureAdRuntime) -> dict[str, Any]:
    """The ``synchronizationJob`` resource (id, templateId, schedule, status, synchronizationJobSettings)."""
    engine = runtime.engine
    status = engine.status()
    state = "Disabled" if not runtime.started else "Paused" if engine.paused else "Active"
    graph_status = {key: status[key] for key in (
        "countSuccessiveCompleteFailures", "escrowsPruned", "synchronizedEntryCountByType",
        "steadyStateFirstAchievedTime", "steadyStateLastAchievedTime", "quarantine")}
    graph_status.update({key: _execution(status[key], status["quarantine"]) for key in EXECUTIONS})
    graph_status.update(code=_status_code(runtime, status["code"]), progress=[], troubleshootingUrl=None)
    threshold = engine.flags.accidental_deletion_threshold
    settings = [] if threshold is None else [{"name": "QuarantineTooManyDeletesThreshold", "value": str(threshold)}]
    return {"id": engine.job_id, "templateId": engine.flags.template_id,
            "schedule": {"expiration": None, "interval": iso_duration(engine.flags.cycle_interval), "state": state},
            "status": graph_status, "synchronizationJobSettings": settings}


def require_configured(runtime: AzureAdRuntime) -> None:
    if not runtime.configured:
        raise GraphError(400, "BadRequest", "The job has no credentials: save BaseAddress and SecretToken with "
                         "PUT .../synchronization/secrets first.")


def _reset_scope(body: dict[str, Any]) -> str:
    check_properties(body, ("criteria",), "synchronizationJobRestartCriteria")
    criteria = typed(body, "criteria", dict, "synchronizationJobRestartCriteria") or {}
    check_properties(criteria, ("resetScope",), "synchronizationJobRestartCriteria")
    scope = typed(criteria, "resetScope", str, "synchronizationJobRestartCriteria") or ""
    parts = [p.strip() for p in scope.split(",") if p.strip()]
    unknown = [p for p in parts if p not in RESET_SCOPES]
    if unknown:
        raise bad_request(f"Invalid resetScope value(s) {unknown}; use {', '.join(sorted(RESET_SCOPES))}.")
    return ", ".join(p for p in parts if p != "None") if parts != ["None"] else "None"


class JobRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime = runtime

    def register(self, bp: Blueprint) -> None:
        for rule, view, method in (
            ("/templates", self.templates, "GET"), ("/jobs", self.list_jobs, "GET"), ("/jobs", self.create_job, "POST"),
            ("/jobs/<job_id>", self.get_job, "GET"), ("/jobs/<job_id>", self.delete_job, "DELETE"),
            ("/jobs/<job_id>/start", self.start, "POST"), ("/jobs/<job_id>/pause", self.pause, "POST"),
            ("/jobs/<job_id>/restart", self.restart, "POST"),
            ("/jobs/<job_id>/validateCredentials", self.validate_credentials, "POST"),
        ):
            bp.add_url_rule(rule, view_func=view, methods=[method])

    def templates(self) -> Response:
        refuse_options()
        template = self.runtime.engine.flags.template_id
        return jsonify({"@odata.context": context_url("synchronizationTemplates"), "value": [
            {"id": template, "factoryTag": template, "applicationId": self.runtime.app_id, "default": True,
             "description": "SCIM 2.0 provisioning (non-gallery and Code42)", "discoverable": True,
             "metadata": [], "schema": None}]})

    def list_jobs(self) -> Response:
        refuse_options()
        jobs = [job_graph(self.runtime)] if self.runtime.job_present else []
        return jsonify({"@odata.context": context_url("synchronizationJobs"), "value": jobs})

    def _forget_job_state(self) -> None:
        """Links, watermark, escrows, quarantine, cycles, staged deletes. The provisioning logs stay:
        they are the tenant's audit log, not the job's state."""
        engine = self.runtime.engine
        engine.pause()
        engine.restart("Full")
        engine.cycles.clear()
        engine.staged_deletes.clear()
        self.runtime.started = False

    def create_job(self) -> Response:
        rt, engine = self.runtime, self.runtime.engine
        body = json_body()
        check_properties(body, JOB_PROPERTIES, "synchronizationJob")
        template = require(body, "templateId", str, "synchronizationJob")
        if template != engine.flags.template_id:
            raise bad_request(f"Invalid templateId '{template}': the templates of this application are "
                              f"'{engine.flags.template_id}'.")
        if rt.job_present:
            raise GraphError(409, "Conflict", f"A synchronization job for template '{template}' already exists on "
                             "this service principal; delete it first.")
        self._forget_job_state()
        engine.job_id = f"{template}.{rt.tenant_id.replace('-', '')}.{uuid.uuid4()}"
        reset_to_default_schema(rt)
        rt.job_present = True
        response = jsonify({"@odata.context": context_url("synchronizationJobs/$entity"), **job_graph(rt)})
        response.status_code = 201
        response.headers["Location"] = graph_url(f"servicePrincipals/{rt.service_principal_id}/synchronization/"
                                                 f"jobs/{engine.job_id}")
        return response

    def delete_job(self, job_id: str) -> Response:
        self._forget_job_state()
        self.runtime.job_present = False
        return Response(status=204)

    def get_job(self, job_id: str) -> Response:
        refuse_options()
        return jsonify({"@odata.context": context_url("synchronizationJobs/$entity"), **job_graph(self.runtime)})

    def start(self, job_id: str) -> Response:
        json_body(allow_empty=True)
        require_configured(self.runtime)
        self.runtime.started = True
        self.runtime.engine.start()
        return Response(status=204)

    def pause(self, job_id: str) -> Response:
        json_body(allow_empty=True)
        self.runtime.engine.pause()
        return Response(status=204)

    def restart(self, job_id: str) -> Response:
        scope = _reset_scope(json_body(allow_empty=True))
        self.runtime.engine.restart(scope)
        if self.runtime.started:
            self.runtime.engine.paused = False
        return Response(status=204)

    def _probe_engine(self, credentials: Any) -> ProvisioningEngine:
        """A throw-away engine for credentials that are tested but not saved."""
        rt, engine = self.runtime, self.runtime.engine
        creds = key_values(credentials, "credentials")
        url, token = creds.get("BaseAddress"), creds.get("SecretToken")
        if not url or not token:
            raise bad_request("credentials must include BaseAddress and SecretToken.")
        return ProvisioningEngine(rt.directory, url, token, mappings=engine.mappings, clock=rt.clock,
                                  flags=engine.flags, tenant_id=rt.tenant_id,
                                  session=RecordingSession(secrets=[token], timeout=engine.flags.request_timeout,
                                                           clock=rt.clock))

    def validate_credentials(self, job_id: str) -> Response:
        body = json_body(allow_empty=True)
        check_properties(body, ("useSavedCredentials", "credentials", "applicationIdentifier", "templateId"),
                         "validateCredentials")
        if typed(body, "useSavedCredentials", bool, "validateCredentials") or "credentials" not in body:
            require_configured(self.runtime)
            result = self.runtime.engine.test_connection()
        else:
            result = self._probe_engine(body["credentials"]).test_connection()
        if not result.ok:
            raise GraphError(400, "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
                             f"You appear to have entered invalid credentials. {result.message}"
                             + (f" (HTTP {result.status})" if result.status else ""))
        return Response(status=204)


__all__ = ["RESET_SCOPES", "JobRoutes", "iso_duration", "job_graph", "require_configured"]

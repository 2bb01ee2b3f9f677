"""``GET /v1.0/auditLogs/provisioning``: the engine's provisioning log records as Graph
``provisioningObjectSummary`` objects (azure-ad-behaviour.md §7.10), newest first, with ``$filter``
on the fields people filter on in the portal and ``$top``/``$skiptoken`` paging; other query
options are refused (400), never ignored.

Enum values are Graph's member names, camelCase as the v1.0 schema spells them:
``provisioningAction`` is one of ``other, create, delete, disable, update, stagedDelete,
unknownFutureValue`` ("provisioningObjectSummary resource type"; msgraph-sdk's
``ProvisioningAction`` enum). A client SDK maps the value to its enum member by name, so
``stageddelete`` would not parse.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from simulators.azure_ad.graph.common import bad_request, context_url, not_found, paged
from simulators.azure_ad.graph.odata_filter import parse_odata_filter
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.provisioning.logs import ProvisioningLogRecord

#: §7.10 "Supports ``$filter`` (``eq``, ``contains``, ``gt``, ``lt``)" — on these properties.
FILTERABLE = ("id", "jobId", "cycleId", "changeId", "activityDateTime", "provisioningAction",
              "durationInMilliseconds", "sourceIdentity/id", "sourceIdentity/displayName",
              "sourceIdentity/identityType", "targetIdentity/id", "targetIdentity/displayName",
              "targetIdentity/identityType", "provisioningStatusInfo/status", "servicePrincipal/id",
              "servicePrincipal/displayName")
MAX_PAGE = 1000
SUPPORTED_OPTIONS = ("$filter", "$top", "$skiptoken")


def graph_enum(value: str) -> str:
    """``StagedDelete`` → ``stagedDelete``: a Graph enum member as the JSON value."""
    return value[:1].lower() + value[1:]


def create_logs_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_logs", __name__, url_prefix="/v1.0/auditLogs")

    def render(record: ProvisioningLogRecord) -> dict[str, Any]:
        body = record.to_graph(runtime.tenant_id)
        body["provisioningAction"] = graph_enum(record.action)
        body["servicePrincipal"] = {"id": runtime.service_principal_id, "displayName": runtime.app_display_name}
        return body

    @bp.get("/provisioning")
    def list_provisioning() -> Response:
        for name in request.args:
            if name.startswith("$") and name not in SUPPORTED_OPTIONS:
                raise bad_request(f"Query option '{name}' is not supported on auditLogs/provisioning; use "
                                  f"{', '.join(SUPPORTED_OPTIONS)}.", "BadRequest")
        items = [render(r) for r in reversed(runtime.engine.logs)]
        text = request.args.get("$filter")
        if text:
            odata = parse_odata_filter(text, FILTERABLE, "provisioningObjectSummary")
            items = [i for i in items if odata.matches(i)]
        return paged(items, lambda i: i, "auditLogs/provisioning", maximum=MAX_PAGE)

    @bp.get("/provisioning/<record_id>")
    def get_provisioning(record_id: str) -> Response:
        for record in runtime.engine.logs:
            if record.id == record_id:
                return jsonify({"@odata.context": context_url("auditLogs/provisioning/$entity"), **render(record)})
        raise not_found(record_id)

    return bp


__all__ = ["FILTERABLE", "create_logs_blueprint", "graph_enum"]

"""``GET /v1.0/auditLogs/provisioning``: the engine's provisioning log records as Graph
``provisioningObjectSummary`` objects (azure-ad-behaviour.md §7.10), newest first, with ``$filter``
on the fields people filter on in the portal and ``$top``/``$skiptoken`` paging."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from simulators.azure_ad.graph.common import not_found, paged
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


def create_logs_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_logs", __name__, url_prefix="/v1.0/auditLogs")

    def render(record: ProvisioningLogRecord) -> dict[str, Any]:
        body = record.to_graph(runtime.tenant_id)
        body["servicePrincipal"] = {"id": runtime.service_principal_id, "displayName": runtime.app_display_name}
        return body

    @bp.get("/provisioning")
    def list_provisioning() -> Response:
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
                from flask import jsonify

                return jsonify(render(record))
        raise not_found(record_id)

    return bp


__all__ = ["FILTERABLE", "create_logs_blueprint"]

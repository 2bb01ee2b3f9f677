"""``/v1.0/servicePrincipals/{id}/synchronization``: the provisioning job as Graph exposes it
(azure-ad-behaviour.md §9), one blueprint over the route modules — jobs.py (templates, jobs,
start/pause/restart, validateCredentials), on_demand.py (provisionOnDemand), schema_routes.py
(schema, functions, filterOperators, parseExpression) and secrets.py. Every route first checks that
the service principal (and job, where the path names one) is this tenant's; anything else is 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from simulators.azure_ad.graph.common import not_found
from simulators.azure_ad.graph.jobs import JobRoutes, iso_duration, job_graph
from simulators.azure_ad.graph.on_demand import OnDemandRoutes, on_demand_response
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema_routes import SchemaRoutes
from simulators.azure_ad.graph.secrets import SecretRoutes


def create_sync_blueprint(runtime: AzureAdRuntime) -> Blueprint:
    bp = Blueprint("graph_sync", __name__, url_prefix="/v1.0/servicePrincipals/<sp_id>/synchronization")

    @bp.url_value_preprocessor
    def _ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        values = values if values is not None else {}
        g.sync_ids = (values.pop("sp_id", ""), values.get("job_id"))

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

    for routes in (JobRoutes(runtime), OnDemandRoutes(runtime), SchemaRoutes(runtime), SecretRoutes(runtime)):
        routes.register(bp)
    return bp


__all__ = ["create_sync_blueprint", "iso_duration", "job_graph", "on_demand_response"]

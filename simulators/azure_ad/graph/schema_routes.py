"""``.../jobs/{id}/schema``: the job's synchronizationSchema (GET; PUT or PATCH replace it; DELETE
resets it to the default), ``functions``, ``filterOperators`` and ``parseExpression``. The
conversions between Graph's schema and the engine's mappings live in schema.py."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from simulators.azure_ad.expressions import parse_expression_response
from simulators.azure_ad.expressions.syntax import ExpressionError
from simulators.azure_ad.graph.common import (
    bad_request,
    check_properties,
    context_url,
    json_body,
    refuse_options,
    require,
    typed,
)
from simulators.azure_ad.graph.runtime import AzureAdRuntime
from simulators.azure_ad.graph.schema import (
    filter_operators_graph,
    functions_graph,
    parse_schema,
    schema_graph,
)
from simulators.azure_ad.provisioning.mappings import JobMappings

_ALL_FLOWS = frozenset({"Add", "Update", "Delete"})


def reset_to_default_schema(runtime: AzureAdRuntime) -> None:
    """The template's default schema: the tutorial's mappings, groups on, every flow type."""
    engine = runtime.engine
    engine.mappings = JobMappings()
    engine.flags = engine.flags.with_(provision_groups=True, user_flow_types=_ALL_FLOWS, group_flow_types=_ALL_FLOWS)
    runtime.schema_version += 1


class SchemaRoutes:
    def __init__(self, runtime: AzureAdRuntime):
        self.runtime = runtime

    def register(self, bp: Blueprint) -> None:
        for rule, view, methods in (
            ("/jobs/<job_id>/schema", self.get_schema, ["GET"]),
            ("/jobs/<job_id>/schema", self.put_schema, ["PUT", "PATCH"]),
            ("/jobs/<job_id>/schema", self.reset_schema, ["DELETE"]),
            ("/jobs/<job_id>/schema/functions", self.functions, ["GET"]),
            ("/jobs/<job_id>/schema/filterOperators", self.filter_operators, ["GET"]),
            ("/jobs/<job_id>/schema/parseExpression", self.parse_expression, ["POST"]),
        ):
            bp.add_url_rule(rule, view_func=view, methods=methods)

    def get_schema(self, job_id: str) -> Response:
        refuse_options()
        rt, engine = self.runtime, self.runtime.engine
        body = schema_graph(engine.mappings, engine.flags, rule_id=rt.rule_id, job_id=engine.job_id,
                            version=rt.schema_version)
        return jsonify({"@odata.context": context_url("synchronizationSchema/$entity"), **body})

    def put_schema(self, job_id: str) -> Response:
        """Graph documents ``PUT`` ("Update synchronizationSchema"); msgraph-sdk and msgraph-beta-sdk
        have no ``put`` on this builder and send ``PATCH`` with the whole schema. Both replace it."""
        engine = self.runtime.engine
        engine.mappings, engine.flags = parse_schema(json_body(), engine.mappings, engine.flags, self.runtime.rule_id)
        self.runtime.schema_version += 1
        return Response(status=204)

    def reset_schema(self, job_id: str) -> Response:
        reset_to_default_schema(self.runtime)
        return Response(status=204)

    def functions(self, job_id: str) -> Response:
        return jsonify({"@odata.context": context_url("Collection(microsoft.graph.attributeMappingFunctionSchema)"),
                        "value": functions_graph()})

    def filter_operators(self, job_id: str) -> Response:
        return jsonify({"@odata.context": context_url("Collection(microsoft.graph.filterOperatorSchema)"),
                        "value": filter_operators_graph()})

    def parse_expression(self, job_id: str) -> Response:
        body = json_body()
        check_properties(body, ("expression", "testInputObject", "targetAttributeDefinition"), "parseExpression")
        expression = require(body, "expression", str, "parseExpression")
        test_input = typed(body, "testInputObject", dict, "parseExpression")
        typed(body, "targetAttributeDefinition", dict, "parseExpression")
        try:
            result = parse_expression_response(expression, test_input, now=self.runtime.clock.now())
        except ExpressionError as exc:
            raise bad_request(f"testInputObject: {exc}") from None
        return jsonify({"@odata.context": context_url("microsoft.graph.parseExpressionResponse"), **result})


__all__ = ["SchemaRoutes", "reset_to_default_schema"]

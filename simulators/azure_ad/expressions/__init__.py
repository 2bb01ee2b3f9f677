"""Azure AD attribute-mapping expressions: parse once, evaluate per user, show as Graph does.

The public face of the expression language (azure-ad-behaviour.md §8): :func:`parse_expression`
returns an :class:`Expression` (syntax and arity checked — unknown function names and wrong argument
counts are parse errors with a position, as in the portal's "Test an expression");
:meth:`Expression.evaluate` computes the value that flows to the target (``None`` = null, nothing
flows; :data:`IGNORE` = IgnoreFlowIfNullOrEmpty dropped the attribute); :meth:`Expression.to_graph`
and :func:`parse_expression_response` give Graph's ``parsedExpression`` / ``parseExpression`` shapes.

The syntax lives in ``syntax`` (lark grammar — see its docstring for why), the evaluator in
``evaluation``, the function catalogue in ``functions`` (.NET text rules in ``dotnet_text``), dates in
``dates``, the NormalizeDiacritics table in ``diacritics``, bundled expressions in ``data/``.

Decisions where Microsoft's reference is silent or contradicts itself are switches on
:class:`ExpressionOptions` (see each field). The two that the Code42 seed expression exercises:

* Empty arguments are absent optional parameters, i.e. null. The seed's
  ``Switch(ToLower([country], ), , "afghanistan", "AF", ...)`` therefore has no default: an unknown
  country yields null and nothing flows (the target keeps its value / the attribute is left out).
* ``IIF(IsNull([country]), "", ...)`` with no country: the doc says "If the source attribute used
  within the IIF function is empty or null, the condition check fails". By default the condition is
  evaluated (→ ``""``, Code42's evident intent); ``iif_null_condition="fail"`` reproduces the
  documented failure as an :class:`ExpressionEvaluationError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from simulators.azure_ad.expressions import dates
from simulators.azure_ad.expressions.evaluation import (
    IGNORE,
    Context,
    ExpressionEvaluationError,
    ExpressionOptions,
    evaluate_tree,
    to_text,
)
from simulators.azure_ad.expressions.functions import FUNCTIONS, TOP_LEVEL_ONLY
from simulators.azure_ad.expressions.syntax import (
    Attribute,
    Call,
    Comparison,
    Constant,
    ExpressionError,
    Node,
    parse_tree,
    quote,
    render,
)

__all__ = [
    "FUNCTION_NAMES",
    "IGNORE",
    "Expression",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionOptions",
    "load_code42_country_expression",
    "parse_expression",
    "parse_expression_response",
]

#: Every function name the language knows (case-sensitive).
FUNCTION_NAMES: frozenset[str] = frozenset(FUNCTIONS)

CODE42_COUNTRY_EXPRESSION_FILE = "code42_country_expression.txt"


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression. Immutable and reusable across users and threads."""

    text: str
    tree: Node
    options: ExpressionOptions = field(default_factory=ExpressionOptions)

    def evaluate(self, source: Mapping[str, Any], *, now: datetime | None = None,
                 target_lookup: Callable[[Any], bool] | None = None) -> Any:
        """The value for this source object: ``str``/``int``/``bool``/``list``, ``None`` for null, or
        :data:`IGNORE`. Attribute names match case-insensitively; a missing attribute is null. Dates
        come out as Azure renders them (``M/d/yyyy h:mm:ss tt``, UTC). ``now`` feeds ``Now()`` (default:
        the system clock); ``target_lookup(value) -> exists?`` feeds ``SelectUniqueValue``.
        Raises :class:`ExpressionEvaluationError` when the input makes a function fail."""
        ctx = Context(source, now or datetime.now(UTC), self.options, target_lookup)
        return _outgoing(evaluate_tree(self.tree, ctx))

    @property
    def attributes(self) -> frozenset[str]:
        """The source attribute names the expression reads (as written)."""
        return frozenset(_walk_attributes(self.tree))

    @property
    def function_name(self) -> str | None:
        """The outermost function, or None."""
        return self.tree.name if isinstance(self.tree, Call) else None

    @property
    def redacted(self) -> bool:
        """True when a ``Redact(...)`` is present: logs show "[Redact]" instead of the value."""
        return "Redact" in _walk_functions(self.tree)

    def canonical(self) -> str:
        """The expression text as Graph echoes it (``, `` between arguments)."""
        return render(self.tree)

    def to_graph(self) -> dict[str, Any]:
        """Graph's ``attributeMappingSource`` tree (``parsedExpression``)."""
        return _graph(self.tree)


def parse_expression(text: str, options: ExpressionOptions | None = None) -> Expression:
    """Parse and check ``text``; raises :class:`ExpressionError` (with ``.position``) when malformed."""
    tree = parse_tree(text)
    _check(tree, text, top=True)
    return Expression(text, tree, options or ExpressionOptions())


def parse_expression_response(text: str, test_input: Any = None, *, options: ExpressionOptions | None = None,
                              now: datetime | None = None) -> dict[str, Any]:
    """The body of Graph's ``POST .../schema/parseExpression`` for ``{"expression": text,
    "testInputObject": test_input}``. ``test_input`` is Graph's ``expressionInputObject``
    (``{"definition": ..., "properties": [{"key": ..., "value": ...}]}``) or a plain mapping.
    ``evaluationResult`` is a string collection: null → ``[]``, multi-valued → one string per value."""
    response: dict[str, Any] = {"error": None, "evaluationSucceeded": False, "evaluationResult": None,
                                "parsedExpression": None, "parsingSucceeded": False}
    try:
        expression = parse_expression(text, options)
    except ExpressionError as exc:
        response["error"] = _public_error("ExpressionParseFailure", exc)
        return response
    response["parsingSucceeded"] = True
    response["parsedExpression"] = expression.to_graph()
    if test_input is None:
        return response
    try:
        value = expression.evaluate(_properties(test_input), now=now)
    except ExpressionError as exc:
        response["error"] = _public_error("ExpressionEvaluationFailure", exc)
        return response
    response["evaluationSucceeded"] = True
    if value is None or value is IGNORE:
        response["evaluationResult"] = []
    else:
        values = value if isinstance(value, list) else [value]
        response["evaluationResult"] = [v if isinstance(v, str) else _result_text(v) for v in values]
    return response


def load_code42_country_expression() -> str:
    """The Code42 article's country expression, verbatim ("Option 1: Build an expression",
    ``../shared/seeds/000_fdc7d7180481efa8.txt``): "create a mapping expression that looks up appropriate
    ISO 3166 country codes for long-form country names"."""
    bundled = resources.files("simulators.azure_ad.expressions") / "data"
    return (bundled / CODE42_COUNTRY_EXPRESSION_FILE).read_text(encoding="utf-8")


# --- checks ---------------------------------------------------------------------------------


def _check(node: Node | None, text: str, *, top: bool = False) -> None:
    if node is None or isinstance(node, (Attribute, Constant)):
        return
    if isinstance(node, Comparison):
        _check(node.left, text)
        _check(node.right, text)
        return
    spec = FUNCTIONS.get(node.name)
    if spec is None:
        close = difflib.get_close_matches(node.name, FUNCTIONS, n=1) or [
            n for n in FUNCTIONS if n.lower() == node.name.lower()]
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ExpressionError(f"unknown function {node.name!r}{hint}", node.position, offending=node.name,
                              text=text)
    count = len(node.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        if spec.max_args is None:
            wanted = f"at least {spec.min_args}"
        elif spec.min_args == spec.max_args:
            wanted = str(spec.min_args)
        else:
            wanted = f"{spec.min_args} to {spec.max_args}"
        raise ExpressionError(f"{node.name} expects {wanted} argument{'s' if wanted != '1' else ''}, got {count}",
                              node.position, offending=node.name, text=text)
    problem = spec.check(count) if spec.check else None
    if problem:
        raise ExpressionError(problem, node.position, offending=node.name, text=text)
    if node.name in TOP_LEVEL_ONLY and not top:
        raise ExpressionError(f"{node.name} must be at the top level and can't be nested", node.position,
                              offending=node.name, text=text)
    for arg in node.args:
        _check(arg, text)


def _walk_attributes(node: Node | None) -> list[str]:
    if isinstance(node, Attribute):
        return [node.name]
    if isinstance(node, Comparison):
        return _walk_attributes(node.left) + _walk_attributes(node.right)
    if isinstance(node, Call):
        return [name for arg in node.args for name in _walk_attributes(arg)]
    return []


def _walk_functions(node: Node | None) -> list[str]:
    if isinstance(node, Comparison):
        return _walk_functions(node.left) + _walk_functions(node.right)
    if isinstance(node, Call):
        return [node.name] + [name for arg in node.args for name in _walk_functions(arg)]
    return []


# --- output shapes --------------------------------------------------------------------------


def _outgoing(value: Any) -> Any:
    if isinstance(value, datetime):
        return dates.render_datetime(value)
    if isinstance(value, list):
        return [_outgoing(v) for v in value]
    return value


def _result_text(value: Any) -> str:
    if isinstance(value, dict):
        import json

        return json.dumps(value, separators=(",", ":"))
    return to_text(value) or ""


def _graph(node: Node) -> dict[str, Any]:
    """attributeMappingSource: constants are strings (``Mid(x, 1, 8)`` → start ``{"expression": "\\"1\\"",
    "name": "1", "type": "Constant"}``); empty arguments are left out of ``parameters`` but keep their
    key positions (``Replace([preferredLanguage], "-", , , "_", , )`` → source, Find, Replacement).
    A comparison is shown as a Function named by its operator with ``left``/``right`` — Graph's own
    form for comparisons is not published ([INF])."""
    if isinstance(node, Attribute):
        return {"expression": render(node), "name": node.name, "parameters": [], "type": "Attribute"}
    if isinstance(node, Constant):
        return {"expression": quote(node.value), "name": node.value, "parameters": [], "type": "Constant"}
    if isinstance(node, Comparison):
        parameters = [{"key": "left", "value": _graph(node.left)}, {"key": "right", "value": _graph(node.right)}]
        return {"expression": render(node), "name": node.operator, "parameters": parameters, "type": "Function"}
    keys = FUNCTIONS[node.name].keys(len(node.args))
    parameters = [{"key": key, "value": _graph(arg)} for key, arg in zip(keys, node.args) if arg is not None]
    return {"expression": render(node), "name": node.name, "parameters": parameters, "type": "Function"}


def _public_error(code: str, exc: ExpressionError) -> dict[str, Any]:
    """Graph ``publicError``; ``target`` carries the offending text, ``details`` the position."""
    details = [] if exc.position is None else [
        {"code": "Position", "message": str(exc.position), "target": exc.offending}]
    return {"code": code, "message": str(exc), "target": exc.offending, "details": details, "innerError": None}


def _properties(test_input: Any) -> Mapping[str, Any]:
    if isinstance(test_input, Mapping) and isinstance(test_input.get("properties"), list):
        values: dict[str, Any] = {}
        for item in test_input["properties"]:
            if isinstance(item, Mapping) and "key" in item:
                values[str(item["key"])] = item.get("value")
        return values
    if isinstance(test_input, Mapping):
        return test_input
    raise ExpressionError("testInputObject must be an object with a 'properties' list of {key, value}")

"""The evaluator of the attribute-mapping expression language: values, conversions, comparisons, and
the registry the function catalogue (``functions``) fills.

Values: ``None`` is null ("For an attribute, a Null is expressed by the absence of the attribute"),
strings are ``str``, multi-valued attributes are ``list``, booleans ``bool``, numbers ``int``, date
functions produce aware UTC ``datetime`` (rendered ``M/d/yyyy h:mm:ss tt`` when the result leaves the
expression). String functions applied to a multi-valued attribute apply to each value.

Arguments are evaluated lazily, so a branch IIF/Switch/Coalesce does not take cannot fail the
expression. ``IgnoreFlowIfNullOrEmpty`` yields :data:`IGNORE`, which propagates outwards through any
function that consumes it: the attribute is dropped from the flow.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Self

from simulators.azure_ad.expressions import dates
from simulators.azure_ad.expressions.syntax import (
    Attribute,
    Call,
    Comparison,
    Constant,
    ExpressionError,
    Node,
)


class _Ignore:
    """The IGNORE sentinel's type (a single instance, compared with ``is``)."""

    _instance: _Ignore | None = None

    def __new__(cls) -> Self:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "IGNORE"

    def __bool__(self) -> bool:
        return False


#: "instructs the provisioning service to ignore the attribute and drop it from the flow"
#: (IgnoreFlowIfNullOrEmpty).
IGNORE = _Ignore()


class ExpressionEvaluationError(ExpressionError):
    """The expression parsed but cannot be evaluated on this input (bad date, bad regex, an IIF
    condition over a null attribute in strict mode...). ``position`` points at the function call."""


class _IgnoreFlow(Exception):
    """Raised inside evaluation when an argument is IGNORE; caught by :func:`evaluate_tree`."""


@dataclass(frozen=True)
class ExpressionOptions:
    """Switches for the behaviours Microsoft leaves open ([INF]); defaults documented per field."""

    #: IIF Known limitations: "If the source attribute used within the IIF function is empty or null, the
    #: condition check fails" (unsupported example: ``IIF(IsNullOrEmpty([country]),"Other",[country])``).
    #: "evaluate" (default): the condition is evaluated normally, so the Code42 seed's
    #: ``IIF(IsNull([country]), "", ...)`` yields "" for a user without country — what Code42 intends.
    #: "fail": any attribute of the condition being null/empty is an evaluation error (the doc's wording).
    iif_null_condition: Literal["evaluate", "fail"] = "evaluate"
    #: Join: the doc example ``Join(", ", "", [surname], [givenName])`` → "Doe, John" implies empty sources
    #: are skipped. Null sources are always skipped.
    join_skips_empty: bool = True
    #: Split: the doc example splits "PermissionSetOne, PermissionSetTwo" on "," into
    #: ["PermissionSetOne", "PermissionSetTwo"] — no leading space, so values are trimmed.
    split_trims_values: bool = True
    #: FormatDateTime with an offset in the input: keep the input's wall clock (default, what the
    #: NumFromDate example relies on) or convert to UTC first (.NET ParseExact on a UTC host).
    format_datetime_to_utc: bool = False
    #: Random source for Guid()/RandomString(); None = the system's CSPRNG.
    rng: random.Random | None = None


@dataclass
class Context:
    source: Mapping[str, Any]
    now: datetime
    options: ExpressionOptions
    target_lookup: Callable[[Any], bool] | None
    _folded: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._folded = {str(k).casefold(): v for k, v in self.source.items()}

    def attribute(self, name: str) -> Any:
        """Attribute names are case-insensitive; absent = null; an empty list is null too."""
        value = self._folded.get(name.casefold())
        if isinstance(value, (list, tuple)):
            return list(value) if value else None
        return value

    def eval(self, node: Node | None) -> Any:
        """Evaluate ``node``; an empty argument is null. Raises _IgnoreFlow on IGNORE."""
        value = self._eval(node)
        if value is IGNORE:
            raise _IgnoreFlow
        return value

    def _eval(self, node: Node | None) -> Any:
        if node is None:
            return None
        if isinstance(node, Attribute):
            return self.attribute(node.name)
        if isinstance(node, Constant):
            return constant_value(node)
        if isinstance(node, Comparison):
            return compare(node.operator, self.eval(node.left), self.eval(node.right), node)
        return FUNCTIONS[node.name].impl(self, node)


def constant_value(node: Constant) -> Any:
    """Constants are strings, numbers and ``&H`` literals included ("note constants are strings", §8.2:
    Graph shows ``Mid(x, 1, 8)``'s start as the Constant ``"1"``); numeric parameters convert on use."""
    return node.value


def evaluate_tree(node: Node, ctx: Context) -> Any:
    try:
        return ctx.eval(node)
    except _IgnoreFlow:
        return IGNORE


# --- value conversions -----------------------------------------------------------------------


def fail(call: Call | Comparison, message: str) -> ExpressionEvaluationError:
    name = call.name if isinstance(call, Call) else call.operator
    return ExpressionEvaluationError(f"{name}: {message}", call.position, offending=name)


def to_text(value: Any) -> str | None:
    """CStr: "converts a value to a string data type" (numbers, references, booleans)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return dates.render_datetime(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return str(value.get("value", value))
    return str(value)


def scalar_text(value: Any, call: Call) -> str | None:
    if isinstance(value, list):
        if len(value) == 1:
            return to_text(value[0])
        raise fail(call, f"expects a single value, got {len(value)} values")
    return to_text(value)


def to_int(value: Any, call: Call, what: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = (to_text(value) or "").strip()
    try:
        if text[:2].upper() == "&H":
            return int(text[2:], 16)  # noqa: FURB166 ("&H" is VBA's hex prefix, not Python's)
        return int(text)
    except ValueError:
        raise fail(call, f"{what} must be a whole number, got {text!r}") from None


def to_bool(value: Any, call: Call | Comparison) -> bool:
    """CBool: "If the expression evaluates to a non-zero value, then CBool returns True, else False"."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = (to_text(value) or "").strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text) != 0
    except ValueError:
        raise fail(call, f"cannot convert {text!r} to a Boolean") from None


def to_datetime(value: Any, call: Call) -> datetime:
    if isinstance(value, datetime):
        return dates.to_utc(value)
    text = scalar_text(value, call)
    if text is None:
        raise fail(call, "date is null")
    try:
        return dates.parse_date(text)
    except dates.DateError as exc:
        raise fail(call, str(exc)) from None


def each(value: Any, transform: Callable[[str], Any]) -> Any:
    """Apply a string function to a value, or to each value of a multi-valued attribute."""
    if value is None:
        return None
    if isinstance(value, list):
        return [transform(t) for t in (to_text(v) for v in value) if t is not None]
    return transform(to_text(value) or "")


def is_null_or_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def compare(operator: str, left: Any, right: Any, node: Comparison) -> bool:
    """``=``/``<>`` compare text exactly (case-sensitive, like Switch); ordering compares numbers when
    both sides are numbers, dates when both are dates, else ordinal text."""
    if operator in ("=", "<>"):
        equal = to_text(left) == to_text(right)
        return equal if operator == "=" else not equal
    if left is None or right is None:
        return False
    a: Any
    b: Any
    try:
        a, b = float(to_text(left) or ""), float(to_text(right) or "")
    except ValueError:
        if isinstance(left, datetime) or isinstance(right, datetime):
            a, b = _as_date(left, node), _as_date(right, node)
        else:
            a, b = to_text(left), to_text(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def _as_date(value: Any, node: Comparison) -> datetime:
    if isinstance(value, datetime):
        return dates.to_utc(value)
    try:
        return dates.parse_date(to_text(value) or "")
    except dates.DateError as exc:
        raise fail(node, str(exc)) from None


# --- the catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    params: tuple[str, ...]  # Graph parameter keys, in order
    min_args: int
    max_args: int | None  # None = variadic
    impl: Callable[[Context, Call], Any]
    repeat: tuple[str, ...] = ()  # keys of the repeating tail for variadic functions
    check: Callable[[int], str | None] | None = None  # extra arity rule (message or None)

    def keys(self, count: int) -> list[str]:
        keys = list(self.params[:count])
        while len(keys) < count:
            keys.append(self.repeat[(len(keys) - len(self.params)) % len(self.repeat)])
        return keys


FUNCTIONS: dict[str, FunctionSpec] = {}


def function(name: str, params: tuple[str, ...], min_args: int | None = None, max_args: int | None = -1,
             repeat: tuple[str, ...] = (), check: Callable[[int], str | None] | None = None
             ) -> Callable[[Callable[[Context, Call], Any]], Callable[[Context, Call], Any]]:
    def register(impl: Callable[[Context, Call], Any]) -> Callable[[Context, Call], Any]:
        FUNCTIONS[name] = FunctionSpec(name, params, len(params) if min_args is None else min_args,
                                       len(params) if max_args == -1 else max_args, impl, repeat, check)
        return impl
    return register

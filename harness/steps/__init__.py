"""The step registry: every step kind a scenario may use is one function registered here.

Why a registry: a scenario is data (DESIGN.md); the engine looks its steps up by name, so adding a kind
is one decorated function in the family module (``idp``, ``scim``, ``code42``, ``clock``) plus its
argument schema in ``schemas/scenario.schema.json``, and a test checks the two lists agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.context import ScenarioContext

StepFunction = Callable[["ScenarioContext", Any], None]


@dataclass(frozen=True)
class StepKind:
    name: str
    phases: tuple[str, ...]  # "when", "then"
    function: StepFunction
    requires: tuple[str, ...]  # capabilities the step needs from the target
    summary: str


class StepRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, StepKind] = {}

    def register(self, name: str, *, phases: tuple[str, ...] = ("when",), requires: tuple[str, ...] = ()
                 ) -> Callable[[StepFunction], StepFunction]:
        def decorate(function: StepFunction) -> StepFunction:
            if name in self._kinds:
                raise ValueError(f"step kind {name!r} is registered twice")
            summary = (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else ""
            self._kinds[name] = StepKind(name, phases, function, requires, summary)
            return function
        return decorate

    def get(self, name: str) -> StepKind:
        load_builtin_steps()
        try:
            return self._kinds[name]
        except KeyError:
            raise KeyError(f"no step kind {name!r}; known: {', '.join(sorted(self._kinds))}") from None

    def kinds(self) -> dict[str, StepKind]:
        load_builtin_steps()
        return dict(self._kinds)


REGISTRY = StepRegistry()
step = REGISTRY.register


def load_builtin_steps() -> None:
    """Import the step families (idempotent); they register themselves on import."""
    from harness.steps import code42, idp, scim, waiting  # noqa: F401

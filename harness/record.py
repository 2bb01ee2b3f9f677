"""The plain result of running one scenario: what the plugin, the CLI and the report render.

Why plain dataclasses: the engine must not know pytest or Allure (DESIGN.md), and a record can be
serialised to JSON for ``scimgate run --json`` or compared in tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.verdict import Status


@dataclass
class StepRecord:
    phase: str
    index: int
    kind: str
    label: str
    line: int | None
    status: Status = Status.PASSED
    message: str = ""
    started_at: str = ""          # wall clock, ISO 8601
    duration_ms: float = 0.0
    target_time: str = ""         # the target's clock when the step ran (virtual in simulation)
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    traceback: str = ""           # only for harness errors (a bug in scimgate or a simulator)
    basis: str = ""               # expectations: rfc | azure-ad | code42 | inf:<switch> (harness/expectations.py)


@dataclass
class ScenarioRecord:
    scenario_id: str
    title: str
    status: Status = Status.PASSED
    category: str = ""            # the Verdict's category (harness.verdict): empty when passed
    message: str = ""
    skip_reason: str = ""
    steps: list[StepRecord] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    target: str = ""
    profile: str = ""
    cleanup: str = ""             # live mode: what the prefix sweep cleaned (CleanupReport.summary())
    #: Expectations skipped alone (a missing capability, or Code42-only on another product), with the reason.
    skipped_checks: list[str] = field(default_factory=list)

    @property
    def exchanges(self) -> list[dict[str, Any]]:
        return [ex for step in self.steps for ex in step.exchanges]

    @property
    def expectations(self) -> int:
        """How many ``then`` entries the run reached, checked or skipped (each is one step record)."""
        return sum(1 for step in self.steps if step.phase == "then")

    @property
    def partially_verified(self) -> bool:
        """Passed, but some expectations were skipped alone: green without having been fully checked."""
        return self.status == Status.PASSED and bool(self.skipped_checks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_exchange(ex: dict[str, Any]) -> str:
    """An exchange as the text an engineer reads in a traffic log (already redacted)."""
    import json

    def body(value: Any) -> str:
        if value in (None, ""):
            return ""
        if isinstance(value, (dict, list)):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return str(value)

    lines = [f"{ex.get('method')} {ex.get('url')}"]
    lines += [f"{k}: {v}" for k, v in (ex.get("request_headers") or {}).items()]
    if body(ex.get("request_body")):
        lines += ["", body(ex.get("request_body"))]
    lines += ["", f"HTTP {ex.get('status')}  ({ex.get('elapsed_ms', 0):.0f} ms)"]
    lines += [f"{k}: {v}" for k, v in (ex.get("response_headers") or {}).items()]
    if body(ex.get("response_body")):
        lines += ["", body(ex.get("response_body"))]
    return "\n".join(lines)

"""Run one scenario without pytest and return a plain :class:`ScenarioRecord` (the scenario runner).

Why pytest-free: the same engine serves the plugin, ``scimgate run`` and unit tests, and a scenario's
verdict must not depend on how it was launched. Reporting goes through an :class:`Observer` the caller
supplies (the plugin's opens Allure steps); the runner itself only records. Verdicts come from the
exception a step raised (:class:`harness.verdict.Verdict`), never from retyped category text.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Protocol

import requests

from harness import expectations, tenant_settings
from harness.context import ScenarioContext
from harness.durations import format_duration, resolve_time
from harness.errors import (
    ConfigError,
    CredentialsRejected,
    ExpectationFailed,
    HarnessError,
    NotVerifiable,
    TargetMisconfigured,
    TargetUnreachable,
)
from harness.progress import WaitBoard
from harness.record import ScenarioRecord, StepRecord, format_exchange
from harness.scenario import Scenario, Step
from harness.steps import REGISTRY
from harness.target import Targets
from harness.target_time import backoff_delays
from harness.transport import describe_error
from harness.verdict import Status, Verdict
from simulators.common.clock import isoformat
from simulators.common.http_recording import Redactor

#: Hears what a live scenario's cleanup swept: ``on_cleanup(scenario_id, summary)``.
CleanupListener = Callable[[str, str], None]


class Observer(Protocol):
    """Hears the steps of a run as they happen.

    ``step`` wraps a step that runs: the exception it ends with gives its status (through
    :meth:`harness.verdict.Verdict.of`: an expectation that could not be judged is *skipped*, not broken).
    ``skipped`` reports an expectation that was never run (a missing capability, or Code42-only on another
    product), so a report shows it as its own skipped step with the reason.
    """

    def step(self, label: str) -> contextlib.AbstractContextManager[Any]: ...
    def skipped(self, label: str, reason: str) -> None: ...
    def attach(self, name: str, body: str, mime: str) -> None: ...


class NullObserver:
    def step(self, label: str) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    def skipped(self, label: str, reason: str) -> None:
        pass

    def attach(self, name: str, body: str, mime: str) -> None:
        pass


class _StopScenario(Exception):
    """A step broke (unreachable target, harness error): later steps would prove nothing."""


class Window(Enum):
    """When a ``then`` check runs, relative to the end of the ``when`` phase."""

    AT_ONCE = "at once"
    AFTER = "after"       # from ``after`` (+ tolerance): re-checked until the window closes
    BEFORE = "before"     # just before ``before`` (- tolerance): must still be true then


@dataclass
class _Check:
    step: Step
    first: datetime           # when to check
    last: datetime            # keep trying until (after-windows with tolerance)
    window: Window
    text: str                 # the window as the timeline shows it ("after 15m ± 2m")


class ScenarioRunner:
    """Runs one scenario. ``waits`` shows live waits as progress; ``on_cleanup(scenario_id, report)``
    hears what the live cleanup swept (the plugin lists it at the end of the run)."""

    def __init__(self, scenario: Scenario, targets: Targets, observer: Observer | None = None, *,
                 waits: WaitBoard | None = None, on_cleanup: CleanupListener | None = None):
        self.scenario = scenario
        self.targets = targets
        self.observer = observer or NullObserver()
        self.record = ScenarioRecord(scenario.id, scenario.title)
        self.redactor = Redactor()
        self.waits = waits
        self.on_cleanup = on_cleanup

    # -------------------------------------------------------------- outcome helpers

    def _finish(self, verdict: Verdict, message: str) -> None:
        """Keep the worst outcome (broken > failed > skipped > passed) and its first message."""
        message = self.redactor.text(message)
        status = verdict.status
        if status.rank > Status(self.record.status).rank:
            self.record.status, self.record.category, self.record.message = status, verdict.category, message
        elif status == Status.FAILED == self.record.status:  # every failed expectation is worth reading
            self.record.message += f"\n{message}"
        if status == Status.SKIPPED and not self.record.skip_reason:
            self.record.skip_reason = message

    def run(self) -> ScenarioRecord:
        try:
            with self.targets.for_scenario(self.scenario) as target:
                for secret in target.secrets:
                    self.redactor.add(secret)
                self.record.target, self.record.profile = target.label, target.profile_name
                unrunnable = expectations.setup_blocked(self.scenario, target)
                if unrunnable is None and not any(expectations.blocked(s, self.scenario, target) is None
                                                  for s in self.scenario.then):
                    unrunnable = "; ".join(f"{s.label}: {expectations.blocked(s, self.scenario, target)}"
                                           for s in self.scenario.then)
                if unrunnable:  # nothing it could check: do not touch the target at all
                    self._finish(Verdict.NOT_VERIFIABLE, unrunnable)
                    return self.record
                ctx = ScenarioContext(self.scenario, target)
                saved: dict[str, Any] | None = None
                try:
                    saved = self._save_settings(ctx)
                    self._run_all(ctx)
                finally:
                    self._restore_settings(ctx, saved)
                    self._cleanup(ctx)
                    ctx.close()
        except (NotVerifiable, TargetUnreachable, CredentialsRejected, TargetMisconfigured, ConfigError) as exc:
            self._finish(Verdict.of(exc), str(exc))
        except _StopScenario:
            pass
        return self.record

    def _save_settings(self, ctx: ScenarioContext) -> dict[str, Any] | None:
        """A live scenario that edits the provider settings (allowed by --allow-destructive) gets them put
        back afterwards; nothing else does on a live tenant (a simulated one is reset)."""
        edits = [s for s in self.scenario.when if REGISTRY.get(s.kind).destructive == "settings"]
        if not edits or ctx.target.simulated or "code42-admin" not in ctx.target.capabilities:
            return None
        try:
            return tenant_settings.save(ctx.admin)
        except (HarnessError, TargetUnreachable, ExpectationFailed) as exc:
            raise NotVerifiable(f"{edits[0].label} edits the tenant's provider settings, and they could not be "
                                f"saved first to be restored afterwards: {exc}") from None

    def _restore_settings(self, ctx: ScenarioContext, saved: dict[str, Any] | None) -> None:
        if saved is None:
            return
        try:
            line = tenant_settings.restore(ctx.admin, saved)
        except Exception as exc:  # noqa: BLE001 - reported, never hides the verdict
            line = f"provider settings NOT restored: {type(exc).__name__}: {exc}"
        self.record.timeline.append(self.redactor.text(line))
        if self.on_cleanup is not None:
            self.on_cleanup(self.scenario.id, self.redactor.text(line))

    def _run_all(self, ctx: ScenarioContext) -> None:
        if self.scenario.given:
            self._step(ctx, "given", 0, "given", self.scenario.line, lambda: _given(ctx, self.scenario.given))
        for step in self.scenario.when:
            kind = REGISTRY.get(step.kind)
            with self._live_wait(ctx, step):
                self._step(ctx, step.phase, step.index, step.kind, step.line,
                           lambda k=kind, s=step: k.function(ctx, s.args))
        ctx.anchor = ctx.target.clock.now()
        for check in self._plan(ctx):
            self._check(ctx, check)
        if self.record.skipped_checks and len(self.record.skipped_checks) == len(self.scenario.then):
            self._finish(Verdict.NOT_VERIFIABLE, "; ".join(self.record.skipped_checks))

    @contextlib.contextmanager
    def _live_wait(self, ctx: ScenarioContext, step: Step) -> Iterator[None]:
        """Show a ``wait`` step on the progress board while it sleeps on a live tenant."""
        clock = ctx.target.clock
        if step.kind != "wait" or self.waits is None or clock.simulated:
            yield
            return
        try:
            until = clock.now() + timedelta(seconds=resolve_time(step.args, ctx.target.profile).offset)
            self.waits.waiting(self.scenario.id, f"wait {step.args}", until, until)
        except HarnessError:
            pass  # a bad duration is reported by the step itself
        try:
            yield
        finally:
            self.waits.done(self.scenario.id)

    # -------------------------------------------------------------- then: timing windows

    def _plan(self, ctx: ScenarioContext) -> list[_Check]:
        checks = []
        for step in self.scenario.then:
            if step.after is not None:
                t = resolve_time(step.after, ctx.target.profile)
                first = ctx.anchor + timedelta(seconds=t.offset)
                checks.append(_Check(step, first, first + timedelta(seconds=t.tolerance), Window.AFTER,
                                     f"after {t.text}"))
            elif step.before is not None:
                t = resolve_time(step.before, ctx.target.profile)
                at = ctx.anchor + timedelta(seconds=t.offset - max(t.tolerance, 1.0))
                checks.append(_Check(step, at, at, Window.BEFORE, f"before {t.text}"))
            else:
                checks.append(_Check(step, ctx.anchor, ctx.anchor, Window.AT_ONCE, Window.AT_ONCE.value))
        return sorted(checks, key=lambda c: c.first)  # time only moves forward

    def _check(self, ctx: ScenarioContext, check: _Check) -> None:
        kind = REGISTRY.get(check.step.kind)
        clock = ctx.target.clock
        basis = expectations.basis_of(check.step, self.scenario)
        reason = expectations.blocked(check.step, self.scenario, ctx.target)
        if reason is not None:  # skipped alone, before any wait: the rest of the scenario still counts
            self._skip_check(check.step, reason, basis)
            return

        def evaluate() -> None:
            now = clock.now()
            if check.window is Window.BEFORE and now > check.first + timedelta(seconds=1):
                raise NotVerifiable(f"window missed: the check had to run by {isoformat(check.first)}, "
                                    f"it is {isoformat(now)} (earlier steps took too long)")
            live = self.waits is not None and not clock.simulated and check.last > now
            if live:
                self.waits.waiting(self.scenario.id, f"{check.step.kind} ({check.text})", check.first, check.last)
            try:
                clock.advance_to(check.first)
                deadline = check.last
                delays = iter(_poll_delays((deadline - check.first).total_seconds(), clock.simulated))
                while True:
                    try:
                        return kind.function(ctx, check.step.args)
                    except ExpectationFailed:
                        delay = next(delays, None)
                        if delay is None:
                            raise
                        clock.advance(delay)
            finally:
                if live:
                    self.waits.done(self.scenario.id)

        label = check.step.kind if check.window is Window.AT_ONCE else f"{check.step.kind} ({check.text})"
        self._step(ctx, "then", check.step.index, label, check.step.line, evaluate, stop_on_failure=False,
                   basis=basis)

    def _skip_check(self, step: Step, reason: str, basis: str) -> None:
        rec = StepRecord("then", step.index, step.kind, step.label, step.line, status=Status.SKIPPED,
                         message=self.redactor.text(reason), basis=basis)
        self.record.steps.append(rec)
        self.record.skipped_checks.append(f"{step.label}: {rec.message}")
        tag = expectations.label(basis)  # a Code42-only reason already starts with it
        self.observer.skipped(rec.label, f"not checked: {rec.message}" if rec.message.startswith(tag)
                              else f"not checked [{tag}]: {rec.message}")
        self.record.timeline.append(f"{'':>10}  {Status.SKIPPED:<7} {step.label} [{tag}]: {rec.message}")

    # -------------------------------------------------------------- one step

    def _step(self, ctx: ScenarioContext, phase: str, index: int, kind: str, line: int | None,
              run: Callable[[], Any], stop_on_failure: bool = True, basis: str = "") -> None:
        label = f"{phase}[{index}] {kind}" if phase != "given" else "given"
        rec = StepRecord(phase, index, kind, label, line, basis=basis,
                         started_at=datetime.now(UTC).isoformat(timespec="milliseconds"))
        t0 = time.perf_counter()
        error = self._perform(ctx, rec, run)
        rec.duration_ms = (time.perf_counter() - t0) * 1000
        for secret in ctx.target.secrets:  # a step may have created one (regenerated credentials)
            self.redactor.add(secret)
        try:
            target_time = ctx.target.clock.now()  # after the step: a window check advanced the clock
        except TargetUnreachable:
            target_time = ctx.started_at
        rec.target_time = isoformat(target_time)
        self.record.steps.append(rec)
        offset = format_duration((target_time - ctx.started_at).total_seconds()) if target_time >= ctx.started_at else "0s"
        if error is not None and not isinstance(error, Exception):
            raise error  # Ctrl-C, RunInterrupted: not a verdict
        self._judge(rec, error)
        tag = f" [{expectations.label(basis)}]" if basis else ""
        self.record.timeline.append(f"T+{offset:>8}  {rec.status:<7} {label}{tag}"
                                    + (f": {rec.message}" if rec.message else ""))
        if rec.status == Status.BROKEN or (rec.status in (Status.FAILED, Status.SKIPPED) and stop_on_failure):
            raise _StopScenario()

    def _perform(self, ctx: ScenarioContext, rec: StepRecord, run: Callable[[], Any]) -> BaseException | None:
        """Run one step inside its observer step, attach its exchanges; return what it raised."""
        marks = ctx.exchange_marks()
        error: BaseException | None = None
        try:
            with self.observer.step(self.redactor.text(rec.label)):
                try:
                    run()
                except BaseException as exc:  # noqa: BLE001 - classified below, re-raised for the observer
                    error = exc
                finally:
                    rec.exchanges = ctx.exchanges_since(marks)
                    for n, ex in enumerate(rec.exchanges, 1):
                        self.observer.attach(f"{ex['source']} {n}: {ex['method']} {_short(ex['url'])} -> {ex['status']}",
                                             self.redactor.text(format_exchange(ex)), "text/plain")
                if error is not None:
                    raise error
        except BaseException as exc:  # noqa: BLE001
            error = exc
        if isinstance(error, (requests.RequestException, ConnectionError, TimeoutError)):
            # A driver that let a transport error through (e.g. the IdP engine): the target, not scimgate.
            error = TargetUnreachable(f"{describe_error(error, ctx.target.request_timeout)}")
        return error

    def _judge(self, rec: StepRecord, error: Exception | None) -> None:
        """The step's verdict from the exception it raised; the scenario keeps the worst."""
        verdict = Verdict.of(error)
        rec.status = verdict.status
        if error is None:
            return
        # An expectation's failure says what it rests on; a given/when step that fails is a prerequisite.
        tag = f" [{expectations.label(rec.basis)}]" if rec.basis else " [prerequisite]"
        where = f"{rec.label} (line {rec.line}){tag}"
        if verdict is Verdict.HARNESS_ERROR:
            # A bug in scimgate or a simulator: say where, keep the traceback for the report.
            rec.message = self.redactor.text(f"{type(error).__name__}: {error}")
            if not isinstance(error, HarnessError):
                rec.traceback = self.redactor.text("".join(traceback.format_exception(error)[-6:]))
                self.observer.attach(f"traceback ({rec.label})", rec.traceback, "text/plain")
        else:
            rec.message = self.redactor.text(str(error))
            if verdict is Verdict.PRODUCT_DEFECT and not rec.basis and "expected HTTP 20" in str(error):
                refusal = _refusal(rec.exchanges)  # a set-up request refused: quote the exchange
                if refusal:
                    rec.message = self.redactor.text(f"the target refused a prerequisite ({refusal}): {error}")
            if verdict is Verdict.NOT_VERIFIABLE and rec.phase == "then":
                self.record.skipped_checks.append(f"{rec.label}: {rec.message}")  # skipped alone
                return
            if verdict is not Verdict.PRODUCT_DEFECT:
                where = rec.label  # skips and unreachable targets are not about a line of the scenario
        self._finish(verdict, f"{where}: {rec.message}")

    def _cleanup(self, ctx: ScenarioContext) -> None:
        """Live-tenant safety: sweep what carries this scenario's prefix, whatever the verdict.

        Runs from ``finally``, so also after a failure or Ctrl-C (:class:`RunInterrupted`). Skipped when
        the target was unreachable: the end-of-run sweep tries again once.
        """
        if ctx.target.simulated:
            return
        from harness.cleanup import CleanupReport, Sweeper

        prefix = ctx.target.run_prefix
        if self.record.category == Verdict.TARGET_UNREACHABLE.category:
            report = CleanupReport(prefix, failed=["skipped: the target was unreachable (the end-of-run sweep retries)"])
        else:
            marks = ctx.exchange_marks()
            admin = ctx.admin if "code42-admin" in ctx.target.capabilities and ctx.target.admin_client else None
            with self.observer.step(f"cleanup (prefix {prefix})"):
                try:
                    report = Sweeper(ctx.scim, admin).sweep(prefix, pages=False)  # the end-of-run sweep pages
                except Exception as exc:  # noqa: BLE001 - cleanup must never hide the verdict, but is reported
                    report = CleanupReport(prefix, failed=[f"{type(exc).__name__}: {exc}"])
                for n, ex in enumerate(ctx.exchanges_since(marks), 1):
                    self.observer.attach(f"cleanup {n}: {ex['method']} {_short(ex['url'])} -> {ex['status']}",
                                         self.redactor.text(format_exchange(ex)), "text/plain")
        self.record.cleanup = self.redactor.text(report.summary())
        self.record.timeline.append(self.record.cleanup)
        if self.on_cleanup is not None:
            self.on_cleanup(self.scenario.id, self.record.cleanup)


def _poll_delays(window: float, simulated: bool) -> Iterator[float]:
    if window <= 0:
        return iter(())
    if simulated:  # virtual time: re-check in a few even slices of the tolerance
        return iter([window / 4] * 4)
    return backoff_delays(window)


def _refusal(exchanges: list[dict[str, Any]]) -> str:
    """The first refused request of a step, as ``POST /Users -> HTTP 400: <detail>`` (empty when none)."""
    for ex in exchanges:
        status = ex.get("status")
        if isinstance(status, int) and status >= 400:
            body = ex.get("response_body")
            detail = body.get("detail") or body.get("scimType") if isinstance(body, dict) else body
            text = f"{ex['method']} {_short(ex['url'])} -> HTTP {status}"
            return text + (f": {str(detail)[:160]}" if detail else "")
    return ""


def _short(url: str) -> str:
    from urllib.parse import unquote_plus, urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{unquote_plus(parts.query)}" if parts.query else "")


def _given(ctx: ScenarioContext, given: dict[str, Any]) -> None:
    idp = ctx.idp
    # Templates work in ``given`` too, so a live run can prefix fixed values (``org: ${run.prefix} Sales``).
    for user in given.get("users", []):
        idp.create_user(ctx.render(dict(user)))
    for group in given.get("groups", []):
        idp.create_group(ctx.render(dict(group)))
    for ref in given.get("assign", []):
        idp.assign(ref)


def run_scenario(scenario: Scenario, targets: Targets, observer: Observer | None = None, *,
                 waits: WaitBoard | None = None, on_cleanup: CleanupListener | None = None) -> ScenarioRecord:
    """Run ``scenario`` against ``targets`` (``harness.target.make_targets(config)``)."""
    return ScenarioRunner(scenario, targets, observer, waits=waits, on_cleanup=on_cleanup).run()

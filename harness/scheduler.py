"""Run scenarios concurrently so that live waits overlap, then hand each record to its pytest item.

Why an in-process thread pool rather than pytest-xdist: a live run spends its time *waiting* (Code42's
deactivation delay), not computing, so threads are the right tool; they share one start-of-run probe,
one cancel event (Ctrl-C wakes every wait at once and each scenario cleans up), one progress board
and one cleanup log, none of which cross xdist's process boundary. ``--concurrency N`` therefore works
in plain ``pytest``: the items still run in collection order, each one picking up its scenario's
record (waiting for it if needed) and replaying the recorded steps into Allure on the main thread,
where allure-pytest expects them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from harness.errors import RunInterrupted
from harness.progress import WaitBoard
from harness.record import ScenarioRecord
from harness.scenario import Scenario
from harness.scenario_runner import ScenarioRunner
from harness.target import Targets
from harness.verdict import Status, Verdict


@dataclass
class ObservedStep:
    """One step as the engine reported it to its observer, kept for replay into Allure."""

    label: str
    attachments: list[tuple[str, str, str]] = field(default_factory=list)   # name, body, mime
    children: list[ObservedStep] = field(default_factory=list)
    error: str | None = None          # the step's Status when not passed: "failed", "broken" or "skipped"
    message: str = ""


class RecordingObserver:
    """An engine observer that records the step tree instead of reporting it (thread-local to one run)."""

    def __init__(self) -> None:
        self.root = ObservedStep("root")
        self._stack = [self.root]

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        node = ObservedStep(label)
        self._stack[-1].children.append(node)
        self._stack.append(node)
        try:
            yield
        except BaseException as exc:
            node.error = Verdict.of(exc).status.value
            node.message = str(exc)
            raise
        finally:
            self._stack.pop()

    def skipped(self, label: str, reason: str) -> None:
        self._stack[-1].children.append(ObservedStep(label, error=Status.SKIPPED.value, message=reason))

    def attach(self, name: str, body: str, mime: str) -> None:
        self._stack[-1].attachments.append((name, body, mime))


@dataclass
class Outcome:
    record: ScenarioRecord
    steps: ObservedStep


class ConcurrentRuns:
    """A pool of ``workers`` threads running scenarios against ``targets`` in submission order."""

    def __init__(self, targets: Targets, workers: int, *, waits: WaitBoard | None = None,
                 on_cleanup: Callable[[str, str], None] | None = None):
        self.targets = targets
        self.waits = waits or WaitBoard()
        self.on_cleanup = on_cleanup
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scimgate-scenario")
        self._futures: dict[str, Future[Outcome]] = {}
        self._lock = threading.Lock()

    def submit(self, scenario: Scenario) -> None:
        with self._lock:
            if scenario.id not in self._futures:
                self._futures[scenario.id] = self._pool.submit(self._run, scenario)

    def _run(self, scenario: Scenario) -> Outcome:
        observer = RecordingObserver()
        runner = ScenarioRunner(scenario, self.targets, observer, waits=self.waits, on_cleanup=self.on_cleanup)
        try:
            record = runner.run()
        except RunInterrupted:
            record = runner.record
            record.status, record.category = Verdict.HARNESS_ERROR.value
            record.message = (record.message + "\n" if record.message else "") + "interrupted (Ctrl-C) before the verdict"
        return Outcome(record, observer.root)

    def result(self, scenario: Scenario, *, tick: Callable[[], None] | None = None, every: float = 10.0) -> Outcome:
        """The scenario's outcome, calling ``tick`` every ``every`` seconds while it is not ready."""
        self.submit(scenario)
        future = self._futures[scenario.id]
        while True:
            try:
                return future.result(timeout=every if (tick and every > 0) else None)
            except FutureTimeout:
                if tick:
                    tick()

    def cancel(self) -> None:
        """Ctrl-C: wake every wait, drop what has not started, let running scenarios clean up."""
        self.targets.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

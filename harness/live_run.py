"""What one run shares across its scenarios against a given target: the scenario pool, the wait board,
the cleanup log and the end-of-run sweep.

Why pytest-free: how a live run overlaps its waits and cleans up after itself is the harness's
behaviour, not pytest's; the pytest glue only decides when to start, tick and close a :class:`LiveRun`.
"""

from __future__ import annotations

import threading

from harness.cleanup import CleanupReport, Sweeper
from harness.drivers.code42_admin import Code42Admin
from harness.drivers.scim_client import ScimClient
from harness.options import HarnessConfig
from harness.progress import WaitBoard
from harness.scenario import Scenario
from harness.scheduler import ConcurrentRuns
from harness.target import GivenTarget, Targets
from harness.verdict import Verdict
from simulators.common.http_recording import RecordingSession, Redactor

#: The cleanup log's name for the end-of-run sweep.
END_OF_RUN = "end of run"


class LiveRun:
    """``concurrency`` scenarios at a time against ``targets``; waits overlap, each scenario and the run
    as a whole clean up what carries the run prefix (the log is thread-safe)."""

    def __init__(self, config: HarnessConfig, targets: Targets) -> None:
        self.config = config
        self.targets = targets
        self.waits = WaitBoard()
        self.cleanups: list[tuple[str, str]] = []   # (scenario id or END_OF_RUN, summary)
        self._lock = threading.Lock()
        self.runs = ConcurrentRuns(targets, config.concurrency, waits=self.waits, on_cleanup=self.cleaned)

    @property
    def live(self) -> bool:
        return not self.targets.simulated

    def cleaned(self, scenario_id: str, summary: str) -> None:
        with self._lock:
            self.cleanups.append((scenario_id, summary))

    def submit(self, scenarios: list[Scenario]) -> None:
        for scenario in scenarios:
            self.runs.submit(scenario)

    def close(self, *, interrupted: bool = False) -> None:
        """Finish (or, after Ctrl-C, cancel) the pool; a live run then sweeps the whole prefix."""
        if interrupted:
            self.runs.cancel()
        else:
            self.runs.close()
        if self.live and isinstance(self.targets, GivenTarget):
            self.cleaned(END_OF_RUN, final_sweep(self.config, self.targets))


def final_sweep(config: HarnessConfig, targets: GivenTarget) -> str:
    """The end-of-run safety net: sweep the whole run prefix (catches what an interrupted step left).

    Returns the redacted summary line. Never raises: a sweep that fails is reported, it does not hide the
    run's outcome. Uses the run's current SCIM credentials (a scenario may have regenerated them).
    """
    prefix = config.run_prefix
    if targets.start_error is not None:
        category = Verdict.of(targets.start_error).category
        report = CleanupReport(prefix, failed=[f"skipped: no scenario ran ({category} at the start of the run)"])
    else:
        session = RecordingSession(secrets=targets.secrets, timeout=config.request_timeout)
        try:
            scim = ScimClient(config.scim_url, session, targets.scim_auth)
            admin = Code42Admin(config.code42_api_url, config.code42_client_id, config.code42_client_secret,
                                session, plan=targets.base_profile.get("plan")) \
                if "code42-admin" in targets.capabilities else None
            report = Sweeper(scim, admin).sweep(prefix)
        except Exception as exc:  # noqa: BLE001 - reported, never hides the run's outcome
            report = CleanupReport(prefix, failed=[f"{type(exc).__name__}: {exc}"])
        finally:
            session.close()
    return Redactor(targets.secrets).text(report.summary())

"""A plain :class:`~harness.record.ScenarioRecord` (and a known deviation) -> the pytest outcome.

Why a separate step: the record says what happened; the outcome also weighs the project's list of
known deviations, and each message starts with its category in brackets, which is what the Allure
categories (:data:`harness.report.allure.CATEGORIES`) match on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.deviations import Deviation
from harness.record import ScenarioRecord
from harness.report import allure as report
from harness.verdict import Status

#: The longest reason line the terminal shows; the report keeps the full text.
MAX_REASON = 200
#: user_properties (JUnit properties) of a scenario with expectations skipped alone: how many
#: expectations it reached, and one ``then[2] code42.user: <reason>`` entry per skipped expectation.
EXPECTATIONS = "expectations"
SKIPPED_EXPECTATION = "skipped_expectation"
_ELLIPSIS = " [...] "


class ScenarioOutcome(Exception):
    """Base of the exceptions a scenario item raises; printed without a traceback."""


class ScenarioFailed(AssertionError, ScenarioOutcome):
    """Allure status *failed*: the target deviates from the documented behaviour."""


class ScenarioBroken(ScenarioOutcome):
    """Allure status *broken*: unreachable target or harness error."""


class ExploreDisagreement(AssertionError, ScenarioOutcome):
    """The target and the reference disagree; the message is the shrunk program, printed as is."""


def short(text: str) -> str:
    """``text`` with every line over :data:`MAX_REASON` characters cut in the middle (the category in
    front and the observed value at the end stay readable)."""
    head, tail = 120, MAX_REASON - 120 - len(_ELLIPSIS)
    return "\n".join(line if len(line) <= MAX_REASON else line[:head] + _ELLIPSIS + line[-tail:]
                     for line in text.splitlines())


def partial_line(scenario_id: str, skipped: list[str], expectations: int) -> str:
    """``PARTIAL <id>: 2 of 5 expectations not checked: <reason>; <reason>``, within :data:`MAX_REASON`.

    ``skipped`` are ``ScenarioRecord.skipped_checks`` entries (``then[2] code42.user: <reason>``). Each
    distinct reason gets an equal share of the line, cut at its end, so every kind of reason stays
    visible; the report and the JUnit properties keep them whole.
    """
    head = f"PARTIAL {scenario_id}: {len(skipped)} of {expectations} expectations not checked: "
    reasons = list(dict.fromkeys(entry.partition(": ")[2] or entry for entry in skipped))
    share = max(40, (MAX_REASON - len(head)) // len(reasons) - 2)
    cut = [r if len(r) <= share else r[:share - len(_ELLIPSIS)].rstrip() + _ELLIPSIS.rstrip() for r in reasons]
    return short(head + "; ".join(cut))


def _terminal(text: str) -> str:
    """What the terminal shows; the full text goes into the report when it had to be cut."""
    shown = short(text)
    if shown != text:
        report.attach_text("verdict (full text)", text)
    return shown


def raise_outcome(record: ScenarioRecord, deviation: Deviation | None, source: Path | None) -> None:
    """Pass, or end the item as skipped, xfailed, failed or broken; ``source`` is the deviations file."""
    shown = _terminal
    if deviation is not None and deviation.expired():
        raise ScenarioFailed(shown(f"[known deviation expired] the entry for {record.scenario_id} ({deviation.ticket}) "
                                   f"expired on {deviation.expires.isoformat()}; fix the target or renew the entry in "
                                   f"{source}. Outcome: {record.status} {record.message}".rstrip()))
    if record.status == Status.SKIPPED:
        # Reported at the scenario file (as a skip marker is), not at this line of the glue.
        raise pytest.skip.Exception(shown(f"[{record.category}] {record.skip_reason}"), _use_item_location=True)
    if record.status == Status.PASSED:
        if deviation is not None:
            raise ScenarioFailed(f"[known deviation passes] {record.scenario_id} is listed in {source} "
                                 f"({deviation.ticket}) but now passes: remove the entry")
        return
    if deviation is not None:
        pytest.xfail(shown(f"[{deviation.describe()}] {record.message}"))
    if record.status == Status.FAILED:
        raise ScenarioFailed(shown(f"[{record.category}] {record.message}"))
    raise ScenarioBroken(shown(f"[{record.category}] {record.message}"))


class RunTally:
    """How the run's scenarios ended, counted from their reports (on the xdist controller too)."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}   # nodeid -> passed | failed | skipped
        self.partial: dict[str, str] = {}    # nodeid -> "PARTIAL <scenario id>: 2 of 5 expectations not checked: ..."

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A hook: the plugin registers the tally as a plugin object for the session. Reads only the
        report (its user_properties), which is what reaches the xdist controller."""
        properties = [(key, value) for key, value in report.user_properties]
        if report.when != "call" or not any(key == "scenario_id" for key, _ in properties):
            return
        self.outcomes[report.nodeid] = report.outcome
        skipped = [value for key, value in properties if key == SKIPPED_EXPECTATION]
        if report.outcome == "passed" and skipped:
            scenario_id = next(value for key, value in properties if key == "scenario_id")
            total = int(next(value for key, value in properties if key == EXPECTATIONS))
            self.partial[report.nodeid] = partial_line(scenario_id, skipped, total)

    def nothing_verified(self) -> str | None:
        """The message for a run whose scenarios were all skipped, or None."""
        if not self.outcomes or any(outcome != "skipped" for outcome in self.outcomes.values()):
            return None
        return (f"scimgate: NOTHING VERIFIED: all {len(self.outcomes)} scenarios were skipped (reasons above), so "
                "the run fails; pass --allow-unverified to accept a run that checks nothing")

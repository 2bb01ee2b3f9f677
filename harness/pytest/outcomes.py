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
from harness.verdict import Status


class ScenarioOutcome(Exception):
    """Base of the exceptions a scenario item raises; printed without a traceback."""


class ScenarioFailed(AssertionError, ScenarioOutcome):
    """Allure status *failed*: the target deviates from the documented behaviour."""


class ScenarioBroken(ScenarioOutcome):
    """Allure status *broken*: unreachable target or harness error."""


class ExploreDisagreement(AssertionError, ScenarioOutcome):
    """The target and the reference disagree; the message is the shrunk program, printed as is."""


def raise_outcome(record: ScenarioRecord, deviation: Deviation | None, source: Path | None) -> None:
    """Pass, or end the item as skipped, xfailed, failed or broken; ``source`` is the deviations file."""
    if deviation is not None and deviation.expired():
        raise ScenarioFailed(f"[known deviation expired] the entry for {record.scenario_id} in {source} expired on "
                             f"{deviation.expires.isoformat()} ({deviation.ticket}); fix the target or renew the entry. "
                             f"Outcome: {record.status} {record.message}".rstrip())
    if record.status == Status.SKIPPED:
        pytest.skip(f"[{record.category}] {record.skip_reason}")
    if record.status == Status.PASSED:
        if deviation is not None:
            raise ScenarioFailed(f"[known deviation passes] {record.scenario_id} is listed in {source} "
                                 f"({deviation.ticket}) but now passes: remove the entry")
        return
    if deviation is not None:
        pytest.xfail(f"[{deviation.describe()}] {record.message}")
    if record.status == Status.FAILED:
        raise ScenarioFailed(f"[{record.category}] {record.message}")
    raise ScenarioBroken(f"[{record.category}] {record.message}")

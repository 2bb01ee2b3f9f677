"""The nodes the plugin collects: a scenario file, its one scenario item, and the ``--explore`` item.

Each item runs the pytest-free core (:func:`harness.scenario_runner.run_scenario`, or the record the
live run's thread pool produced) and ends with :func:`harness.pytest.outcomes.raise_outcome`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.errors import ConfigError, ScenarioFormatError
from harness.pytest import stash
from harness.pytest.live import progress_ticker
from harness.pytest.outcomes import (
    EXPECTATIONS,
    SKIPPED_EXPECTATION,
    ExploreDisagreement,
    ScenarioOutcome,
    raise_outcome,
)
from harness.record import ScenarioRecord
from harness.report import allure as report
from harness.scenario import Scenario, load_scenario
from harness.scenario_runner import run_scenario
from harness.target import Targets


class ScenarioFile(pytest.File):
    """A scenario YAML file: validated on collection (a bad file is one collection error)."""

    def collect(self) -> Iterator[pytest.Item]:
        shown = self.nodeid  # relative to the suite's folder (harness.pytest.plugin.pytest_collect_file)
        try:
            scenario = load_scenario(self.path, display=shown)
        except ScenarioFormatError as exc:
            raise self.CollectError(str(exc)) from None
        seen = self.config.stash[stash.IDS]
        if scenario.id in seen and seen[scenario.id] != shown:
            raise self.CollectError(f"{shown}:{scenario.line}: id: {scenario.id!r} is already used by {seen[scenario.id]}")
        seen[scenario.id] = shown
        item = ScenarioItem.from_parent(self, name=scenario.id, callobj=_scenario_test(scenario), scenario=scenario)
        _mark(item, scenario)
        yield item


def _mark(item: pytest.Item, scenario: Scenario) -> None:
    """Tags and Allure labels as markers, so ``-m`` and --allure-features/-severities select scenarios."""
    item.add_marker(pytest.mark.scenario(scenario.id))
    for label in report.scenario_labels(scenario):
        item.add_marker(label)
    for tag in scenario.tags:
        item.config.addinivalue_line("markers", f"{tag}: scenario tag")
        item.add_marker(tag)


class ScenarioItem(pytest.Function):
    """One scenario, as a test function taking the session's targets."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def reportinfo(self):
        return self.path, self.scenario.line - 1, f"scenario {self.scenario.id}"

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioOutcome):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _scenario_test(scenario: Scenario) -> Callable[..., None]:
    def run_scenario_item(scimgate_targets: Targets, request: pytest.FixtureRequest) -> None:
        config = request.config
        report.describe_scenario(scenario)
        record = _record(scenario, scimgate_targets, request.node)
        report.describe_record(record, scenario)
        # user_properties become JUnit properties and travel to the xdist controller (the run's summary).
        properties = request.node.user_properties
        if record.cleanup:
            properties.append(("cleanup", record.cleanup))
        properties.append(("scenario_id", scenario.id))
        properties.append(("category", record.category or "passed"))
        if record.skipped_checks:
            properties.append((EXPECTATIONS, str(record.expectations)))
            properties += [(SKIPPED_EXPECTATION, entry) for entry in record.skipped_checks]
        harness = config.stash[stash.CONFIG]
        raise_outcome(record, config.stash[stash.DEVIATIONS].get(scenario.id), harness.known_deviations)

    run_scenario_item.__doc__ = scenario.title
    return run_scenario_item


def _record(scenario: Scenario, targets: Targets, item: pytest.Item) -> ScenarioRecord:
    """Run the scenario here, or pick up what the live run's thread pool recorded (replayed into Allure)."""
    config = item.config
    live = config.stash.get(stash.LIVE_RUN, None)
    observer = report.AllureObserver(skip=pytest.skip.Exception)
    if live is None:
        return run_scenario(scenario, targets, observer)
    outcome = live.runs.result(scenario, tick=progress_ticker(config, live, item),
                               every=config.stash[stash.CONFIG].progress_interval)
    observer.replay(outcome.steps)
    return outcome.record


class ExploreItem(pytest.Item):
    """One test result for a whole exploration (the pytest-free core is ``harness.explore``)."""

    def reportinfo(self):
        return "explore", None, "scimgate explore"

    def runtest(self) -> None:
        from harness.explore import explore

        harness = self.config.stash[stash.CONFIG]
        report.start_exploration()
        try:
            result = explore(harness, steps=harness.explore_steps, max_examples=harness.explore_examples,
                             seed=harness.explore_seed, faults=harness.mock_faults,
                             **harness.explore_shrink_budget)
        except ConfigError as exc:
            raise ExploreDisagreement(f"[harness error] {exc}") from None
        report.describe_exploration(result)
        if result.found:
            raise ExploreDisagreement(f"[product defect] {result.text()}")

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioOutcome):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

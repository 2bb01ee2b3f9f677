"""Everything scimgate writes into Allure: labels, steps, attachments, categories and run metadata.

Why one module: the engine and the scheduler produce plain records (no Allure), the pytest glue decides
*when* something is reported, and this module decides *how* it looks in Allure. It knows Allure, never
pytest; a different report backend would replace this file and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import platform
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import allure

from harness.record import ScenarioRecord
from harness.scenario import Scenario
from harness.scheduler import ObservedStep
from harness.verdict import Status, Verdict

EPIC = "Code42 SCIM provisioning from Azure AD"
#: The tag of a scenario that passed with expectations skipped alone (docs/verdicts.md).
PARTIAL_TAG = "partially verified"
SEED_URL = "https://scimgate.invalid/seeds/{seed}#{section}"

#: Allure categories; the plugin prefixes every message with its category in brackets. ``[\s\S]*``
#: rather than ``(?s).*``: Allure 2 (Java) full-matches these, Allure 3 compiles them as JavaScript
#: regular expressions, which have no inline ``(?s)`` flag (an "Invalid group" that aborts the report).
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Product defects", "matchedStatuses": ["failed"], "messageRegex": r"[\s\S]*\[product defect\][\s\S]*"},
    {"name": "Known deviations", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*\[known deviation[\s\S]*"},
    {"name": "Known deviation entries to act on", "matchedStatuses": ["failed"],
     "messageRegex": r"[\s\S]*\[known deviation (expired|passes)\][\s\S]*"},
    {"name": "Target unreachable", "matchedStatuses": ["broken"], "messageRegex": r"[\s\S]*\[target unreachable\][\s\S]*"},
    {"name": "Credentials rejected", "matchedStatuses": ["broken"],
     "messageRegex": r"[\s\S]*\[credentials rejected\][\s\S]*"},
    {"name": "Configuration errors", "matchedStatuses": ["broken"],
     "messageRegex": r"[\s\S]*\[configuration error\][\s\S]*"},
    {"name": "Harness errors", "matchedStatuses": ["broken"], "messageRegex": r"[\s\S]*\[harness error\][\s\S]*"},
    {"name": "Not verifiable", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*\[not verifiable\][\s\S]*"},
]


def scenario_labels(scenario: Scenario) -> list[Any]:
    """Allure labels for a scenario, as decorators the glue turns into item markers (so
    --allure-features/-severities select scenarios)."""
    doc = scenario.doc
    url = doc.get("url") or SEED_URL.format(seed=doc["seed"], section=doc["section"].replace(" ", "-"))
    # Suites: epic -> area -> the scenario (its title), so the tree never shows where scimgate is installed.
    labels = [allure.parent_suite(EPIC), allure.suite(scenario.area),
              allure.epic(EPIC), allure.feature(scenario.area), allure.story(scenario.title),
              allure.severity(scenario.severity), allure.id(scenario.id),
              allure.link(url, name=f"{doc['seed']} § {doc['section']}")]
    return labels + [allure.tag(tag) for tag in scenario.tags]


class _Broken(Exception):
    """Ends an Allure step as *broken* where the step's own exception would read otherwise (replay)."""


class _Failed(AssertionError):
    """Ends an Allure step as *failed* (allure-pytest marks an ``AssertionError`` failed)."""


class AllureObserver:
    """The runner's observer: each given/when/then step is an Allure step with its HTTP exchanges.

    A step's Allure status is its verdict's (:meth:`harness.verdict.Verdict.of`), so an expectation that
    could not be judged is *skipped* with its reason, never broken. allure-pytest derives a step's status
    from the exception it ends with and reports only pytest's skip exception as skipped; the pytest glue
    hands that class in as ``skip``, so this module never imports pytest.
    """

    def __init__(self, skip: type[BaseException]):
        self._skip = skip

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        context = allure.step(label)
        context.__enter__()
        try:
            yield
        except BaseException as exc:
            self._close(context, Verdict.of(exc).status, str(exc), exc)
            raise
        self._close(context, Status.PASSED, "")

    def skipped(self, label: str, reason: str) -> None:
        """An expectation that did not run: its own Allure step, status *skipped*, the reason as message."""
        context = allure.step(label)
        context.__enter__()
        self._close(context, Status.SKIPPED, reason)

    def attach(self, name: str, body: str, mime: str) -> None:
        kind = allure.attachment_type.JSON if mime == "application/json" else allure.attachment_type.TEXT
        allure.attach(body, name=name, attachment_type=kind)

    def replay(self, node: ObservedStep) -> None:
        """Report a step tree recorded on a worker thread into Allure, from the item's (main) thread."""
        for name, body, mime in node.attachments:
            self.attach(name, body, mime)
        for child in node.children:
            context = allure.step(child.label)
            context.__enter__()
            self.replay(child)
            self._close(context, Status(child.error or Status.PASSED), child.message)

    def _close(self, context: Any, status: Status, message: str, error: BaseException | None = None) -> None:
        """End the open Allure step ``context`` with ``status``: the step's own exception where allure-pytest
        reads it the same way (its traceback stays in the report), else one that it reads as ``status``."""
        if status is Status.PASSED:
            context.__exit__(None, None, None)
            return
        if status is Status.SKIPPED:
            shown: BaseException = self._skip(message)
        elif status is Status.FAILED:
            shown = error if isinstance(error, AssertionError) else _Failed(message)
        else:
            shown = error if error is not None and not isinstance(error, AssertionError) else _Broken(message)
        context.__exit__(type(shown), shown, shown.__traceback__ if shown is error else None)


def _description(scenario: Scenario) -> str:
    doc = scenario.doc
    quote = f"\n\n> {doc['quote']}" if doc.get("quote") else ""
    return scenario.description or f"{scenario.title}\n\nSource: {doc['seed']} § {doc['section']}{quote}"


def describe_scenario(scenario: Scenario) -> None:
    """Title, description (with the seed's quote) and the scenario's YAML, before it runs."""
    allure.dynamic.title(scenario.title)
    allure.dynamic.description(_description(scenario))
    allure.attach(scenario.source, name=f"scenario {scenario.path.name}", attachment_type=allure.attachment_type.YAML)


def describe_record(record: ScenarioRecord, scenario: Scenario) -> None:
    """The run's parameters and its timeline, after it ran; for a scenario that ran, what it could not check.

    A scenario that passed with expectations skipped alone also gets the tag :data:`PARTIAL_TAG`, so the
    report can be filtered for green results that were not fully checked.
    """
    allure.dynamic.parameter("profile", record.profile)
    allure.dynamic.parameter("target", record.target, excluded=True)
    if record.skipped_checks and record.status != Status.SKIPPED:
        listed = "\n".join(f"- {entry}" for entry in record.skipped_checks)
        headline = "Partially verified" if record.partially_verified else "Not fully checked"
        allure.dynamic.description(f"{_description(scenario)}\n\n**{headline}**: {len(record.skipped_checks)} of "
                                   f"{record.expectations} expectations were not checked:\n\n{listed}")
    if record.partially_verified:
        allure.dynamic.tag(PARTIAL_TAG)
    if record.timeline:
        allure.attach("\n".join(record.timeline), name="timeline", attachment_type=allure.attachment_type.TEXT)


def attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def describe_exploration(result: Any) -> None:
    """One Allure result for a whole exploration (``harness.explore.ExploreResult``)."""
    allure.dynamic.parameter("profile", result.profile)
    allure.dynamic.parameter("target", result.target, excluded=True)
    allure.attach(result.text(), name="exploration", attachment_type=allure.attachment_type.TEXT)
    if result.found:
        for side in ("target", "reference"):
            allure.attach(result.exchanges_text(side), name=f"exchanges: {side}",
                          attachment_type=allure.attachment_type.TEXT)


def start_exploration() -> None:
    allure.dynamic.title("Model-based exploration: target and reference agree after every step")
    allure.dynamic.epic(EPIC)
    allure.dynamic.feature("model-based exploration")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment_properties(config: Any) -> str:
    """``environment.properties`` (Allure "Metadata"): target, profile and versions. No secrets."""
    target = "mock Code42 (in-process, simulated time)" if config.simulated else config.scim_url
    props = {
        "target": target,
        "profile": config.profile,
        "run.prefix": config.run_prefix,
        "live": str(config.live).lower(),
        "allow.destructive": str(config.allow_destructive).lower(),
        "code42.admin.api": config.code42_api_url or ("in-process mock" if config.simulated else "not configured"),
        "scimgate": _version("scimgate"),
        "pytest": _version("pytest"),
        "allure-pytest": _version("allure-pytest"),
        "python": platform.python_version(),
    }
    return "".join(f"{k}={str(v).replace(chr(10), ' ')}\n" for k, v in props.items())


def write_run_metadata(results: Path, config: Any) -> None:
    """``environment.properties`` and ``categories.json`` next to the Allure results."""
    results.mkdir(parents=True, exist_ok=True)
    (results / "environment.properties").write_text(environment_properties(config), encoding="utf-8")
    (results / "categories.json").write_text(json.dumps(CATEGORIES, indent=2), encoding="utf-8")

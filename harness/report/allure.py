"""Everything scimgate writes into Allure: labels, steps, attachments, categories and run metadata.

Why one module: the engine and the scheduler produce plain records (no Allure), the pytest glue decides
*when* something is reported, and this module decides *how* it looks in Allure. It knows Allure, never
pytest; a different report backend would replace this file and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import allure

from harness.record import ScenarioRecord
from harness.scenario import Scenario
from harness.scheduler import ObservedStep

EPIC = "Code42 SCIM provisioning from Azure AD"
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
    {"name": "Harness errors", "matchedStatuses": ["broken"], "messageRegex": r"[\s\S]*\[harness error\][\s\S]*"},
    {"name": "Not verifiable", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*\[not verifiable\][\s\S]*"},
]


def scenario_labels(scenario: Scenario) -> list[Any]:
    """Allure labels for a scenario, as decorators the glue turns into item markers (so
    --allure-features/-severities select scenarios)."""
    doc = scenario.doc
    url = doc.get("url") or SEED_URL.format(seed=doc["seed"], section=doc["section"].replace(" ", "-"))
    labels = [allure.epic(EPIC), allure.feature(scenario.area), allure.story(scenario.title),
              allure.severity(scenario.severity), allure.id(scenario.id),
              allure.link(url, name=f"{doc['seed']} § {doc['section']}")]
    return labels + [allure.tag(tag) for tag in scenario.tags]


class AllureObserver:
    """The runner's observer: each given/when/then step is an Allure step with its HTTP exchanges."""

    def step(self, label: str) -> contextlib.AbstractContextManager[Any]:
        return allure.step(label)

    def attach(self, name: str, body: str, mime: str) -> None:
        kind = allure.attachment_type.JSON if mime == "application/json" else allure.attachment_type.TEXT
        allure.attach(body, name=name, attachment_type=kind)


class _Replayed(Exception):
    """Re-raised inside a replayed Allure step so allure-pytest marks it broken."""


class _ReplayedFailure(AssertionError):
    """Re-raised inside a replayed Allure step so allure-pytest marks it failed."""


def replay(node: ObservedStep) -> None:
    """Report a step tree recorded on a worker thread into Allure, from the item's (main) thread."""
    for name, body, mime in node.attachments:
        AllureObserver().attach(name, body, mime)
    for child in node.children:
        try:
            with allure.step(child.label):
                replay(child)
                if child.error == "failed":
                    raise _ReplayedFailure(child.message)
                if child.error:
                    raise _Replayed(child.message)
        except (_Replayed, _ReplayedFailure):
            pass


def describe_scenario(scenario: Scenario) -> None:
    """Title, description (with the seed's quote) and the scenario's YAML, before it runs."""
    doc = scenario.doc
    quote = f"\n\n> {doc['quote']}" if doc.get("quote") else ""
    allure.dynamic.title(scenario.title)
    allure.dynamic.description(scenario.description
                               or f"{scenario.title}\n\nSource: {doc['seed']} § {doc['section']}{quote}")
    allure.attach(scenario.source, name=f"scenario {scenario.path.name}", attachment_type=allure.attachment_type.YAML)


def describe_record(record: ScenarioRecord) -> None:
    """The run's parameters and its timeline, after it ran."""
    allure.dynamic.parameter("profile", record.profile)
    allure.dynamic.parameter("target", record.target, excluded=True)
    if record.timeline:
        allure.attach("\n".join(record.timeline), name="timeline", attachment_type=allure.attachment_type.TEXT)


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

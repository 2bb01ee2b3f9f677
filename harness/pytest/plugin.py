"""The pytest plugin (entry point ``pytest11: scimgate``): options, configuration and collection hooks.

Thin glue over the pytest-free core: options come from the one table in :mod:`harness.options`,
scenario files become items (:mod:`harness.pytest.items`), concurrent and live runs go through
:mod:`harness.pytest.live`, and Allure rendering is :mod:`harness.report.allure`. So ``-k``, ``-m``,
``--junitxml``, ``--alluredir`` and ``-n auto`` all work on scenarios as on any test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.deviations import load_deviations
from harness.errors import ConfigError
from harness.options import OPTIONS, HarnessConfig, Option, resolve
from harness.pytest import stash
from harness.pytest.items import ExploreItem, ScenarioFile
from harness.pytest.live import session_targets
from harness.report.allure import write_run_metadata
from harness.scenario import is_scenario_file
from harness.target import Targets
from simulators.common.bundled import data_dir

#: The run loop for concurrent and live runs is its own plugin module, registered with this one.
pytest_plugins = ["harness.pytest.live"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scimgate", "scimgate: SCIM conformance scenarios")
    for option in OPTIONS:
        if option.kind == "bool":
            group.addoption(option.flag, dest=option.dest, action="store_true", default=None, help=option.help)
            parser.addini(option.ini, option.help, type="bool", default=None)
        elif option.kind == "paths":
            group.addoption(option.flag, dest=option.dest, action="append", default=None, help=option.help)
            parser.addini(option.ini, option.help, type="paths", default=[])
        else:
            group.addoption(option.flag, dest=option.dest, default=None, metavar=option.metavar, help=option.help)
            if option.secret:
                continue  # secrets never in ini files: CLI or environment only
            parser.addini(option.ini, option.help, default=None)


def _harness_config(config: pytest.Config) -> HarnessConfig:
    def cli(option: Option) -> Any:
        return config.getoption(option.dest)

    def ini(option: Option) -> Any:
        if option.secret:
            return None
        value = config.getini(option.ini)
        return value or None

    return HarnessConfig.from_values(resolve(cli, ini))


def pytest_configure(config: pytest.Config) -> None:
    try:
        harness = _harness_config(config)
        deviations = load_deviations(harness.known_deviations) if harness.known_deviations else {}
    except ConfigError as exc:
        raise pytest.UsageError(f"scimgate: {exc}") from None
    config.stash[stash.CONFIG] = harness
    config.stash[stash.DEVIATIONS] = deviations
    config.stash[stash.IDS] = {}
    explicit = bool(harness.scenarios)
    roots = [p.resolve() for p in harness.scenarios] if explicit else [data_dir("scenarios").resolve()]
    config.stash[stash.ROOTS] = roots
    config.addinivalue_line("markers", "scenario(id): a scimgate scenario collected from YAML")
    # A bare `pytest` (args from the project's testpaths) also runs the scenario suite, and --scenarios
    # always adds its paths. Explicit paths, and runs with neither (e.g. other plugins' pytester runs
    # from a scratch folder), are left alone.
    if explicit or config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        given = [Path(a.split("::")[0]).resolve() for a in config.args]
        for root in roots:
            if not any(root == g or g in root.parents for g in given):
                config.args.append(str(root))


def pytest_report_header(config: pytest.Config) -> list[str]:
    harness = config.stash.get(stash.CONFIG, None)
    if harness is None:
        return []
    target = "in-process mock Code42 (simulation)" if harness.simulated else f"{harness.scim_url} (live)"
    return [f"scimgate: target {target}, profile {harness.profile}, run prefix {harness.run_prefix}"]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    roots = parent.config.stash.get(stash.ROOTS, [])
    if is_scenario_file(file_path, roots):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    harness = config.stash.get(stash.CONFIG, None)
    if harness is not None and harness.explore_steps is not None:
        items.append(ExploreItem.from_parent(session, name="explore", nodeid="scimgate::explore"))


@pytest.fixture(scope="session")
def scimgate_targets(pytestconfig: pytest.Config) -> Targets:
    """The target factory for this session (each xdist worker has its own, with its own mocks)."""
    return session_targets(pytestconfig)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write environment.properties and categories.json next to the Allure results (controller only)."""
    config = session.config
    alluredir = getattr(config.option, "allure_report_dir", None)
    if not alluredir or hasattr(config, "workerinput") or stash.CONFIG not in config.stash:
        return
    write_run_metadata(Path(alluredir), config.stash[stash.CONFIG])

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
from harness.pytest.outcomes import RunTally
from harness.report.allure import write_run_metadata
from harness.report.junit import mark_broken_as_errors
from harness.scenario import is_scenario_file
from harness.target import GivenTarget, Targets
from harness.verdict import BROKEN_CATEGORIES
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
    config.stash[stash.TALLY] = RunTally()
    config.pluginmanager.register(config.stash[stash.TALLY], "scimgate-tally")
    config.stash[stash.NOTICES] = []
    explicit = bool(harness.scenarios)
    if explicit:
        roots = [p.resolve() for p in harness.scenarios]
    else:
        roots = [data_dir("scenarios").resolve()] if _asks_for_the_suite(config, harness) else []
    config.stash[stash.ROOTS] = roots
    config.addinivalue_line("markers", "scenario(id): a scimgate scenario collected from YAML")
    _add_roots(config, roots, explicit)


def _asks_for_the_suite(config: pytest.Config, harness: HarnessConfig) -> bool:
    """The bundled suite is collected only when asked: ``--bundled-scenarios`` (flag, ini key or
    environment), or a target named on the command line or in the ini file (a live run). Installing
    scimgate never adds tests to another project's run."""
    named = config.getoption("scimgate_scim_url") or config.getini("scim_url")
    return harness.bundled_scenarios or bool(named)


def _add_roots(config: pytest.Config, roots: list[Path], explicit: bool) -> None:
    """Make sure the run collects ``roots``.

    A run started with no paths and no ``testpaths`` (``pytest --scim-url ... --live`` from any folder)
    collects the suite instead of the folder it was started in. A run from ``testpaths`` (this repo's
    bare ``pytest``) and any run with ``--scenarios`` add the roots they do not already cover. Paths given
    on the command line are left alone.
    """
    if not roots:
        return
    source = config.args_source
    if source == pytest.Config.ArgsSource.INVOCATION_DIR and not explicit:
        config.args[:] = [str(root) for root in roots]
    elif explicit or source == pytest.Config.ArgsSource.TESTPATHS:
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
    if not is_scenario_file(file_path, roots):
        return None
    # Shown relative to the suite (``legal_hold/x.yaml``) wherever it is installed: never ../../site-packages,
    # and short enough that pytest's progress column stays on the line. With several roots, each is named.
    resolved = file_path.resolve()
    root = next(r for r in roots if r == resolved or r in resolved.parents)
    shown = resolved.relative_to(root).as_posix() if root != resolved else resolved.name
    if len(roots) > 1:
        shown = f"{root.name}/{shown}"
    return ScenarioFile.from_parent(parent, path=file_path, nodeid=shown)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    harness = config.stash.get(stash.CONFIG, None)
    if harness is not None and harness.explore_steps is not None:
        items.append(ExploreItem.from_parent(session, name="explore", nodeid="scimgate::explore"))


@pytest.fixture(scope="session")
def scimgate_targets(pytestconfig: pytest.Config) -> Targets:
    """The target factory for this session (each xdist worker has its own, with its own mocks)."""
    return session_targets(pytestconfig)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's own verdicts (controller only): a run that verified nothing fails, a tenant whose token
    a scenario regenerated is named once; then Allure metadata next to the results."""
    config = session.config
    if hasattr(config, "workerinput") or stash.CONFIG not in config.stash:
        return
    harness = config.stash[stash.CONFIG]
    notices = config.stash[stash.NOTICES]
    empty = config.stash[stash.TALLY].nothing_verified()
    if empty and not harness.allow_unverified and session.exitstatus == pytest.ExitCode.OK:
        notices.append(empty)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    targets = config.stash.get(stash.TARGETS, None)
    if isinstance(targets, GivenTarget) and targets.credentials_changed:
        notices.append("scimgate: the tenant's SCIM token changed during this run (a scenario regenerated the "
                       "provider's credentials); the rest of the run used the new one. The token you configured no "
                       "longer works: copy the new one from the Code42 console before the next run")
    alluredir = getattr(config.option, "allure_report_dir", None)
    if alluredir:
        write_run_metadata(Path(alluredir), harness)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """JUnit: a broken scenario is an ``<error>`` (pytest wrote the file when the session finished)."""
    xmlpath = getattr(config.option, "xmlpath", None)
    if xmlpath and not hasattr(config, "workerinput") and Path(xmlpath).is_file():
        mark_broken_as_errors(Path(xmlpath), BROKEN_CATEGORIES)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Passed scenarios that were not fully checked (like pytest's short summary), then run-level notices."""
    tally = config.stash.get(stash.TALLY, None)
    if tally is not None and tally.partial:
        terminalreporter.write_sep("-", f"scimgate: {len(tally.partial)} passed scenario(s) only partially verified",
                                   yellow=True)
        for line in tally.partial.values():
            terminalreporter.write_line(line)
    for line in config.stash.get(stash.NOTICES, []):
        terminalreporter.write_line(line, red=True, bold=True)

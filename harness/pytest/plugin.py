"""The pytest plugin (entry point ``pytest11: scimgate``): scenario YAML files become test items.

Only this module imports pytest (and, with ``report.py``, Allure). It turns options into a
:class:`~harness.options.HarnessConfig`, collects scenario files as ``pytest.Function`` items (so
``-k``, ``-m``, ``--junitxml``, ``--alluredir`` and ``-n auto`` all work), runs each through the
pytest-free engine and maps the :class:`~harness.record.ScenarioRecord` onto pytest outcomes and
Allure labels, steps and attachments.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import allure
import pytest

from harness.deviations import Deviation, load_deviations
from harness.errors import ConfigError, ScenarioFormatError
from harness.options import OPTIONS, HarnessConfig, resolve
from harness.progress import WaitBoard
from harness.record import BROKEN, FAILED, PASSED, SKIPPED, ScenarioRecord
from harness.report.html import CATEGORIES, environment_properties
from harness.scenario import Scenario, is_scenario_file, load_scenario
from harness.scenario_runner import run_scenario
from harness.scheduler import ConcurrentRuns, ObservedStep
from harness.target import GivenTarget, make_targets
from simulators.common.bundled import data_dir

CONFIG_KEY = pytest.StashKey[HarnessConfig]()
ROOTS_KEY = pytest.StashKey[list]()
IDS_KEY = pytest.StashKey[dict]()
DEVIATIONS_KEY = pytest.StashKey[dict]()
TARGETS_KEY = pytest.StashKey[Any]()
RUNS_KEY = pytest.StashKey[ConcurrentRuns]()
SESSION_KEY = pytest.StashKey["LiveSession"]()
EPIC = "Code42 SCIM provisioning from Azure AD"
SEED_URL = "https://scimgate.invalid/seeds/{seed}#{section}"


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
            group.addoption(option.flag, dest=option.dest, default=None, help=option.help)
            if option.secret:
                continue  # secrets never in ini files: CLI or environment only
            parser.addini(option.ini, option.help, default=None)
    group.addoption("--mock-faults", dest="scimgate_mock_faults", default=None,
                    help="comma-separated fault names for the in-process mock Code42 (see `scimgate faults`)")
    group.addoption("--explore", dest="scimgate_explore", type=int, default=None, metavar="STEPS",
                    help="add one `explore` item: random programs of up to STEPS operations against the target and "
                         "a fault-free reference mock (docs/explore.md)")
    group.addoption("--explore-examples", dest="scimgate_explore_examples", type=int, default=25)
    group.addoption("--explore-seed", dest="scimgate_explore_seed", type=int, default=None)
    group.addoption("--explore-shrink-seconds", dest="scimgate_explore_shrink", type=float, default=30.0)


def _harness_config(config: pytest.Config) -> HarnessConfig:
    def cli(option: Any) -> Any:
        return config.getoption(option.dest)

    def ini(option: Any) -> Any:
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
    config.stash[CONFIG_KEY] = harness
    config.stash[DEVIATIONS_KEY] = deviations
    config.stash[IDS_KEY] = {}
    explicit = bool(harness.scenarios)
    roots = [p.resolve() for p in harness.scenarios] if explicit else [data_dir("scenarios").resolve()]
    config.stash[ROOTS_KEY] = roots
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
    harness = config.stash.get(CONFIG_KEY, None)
    if harness is None:
        return []
    target = "in-process mock Code42 (simulation)" if harness.simulated else f"{harness.scim_url} (live)"
    return [f"scimgate: target {target}, profile {harness.profile}, run prefix {harness.run_prefix}"]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    roots = parent.config.stash.get(ROOTS_KEY, [])
    if is_scenario_file(file_path, roots):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        display = self.config.invocation_params.dir
        try:
            shown = str(self.path.relative_to(display))
        except ValueError:
            shown = str(self.path)
        try:
            scenario = load_scenario(self.path, display=shown)
        except ScenarioFormatError as exc:
            raise self.CollectError(str(exc)) from None
        seen = self.config.stash[IDS_KEY]
        if scenario.id in seen and seen[scenario.id] != shown:
            raise self.CollectError(f"{shown}:{scenario.line}: id: {scenario.id!r} is already used by {seen[scenario.id]}")
        seen[scenario.id] = shown
        item = ScenarioItem.from_parent(self, name=scenario.id, callobj=_make_runner(scenario), scenario=scenario)
        _label(item, scenario)
        yield item


def _label(item: pytest.Item, scenario: Scenario) -> None:
    """Allure labels as markers, so --allure-features/-severities and -m select scenarios."""
    item.add_marker(pytest.mark.scenario(scenario.id))
    item.add_marker(allure.epic(EPIC))
    item.add_marker(allure.feature(scenario.area))
    item.add_marker(allure.story(scenario.title))
    item.add_marker(allure.severity(scenario.severity))
    item.add_marker(allure.id(scenario.id))
    doc = scenario.doc
    url = doc.get("url") or SEED_URL.format(seed=doc["seed"], section=doc["section"].replace(" ", "-"))
    item.add_marker(allure.link(url, name=f"{doc['seed']} § {doc['section']}"))
    for tag in scenario.tags:
        item.config.addinivalue_line("markers", f"{tag}: scenario tag")
        item.add_marker(tag)
        item.add_marker(allure.tag(tag))


class ScenarioOutcome(Exception):
    """Base of the exceptions a scenario item raises; printed without a traceback."""


class ScenarioFailed(AssertionError, ScenarioOutcome):
    """Allure status *failed*: the target deviates from the documented behaviour."""


class ScenarioBroken(ScenarioOutcome):
    """Allure status *broken*: unreachable target or harness error."""


class ScenarioItem(pytest.Function):
    def __init__(self, *, scenario: Scenario, **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def reportinfo(self):
        return self.path, self.scenario.line - 1, f"scenario {self.scenario.id}"

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioOutcome):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class AllureObserver:
    """The engine's observer: each given/when/then step is an Allure step with its HTTP exchanges."""

    def step(self, label: str):
        return allure.step(label)

    def attach(self, name: str, body: str, mime: str) -> None:
        kind = allure.attachment_type.JSON if mime == "application/json" else allure.attachment_type.TEXT
        allure.attach(body, name=name, attachment_type=kind)


class LiveSession:
    """What a run shares across scenarios: the wait board, and the cleanup log (thread-safe)."""

    def __init__(self) -> None:
        self.waits = WaitBoard()
        self.cleanups: list[tuple[str, str]] = []   # (scenario id or "end of run", summary)
        self._lock = threading.Lock()

    def cleaned(self, scenario_id: str, summary: str) -> None:
        with self._lock:
            self.cleanups.append((scenario_id, summary))


def _targets(config: pytest.Config) -> Any:
    """The target factory for this session, created once (it probes a given target once)."""
    if TARGETS_KEY not in config.stash:
        faults = [f for f in (config.getoption("scimgate_mock_faults") or "").split(",") if f.strip()]
        try:
            config.stash[TARGETS_KEY] = make_targets(config.stash[CONFIG_KEY], faults)
        except ConfigError as exc:
            raise pytest.UsageError(f"scimgate: {exc}") from None
    return config.stash[TARGETS_KEY]


@pytest.fixture(scope="session")
def scimgate_targets(pytestconfig: pytest.Config) -> Any:
    """The target factory for this session (each xdist worker has its own, with its own mocks)."""
    return _targets(pytestconfig)


def _terminal(config: pytest.Config) -> Any:
    return config.pluginmanager.get_plugin("terminalreporter")


def _uses_xdist(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput") or config.pluginmanager.has_plugin("dsession")


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    """Live targets and ``--concurrency N``: run scenarios in a thread pool so waits overlap; clean up
    whatever carries the run prefix at the end, also after a failure or Ctrl-C."""
    config = session.config
    harness = config.stash.get(CONFIG_KEY, None)
    items = [i for i in session.items if isinstance(i, ScenarioItem)]
    if harness is None or config.option.collectonly or _uses_xdist(config) or (harness.simulated and not items):
        return (yield)
    # A live run with nothing selected (``-k nothing``) still sweeps its prefix: how leftovers of a
    # killed run are cleaned (docs/live-tenant.md).
    targets = _targets(config)
    live = not targets.simulated
    tr = _terminal(config)
    if targets.unreachable and tr is not None:
        tr.write_line(f"scimgate: TARGET UNREACHABLE at the start of the run: {targets.unreachable}", red=True, bold=True)
        tr.write_line(f"scimgate: each of the {len(items)} scenarios will be reported once as broken "
                      "[target unreachable]", red=True)
    if not live and harness.concurrency <= 1:
        return (yield)
    if not live and isinstance(targets, GivenTarget):
        raise pytest.UsageError(f"scimgate: --concurrency {harness.concurrency} against {harness.scim_url}: a shared "
                                "simulated target is reset before every scenario, so its scenarios must run one at a time")
    live_session = config.stash.setdefault(SESSION_KEY, LiveSession())
    runs = ConcurrentRuns(targets, harness.concurrency, waits=live_session.waits, on_cleanup=live_session.cleaned)
    config.stash[RUNS_KEY] = runs
    if tr is not None:
        tr.write_line(f"scimgate: {len(items)} scenarios, {harness.concurrency} at a time"
                      + (" (live: waits are real and overlap)" if live else ""))
    for item in items:
        runs.submit(item.scenario)
    interrupted = False
    try:
        return (yield)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if interrupted and tr is not None:
            tr.write_line("scimgate: interrupted: waking waiting scenarios so each cleans up ...", yellow=True)
        runs.cancel() if interrupted else runs.close()
        if live:
            _final_sweep(config, targets, live_session)


def _final_sweep(config: pytest.Config, targets: Any, live_session: LiveSession) -> None:
    """The end-of-run safety net: sweep the whole run prefix (catches what an interrupted step left)."""
    from harness.cleanup import CleanupReport, Sweeper
    from harness.drivers.code42_admin import Code42Admin
    from harness.drivers.scim_client import ScimAuth, ScimClient
    from simulators.common.http_recording import RecordingSession, Redactor

    harness = config.stash[CONFIG_KEY]
    prefix = harness.run_prefix
    if targets.unreachable:
        report = CleanupReport(prefix, failed=["skipped: the target was unreachable at the start of the run"])
    else:
        session = RecordingSession(secrets=harness.secrets, timeout=harness.request_timeout)
        try:
            scim = ScimClient(harness.scim_url, session, ScimAuth(harness.scim_token, harness.scim_basic))
            admin = Code42Admin(harness.code42_api_url, harness.code42_client_id, harness.code42_client_secret,
                                session) if "code42-admin" in targets.capabilities else None
            report = Sweeper(scim, admin).sweep(prefix)
        except Exception as exc:  # noqa: BLE001 - reported, never hides the run's outcome
            report = CleanupReport(prefix, failed=[f"{type(exc).__name__}: {exc}"])
        finally:
            session.close()
    live_session.cleaned("end of run", Redactor(harness.secrets).text(report.summary()))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """List what the live cleanup touched: per scenario, then the end-of-run sweep."""
    live_session = config.stash.get(SESSION_KEY, None)
    if live_session is None or not live_session.cleanups:
        return
    terminalreporter.section("scimgate cleanup")
    for scenario_id, summary in live_session.cleanups:
        terminalreporter.write_line(f"{scenario_id}: {summary}")


class _Replayed(Exception):
    """Re-raised inside a replayed Allure step so allure-pytest marks it broken."""


class _ReplayedFailure(AssertionError):
    """Re-raised inside a replayed Allure step so allure-pytest marks it failed."""


def _replay(node: ObservedStep) -> None:
    """Report a step tree recorded on a worker thread into Allure, from the item's (main) thread."""
    for name, body, mime in node.attachments:
        AllureObserver().attach(name, body, mime)
    for child in node.children:
        try:
            with allure.step(child.label):
                _replay(child)
                if child.error == "failed":
                    raise _ReplayedFailure(child.message)
                if child.error:
                    raise _Replayed(child.message)
        except (_Replayed, _ReplayedFailure):
            pass


def _progress(config: pytest.Config, runs: ConcurrentRuns) -> Any:
    tr = _terminal(config)

    capture = config.pluginmanager.get_plugin("capturemanager")

    def tick() -> None:
        lines = runs.waits.lines()
        if tr is None or not lines:
            return
        # Progress goes to the terminal, not into the item's captured output.
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            tr.write_line("")
            tr.write_line(f"scimgate: {len(lines)} scenario(s) waiting on the target's clock "
                          f"(concurrency {runs.workers}):")
            for line in lines:
                tr.write_line(line)
    return tick


def _make_runner(scenario: Scenario):
    def run_scenario_item(scimgate_targets: Any, request: pytest.FixtureRequest) -> None:
        allure.dynamic.title(scenario.title)
        allure.dynamic.description(scenario.description or f"{scenario.title}\n\nSource: {scenario.doc['seed']} "
                                   f"§ {scenario.doc['section']}" + (f"\n\n> {scenario.doc['quote']}"
                                                                      if scenario.doc.get("quote") else ""))
        allure.attach(scenario.source, name=f"scenario {scenario.path.name}", attachment_type=allure.attachment_type.YAML)
        runs = request.config.stash.get(RUNS_KEY, None)
        if runs is not None:
            outcome = runs.result(scenario, tick=_progress(request.config, runs),
                                  every=request.config.stash[CONFIG_KEY].progress_interval)
            record = outcome.record
            _replay(outcome.steps)
        else:
            record = run_scenario(scenario, scimgate_targets, AllureObserver())
        allure.dynamic.parameter("profile", record.profile)
        allure.dynamic.parameter("target", record.target, excluded=True)
        if record.timeline:
            allure.attach("\n".join(record.timeline), name="timeline", attachment_type=allure.attachment_type.TEXT)
        if record.cleanup:
            request.node.user_properties.append(("cleanup", record.cleanup))
        request.node.user_properties.append(("scenario_id", scenario.id))
        request.node.user_properties.append(("category", record.category or "passed"))
        _verdict(record, request.config.stash[DEVIATIONS_KEY].get(scenario.id), request.config)

    run_scenario_item.__doc__ = scenario.title
    return run_scenario_item


def _verdict(record: ScenarioRecord, deviation: Deviation | None, config: pytest.Config) -> None:
    source = config.stash[CONFIG_KEY].known_deviations
    if deviation is not None and deviation.expired():
        raise ScenarioFailed(f"[known deviation expired] the entry for {record.scenario_id} in {source} expired on "
                             f"{deviation.expires.isoformat()} ({deviation.ticket}); fix the target or renew the entry. "
                             f"Outcome: {record.status} {record.message}".rstrip())
    if record.status == SKIPPED:
        pytest.skip(f"[not verifiable] {record.skip_reason}")
    if record.status == PASSED:
        if deviation is not None:
            raise ScenarioFailed(f"[known deviation passes] {record.scenario_id} is listed in {source} "
                                 f"({deviation.ticket}) but now passes: remove the entry")
        return
    if deviation is not None:
        pytest.xfail(f"[{deviation.describe()}] {record.message}")
    if record.status == FAILED:
        raise ScenarioFailed(f"[product defect] {record.message}")
    if record.status == BROKEN:
        raise ScenarioBroken(f"[{record.category}] {record.message}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write environment.properties and categories.json next to the Allure results (controller only)."""
    config = session.config
    alluredir = getattr(config.option, "allure_report_dir", None)
    if not alluredir or hasattr(config, "workerinput") or CONFIG_KEY not in config.stash:
        return
    out = Path(alluredir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "environment.properties").write_text(environment_properties(config.stash[CONFIG_KEY]), encoding="utf-8")
    (out / "categories.json").write_text(json.dumps(CATEGORIES, indent=2), encoding="utf-8")


# ---------------------------------------------------------------------- model-based exploration (--explore)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("scimgate_explore", None) is not None and CONFIG_KEY in config.stash:
        items.append(ExploreItem.from_parent(session, name="explore", nodeid="scimgate::explore"))


class ExploreDisagreement(AssertionError):
    """The target and the reference disagree; the message is the shrunk program, printed as is."""


class ExploreItem(pytest.Item):
    """One test result for a whole exploration (the pytest-free core is ``harness.explore``)."""

    def reportinfo(self):
        return "explore", None, "scimgate explore"

    def runtest(self) -> None:
        from harness.explore import explore

        config = self.config
        faults = [f for f in (config.getoption("scimgate_mock_faults") or "").split(",") if f.strip()]
        allure.dynamic.title("Model-based exploration: target and reference agree after every step")
        allure.dynamic.epic(EPIC)
        allure.dynamic.feature("model-based exploration")
        try:
            result = explore(config.stash[CONFIG_KEY], steps=config.getoption("scimgate_explore"),
                             max_examples=config.getoption("scimgate_explore_examples"),
                             seed=config.getoption("scimgate_explore_seed"), faults=faults,
                             shrink_seconds=config.getoption("scimgate_explore_shrink"))
        except ConfigError as exc:
            raise ExploreDisagreement(f"[harness error] {exc}") from None
        allure.dynamic.parameter("profile", result.profile)
        allure.dynamic.parameter("target", result.target, excluded=True)
        allure.attach(result.text(), name="exploration", attachment_type=allure.attachment_type.TEXT)
        if result.found:
            for side in ("target", "reference"):
                allure.attach(result.exchanges_text(side), name=f"exchanges: {side}",
                              attachment_type=allure.attachment_type.TEXT)
            raise ExploreDisagreement(f"[product defect] {result.text()}")

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, ExploreDisagreement):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

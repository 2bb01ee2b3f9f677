"""The run loop for live targets and ``--concurrency N``: a :class:`~harness.live_run.LiveRun` around
pytest's own loop, progress lines while live scenarios wait, and the cleanup summary at the end.

Registered by :mod:`harness.pytest.plugin` (``pytest_plugins``). The pool, the waits and the sweeps
are pytest-free (:mod:`harness.live_run`); this module only ties them to the session and the terminal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from harness.errors import ConfigError
from harness.live_run import LiveRun
from harness.pytest import stash
from harness.target import GivenTarget, Targets, make_targets


def session_targets(config: pytest.Config) -> Targets:
    """The target factory for this session, created once (it probes a given target once)."""
    if stash.TARGETS not in config.stash:
        harness = config.stash[stash.CONFIG]
        try:
            config.stash[stash.TARGETS] = make_targets(harness, harness.mock_faults)
        except ConfigError as exc:
            raise pytest.UsageError(f"scimgate: {exc}") from None
    return config.stash[stash.TARGETS]


def _terminal(config: pytest.Config) -> Any:
    return config.pluginmanager.get_plugin("terminalreporter")


def _uses_xdist(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput") or config.pluginmanager.has_plugin("dsession")


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    """Live targets and ``--concurrency N``: run scenarios in a thread pool so waits overlap; clean up
    whatever carries the run prefix at the end, also after a failure or Ctrl-C."""
    from harness.pytest.items import ScenarioItem

    config = session.config
    harness = config.stash.get(stash.CONFIG, None)
    items = [i for i in session.items if isinstance(i, ScenarioItem)]
    if harness is None or config.option.collectonly or _uses_xdist(config) or (harness.simulated and not items):
        return (yield)
    # A live run with nothing selected (``-k nothing``) still sweeps its prefix: how leftovers of a
    # killed run are cleaned (docs/live-tenant.md).
    targets = session_targets(config)
    tr = _terminal(config)
    if targets.unreachable and tr is not None:
        tr.write_line(f"scimgate: TARGET UNREACHABLE at the start of the run: {targets.unreachable}", red=True, bold=True)
        tr.write_line(f"scimgate: each of the {len(items)} scenarios will be reported once as broken "
                      "[target unreachable]", red=True)
    if targets.simulated and harness.concurrency <= 1:
        return (yield)
    if targets.simulated and isinstance(targets, GivenTarget):
        raise pytest.UsageError(f"scimgate: --concurrency {harness.concurrency} against {harness.scim_url}: a shared "
                                "simulated target is reset before every scenario, so its scenarios must run one at a time")
    live = config.stash[stash.LIVE_RUN] = LiveRun(harness, targets)
    if tr is not None:
        tr.write_line(f"scimgate: {len(items)} scenarios, {harness.concurrency} at a time"
                      + (" (live: waits are real and overlap)" if live.live else ""))
    live.submit([item.scenario for item in items])
    interrupted = False
    try:
        return (yield)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if interrupted and tr is not None:
            tr.write_line("scimgate: interrupted: waking waiting scenarios so each cleans up ...", yellow=True)
        live.close(interrupted=interrupted)


def progress_ticker(config: pytest.Config, live: LiveRun) -> Callable[[], None]:
    """What to print while an item waits for its scenario: the scenarios waiting on the target's clock."""
    tr = _terminal(config)
    capture = config.pluginmanager.get_plugin("capturemanager")

    def tick() -> None:
        lines = live.waits.lines()
        if tr is None or not lines:
            return
        # Progress goes to the terminal, not into the item's captured output.
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            tr.write_line("")
            tr.write_line(f"scimgate: {len(lines)} scenario(s) waiting on the target's clock "
                          f"(concurrency {live.runs.workers}):")
            for line in lines:
                tr.write_line(line)
    return tick


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List what the live cleanup touched: per scenario, then the end-of-run sweep."""
    live = config.stash.get(stash.LIVE_RUN, None)
    if live is None or not live.cleanups:
        return
    terminalreporter.section("scimgate cleanup")
    for scenario_id, summary in live.cleanups:
        terminalreporter.write_line(f"{scenario_id}: {summary}")

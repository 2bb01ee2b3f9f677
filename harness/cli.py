"""The ``scimgate`` command: run the suite and render the report, list scenarios, serve the simulators.

Why a CLI next to the plugin: an implementer gating CI wants one command that runs every scenario
against a target and leaves an HTML report; ``scimgate run`` is ``pytest`` with the right flags plus
``scimgate report``. ``serve`` and ``faults`` delegate to the simulators' own modules.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, ScenarioFormatError
from harness.options import EXPLORE, MOCK, OPTIONS, TARGET, Option

SERVERS = {"code42": "simulators.code42.serve", "azure-ad": "simulators.azure_ad.serve"}


_TYPES: dict[str, Any] = {"int": int, "float": float}


def _add_harness_options(parser: argparse.ArgumentParser, groups: tuple[str, ...] = (TARGET, MOCK)) -> None:
    """The rows of :data:`harness.options.OPTIONS` in ``groups`` as flags (``--steps`` style in explore)."""
    group = parser.add_argument_group("target (same as the pytest options; secrets also from the environment)")
    for option in (o for o in OPTIONS if o.group in groups):
        flag = option.short if option.group == EXPLORE and option.short else option.flag
        if option.kind == "bool":
            group.add_argument(flag, dest=option.dest, action="store_true", help=option.help)
        elif option.kind == "paths":
            group.add_argument(flag, dest=option.dest, action="append", help=option.help)
        elif option.group == EXPLORE:
            default = option.short_default if option.short_default is not None else option.default
            group.add_argument(flag, dest=option.dest, type=_TYPES[option.kind], default=default,
                               metavar=option.metavar, help=option.help)
        else:
            group.add_argument(flag, dest=option.dest, metavar=option.metavar, help=option.help)


def _forwarded(option: Option, value: Any) -> list[str]:
    if option.kind == "bool":
        return [option.flag]
    if option.kind == "paths":
        return [part for path in value for part in (option.flag, str(path))]
    return [option.flag, str(value)]


def _pytest_args(args: argparse.Namespace, env: dict[str, str]) -> list[str]:
    """Forward harness options to pytest; secrets travel in the environment, never in argv."""
    out: list[str] = []
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if value is None or value is False or value == []:
            continue
        if option.secret:
            env[option.env] = value
        else:
            out += _forwarded(option, value)
    return out


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from simulators.common.bundled import data_dir

    results, html = Path(args.alluredir), Path(args.html)
    env = dict(os.environ)
    forwarded = _pytest_args(args, env)
    paths = [str(p) for p in (args.scimgate_scenarios or [data_dir("scenarios")])]
    pytest_args = [*paths, *forwarded, f"--alluredir={results}", "--clean-alluredir", "-p", "no:cacheprovider", "-rs",
                   "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if args.junitxml:
        pytest_args.append(f"--junitxml={args.junitxml}")
    # --concurrency is forwarded as is: the plugin overlaps live waits on threads in one process
    # (harness/scheduler.py); -n (xdist processes) is only for CPU-bound simulation runs.
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    pytest_args += args.pytest_args
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        code = int(pytest.main(pytest_args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if args.no_html:
        return code
    try:
        from harness.report.html import render_html

        index = render_html(results, html, log=lambda m: print(m, file=sys.stderr))
        print(f"scimgate: report {index}")
    except HarnessError as exc:
        print(f"scimgate: no HTML report: {exc}", file=sys.stderr)
    return code


def cmd_report(args: argparse.Namespace) -> int:
    from harness.report.html import render_html

    try:
        index = render_html(Path(args.results), Path(args.output), log=lambda m: print(m, file=sys.stderr))
    except HarnessError as exc:
        print(f"scimgate report: {exc}", file=sys.stderr)
        return 2
    print(index)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from harness.scenario import discover, load_scenario
    from simulators.common.bundled import data_dir

    roots = [Path(p) for p in args.paths] or [data_dir("scenarios")]
    bad = 0
    for path in discover(roots):
        try:
            s = load_scenario(path)
        except ScenarioFormatError as exc:
            bad += 1
            print(f"INVALID  {exc}", file=sys.stderr)
            continue
        if args.list:
            needs = f" requires {','.join(s.requires)}" if s.requires else ""
            print(f"{s.id:<70} {s.severity:<8} {s.area}: {s.title}{needs}")
    if not args.list and not bad:
        print("all scenario files are valid")
    return 1 if bad else 0


def cmd_faults(args: argparse.Namespace) -> int:
    from simulators.code42.domain.faults import FAULTS

    for fault in FAULTS.values():
        print(f"{fault.name}\n    {fault.summary}\n    breaks: {fault.breaks!r} ({fault.seed})")
        if fault.caught_by:
            print(f"    caught by: {', '.join(fault.caught_by)}")
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """Model-based exploration (docs/explore.md). Text on stdout; with --alluredir it runs through the
    pytest plugin's ``--explore`` item instead, so the result is an Allure test result."""
    if args.alluredir:
        return _explore_under_pytest(args)
    from harness.errors import ConfigError
    from harness.explore import explore
    from harness.options import HarnessConfig, resolve

    env = dict(os.environ)
    try:
        config = HarnessConfig.from_values(resolve(lambda o: getattr(args, o.dest, None), lambda o: None, env))
        result = explore(config, steps=config.explore_steps, max_examples=config.explore_examples,
                         seed=config.explore_seed, faults=list(config.mock_faults),
                         shrink_seconds=config.explore_shrink_seconds)
    except (ConfigError, HarnessError, ValueError) as exc:
        print(f"scimgate explore: {exc}", file=sys.stderr)
        return 2
    print(result.text())
    return 1 if result.found else 0


def _explore_under_pytest(args: argparse.Namespace) -> int:
    import tempfile

    import pytest

    env = dict(os.environ)
    forwarded = _pytest_args(args, env)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        with tempfile.TemporaryDirectory(prefix="scimgate-explore-") as empty:  # collect nothing but `explore`
            return int(pytest.main([empty, *forwarded, f"--alluredir={args.alluredir}", "-p", "no:cacheprovider",
                                    "-W", "ignore::pytest.PytestAssertRewriteWarning"]))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _add_explore(sub: Any) -> None:
    explore = sub.add_parser("explore", help="random Azure AD / Code42 console programs against the target and a "
                                             "fault-free reference mock, compared step by step (docs/explore.md)")
    _add_harness_options(explore, (TARGET, MOCK, EXPLORE))
    explore.add_argument("--alluredir", help="write an Allure result (runs through the pytest plugin)")
    explore.set_defaults(func=cmd_explore)


def _add_serve(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run a simulator in the foreground (waitress)")
    servers = serve.add_subparsers(dest="server", metavar="{code42,azure-ad}", required=True)
    for name, module_name in SERVERS.items():
        parser = servers.add_parser(name, help=f"serve the mock {name}")
        try:
            module = importlib.import_module(module_name)
            module.add_arguments(parser)
            parser.set_defaults(func=module.run)
        except (ImportError, AttributeError) as exc:
            message = f"scimgate serve {name}: {module_name} is not available ({exc})"

            def unavailable(_args: argparse.Namespace, message: str = message) -> int:
                print(message, file=sys.stderr)
                return 2

            parser.set_defaults(func=unavailable)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scimgate", description="SCIM conformance for Azure AD -> Code42 provisioning")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the scenario suite (against the mock unless a target is given) and "
                                     "render the HTML report")
    _add_harness_options(run)
    run.add_argument("--alluredir", default="reports/allure-results", help="Allure results folder")
    run.add_argument("--html", default="reports/html", help="where the single-file report goes")
    run.add_argument("--no-html", action="store_true", help="skip the HTML report")
    run.add_argument("--junitxml", help="also write JUnit XML here")
    run.add_argument("-n", "--workers", help="pytest-xdist workers (e.g. auto)")
    run.add_argument("pytest_args", nargs="*", help="extra pytest arguments after --, e.g. -- -k legal")
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", help="render Allure results into one self-contained index.html")
    report.add_argument("--results", default="reports/allure-results")
    report.add_argument("--output", default="reports/html")
    report.set_defaults(func=cmd_report)

    scenarios = sub.add_parser("scenarios", help="validate scenario files; --list prints them")
    scenarios.add_argument("--list", action="store_true")
    scenarios.add_argument("paths", nargs="*")
    scenarios.set_defaults(func=cmd_scenarios)

    faults = sub.add_parser("faults", help="list the mock Code42's fault switches")
    faults.set_defaults(func=cmd_faults)

    from harness import profile_doc

    doc = sub.add_parser("profile-doc", help="print the profile reference (Markdown) from schemas/profile.schema.json")
    profile_doc.add_arguments(doc)
    doc.set_defaults(func=profile_doc.run)
    _add_explore(sub)
    _add_serve(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # `scimgate faults | head`: the reader left; stop quietly, as other Unix tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0


if __name__ == "__main__":
    sys.exit(main())

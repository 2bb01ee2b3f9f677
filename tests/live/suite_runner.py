"""Run the bundled suite in live mode against one target, in a shuffled order, and judge the verdicts.

Why the pytest-free core (``harness.scenario_runner``) rather than a pytest subprocess: the verdict tables compare
structured records (each scenario's status and the steps that failed), not terminal text, and the run
still goes the live path a user's run goes: option checks, the start-of-run probe, real HTTP to the
server's process, per-scenario prefixes and cleanup, then the end-of-run sweep of the run prefix.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.cleanup import CleanupReport, Sweeper, carries_prefix
from harness.drivers.code42_admin import Code42Admin
from harness.drivers.scim_client import ScimAuth, ScimClient
from harness.options import HarnessConfig
from harness.record import ScenarioRecord
from harness.scenario import Scenario, discover, load_scenario
from harness.scenario_runner import run_scenario
from harness.target import load_profile_dict, make_targets
from simulators.common.bundled import data_dir
from simulators.common.http_recording import RecordingSession

EXPECTED = Path(__file__).with_name("expected")
#: A failed or broken entry must cite what the server breaks: an RFC section or an Azure AD / Code42 document.
CITATION = re.compile(r"RFC 764[34] §\d|azure-ad-behaviour\.md|code42-behaviour\.md|code42-open-questions\.md|"
                      r"00[02]_[0-9a-f]+\.txt")


def bundled_suite() -> list[Scenario]:
    return [load_scenario(p) for p in discover([data_dir("scenarios")])]


@dataclass
class SuiteRun:
    seed: int
    order: list[str]
    records: dict[str, ScenarioRecord]
    final_sweep: CleanupReport


def run_suite(values: dict[str, Any], seed: int, scenarios: list[Scenario] | None = None) -> SuiteRun:
    """Every scenario once, in the order ``seed`` shuffles them to, then the end-of-run sweep."""
    config = HarnessConfig.from_values(values)
    suite = list(scenarios if scenarios is not None else bundled_suite())
    random.Random(seed).shuffle(suite)
    targets = make_targets(config)
    records = {s.id: run_scenario(s, targets) for s in suite}
    return SuiteRun(seed, [s.id for s in suite], records, _final_sweep(config, targets))


def _clients(config: HarnessConfig, admin: bool) -> tuple[RecordingSession, ScimClient, Code42Admin | None]:
    session = RecordingSession(secrets=config.secrets, timeout=config.request_timeout)
    scim = ScimClient(config.scim_url, session, ScimAuth(config.scim_token, config.scim_basic))
    code42 = Code42Admin(config.code42_api_url, config.code42_client_id, config.code42_client_secret, session,
                         plan=load_profile_dict(config.profile).get("plan")) if admin and config.code42_api_url else None
    return session, scim, code42


def _final_sweep(config: HarnessConfig, targets: Any) -> CleanupReport:
    session, scim, admin = _clients(config, "code42-admin" in targets.capabilities)
    try:
        return Sweeper(scim, admin).sweep(config.run_prefix)
    finally:
        session.close()


def prefixed_objects(values: dict[str, Any]) -> list[str]:
    """Every SCIM User and Group whose name carries the run prefix, found by paging through all of them
    (not by filter: the server under test is the one whose filters are in question)."""
    config = HarnessConfig.from_values(values)
    session, scim, _ = _clients(config, admin=False)
    sweeper = Sweeper(scim, None)
    try:
        users = [f"User {u.get('userName')!r} (active {u.get('active')!r})" for u in sweeper.every("Users")
                 if carries_prefix(u.get("userName"), config.run_prefix)]
        groups = [f"Group {g.get('displayName')!r}" for g in sweeper.every("Groups")
                  if carries_prefix(g.get("displayName"), config.run_prefix)]
    finally:
        session.close()
    return users + groups


# ------------------------------------------------------------------ verdict tables


def verdict_of(record: ScenarioRecord) -> dict[str, Any]:
    """What the table compares: the status and, for failed/broken, the steps that were."""
    bad = sorted(s.label for s in record.steps if s.status in ("failed", "broken"))
    return {"status": str(record.status), "steps": bad}


def load_table(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXPECTED / f"{name}.yaml").read_text(encoding="utf-8"))


def judge(run: SuiteRun, table: dict[str, Any]) -> list[str]:
    """Every difference between the run and the table: an unexplained verdict, an entry that did not
    occur, an entry without a citation, a skip whose reason the table does not name."""
    problems: list[str] = []
    expected: dict[str, dict[str, Any]] = {}
    for status in ("failed", "broken"):
        for sid, entry in (table.get(status) or {}).items():
            if not CITATION.search(str(entry.get("breaks", ""))):
                problems.append(f"{sid}: the table's {status} entry cites no RFC section or Azure/Code42 document")
            expected[sid] = {"status": status, "steps": sorted(entry.get("steps") or [])}
    skip_reasons: dict[str, str] = {}
    for reason, ids in (table.get("skipped") or {}).items():
        for sid in ids:
            expected[sid] = {"status": "skipped", "steps": []}
            skip_reasons[sid] = reason
    for sid in expected:
        if sid not in run.records:
            problems.append(f"{sid}: in the table but no such scenario ran (renamed or removed?)")
    for sid, record in run.records.items():
        got, want = verdict_of(record), expected.get(sid, {"status": "passed", "steps": []})
        if got != want:
            detail = record.message or record.skip_reason
            problems.append(f"{sid}: {got['status']} {got['steps'] or ''} but the table expects {want['status']} "
                            f"{want['steps'] or ''}: {detail[:400]}")
        elif got["status"] == "skipped" and skip_reasons[sid] not in record.skip_reason:
            problems.append(f"{sid}: skipped for {record.skip_reason[:300]!r}, the table names {skip_reasons[sid]!r}")
    return problems

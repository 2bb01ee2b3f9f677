"""Targets: the in-process mock Code42 (one fresh instance per scenario) or a given SCIM service provider.

Why a fresh mock per scenario: each scenario may override the tenant profile (a delay of 0, group
priority mapping), and isolation means a failing scenario cannot poison the next. A waitress thread on
an ephemeral port starts in milliseconds, and each pytest-xdist worker gets its own.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
import yaml

from harness.drivers.scim_client import ScimAuth
from harness.errors import ConfigError, NotVerifiable, TargetMisconfigured, TargetUnreachable
from harness.expectations import target_is_code42
from harness.options import HarnessConfig
from harness.probe import probe, root_of, settings_mismatch
from harness.scenario import Scenario
from harness.target_time import RealTime, SimulatedTime
from simulators.code42.app import create_app
from simulators.common.bundled import data_dir
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

#: Every capability a scenario may require (schemas/scenario.schema.json $defs/capability).
CAPABILITIES = ("scim", "scim-groups", "code42-admin", "code42-console", "sim-control", "idp", "patch", "etag",
                "filter")
MOCK_CAPABILITIES = frozenset(CAPABILITIES)


@dataclass
class Target:
    """Everything a scenario run needs to reach one target."""

    label: str
    scim_url: str
    scim_auth: ScimAuth
    admin_url: str | None
    admin_client: tuple[str, str] | None = field(repr=False)
    clock: SimulatedTime | RealTime
    capabilities: frozenset[str]
    missing: dict[str, str]            # capability -> why the probe says it is absent
    profile: dict[str, Any]            # effective raw profile (schemas/profile.schema.json)
    profile_name: str
    simulated: bool
    run_prefix: str
    secrets: list[str] = field(repr=False, default_factory=list)
    request_timeout: float = 30.0      # seconds per HTTP request (--request-timeout)
    #: Restart the target process on the same database (in-process mock only; ``code42.restart``).
    restart: Callable[[], None] | None = field(repr=False, default=None)
    #: Steps that change tenant-wide state may run (a fresh mock per scenario, or the user consented).
    allow_destructive: bool = False


def profile_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    bundled = data_dir("scenarios") / "profiles" / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    known = sorted(p.stem for p in (data_dir("scenarios") / "profiles").glob("*.yaml"))
    raise ConfigError(f"--profile {name_or_path!r} is neither a YAML file nor a bundled profile; "
                      f"bundled: {', '.join(known) or 'none'}")


def load_profile_dict(name_or_path: str) -> dict[str, Any]:
    """The raw profile mapping (validated later by the mock's ``load_profile``)."""
    path = profile_path(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a profile must be a mapping")
    return data


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario_profile(config: HarnessConfig, scenario: Scenario) -> tuple[dict[str, Any], str]:
    """The profile a scenario runs under: its ``base`` (or the run's profile) plus its overrides."""
    overrides = dict(scenario.profile)
    base_name = overrides.pop("base", None) or config.profile
    base = load_profile_dict(base_name)
    return deep_merge(base, overrides), base_name + ("+overrides" if overrides else "")


def _mismatches(wanted: dict[str, Any], actual: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in wanted.items():
        here = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(actual.get(key), dict):
            out += _mismatches(value, actual[key], here + ".")
        elif actual.get(key) != value:
            out.append(f"{here}={value!r} (the run's profile has {actual.get(key)!r})")
    return out


class Targets(Protocol):
    """What a run gets its targets from: one :class:`Target` per scenario, and what the run knows.

    Implemented by :class:`MockTargets` (a fresh in-process mock per scenario) and :class:`GivenTarget`
    (the one target the options name, probed once).
    """

    @property
    def simulated(self) -> bool:
        """Time is virtual (the target answers ``/_sim``): waits are instant, state is reset per scenario."""

    @property
    def start_error(self) -> Exception | None:
        """Why no scenario can run on this target (unreachable, credentials rejected, not configured as
        ``--profile`` says), found at the start of the run; None when the run can go ahead."""

    @property
    def capabilities(self) -> frozenset[str]: ...

    @property
    def cancel(self) -> threading.Event:
        """Set on Ctrl-C: every real-time wait wakes up so its scenario can clean up."""

    def for_scenario(self, scenario: Scenario) -> contextlib.AbstractContextManager[Target]: ...


class MockTargets:
    """Starts a mock Code42 per scenario (``simulators.code42.app.create_app``) on a virtual clock."""

    simulated = True
    start_error = None
    capabilities = MOCK_CAPABILITIES

    def __init__(self, config: HarnessConfig, faults: list[str] | None = None):
        self.config = config
        self.faults = list(faults or [])
        self.cancel = threading.Event()

    @contextmanager
    def for_scenario(self, scenario: Scenario) -> Iterator[Target]:
        profile, profile_name = scenario_profile(self.config, scenario)
        token, client_id, client_secret = (secrets.token_urlsafe(24), "scimgate-harness", secrets.token_urlsafe(24))
        with contextlib.ExitStack() as stack:
            # A scenario that restarts the mock needs state that outlives the process: a database file
            # (what a real deployment has). Everyone else stays in memory, which is faster.
            database = ":memory:"
            if any(step.kind == "code42.restart" for step in scenario.when):
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scimgate-mock-"))
                database = str(Path(folder) / "code42.sqlite")
            app_config = {
                "SCIM_TOKEN": token, "SCIM_BASIC": None, "ADMIN_CLIENT_ID": client_id,
                "ADMIN_CLIENT_SECRET": client_secret, "DATABASE": database, "PROFILE": profile,
                "SIM_CONTROL": True, "FAULTS": self.faults, "CLOCK": VirtualClock(),  # one clock across restarts
            }
            running: list[tuple[Any, ServerThread]] = []

            def start(port: int = 0) -> ServerThread:
                app = create_app(app_config)
                server = ServerThread(app, port=port, threads=4).start()
                running.append((app, server))
                return server

            def stop() -> None:
                app, server = running.pop()
                server.stop()
                app.extensions["scimgate"].store.close()

            def restart() -> None:
                """Stop the mock and start a new process image on the same port, database and clock."""
                port = running[-1][1].port
                stop()
                start(port)

            server = start()
            stack.callback(lambda: running and stop())
            yield Target(
                label=f"mock Code42 (in-process) {server.url}", scim_url=f"{server.url}/scim/v2",
                scim_auth=ScimAuth(token=token), admin_url=server.url, admin_client=(client_id, client_secret),
                clock=SimulatedTime(server.url, owned=True), capabilities=MOCK_CAPABILITIES, missing={},
                profile=profile, profile_name=profile_name, simulated=True,
                run_prefix=self.config.run_prefix, secrets=[token, client_secret],
                restart=restart if database != ":memory:" else None, allow_destructive=True,
            )


def scenario_prefix(run_prefix: str, scenario_id: str, nonce: str = "") -> str:
    """A live scenario's own prefix: the run prefix plus a fixed-width digest of its id and the run's nonce.

    Why: live scenarios run concurrently against one tenant; ``alice`` of one scenario must not be
    ``alice`` of another, and a scenario's cleanup must not sweep a neighbour that is still running.
    The nonce (random per run) keeps a rerun with the same ``--run-prefix`` off the names an earlier run
    left behind: Code42 keeps deactivated users, and a POST of such a userName is refused with 409.
    Everything still starts with the run prefix, so the end-of-run sweep finds it all.
    """
    return f"{run_prefix}-{hashlib.sha1(f'{nonce}{scenario_id}'.encode()).hexdigest()[:5]}"


class GivenTarget:
    """A target named by options (live tenant, or a mock started elsewhere with sim control).

    Its SCIM credentials are one object shared by every scenario: when a scenario allowed to
    (``--allow-destructive``) regenerates them, the rest of the run uses the new secret, and
    :attr:`credentials_changed` says so (the run reports it once).
    """

    def __init__(self, config: HarnessConfig):
        self.config = config
        self.base_profile = load_profile_dict(config.profile)
        found = probe(config)
        self.capabilities, self.missing, self.start_error = found.capabilities, found.missing, found.start_error
        if self.start_error is None and found.admin_token and "sim-control" in self.capabilities:
            # The mock's admin API shows its settings: a run against a differently configured mock would
            # report product defects that are configuration errors.
            mismatch = settings_mismatch(config, self.base_profile, found.admin_token)
            self.start_error = TargetMisconfigured(mismatch) if mismatch else None
        self.scim_auth = ScimAuth(config.scim_token, config.scim_basic)
        self._configured = (self.scim_auth.token, self.scim_auth.basic)
        self.secrets = config.secrets   # one list: a regenerated secret is redacted for the rest of the run
        self.cancel = threading.Event()  # set on Ctrl-C: every live wait wakes up and cleans up
        self.nonce = secrets.token_hex(4)  # this run's scenario names differ from any earlier run's

    @property
    def credentials_changed(self) -> bool:
        """A scenario regenerated the tenant's SCIM credentials: the configured ones no longer work."""
        return (self.scim_auth.token, self.scim_auth.basic) != self._configured

    @property
    def simulated(self) -> bool:
        return "sim-control" in self.capabilities

    @contextmanager
    def for_scenario(self, scenario: Scenario) -> Iterator[Target]:
        config = self.config
        if isinstance(self.start_error, TargetUnreachable):
            raise TargetUnreachable(f"the target did not answer the start-of-run probe: {self.start_error}")
        if self.start_error is not None:
            raise type(self.start_error)(str(self.start_error))
        if scenario.profile and not target_is_code42(self.base_profile):
            raise NotVerifiable(f"the scenario configures the Code42 tenant, and the profile {config.profile!r} "
                                "says the target is not Code42")
        overrides = {k: v for k, v in scenario.profile.items() if k != "base"}
        wanted = deep_merge(load_profile_dict(scenario.profile["base"]), overrides) \
            if "base" in scenario.profile else overrides
        if "base" in scenario.profile:
            wanted = {k: v for k, v in wanted.items() if k != "name"}
        differs = _mismatches(wanted, self.base_profile)
        if differs:
            raise NotVerifiable("the scenario needs the tenant configured with " + "; ".join(differs)
                                + f"; the run's profile is {config.profile!r}")
        sim = "sim-control" in self.capabilities
        root = (config.code42_api_url or root_of(config.scim_url)).rstrip("/")
        if sim:
            requests.post(f"{root}/_sim/reset", timeout=10)
        # A shared simulated target is reset per scenario, so only a live one needs per-scenario names.
        prefix = config.run_prefix if sim else scenario_prefix(config.run_prefix, scenario.id, self.nonce)
        yield Target(
            label=config.scim_url, scim_url=config.scim_url.rstrip("/"),
            scim_auth=self.scim_auth, admin_url=config.code42_api_url,
            admin_client=(config.code42_client_id, config.code42_client_secret) if config.code42_api_url else None,
            clock=SimulatedTime(root) if sim else RealTime(self.cancel), capabilities=self.capabilities,
            missing=self.missing, profile=copy.deepcopy(self.base_profile), profile_name=config.profile,
            simulated=sim, run_prefix=prefix, secrets=self.secrets, request_timeout=config.request_timeout,
            allow_destructive=config.allow_destructive,
        )


def make_targets(config: HarnessConfig, faults: list[str] | None = None) -> MockTargets | GivenTarget:
    return MockTargets(config, faults) if config.simulated else GivenTarget(config)

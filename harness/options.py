"""The harness's options, declared once and resolved CLI -> ini -> environment -> default.

Why one table: the plugin registers every option both as a command-line flag and as an ini key
(Tavern's lesson), the CLI builds its subcommands' flags from the same rows and forwards them, and
secrets can come from the environment so they never sit in shell history or ``pytest.ini``.
"""

from __future__ import annotations

import os
import secrets as _secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import ConfigError

#: Which commands offer an option: every run (the target), the in-process mock, the exploration.
TARGET, MOCK, EXPLORE = "target", "mock", "explore"


@dataclass(frozen=True)
class Option:
    flag: str            # --scim-url
    help: str
    env: str | None = None
    secret: bool = False
    default: Any = None
    kind: str = "string"  # string | bool | int | float | paths | names (comma-separated)
    group: str = TARGET
    #: ``scimgate explore`` spells the exploration options short (``--steps`` for ``--explore``) and
    #: gives them its own default (a bare ``scimgate explore`` explores; a bare ``pytest`` does not).
    short: str | None = None
    short_default: Any = None
    metavar: str | None = None

    @property
    def dest(self) -> str:
        return "scimgate_" + self.flag.lstrip("-").replace("-", "_")

    @property
    def ini(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("--scim-url", "SCIM base URL of the target (omit to run against the in-process mock Code42)",
           env="SCIMGATE_SCIM_URL"),
    Option("--scim-token", "SCIM bearer token (prefer the environment variable)", env="SCIMGATE_SCIM_TOKEN",
           secret=True),
    Option("--scim-basic", "SCIM Basic credentials as user:password (prefer the environment variable)",
           env="SCIMGATE_SCIM_BASIC", secret=True),
    Option("--code42-api-url", "Code42 admin API base URL (e.g. https://api.us.code42.com)",
           env="SCIMGATE_CODE42_API_URL"),
    Option("--code42-client-id", "Code42 API client id", env="SCIMGATE_CODE42_CLIENT_ID"),
    Option("--code42-client-secret", "Code42 API client secret (prefer the environment variable)",
           env="SCIMGATE_CODE42_CLIENT_SECRET", secret=True),
    Option("--profile", "Code42 profile: a name in scenarios/profiles/ or a YAML path", env="SCIMGATE_PROFILE",
           default="default"),
    Option("--scenarios", "scenario files or folders (default: the bundled suite)", env="SCIMGATE_SCENARIOS",
           kind="paths"),
    Option("--live", "consent to write to a real tenant (required when --scim-url is given)",
           env="SCIMGATE_LIVE", kind="bool", default=False),
    Option("--run-prefix", "prefix of every resource this run creates (default: sg<random>)",
           env="SCIMGATE_RUN_PREFIX"),
    Option("--concurrency", "scenarios run at once against a live tenant (waits overlap)",
           env="SCIMGATE_CONCURRENCY", kind="int", default=1),
    Option("--request-timeout", "seconds one HTTP request to the target may take before the scenario is "
           "reported 'target unreachable' (connect and read)", env="SCIMGATE_REQUEST_TIMEOUT", kind="float",
           default=30.0),
    Option("--progress-interval", "seconds between progress lines while live scenarios wait (0: quiet)",
           env="SCIMGATE_PROGRESS_INTERVAL", kind="float", default=10.0),
    Option("--known-deviations", "YAML file of known deviations (id, reason, ticket, expires)",
           env="SCIMGATE_KNOWN_DEVIATIONS"),
    Option("--mock-faults", "comma-separated fault names for the in-process mock Code42 (see `scimgate faults`)",
           env="SCIMGATE_MOCK_FAULTS", kind="names", default=(), group=MOCK),
    Option("--explore", "add one `explore` item: random programs of up to STEPS operations against the target and "
           "a fault-free reference mock (docs/explore.md)", kind="int", group=EXPLORE, metavar="STEPS",
           short="--steps", short_default=20),
    Option("--explore-examples", "how many programs to try", kind="int", default=25, group=EXPLORE,
           short="--examples"),
    Option("--explore-seed", "pick another fixed sequence (default: derandomized)", kind="int", group=EXPLORE,
           short="--seed"),
    Option("--explore-shrink-seconds", "stop shrinking a disagreement after this long and report the shortest "
           "so far", kind="float", default=30.0, group=EXPLORE, short="--shrink-seconds"),
)


def _unset(value: Any) -> bool:
    """Nothing given (``0`` is a value: ``--explore-seed 0``)."""
    return value is None or value is False or (isinstance(value, (str, list, tuple)) and len(value) == 0)


def _convert(option: Option, value: Any) -> Any:
    if value is None:
        return None
    if option.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{option.flag}={value!r} must be true or false")
    if option.kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{option.flag}={value!r} must be an integer") from None
    if option.kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{option.flag}={value!r} must be a number of seconds") from None
    if option.kind == "paths":
        items = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        return [Path(p) for p in items if str(p)]
    if option.kind == "names":
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return tuple(name.strip() for name in items if str(name).strip())
    return str(value)


def resolve(cli: Callable[[Option], Any], ini: Callable[[Option], Any],
            env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve every option: the first of CLI, ini, environment, default that is set."""
    env = os.environ if env is None else env
    out: dict[str, Any] = {}
    for option in OPTIONS:
        value = cli(option)
        if _unset(value):
            value = ini(option)
            value = None if _unset(value) else value
        if value is None and option.env and env.get(option.env):
            value = env[option.env]
        out[option.ini] = _convert(option, value) if value is not None else option.default
    return out


@dataclass
class HarnessConfig:
    """Resolved options, checked for consistency."""

    scim_url: str | None = None
    scim_token: str | None = field(default=None, repr=False)
    scim_basic: tuple[str, str] | None = field(default=None, repr=False)
    code42_api_url: str | None = None
    code42_client_id: str | None = None
    code42_client_secret: str | None = field(default=None, repr=False)
    profile: str = "default"
    scenarios: list[Path] = field(default_factory=list)
    live: bool = False
    run_prefix: str = ""
    concurrency: int = 1
    request_timeout: float = 30.0
    progress_interval: float = 10.0
    known_deviations: Path | None = None
    mock_faults: tuple[str, ...] = ()
    explore_steps: int | None = None       # --explore N: add the exploration item
    explore_examples: int = 25
    explore_seed: int | None = None
    explore_shrink_seconds: float = 30.0

    @property
    def simulated(self) -> bool:
        """No target given: the in-process mock Code42 is started."""
        return self.scim_url is None

    @property
    def secrets(self) -> list[str]:
        out = [s for s in (self.scim_token, self.code42_client_secret) if s]
        if self.scim_basic:
            out.append(self.scim_basic[1])
        return out

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> HarnessConfig:
        basic = None
        if values.get("scim_basic"):
            user, sep, password = values["scim_basic"].partition(":")
            if not sep:
                raise ConfigError("--scim-basic must be user:password")
            basic = (user, password)
        config = cls(
            scim_url=values.get("scim_url"), scim_token=values.get("scim_token"), scim_basic=basic,
            code42_api_url=values.get("code42_api_url"), code42_client_id=values.get("code42_client_id"),
            code42_client_secret=values.get("code42_client_secret"), profile=values.get("profile") or "default",
            scenarios=values.get("scenarios") or [], live=bool(values.get("live")),
            run_prefix=values.get("run_prefix") or f"sg{_secrets.token_hex(3)}",
            concurrency=1 if values.get("concurrency") is None else values["concurrency"],
            request_timeout=30.0 if values.get("request_timeout") is None else values["request_timeout"],
            progress_interval=10.0 if values.get("progress_interval") is None else values["progress_interval"],
            known_deviations=Path(values["known_deviations"]) if values.get("known_deviations") else None,
            mock_faults=tuple(values.get("mock_faults") or ()), explore_steps=values.get("explore"),
            explore_examples=_given(values.get("explore_examples"), 25), explore_seed=values.get("explore_seed"),
            explore_shrink_seconds=_given(values.get("explore_shrink_seconds"), 30.0),
        )
        config.check()
        return config

    def check(self) -> None:
        if self.scim_url:
            if not self.live:
                raise ConfigError(f"--scim-url {self.scim_url} names a real target: add --live to consent to "
                                  "creating and changing users there (every resource carries the run prefix "
                                  f"{self.run_prefix!r})")
            if not (self.scim_token or self.scim_basic):
                raise ConfigError("--scim-url needs a credential: set SCIMGATE_SCIM_TOKEN (or --scim-token), "
                                  "or SCIMGATE_SCIM_BASIC=user:password")
        elif self.live:
            raise ConfigError("--live needs a target: give --scim-url (and the Code42 admin options)")
        if self.code42_api_url and not (self.code42_client_id and self.code42_client_secret):
            raise ConfigError("--code42-api-url needs --code42-client-id and SCIMGATE_CODE42_CLIENT_SECRET")
        if self.concurrency < 1:
            raise ConfigError(f"--concurrency={self.concurrency} must be at least 1")
        if not self.request_timeout > 0:
            raise ConfigError(f"--request-timeout={self.request_timeout} must be more than 0 seconds")
        if self.progress_interval < 0:
            raise ConfigError(f"--progress-interval={self.progress_interval} must be 0 (quiet) or more")


def _given(value: Any, default: Any) -> Any:
    return default if value is None else value

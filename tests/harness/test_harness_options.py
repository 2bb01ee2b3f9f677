"""Option resolution (CLI -> ini -> environment -> default), consent and credential checks, durations."""

from __future__ import annotations

import pytest

from harness.durations import format_duration, parse_duration, resolve_time
from harness.errors import ConfigError, HarnessError
from harness.options import HarnessConfig, resolve
from harness.target_time import backoff_delays


def test_cli_beats_ini_beats_env_beats_default():
    cli = {"scimgate_profile": "from-cli"}
    ini = {"profile": "from-ini", "run_prefix": "ini-prefix"}
    env = {"SCIMGATE_PROFILE": "from-env", "SCIMGATE_RUN_PREFIX": "env-prefix", "SCIMGATE_CONCURRENCY": "3"}
    values = resolve(lambda o: cli.get(o.dest), lambda o: ini.get(o.ini), env)
    assert values["profile"] == "from-cli"
    assert values["run_prefix"] == "ini-prefix"
    assert values["concurrency"] == 3
    assert values["live"] is False and values["scenarios"] is None


def test_secret_from_environment_and_never_in_repr():
    env = {"SCIMGATE_SCIM_URL": "https://t.example/scim", "SCIMGATE_SCIM_TOKEN": "s3cret-token", "SCIMGATE_LIVE": "1"}
    config = HarnessConfig.from_values(resolve(lambda o: None, lambda o: None, env))
    assert config.scim_token == "s3cret-token" and config.live and not config.simulated
    assert "s3cret-token" not in repr(config)


@pytest.mark.parametrize(("values", "message"), [
    ({"scim_url": "https://t.example/scim", "scim_token": "abcd"}, "add --live"),
    ({"scim_url": "https://t.example/scim", "live": True}, "needs a credential"),
    ({"live": True}, "--live needs a target"),
    ({"scim_basic": "no-colon"}, "user:password"),
    ({"code42_api_url": "https://api.example"}, "--code42-client-id"),
    ({"concurrency": 0}, "at least 1"),
])
def test_inconsistent_options_are_clear_errors(values, message):
    with pytest.raises(ConfigError, match=message):
        HarnessConfig.from_values(values)


def test_bad_typed_environment_value():
    with pytest.raises(ConfigError, match="--live='maybe' must be true or false"):
        resolve(lambda o: None, lambda o: None, {"SCIMGATE_LIVE": "maybe"})


def test_durations_and_profile_times():
    assert parse_duration("15m") == 900 and parse_duration(90) == 90 and parse_duration("1.5h") == 5400
    assert format_duration(95) == "1m35s" and format_duration(0.25) == "250ms"
    with pytest.raises(HarnessError, match="like 90s"):
        parse_duration("15 minutes")
    t = resolve_time({"profile": "deactivation_delay", "plus": "1m", "tolerance": "2m"}, {"deactivation_delay_minutes": 30})
    assert (t.offset, t.tolerance) == (1860, 120)


def test_live_polling_backs_off_and_fits_the_window():
    delays = list(backoff_delays(100))
    assert delays[:4] == [1, 2, 4, 8] and sum(delays) == 100 and max(delays) <= 60

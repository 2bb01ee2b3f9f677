"""Simulation control: /_sim exists only with SIM_CONTROL, loopback only, clock and reset."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from simulators.common.clock import SystemClock
from tests.code42.conftest import base_config, user_body

HANG_GUARD_SECONDS = 300  # a bound on a hang, never a speed budget


@pytest.fixture
def app_config() -> dict[str, Any]:
    return base_config(RULES="none")


class TickingRules:
    """NoRules plus a tick and a reset, to see the control routes drive them."""

    def __init__(self) -> None:
        self.ticks: list[datetime] = []
        self.resets = 0
        self.third_tick = threading.Event()  # a test waits on it instead of polling a clock

    def check_user_write(self, tx, old, new):
        return new

    def user_written(self, tx, old, new):
        return None

    def tick(self, now: datetime) -> list[str]:
        self.ticks.append(now)
        if len(self.ticks) >= 3:
            self.third_tick.set()
        return ["uid-1"] if len(self.ticks) == 1 else []

    def reset(self) -> None:
        self.resets += 1


def test_clock_and_advance_fire_due_work(client, runtime) -> None:
    rules = runtime.rules = TickingRules()
    assert client.get("/_sim/clock").get_json() == {"now": "2026-01-05T09:00:00.000Z", "virtual": True,
                                                    "simulator": "scimgate-code42"}
    response = client.post("/_sim/clock/advance", json={"seconds": 900})
    assert response.get_json() == {"now": "2026-01-05T09:15:00.000Z", "fired": ["uid-1"]}
    assert rules.ticks[-1].isoformat() == "2026-01-05T09:15:00+00:00"


def test_a_request_ticks_first_when_virtual_time_has_moved(client, runtime, clock, auth_headers) -> None:
    rules = runtime.rules = TickingRules()
    client.get("/scim/v2/Users", headers=auth_headers)
    client.get("/scim/v2/Users", headers=auth_headers)  # time stood still: nothing new can be due
    assert len(rules.ticks) == 1
    clock.advance(1)
    client.get("/scim/v2/Users", headers=auth_headers)
    assert [t.isoformat() for t in rules.ticks] == ["2026-01-05T09:00:00+00:00", "2026-01-05T09:00:01+00:00"]


@pytest.mark.parametrize("app_config", [base_config(RULES="none", CLOCK=SystemClock(), TICK_SECONDS=3600)])
def test_on_the_wall_clock_requests_tick_at_most_every_tick_seconds(client, runtime, auth_headers) -> None:
    rules = runtime.rules = TickingRules()
    for _ in range(3):
        client.get("/scim/v2/Users", headers=auth_headers)
    assert len(rules.ticks) == 1


def test_ticker_thread_ticks_on_its_own(runtime) -> None:
    from simulators.code42.runtime import Ticker

    rules = runtime.rules = TickingRules()
    with Ticker(runtime, interval=0.01):
        # Nothing but the Ticker's thread calls tick() here; the wait ends on its third tick. The timeout
        # only guards against a hang (a ticker that never ticks), however busy the machine is.
        ticked = rules.third_tick.wait(timeout=HANG_GUARD_SECONDS)
    assert ticked and len(rules.ticks) >= 3, f"the ticker thread ticked {len(rules.ticks)} time(s)"


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "10"}, {"seconds": True}, None])
def test_advance_needs_a_non_negative_number(client, body) -> None:
    response = client.post("/_sim/clock/advance", json=body)
    assert response.status_code == 400 and "seconds" in response.get_json()["error"]


@pytest.mark.parametrize("app_config", [base_config(RULES="none", CLOCK=SystemClock())])
def test_advance_on_a_wall_clock_is_409(client) -> None:
    assert client.post("/_sim/clock/advance", json={"seconds": 1}).status_code == 409


def test_reset_empties_the_store_and_keeps_credentials(client, runtime, auth_headers) -> None:
    rules = runtime.rules = TickingRules()
    client.post("/scim/v2/Users", json=user_body(), headers=auth_headers)
    assert client.post("/_sim/reset").status_code == 200
    assert rules.resets == 1
    assert client.get("/scim/v2/Users", headers=auth_headers).get_json()["totalResults"] == 0


def test_non_loopback_callers_are_refused(client) -> None:
    response = client.get("/_sim/clock", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 403


@pytest.mark.parametrize("app_config", [base_config(RULES="none", SIM_CONTROL_REMOTE=True)])
def test_remote_callers_allowed_when_configured(client) -> None:
    assert client.get("/_sim/clock", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


@pytest.mark.parametrize("app_config", [base_config(RULES="none", SIM_CONTROL=False)])
def test_without_sim_control_the_routes_do_not_exist(client) -> None:
    assert client.get("/_sim/clock").status_code == 404
    assert client.post("/_sim/reset").status_code == 404

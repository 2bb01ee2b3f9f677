"""Fixtures for the mock Azure AD: a seeded directory on virtual time, a fake SCIM target served over
real HTTP by waitress, and an engine factory wired to both."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_sp import FakeSP, create_fake_sp

from simulators.azure_ad.directory import Directory
from simulators.azure_ad.provisioning.engine import ProvisioningEngine
from simulators.azure_ad.provisioning.flags import EngineFlags
from simulators.common.clock import VirtualClock
from simulators.common.server import ServerThread

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2024, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def directory(clock: VirtualClock) -> Directory:
    return Directory(seed=42, clock=clock)


@pytest.fixture
def target() -> Iterator[tuple[FakeSP, str]]:
    sp = FakeSP(token=TOKEN)
    with ServerThread(create_fake_sp(sp)) as server:
        yield sp, server.url + "/scim/v2"


@pytest.fixture
def make_engine(directory: Directory, clock: VirtualClock, target) -> Callable[..., ProvisioningEngine]:
    _sp, url = target

    def make(url_suffix: str = "", **flags) -> ProvisioningEngine:
        return ProvisioningEngine(directory, url + url_suffix, TOKEN, clock=clock,
                                  flags=EngineFlags(request_timeout=2.0, **flags))

    return make

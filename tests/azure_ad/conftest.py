"""Fixtures for the mock Azure AD: a seeded directory on virtual time, a fake SCIM target served over
real HTTP by waitress, and an engine factory wired to both."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_sp import FakeSP, create_fake_sp  # noqa: E402

from simulators.azure_ad.directory import Directory  # noqa: E402
from simulators.azure_ad.provisioning.engine import ProvisioningEngine  # noqa: E402
from simulators.azure_ad.provisioning.flags import EngineFlags  # noqa: E402
from simulators.common.clock import VirtualClock  # noqa: E402
from simulators.common.server import ServerThread  # noqa: E402

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc))


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

"""The keys under which the glue keeps a session's state on ``config.stash`` (no module globals)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.deviations import Deviation
from harness.live_run import LiveRun
from harness.options import HarnessConfig

CONFIG = pytest.StashKey[HarnessConfig]()
ROOTS = pytest.StashKey[list]()                    # scenario roots collected from
IDS = pytest.StashKey[dict]()                      # scenario id -> the file that claimed it
DEVIATIONS = pytest.StashKey[dict[str, Deviation]]()
TARGETS = pytest.StashKey[Any]()                   # harness.target.Targets, created on first use
LIVE_RUN = pytest.StashKey[LiveRun]()              # set while scenarios run on the thread pool

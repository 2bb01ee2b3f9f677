"""Live mode against long-lived targets: the served mock Code42 and independent SCIM servers.

Why a folder of its own: these tests start real servers in subprocesses and run the whole bundled
suite against them through the live-target path (probe, real HTTP, prefix cleanup), so they are slow
and need the peer packages of the ``test`` extra (scim2-server, django-scim2).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/live/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.slow)

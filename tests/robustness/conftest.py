"""Fixtures for the robustness tests, and the session summary of how many hostile requests were sent.

The counter is a plain object handed to the fuzz tests through a session fixture; the summary line
(``robustness: N generated requests ...``) is how a CI log shows the fuzzing really ran at size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

_SENT: Counter = Counter()


@pytest.fixture(scope="session")
def generated_requests() -> Counter:
    """Count of generated requests per route family, summed over the session."""
    return _SENT


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SENT:
        families = ", ".join(f"{name} {n}" for name, n in sorted(_SENT.items()))
        terminalreporter.write_line(f"robustness: {sum(_SENT.values())} generated requests sent ({families})")


@pytest.fixture
def waitress_app_factory() -> Iterator[Any]:
    """Build apps and close their stores at teardown."""
    apps: list[Any] = []

    def build(config: dict[str, Any]) -> Any:
        from simulators.code42.app import create_app

        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["scimgate"].store.close()

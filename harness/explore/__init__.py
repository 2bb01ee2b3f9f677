"""Model-based exploration: random Azure AD / Code42-console programs against a target and a fault-free
reference mock Code42, compared step by step through the admin API (docs/explore.md).

Pytest-free: ``scimgate explore`` and the plugin's ``--explore N`` are thin glue over :func:`explore`.
"""

from __future__ import annotations

from harness.explore.machine import Disagreement
from harness.explore.runner import DEFAULT_EXAMPLES, ExploreResult, explore

__all__ = ["DEFAULT_EXAMPLES", "Disagreement", "ExploreResult", "explore"]

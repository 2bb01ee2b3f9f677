"""Where test_fault_detection.py leaves its score for the terminal summary (see conftest.py)."""

from __future__ import annotations

import pytest

SCORE_KEY = pytest.StashKey[dict]()   # fault name -> caught (bool)

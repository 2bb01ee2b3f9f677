"""Hypothesis profiles for tests/common: ``ci`` (default, keeps the run under a few seconds) and
``hard`` (``HYPOTHESIS_PROFILE=hard``: many more examples, for hardening sessions)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("hard", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                          HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

"""Durations in scenarios (``90s``, ``15m``, ``1.5h``) and profile-relative times.

Why: timing windows must read like the documentation ("waits 15 minutes"), and the same scenario
must follow a tenant configured with another delay, so a window may name a profile value instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$")

#: Profile values a timing window may name, as seconds (profile keys from schemas/profile.schema.json).
PROFILE_TIMES = {"deactivation_delay": lambda p: 60 * int(p.get("deactivation_delay_minutes", 15))}


def parse_duration(value: float | str) -> float:
    """Seconds in ``value`` (a number of seconds or ``<n><unit>``)."""
    if isinstance(value, bool):
        raise HarnessError(f"duration {value!r} must be a number of seconds or like '15m'")
    if isinstance(value, (int, float)):
        return float(value)
    match = _PATTERN.match(value.strip())
    if not match:
        raise HarnessError(f"duration {value!r} must be a number of seconds or like 90s, 15m, 1h")
    return float(match.group(1)) * _UNITS[match.group(2)]


def format_duration(seconds: float) -> str:
    """``900.0`` -> ``15m``; ``95`` -> ``1m35s``; for messages and the timeline."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v) or "0s"


@dataclass(frozen=True)
class TimeRef:
    """An offset from the end of the ``when`` steps, with the tolerance a window allows."""

    offset: float
    tolerance: float
    text: str


def resolve_time(value: Any, profile: dict[str, Any]) -> TimeRef:
    """Resolve ``15m`` or ``{profile: deactivation_delay, plus: 1m, tolerance: 2m}`` against ``profile``."""
    if isinstance(value, dict):
        offset = 0.0
        text = []
        if "profile" in value:
            offset += PROFILE_TIMES[value["profile"]](profile)
            text.append(f"{value['profile']} ({format_duration(offset)})")
        if "plus" in value:
            offset += parse_duration(value["plus"])
            text.append(f"+ {value['plus']}")
        tolerance = parse_duration(value.get("tolerance", 0))
        if tolerance:
            text.append(f"± {value['tolerance']}")
        return TimeRef(offset, tolerance, " ".join(text))
    return TimeRef(parse_duration(value), 0.0, str(value))

"""Known deviations: failing scenarios a team has accepted for now, each with a reason, a ticket and an
expiry date.

Why strict: an entry must not outlive its reason. A listed scenario that passes, or an entry past its
``expires`` date, fails the run, so the list shrinks instead of silently hiding regressions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from harness.errors import ConfigError

SCHEMA = {
    "type": "array",
    "items": {
        "type": "object", "additionalProperties": False, "required": ["id", "reason", "ticket", "expires"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
            "ticket": {"type": "string", "minLength": 1},
            "expires": {"type": "string", "format": "date"},
        },
    },
}


@dataclass(frozen=True)
class Deviation:
    id: str
    reason: str
    ticket: str
    expires: dt.date

    def expired(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) > self.expires

    def describe(self) -> str:
        return f"known deviation ({self.ticket}, expires {self.expires.isoformat()}): {self.reason}"


def load_deviations(path: Path) -> dict[str, Deviation]:
    """Read a known-deviations YAML file (a list of {id, reason, ticket, expires: YYYY-MM-DD})."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--known-deviations {path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"--known-deviations {path}: not valid YAML: {exc}") from None
    raw = raw or []
    # YAML turns 2026-12-31 into a date; the schema speaks strings.
    if isinstance(raw, list):
        raw = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in e.items()} if isinstance(e, dict) else e
               for e in raw]
    errors = list(jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).iter_errors(raw))
    if errors:
        e = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path) or "(top level)"
        raise ConfigError(f"--known-deviations {path}: {where}: {e.message}")
    out: dict[str, Deviation] = {}
    for entry in raw:
        if entry["id"] in out:
            raise ConfigError(f"--known-deviations {path}: {entry['id']!r} is listed twice")
        out[entry["id"]] = Deviation(entry["id"], entry["reason"], entry["ticket"], dt.date.fromisoformat(entry["expires"]))
    return out

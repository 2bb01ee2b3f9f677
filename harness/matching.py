"""Subset matching for expectations, with messages that point at the differing field.

Why subset: a scenario states what the documentation promises (``active: false``) and nothing more;
servers may add attributes. Lists match when every expected item matches some actual item, because
SCIM multi-valued attributes are unordered (RFC 7643 §2.4).
"""

from __future__ import annotations

import json
from typing import Any


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:300]


def mismatches(expected: Any, actual: Any, path: str = "", *, case_insensitive_keys: bool = True) -> list[str]:
    """Every place where ``actual`` does not contain ``expected`` (empty list = match)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '(body)'}: expected an object, got {_show(actual)}"]
        out = []
        lowered = {k.lower(): k for k in actual} if case_insensitive_keys else {}
        for key, want in expected.items():
            real = key if key in actual else lowered.get(key.lower()) if case_insensitive_keys else None
            here = f"{path}.{key}" if path else key
            if real is None:
                if want is not None:
                    out.append(f"{here}: missing (expected {_show(want)})")
                continue
            out += mismatches(want, actual[real], here, case_insensitive_keys=case_insensitive_keys)
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {_show(actual)}"]
        out = []
        for i, want in enumerate(expected):
            if not any(not mismatches(want, item, case_insensitive_keys=case_insensitive_keys) for item in actual):
                out.append(f"{path}[{i}]: no item matches {_show(want)}; got {_show(actual)}")
        return out
    if isinstance(expected, bool) or isinstance(actual, bool):  # "False" and 0 are not false
        equal = type(expected) is type(actual) and expected == actual
    else:
        equal = expected == actual
    if not equal:
        return [f"{path or '(value)'}: expected {_show(expected)}, got {_show(actual)}"]
    return []


def dig(data: Any, dotted: str) -> Any:
    """``Resources.0.id`` -> data["Resources"][0]["id"] (KeyError naming the missing part)."""
    current = data
    for part in dotted.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise KeyError(f"{dotted!r}: no {part!r} in the response body")
    return current

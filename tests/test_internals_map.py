"""docs/internals.md is a map of the tree: every path it names must exist, so the map cannot drift
into describing modules that were renamed, split or never landed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "internals.md"
#: Folders a bare module name (``lifecycle.py``) in the map may live in.
CODE = ("harness", "simulators", "tests", "bench")


def _backticked_paths(text: str) -> set[str]:
    """Repository paths in backticks: contain a slash, are not URL routes (``/scim/v2``) or beside the
    repository (``../shared``), and are not Python dotted names or commands."""
    out = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        if "/" in token and not token.startswith(("/", "../")) and re.fullmatch(r"[\w./*-]+", token):
            out.add(token)
    return out


def _module_names(text: str) -> set[str]:
    """Every ``something.py`` the map mentions, in backticks, prose or the folder trees."""
    return set(re.findall(r"(?<![\w/.-])([\w*/-]+\.py)\b", text))


def _exists(path: str) -> bool:
    return any(ROOT.glob(path.rstrip("/"))) if "*" in path else (ROOT / path).exists()


def test_every_path_named_in_the_internals_map_exists():
    text = MAP.read_text(encoding="utf-8")
    paths = _backticked_paths(text)
    assert len(paths) > 50, "the map names the tree's modules by path"
    missing = sorted(p for p in paths if not _exists(p))
    assert not missing, f"docs/internals.md names paths that do not exist: {missing}"


def test_every_module_named_in_the_internals_map_exists():
    text = MAP.read_text(encoding="utf-8")
    missing = []
    for name in sorted(_module_names(text)):
        if "/" in name:
            if not _exists(name):
                missing.append(name)
        elif not any(next((ROOT / folder).rglob(name), None) for folder in CODE):
            missing.append(name)
    assert not missing, f"docs/internals.md names modules that do not exist: {missing}"


def test_the_map_checker_sees_a_missing_module():
    """The checks above can fail: a made-up module is reported."""
    assert not _exists("simulators/common/no_such_module.py")
    assert "simulators/common/no_such_module.py" in _backticked_paths("`simulators/common/no_such_module.py`")
    assert _module_names("see persistence.py and `harness/probe.py`") == {"persistence.py", "harness/probe.py"}

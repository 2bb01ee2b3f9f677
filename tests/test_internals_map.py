"""docs/internals.md is a map of the tree: every path it names must exist, so the map cannot drift
into describing modules that were renamed, split or never landed; and every product module must be
named in it, so a module cannot land without a place on the map.

A module is named by its repository path in backticks, by its line in one of the map's folder trees
(indentation gives its folder), or by its bare file name in backticks after a backticked path in the
same section, which gives its folder (``simulators/code42/domain/`` ... ``lifecycle.py``); a bare name
of a file at the repository root (``vulture_whitelist.py``) is that file."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "internals.md"
#: Folders a bare module name (``lifecycle.py``) in the map may live in.
CODE = ("harness", "simulators", "tests", "bench")
#: Folders whose every module (``__init__.py`` aside) the map must name.
PRODUCT = ("harness", "simulators")
FENCE = "```"
#: A folder-tree line: indentation, then a folder (``http/``, ``simulators/code42/``) or a module
#: (``plugin.py``), then two spaces before its description or the end of the line. Description lines
#: continuing the entry above start with prose, so they do not match.
TREE_ENTRY = re.compile(r"( *)((?:[\w.-]+/)+|[\w.-]+\.py)(?: {2,}|$)")
#: In prose: a backticked token.
PROSE_TOKEN = re.compile(r"`([^`\s]+)`")


def _backticked_paths(text: str) -> set[str]:
    """Repository paths in backticks: contain a slash, are not URL routes (``/scim/v2``) or beside the
    repository (``../shared``), and are not Python dotted names or commands."""
    out = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        if _is_repo_path(token):
            out.add(token)
    return out


def _module_names(text: str) -> set[str]:
    """Every ``something.py`` the map mentions, in backticks, prose or the folder trees."""
    return set(re.findall(r"(?<![\w/.-])([\w*/-]+\.py)\b", text))


def _is_repo_path(token: str) -> bool:
    return "/" in token and not token.startswith(("/", "../")) and re.fullmatch(r"[\w./*-]+", token) is not None


def _tree_modules(lines: list[str]) -> set[str]:
    """The modules a fenced folder tree names, each joined to the folders above it."""
    found: set[str] = set()
    stack: list[tuple[int, str]] = []  # (indent, folder path)
    for line in lines:
        entry = TREE_ENTRY.match(line)
        if not entry:
            continue
        indent, name = len(entry.group(1)), entry.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = (stack[-1][1] if stack else "") + name
        if name.endswith("/"):
            stack.append((indent, path))
        else:
            found.add(path)
    return found


def _prose_modules(line: str, folder: str | None) -> tuple[set[str], str | None]:
    """The modules one prose line names, and the folder a bare name after it resolves against."""
    found: set[str] = set()
    for token in PROSE_TOKEN.findall(line):
        if "*" in token:
            continue  # a pattern (``tests/*/x.py``) names no one folder
        if _is_repo_path(token):
            if token.endswith(".py"):
                found.add(token)
            folder = token if token.endswith("/") else token.rsplit("/", 1)[0] + "/"
        elif re.fullmatch(r"[\w.-]+\.py", token):
            if (ROOT / token).is_file():
                found.add(token)
            elif folder is not None:
                found.add(folder + token)
    return found, folder


def _named_modules(text: str) -> set[str]:
    """Repository paths of the modules the map names (see the module docstring for how)."""
    found: set[str] = set()
    fence: list[str] | None = None
    folder: str | None = None
    for line in text.splitlines():
        if line.startswith(FENCE):
            if fence is not None:
                found |= _tree_modules(fence)
            fence = [] if fence is None else None
            folder = None
        elif fence is not None:
            fence.append(line)
        elif line.startswith("#"):
            folder = None  # a new section: a bare name needs a path of its own section
        else:
            names, folder = _prose_modules(line, folder)
            found |= names
    return found


def _product_modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for folder in PRODUCT for p in (ROOT / folder).rglob("*.py")
            if p.name != "__init__.py" and "_bundled" not in p.parts}


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


def test_every_module_the_map_places_in_a_folder_is_there():
    """A bare name resolved against its tree or section must be that folder's module, not one elsewhere."""
    missing = sorted(p for p in _named_modules(MAP.read_text(encoding="utf-8")) if not (ROOT / p).is_file())
    assert not missing, f"docs/internals.md places modules where they are not: {missing}"


def test_every_product_module_is_named_in_the_internals_map():
    unnamed = sorted(_product_modules() - _named_modules(MAP.read_text(encoding="utf-8")))
    assert not unnamed, f"docs/internals.md does not say where these modules are or what they do: {unnamed}"


def test_the_map_checker_sees_a_missing_module():
    """The checks above can fail: a made-up module is reported."""
    assert not _exists("simulators/common/no_such_module.py")
    assert "simulators/common/no_such_module.py" in _backticked_paths("`simulators/common/no_such_module.py`")
    assert _module_names("see persistence.py and `harness/probe.py`") == {"persistence.py", "harness/probe.py"}


def test_the_map_checker_resolves_trees_and_sections():
    """Trees join names to the folders above them; a bare name takes the folder of the last path in its
    section and no other; a module the text leaves out is reported."""
    text = textwrap.dedent("""\
        ```
        harness/        the engine
          steps/          step kinds
            idp.py          directory steps
                            continued: not_a_module.py
          cli.py          the CLI
        ```
        `simulators/code42/domain/`
        - Behaviour: `lifecycle.py`, and `simulators/common/clock.py`;
          then `paging.py`, `vulture_whitelist.py`, not engine.py.
        ## Another section
        - `orphan.py` has no folder here; `tests/*/vulture_whitelist.py` names none
        """)
    assert _named_modules(text) == {"harness/steps/idp.py", "harness/cli.py", "simulators/code42/domain/lifecycle.py",
                                    "simulators/common/clock.py", "simulators/common/paging.py",
                                    "vulture_whitelist.py"}
    assert "harness/probe.py" in _product_modules() - _named_modules(text)

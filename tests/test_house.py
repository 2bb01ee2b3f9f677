"""The rules of the house, checked on the source tree (issue 10): small modules and functions, SQL only
in the storage layer, imports that go one way, no test helper shipped inside the product, and ruff and
vulture clean with the project's configuration.

Why a test and not a review note: each rule keeps the folder tree readable as a map, and each one
erodes one commit at a time unless something fails when it is broken. Every exception is listed
below with its reason; an entry that no longer applies fails too, so the lists cannot go stale.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("harness", "simulators")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 100
STORAGE = "simulators/code42/storage/"

#: Modules allowed past MAX_MODULE_LINES because they are data tables, not logic. path -> reason.
LONG_MODULES: dict[str, str] = {}

#: Functions allowed past MAX_FUNCTION_LINES because their body is a data table. "path::qualname" -> reason.
LONG_FUNCTIONS: dict[str, str] = {}

#: Product modules that may import hypothesis.strategies: they use Hypothesis at run time, as a feature.
STRATEGY_USERS: dict[str, str] = {
    "harness/explore/machine.py": "scimgate explore draws its operation programs with Hypothesis at run time",
}

#: A string literal is SQL when it starts like a statement (upper-case keywords, as this code base writes
#: SQL); prose in messages and docstrings does not.
SQL = re.compile(
    r"^\s*(SELECT\b[\s\S]*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b"
    r"|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b|DROP\s+(TABLE|INDEX)\b|ALTER\s+TABLE\b|PRAGMA\s+\w+"
    r"|REPLACE\s+INTO\b|WITH\s+\w+\s+AS\s*\(|BEGIN(\s+IMMEDIATE|\s+EXCLUSIVE)?\s*;?\s*$)")


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "_bundled" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names (relative imports resolved against its package)."""
    package = _rel(path).removesuffix(".py").split("/")[:-1]
    found: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    out = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((prefix + node.name, node))
            out += _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            out += _functions(node, f"{prefix}{node.name}.")
        else:
            out += _functions(node, prefix)
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals with their line; an f-string counts as its literal parts joined."""
    skip = _docstrings(tree)
    inside_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            out.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
              and id(node) not in inside_fstring):
            out.append((node.lineno, node.value))
    return out


def test_the_sql_detector_tells_sql_from_prose():
    assert SQL.match("SELECT id FROM users WHERE username = ?")
    assert SQL.match("\n        INSERT INTO users (id) VALUES (?)")
    assert SQL.match("UPDATE users SET active = 0") and SQL.match("DELETE FROM sync_log")
    assert SQL.match("CREATE UNIQUE INDEX IF NOT EXISTS x ON users (username)") and SQL.match("PRAGMA journal_mode=WAL")
    assert not SQL.match("select the first org from the list") and not SQL.match("Update the user")
    assert not SQL.match("a user SELECT FROM nothing")


def test_no_module_over_600_lines():
    long = {_rel(p): n for p in _modules(*PRODUCT)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    over = [f"{path}: {n} lines" for path, n in long.items() if path not in LONG_MODULES]
    assert not over, "split these modules:\n" + "\n".join(over)
    assert set(LONG_MODULES) <= set(long), "allow-list entries that are no longer needed"


def test_no_function_over_100_lines():
    long = {}
    for path in _modules(*PRODUCT):
        for name, node in _functions(_tree(path)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if (n := node.end_lineno - start + 1) > MAX_FUNCTION_LINES:
                long[f"{_rel(path)}::{name}"] = n
    over = [f"{key}: {n} lines" for key, n in long.items() if key not in LONG_FUNCTIONS]
    assert not over, "split these functions:\n" + "\n".join(over)
    assert set(LONG_FUNCTIONS) <= set(long), "allow-list entries that are no longer needed"


def test_no_sql_outside_the_storage_layer():
    found = [f"{_rel(p)}:{line}: {text.strip()[:60]!r}" for p in _modules(*PRODUCT)
             if not _rel(p).startswith(STORAGE) for line, text in _strings(_tree(p)) if SQL.match(text)]
    assert not found, f"SQL belongs in {STORAGE}:\n" + "\n".join(found)


def test_simulators_never_import_harness():
    found = {_rel(p): sorted(m for m in _imports(p) if m == "harness" or m.startswith("harness."))
             for p in _modules("simulators")}
    assert not {k: v for k, v in found.items() if v}


@pytest.mark.parametrize(("folder", "other"), [("code42", "azure_ad"), ("azure_ad", "code42")])
def test_code42_and_azure_ad_share_only_common(folder, other):
    banned = f"simulators.{other}"
    found = {_rel(p): sorted(m for m in _imports(p) if m == banned or m.startswith(banned + "."))
             for p in _modules(f"simulators/{folder}")}
    assert not {k: v for k, v in found.items() if v}, f"simulators/{folder} may import simulators/common only"


def _is_test_helper(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in ("tests", "conftest") or "testing" in parts or any(p.endswith("strategies") for p in parts)


def test_the_product_never_imports_test_helpers():
    found = {}
    for path in _modules(*PRODUCT):
        own = _rel(path).removesuffix(".py").replace("/", ".")
        if _is_test_helper(own):
            continue  # a testing module may import its peers
        helpers = sorted(m for m in _imports(path) if _is_test_helper(m) and not m.startswith("hypothesis"))
        if helpers:
            found[_rel(path)] = helpers
    assert not found, "test helpers live with the tests or in a testing module the product never imports"


def test_hypothesis_strategies_live_with_the_tests():
    """Only a ``testing`` package (or a listed run-time user) in the product may import hypothesis.strategies."""
    users = {_rel(p) for p in _modules(*PRODUCT)
             if any(m == "hypothesis.strategies" or m.startswith("hypothesis.strategies.") for m in _imports(p))
             and "testing" not in _rel(p).removesuffix(".py").split("/")}
    assert users <= set(STRATEGY_USERS), f"strategies in the product: {sorted(users - set(STRATEGY_USERS))}"
    assert set(STRATEGY_USERS) <= users, "allow-list entries that are no longer needed"


def test_ruff_and_vulture_are_clean():
    """``ruff check .`` (the project's rules, C901 at 15) and ``vulture`` (dead code), both configured in
    pyproject.toml and both in the test extra: a finding of either fails the suite, with its output."""
    failures = []
    for command in (["ruff", "check", "--no-cache", "."], ["vulture"]):
        # The timeout only guards a hang; either tool takes seconds.
        result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                                check=False, timeout=600)
        if result.returncode != 0:
            failures.append(f"$ {' '.join(command)}  (exit {result.returncode})\n{result.stdout}{result.stderr}")
    assert not failures, "\n".join(failures)

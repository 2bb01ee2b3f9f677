"""Allure environment, categories and the single-file HTML report.

Why Allure 3 from npm: it renders one self-contained ``index.html`` that opens from ``file://``
without Java (libraries-and-style.md §2.3). Its default "awesome" report ignores a results-folder
``categories.json``, so categories go into an ``allurerc.mjs`` we write next to the results; the
JSON file is still written for Allure 2 users.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

TOOL_DIR = Path(__file__).with_name("tool")

#: Allure categories; the plugin prefixes every message with its category in brackets. ``[\s\S]*``
#: rather than ``(?s).*``: Allure 2 (Java) full-matches these, Allure 3 compiles them as JavaScript
#: regular expressions, which have no inline ``(?s)`` flag (an "Invalid group" that aborts the report).
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Product defects", "matchedStatuses": ["failed"], "messageRegex": r"[\s\S]*\[product defect\][\s\S]*"},
    {"name": "Known deviations", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*\[known deviation[\s\S]*"},
    {"name": "Known deviation entries to act on", "matchedStatuses": ["failed"],
     "messageRegex": r"[\s\S]*\[known deviation (expired|passes)\][\s\S]*"},
    {"name": "Target unreachable", "matchedStatuses": ["broken"], "messageRegex": r"[\s\S]*\[target unreachable\][\s\S]*"},
    {"name": "Harness errors", "matchedStatuses": ["broken"], "messageRegex": r"[\s\S]*\[harness error\][\s\S]*"},
    {"name": "Not verifiable", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*\[not verifiable\][\s\S]*"},
]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment_properties(config: Any) -> str:
    """``environment.properties`` (Allure "Metadata"): target, profile and versions. No secrets."""
    target = "mock Code42 (in-process, simulated time)" if config.simulated else config.scim_url
    props = {
        "target": target,
        "profile": config.profile,
        "run.prefix": config.run_prefix,
        "live": str(config.live).lower(),
        "code42.admin.api": config.code42_api_url or ("in-process mock" if config.simulated else "not configured"),
        "scimgate": _version("scimgate"),
        "pytest": _version("pytest"),
        "allure-pytest": _version("allure-pytest"),
        "python": platform.python_version(),
    }
    return "".join(f"{k}={str(v).replace(chr(10), ' ')}\n" for k, v in props.items())


def allurerc(name: str, output: Path) -> str:
    """An ``allurerc.mjs`` for the awesome single-file report with our categories."""
    config = {
        "name": name,
        "output": str(output),
        "categories": CATEGORIES,
        "plugins": {"awesome": {"options": {"singleFile": True, "groupBy": ["feature", "story"]}}},
    }
    # A plain object: ``defineConfig`` is an identity helper, and importing it would tie the file to a
    # folder where the ``allure`` package resolves.
    return "export default " + json.dumps(config, indent=2) + ";\n"


def cache_dir() -> Path:
    base = os.environ.get("SCIMGATE_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scimgate" / "report-tool"


def missing_tools() -> str | None:
    """What is missing to render HTML, or None."""
    absent = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if absent:
        return f"{' and '.join(absent)} not found on PATH: install Node.js 18+ (e.g. apt-get install nodejs npm)"
    return None


def ensure_allure(log: Any = print) -> Path:
    """Install the pinned npm ``allure`` into the cache on first use; return its CLI script."""
    problem = missing_tools()
    if problem:
        raise HarnessError(f"cannot render the HTML report: {problem}")
    target = cache_dir()
    cli = target / "node_modules" / "allure" / "cli.js"
    pinned = json.loads((TOOL_DIR / "package.json").read_text())["dependencies"]["allure"]
    stamp = target / ".installed-version"
    if cli.is_file() and stamp.is_file() and stamp.read_text().strip() == pinned:
        return cli
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(TOOL_DIR / "package.json", target / "package.json")
    log(f"scimgate: installing allure {pinned} (npm) into {target} (first use only)")
    result = subprocess.run(["npm", "install", "--prefix", str(target), "--no-audit", "--no-fund", "--omit=dev"],
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise HarnessError(f"npm install of allure {pinned} failed (exit {result.returncode}): "
                           f"{result.stderr.strip()[-800:]}")
    if not cli.is_file():
        candidates = list((target / "node_modules" / "allure").glob("*.js"))
        raise HarnessError(f"allure installed but its CLI is not at {cli} (found {[c.name for c in candidates]})")
    stamp.write_text(pinned)
    return cli


def render_html(results: Path, output: Path, *, name: str = "scimgate SCIM conformance", log: Any = print) -> Path:
    """Render ``results`` (an Allure results folder) into ``output/index.html`` (one self-contained file)."""
    results, output = Path(results).resolve(), Path(output).resolve()
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise HarnessError(f"no Allure results in {results}: run `scimgate run` or pytest --alluredir={results} first")
    cli = ensure_allure(log)
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scimgate-allure-") as work:
        rc = Path(work) / "allurerc.mjs"
        rc.write_text(allurerc(name, output), encoding="utf-8")
        command = ["node", str(cli), "awesome", str(results), "--config", str(rc), "-o", str(output), "--single-file"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=work, check=False)
    index = output / "index.html"
    if result.returncode != 0 or not index.is_file():
        raise HarnessError(f"allure awesome failed (exit {result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[-800:]}")
    return index

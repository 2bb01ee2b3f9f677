"""The single-file HTML report: Allure results rendered by the pinned npm ``allure`` 3.

Why Allure 3 from npm: it renders one self-contained ``index.html`` that opens from ``file://``
without Java (libraries-and-style.md §2.3). Its default "awesome" report ignores a results-folder
``categories.json``, so categories go into an ``allurerc.mjs`` we write next to the results; the
JSON file is still written for Allure 2 users.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.report.allure import CATEGORIES

TOOL_DIR = Path(__file__).with_name("tool")


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

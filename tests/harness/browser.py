"""Open a generated report in headless Debian Chromium and return the text it renders.

Why a real browser: the single-file Allure report is an app that renders from data embedded in the
page; only running it proves an engineer will see the scenario and its failed step. ``--dump-dom``
after a virtual-time budget gives the rendered DOM without a driver; to open a test result we add a
small script to a *copy* of the page that clicks the first tree leaf, as an engineer would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
CLICK_FIRST_LEAF = """<script>
(function poll(n) {
  var leaf = document.querySelector('[data-testid="tree-leaf-title"]');
  if (leaf) { leaf.click(); return; }
  if (n > 0) { setTimeout(function () { poll(n - 1); }, 100); }
})(150);
</script>"""


def chromium() -> tuple[str | None, str]:
    """The chromium binary, installing the Debian package if it is missing; (None, why) if impossible."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM, ""
    if shutil.which("apt-get") is None:
        return None, "chromium is not installed and apt-get is not available"
    result = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True,
                            timeout=900, check=False)
    if result.returncode != 0 or not Path(CHROMIUM).is_file():
        return None, f"apt-get install -y chromium failed: {result.stderr.strip()[-300:]}"
    return CHROMIUM, ""


def rendered_text(html: Path, *, open_first_result: bool = False, budget_ms: int = 20000) -> str:
    """The visible text of ``html`` after it rendered (scripts and styles removed, whitespace folded)."""
    binary, why = chromium()
    if binary is None:
        raise RuntimeError(why)
    with tempfile.TemporaryDirectory(prefix="scimgate-chromium-") as work:
        page = html
        if open_first_result:
            page = Path(work) / "page.html"
            text = html.read_text(encoding="utf-8")
            page.write_text(text.replace("</body>", CLICK_FIRST_LEAF + "</body>") if "</body>" in text
                            else text + CLICK_FIRST_LEAF, encoding="utf-8")
        result = subprocess.run([binary, *FLAGS, f"--user-data-dir={Path(work) / 'profile'}",
                                 f"--virtual-time-budget={budget_ms}", "--dump-dom", page.resolve().as_uri()],
                                capture_output=True, text=True, timeout=120, check=False)
    dom = result.stdout
    dom = re.sub(r"<script\b[^>]*>.*?</script>", " ", dom, flags=re.DOTALL)
    dom = re.sub(r"<style\b[^>]*>.*?</style>", " ", dom, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))

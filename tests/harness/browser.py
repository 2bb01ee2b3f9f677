"""Open a generated report in Debian's Chromium through Playwright and return the text it renders.

Why a real browser: the single-file Allure report is an app that renders from data embedded in the
page; only running it proves an engineer will see the scenario and its failed step. Playwright drives
the system Chromium (``executable_path``; no browser is downloaded) and every read waits for the
element that shows the app has rendered, so a busy machine makes the test slower, never wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# headless comes from ``launch(headless=True)``; the rest keep Chromium off the network and quiet.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
# A bound on how long a broken page may hang the test, not a budget the page must render within:
# each wait returns as soon as its element is there.
HANG_LIMIT_MS = 300_000
TREE_LEAF = '[data-testid="tree-leaf-title"]'
# A test result's view is rendered once its header status, error and step tree are in the DOM.
RESULT_RENDERED = ('[data-testid="test-result-status-failed"]', '[data-testid="test-result-error-message"]',
                   '[data-testid="test-result-steps-root"]')


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


@contextmanager
def report_page(html: Path) -> Iterator[Page]:
    """``html`` open in a fresh headless Chromium, closed again on exit."""
    binary, why = chromium()
    if binary is None:
        raise RuntimeError(why)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, headless=True, args=FLAGS,
                                             timeout=HANG_LIMIT_MS)
        try:
            page = browser.new_page()
            page.set_default_timeout(HANG_LIMIT_MS)
            page.goto(html.resolve().as_uri())
            yield page
        finally:
            browser.close()


def rendered_text(html: Path, *, open_first_result: bool = False) -> str:
    """The visible text of ``html`` once its result tree rendered (whitespace folded).

    With ``open_first_result`` the first tree leaf is clicked, as an engineer would, and the text is
    read once that result's view has rendered.
    """
    with report_page(html) as page:
        leaf = page.locator(TREE_LEAF).first
        leaf.wait_for(state="visible")
        if open_first_result:
            leaf.click()
            for selector in RESULT_RENDERED:
                page.locator(selector).first.wait_for(state="visible")
        return re.sub(r"\s+", " ", page.locator("body").inner_text())

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
from dataclasses import dataclass
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
# A tree group whose arrow is not turned open: Allure expands only the groups holding failures.
CLOSED_GROUP = '[data-testid="tree-arrow"]:not(:has(svg[class*="arrow-button-icon--opened"]))'
OPENED = 'svg[class*="arrow-button-icon--opened"]'
MAX_TREE_DEPTH = 8   # epic -> area -> scenario is three; a bound on the loop, not a wait
STEPS_ROOT = '[data-testid="test-result-steps-root"]'
STEP_HEADER = '[data-testid="test-result-step-header"]'
DESCRIPTION = '[data-testid="test-result-description-frame"]'


@dataclass
class ResultView:
    """What an engineer sees on a test result's page."""

    text: str                       # the page's visible text, whitespace folded
    steps: list[tuple[str, str]]    # top-level steps: (title, status shown by its icon)
    description: str                # the rendered description (an iframe), whitespace folded


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


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _open_first_result(page: Page, status: str) -> None:
    """Open tree groups down to the first result, click it, and wait until its view has rendered: the
    header shows ``status``, the steps are there (and for a failure, the error message)."""
    leaf = page.locator(TREE_LEAF).first
    for _ in range(MAX_TREE_DEPTH):
        page.locator(f"{TREE_LEAF}, {CLOSED_GROUP}").first.wait_for(state="visible")
        if leaf.is_visible():
            break
        arrow = page.locator(CLOSED_GROUP).first.element_handle()
        arrow.click()
        arrow.wait_for_selector(OPENED)  # opened before the next look, so no group is clicked twice
    leaf.click()
    rendered = [f'[data-testid="test-result-status-{status}"]', STEPS_ROOT]
    if status in ("failed", "broken"):
        rendered.append('[data-testid="test-result-error-message"]')
    for selector in rendered:
        page.locator(selector).first.wait_for(state="visible")


def rendered_text(html: Path, *, open_first_result: bool = False) -> str:
    """The visible text of ``html`` once its result tree rendered (whitespace folded).

    With ``open_first_result`` the first result (a failed one) is opened, as an engineer would, and the
    text is read once that result's view has rendered.
    """
    with report_page(html) as page:
        page.locator(TREE_LEAF).first.wait_for(state="visible")
        if open_first_result:
            _open_first_result(page, "failed")
        return _fold(page.locator("body").inner_text())


def result_view(html: Path, status: str) -> ResultView:
    """The first result of ``html`` (whose status is ``status``) opened as an engineer would."""
    with report_page(html) as page:
        _open_first_result(page, status)
        steps = []
        for header in page.locator(f'{STEPS_ROOT} > [data-testid="test-result-step"] > {STEP_HEADER}').all():
            icon = header.locator('[data-testid^="tree-leaf-status-"]').first.get_attribute("data-testid")
            title = header.locator('[data-testid="test-result-step-title"]').first.inner_text()
            steps.append((title, icon.removeprefix("tree-leaf-status-")))
        description = page.frame_locator(DESCRIPTION).locator("body")
        description.wait_for(state="visible")
        return ResultView(_fold(page.locator("body").inner_text()), steps, _fold(description.inner_text()))

"""Open a page in a real browser: Debian's chromium (/usr/bin/chromium) driven by Playwright,
never Playwright's own browser downloads. Without chromium or Playwright a test is skipped,
unless CIVCAS_REQUIRE_CHROMIUM=1 (CI), when it fails."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:")


def require_chromium() -> None:
    """Skip (or fail, under CIVCAS_REQUIRE_CHROMIUM=1) when the browser cannot be driven."""
    problem = None
    if not CHROMIUM.is_file():
        problem = f"{CHROMIUM} is absent (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (make install)"
    if problem is None:
        return
    if os.environ.get("CIVCAS_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"CIVCAS_REQUIRE_CHROMIUM=1 but {problem}")
    pytest.skip(f"no browser test: {problem}")


@dataclass
class Visit:
    """What the browser saw on one page."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # requests to anything but file: or data:, all aborted
    images: list[dict] = field(default_factory=list)
    text: str = ""
    console: list[str] = field(default_factory=list)


def visit(page_path: Path, screenshot: Path, width: int = 1280) -> Visit:
    """Open `page_path` (file://), wait for it to load, record every request and console
    message, every image's load state, the visible text, and save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    seen = Visit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")

            def route(route) -> None:
                if route.request.url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    seen.outside.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: seen.requests.append(request.url))
            page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            seen.images = page.eval_on_selector_all(
                "img", "images => images.map(i => ({src: i.getAttribute('src'), complete: i.complete, "
                "naturalWidth: i.naturalWidth}))")
            seen.text = page.inner_text("body")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    seen.outside += [url for url in seen.requests if not url.startswith(LOCAL_SCHEMES) and url not in seen.outside]
    return seen

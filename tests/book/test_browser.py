"""The built book, opened offline in headless Chromium: math typeset, figures loaded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from .conftest import CHAPTER_PAGES, BuiltBook

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("no system Chromium: install Debian's `chromium` package (make test does so when run as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("page", ["intro", *CHAPTER_PAGES, "references"])
def test_page_renders_offline(built_book: BuiltBook, browser: Browser, page: str) -> None:
    assert built_book.returncode == 0, "the book did not build"
    context = browser.new_context()
    outside: list[str] = []
    context.route(
        lambda url: not url.startswith(("file:", "data:", "blob:", "about:")),
        lambda route: (outside.append(route.request.url), route.abort()),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(built_book.page(page).as_uri(), wait_until="load")
    has_math = tab.evaluate("document.querySelector('.math') !== null")
    if has_math:
        tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        tab.evaluate("MathJax.startup.promise")
        typeset = tab.evaluate("document.querySelectorAll('mjx-container').length")
        raw = tab.evaluate(
            "Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length"
        )
        assert typeset > 0 and raw == 0, f"{raw} math elements left as raw TeX, {typeset} typeset"
        assert "\\frac" not in tab.inner_text("main")
    broken = tab.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == [], f"images that did not load: {broken}"
    assert errors == [], f"JavaScript errors: {errors}"
    assert outside == [], f"the page asked the network for {outside}"
    context.close()
    if page in CHAPTER_PAGES:
        assert has_math, "a chapter page without math"


def test_search_finds_pages_offline(built_book: BuiltBook, browser: Browser) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(built_book.page("search").as_uri() + "?q=momentum", wait_until="load")
    tab.wait_for_selector("#search-results ul.search li", timeout=30_000)
    results = tab.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    context.close()
    assert any("04-ema" in link for link in results), results

"""The book builds with warnings as errors, and every page a reader expects is there."""

from __future__ import annotations

import re

import pytest

from .conftest import CHAPTER_PAGES, EXERCISE_PAGES, BuiltBook

pytestmark = pytest.mark.book


def test_book_builds_without_warnings(built_book: BuiltBook) -> None:
    assert built_book.returncode == 0, built_book.log[-5000:]
    assert "build succeeded" in built_book.log
    assert ": WARNING:" not in built_book.log, built_book.log[-5000:]


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_chapter_page_has_math_figures_and_citations(built_book: BuiltBook, page: str) -> None:
    html = built_book.page(page).read_text()
    assert html.count('class="math notranslate nohighlight"') >= 1, "no typeset math"
    figures = set(re.findall(r'<img[^>]+src="([^"]+\.png)"', html))
    assert len(figures) >= 2, f"expected at least two figures, found {sorted(figures)}"
    assert 'href="../../references.html#id' in html or "bibtex" in html, "no citation"
    assert 'id="exercises"' in html, "no Exercises section"


@pytest.mark.parametrize("page", EXERCISE_PAGES)
def test_exercise_page_is_rendered_unexecuted(built_book: BuiltBook, page: str) -> None:
    html = built_book.page(page).read_text()
    assert "NotImplementedError" in html
    assert 'class="cell_output' not in html, "exercise notebooks must not be executed at build time"


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_chapter_page_offers_its_notebook_and_launches_the_exercises(built_book: BuiltBook, page: str) -> None:
    html = built_book.page(page).read_text()
    chapter = page.rsplit("/", 1)[0]
    download = f"_sources/{page}.ipynb"
    assert f'href="../../{download}"' in html
    assert (built_book.html / download).is_file()
    for host in ("mybinder.org", "colab.research.google.com"):
        links = re.findall(rf'href="(https://{re.escape(host)}[^"]+)"', html)
        assert links and all(link.endswith(f"{chapter}/exercises.ipynb") for link in links), links


def test_references_page_lists_the_papers(built_book: BuiltBook) -> None:
    html = built_book.page("references").read_text()
    for title in ("Batch Normalization: Accelerating", "How Does Batch Normalization Help", "Group Normalization"):
        assert title.lower() in html.lower()  # the bibliography style lowercases titles


def test_mathjax_is_served_from_the_book(built_book: BuiltBook) -> None:
    html = built_book.page(CHAPTER_PAGES[1]).read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]*(?:mathjax|tex-chtml)[^"]*)"', html, flags=re.I)
    assert scripts and all(not s.startswith(("http:", "https:", "//")) for s in scripts), scripts
    assert (built_book.html / "_static" / "mathjax" / "tex-chtml.js").is_file()


def _links() -> list[str]:
    from autograder import exercises

    urls = [e.url for e in exercises.all_exercises().values()] + [m.url for m in exercises.misconceptions().values()]
    return sorted(set(urls))


@pytest.mark.parametrize("url", _links())
def test_every_link_of_the_graders_feedback_lands_on_an_anchor(built_book: BuiltBook, url: str) -> None:
    from autograder.catalog import BOOK_URL

    page, anchor = url.removeprefix(BOOK_URL + "/").removesuffix(".html").split(".html#")
    html = built_book.page(page).read_text()
    assert f'id="{anchor}"' in html, f"{url}: no element with id {anchor!r} in {page}.html"

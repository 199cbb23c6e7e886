"""The book's links to the course repository come from the one setting (``_config.yml``'s repository url)."""

from __future__ import annotations

import re

import pytest

from autograder import course

from .conftest import CHAPTER_PAGES, BuiltBook

pytestmark = pytest.mark.book


@pytest.mark.parametrize("page", CHAPTER_PAGES[:2])
def test_launch_buttons_open_the_configured_repository(built_book: BuiltBook, page: str) -> None:
    where = course.current()
    owner_repo = where.repository_url.removeprefix("https://github.com/")
    html = built_book.page(page).read_text()
    for host in ("mybinder.org", "colab.research.google.com"):
        links = re.findall(rf'href="(https://{re.escape(host)}[^"]+)"', html)
        assert links and all(owner_repo in link for link in links), links
    assert f'href="{where.repository_url}"' in html  # the repository button

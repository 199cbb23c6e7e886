"""Build the book once per test session, the way `make book` does."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.catalog import CHAPTERS


@dataclass(frozen=True)
class BuiltBook:
    html: Path
    log: str
    returncode: int

    def page(self, docname: str) -> Path:
        return self.html / f"{docname}.html"


@pytest.fixture(scope="session")
def built_book(repo_root: Path) -> BuiltBook:
    """`jupyter-book build` with warnings as errors, into the repository's _build (cached execution)."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", "--warningiserror", "--nitpick", "--keep-going", str(repo_root)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return BuiltBook(repo_root / "_build" / "html", result.stdout + result.stderr, result.returncode)


CHAPTER_PAGES = [f"chapters/{c.slug}/index" for c in CHAPTERS.values()]
EXERCISE_PAGES = [f"chapters/{c.slug}/exercises" for c in CHAPTERS.values()]

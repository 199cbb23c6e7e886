"""One setting for where the course lives: ``_config.yml``'s ``repository: url:``, copied into the package."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat

from autograder import catalog, course
from autograder.catalog import CHAPTERS

from .helpers import ROOT, autograder

FORK = "https://github.com/another-school/batchnorm-fork"


def release(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return autograder("release", *args, cwd=root)


def test_the_package_uses_the_books_setting() -> None:
    configured = course.from_config(ROOT / "_config.yml")
    assert course.current() == configured
    assert configured.repository_url == catalog.REPOSITORY_URL
    assert configured.book_url == catalog.BOOK_URL
    assert CHAPTERS["04"].url.startswith(configured.book_url + "/chapters/04-ema/")


def test_book_url_is_the_repositorys_github_pages() -> None:
    assert course.Course("https://github.com/Some-Org/my-book").book_url == "https://some-org.github.io/my-book"
    assert course.Course("https://gitlab.example.org/a/b").book_url == "https://gitlab.example.org/a/b"


def test_with_repository_changes_only_the_url() -> None:
    text = (ROOT / "_config.yml").read_text()
    changed = course.with_repository(text, FORK)
    assert [line for line in changed.splitlines() if line not in text.splitlines()] == [f"  url: {FORK}"]


def test_a_fork_changes_one_line_and_release_carries_it_everywhere(tmp_path: Path) -> None:
    """What the README tells an instructor who forks the course: edit _config.yml, run release."""
    for name in ("solutions", "chapters", "autograder"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = tmp_path / "_config.yml"
    config.write_text(course.with_repository((ROOT / "_config.yml").read_text(), FORK))
    stale = release(tmp_path, "--check")
    assert stale.returncode == 1 and "out of date: autograder/course.json" in stale.stdout
    assert release(tmp_path).returncode == 0
    assert release(tmp_path, "--check").returncode == 0
    assert course.Course(FORK).to_json() == (tmp_path / "autograder" / "course.json").read_text()
    notebook = nbformat.read(tmp_path / CHAPTERS["01"].exercises_path, as_version=4)
    assert f"git+{FORK}" in notebook.cells[1].source

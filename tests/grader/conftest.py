"""Fixtures for the grading front end's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import BLANK_CHANNEL_MOMENTS, BLANK_STANDARDIZE, CHANNEL_MOMENTS, SETUP, STANDARDIZE, MakeNotebook, write_notebook

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture
def make_notebook(tmp_path: Path) -> MakeNotebook:
    def make(name: str, cells: list[str], chapter: str | None = "01", tags: dict[int, str] | None = None) -> Path:
        return write_notebook(tmp_path / name, cells, chapter, tags)

    return make


@pytest.fixture
def solved_ch01(make_notebook: MakeNotebook) -> Path:
    return make_notebook("01-solved.ipynb", [SETUP, CHANNEL_MOMENTS, "check(channel_moments)", STANDARDIZE, "check(standardize)", "score()"])


@pytest.fixture
def blank_ch01(make_notebook: MakeNotebook) -> Path:
    return make_notebook("01-blank.ipynb", [SETUP, BLANK_CHANNEL_MOMENTS, BLANK_STANDARDIZE])

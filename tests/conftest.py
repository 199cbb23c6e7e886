"""Shared fixtures: the repository's paths, small notebooks to grade."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from notebooks_for_tests import (
    BLANK_CHANNEL_MOMENTS,
    BLANK_STANDARDIZE,
    CHANNEL_MOMENTS,
    SETUP,
    STANDARDIZE,
    MakeNotebook,
    write_notebook,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture
def make_notebook(tmp_path: Path) -> MakeNotebook:
    def make(name: str, cells: list[str], chapter: str | None = "01", tags: dict[int, str] | None = None) -> Path:
        return write_notebook(tmp_path / name, cells, chapter, tags)

    return make


@pytest.fixture
def solved_ch01(make_notebook: MakeNotebook) -> Path:
    return make_notebook(
        "01-solved.ipynb",
        [SETUP, CHANNEL_MOMENTS, "check(channel_moments)", STANDARDIZE, "check(standardize)", "score()"],
    )


@pytest.fixture
def blank_ch01(make_notebook: MakeNotebook) -> Path:
    return make_notebook("01-blank.ipynb", [SETUP, BLANK_CHANNEL_MOMENTS, BLANK_STANDARDIZE])

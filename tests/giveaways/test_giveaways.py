"""No graded point can be had from code the course hands out: the chapter pages and the package.

Each test runs ``harness.py`` in a process of its own and checks its report: every
candidate whose signature fits an exercise was graded and none passed, while the
solution's own answer, graded the same way, did (so the harness can see a pass).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autograder.catalog import CHAPTERS, EXERCISES

HARNESS = Path(__file__).with_name("harness.py")


def report(kind: str, what: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HARNESS), kind, what],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_no_giveaway(found: dict[str, Any]) -> None:
    assert found["controls"] and all(s == "passed" for s in found["controls"].values()), found["controls"]
    giveaways = [f"{t['candidate']} passes {t['exercise']}" for t in found["tried"] if t["status"] == "passed"]
    assert giveaways == []


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_no_definition_on_a_chapter_page_passes_its_exercises(number: str) -> None:
    assert_no_giveaway(report("page", number))


@pytest.fixture(scope="module")
def package() -> dict[str, Any]:
    """Every definition of the package tried on every exercise, in one process."""
    return report("package", "all")


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_definition_of_the_package_passes_an_exercise(package: dict[str, Any], exercise_id: str) -> None:
    assert package["candidates"] > 50  # the package was read
    tried = [t for t in package["tried"] if t["exercise"] == exercise_id]
    assert_no_giveaway({"controls": {exercise_id: package["controls"][exercise_id]}, "tried": tried})

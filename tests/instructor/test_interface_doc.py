"""docs/interface.md agrees with the code, and no document of the repository points outside it."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.catalog import EXERCISES
from autograder.exercises import misconceptions

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "interface.md"


def table(section: str) -> list[list[str]]:
    """The rows of the first table under the heading ``## section``, cells stripped of backticks."""
    text = DOC.read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in text.splitlines() if line.startswith("|")][2:]  # no header, no rule
    return [[cell.strip().strip("`") for cell in line.strip("|").split(" | ")] for line in lines]


def test_exercise_table_agrees_with_the_catalog() -> None:
    documented = [(row[0], row[1], float(row[3]), row[4]) for row in table("Exercises")]
    assert documented == [(e.id, e.name, float(e.points), e.section) for e in EXERCISES.values()]  # in catalog order


def test_misconception_table_agrees_with_misconceptions() -> None:
    documented = [(row[0], row[2], row[3]) for row in table("Misconceptions")]
    assert documented == [(m.id, m.chapter, m.section) for m in misconceptions().values()]


def options(parser: argparse.ArgumentParser) -> set[str]:
    """Every command and option string of the command line."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.add(name)
                found |= options(sub)
    return found - {"-h", "--help"}


def test_every_command_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    undocumented = sorted(o for o in options(cli._parser()) if not re.search(rf"`[^`]*{re.escape(o)}\b", text))
    assert undocumented == []


OUTSIDE = re.compile(r"\.\./shared|/work/|CURRICULUM\.md|BN_SEMANTICS\.md")


def documents() -> list[Path]:
    skip = {".venv", "_build", ".git", "node_modules"}
    found = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    return [p for p in found if p.suffix in {".md", ".py", ".ipynb", ".yml", ".cfg", ".toml"} and p != Path(__file__)]


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_document_points_outside_the_repository(path: Path) -> None:
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_text(encoding="utf-8")
    assert OUTSIDE.findall(text) == []

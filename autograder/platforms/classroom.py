"""GitHub Classroom and Actions, inside a student repository.

``python -m autograder.platforms.classroom summary GRADES.json`` turns the JSON of
``python -m autograder grade --format json`` into the Markdown job summary of the
``grade`` workflow. ``python -m autograder.platforms.classroom exercise NN.name`` grades the
exercise's chapter notebook and exits 0 only when that exercise passed: one GitHub
Classroom autograding test per exercise (``.github/classroom/autograding.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder.catalog import EXERCISES

AUTOGRADING_TIMEOUT_MINUTES = 10


def summary(grades: list[dict[str, Any]]) -> str:
    """A Markdown table per notebook: exercise, status, points, and the misconceptions named."""
    parts = ["## Autograder\n"]
    for grade in grades:
        parts.append(f"### `{grade['notebook']}`: {grade['score']:g} / {grade['max_score']:g} points\n")
        if grade.get("error"):
            parts.append(f"> {grade['error'].splitlines()[0]}\n")
        rows = ["| exercise | status | points | misconceptions |", "|---|---|---|---|"]
        for e in grade["exercises"]:
            named = ", ".join(f"`{m}`" for m in e["misconceptions"])
            rows.append(f"| `{e['id']}` | {e['status']} | {e['score']:g} / {e['max_score']:g} | {named} |")
        parts.append("\n".join(rows) + "\n")
        if grade.get("isolation"):
            parts.append(f"Graded with {grade['isolation']} isolation.\n")
    return "\n".join(parts)


def autograding(install: str) -> dict[str, Any]:
    """``.github/classroom/autograding.json``: one test per exercise, worth its points."""
    tests = []
    for index, exercise in enumerate(EXERCISES.values()):
        tests.append(
            {
                "name": f"{exercise.id} ({exercise.chapter.title})",
                "setup": install if index == 0 else "",
                "run": f"python -m autograder.platforms.classroom exercise {exercise.id}",
                "input": "",
                "output": "",
                "comparison": "included",
                "timeout": AUTOGRADING_TIMEOUT_MINUTES,
                "points": exercise.points,
            }
        )
    return {"tests": tests}


def exercise_passes(exercise_id: str, repository: Path) -> bool:
    """Grade the chapter notebook of ``exercise_id`` in ``repository``; print its result; whether it passed."""
    from autograder.grading import grade_notebook

    exercise = EXERCISES[exercise_id]
    grade = grade_notebook(repository / exercise.chapter.exercises_path)
    result = next((e for e in grade.exercises if e.id == exercise_id), None)
    if result is None:
        print(grade.error or f"{exercise_id} was not graded")
        return False
    print(f"{result.id}: {result.status} ({result.score:g}/{result.max_score:g})\n{result.feedback}")
    return result.status == "passed"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.platforms.classroom", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    summarize = commands.add_parser("summary", help="Markdown job summary from `grade --format json`")
    summarize.add_argument("grades", type=Path)
    one = commands.add_parser("exercise", help="exit 0 only when this exercise passes")
    one.add_argument("id", choices=list(EXERCISES), metavar="NN.name")
    one.add_argument("--repository", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    if args.command == "summary":
        data = json.loads(args.grades.read_text(encoding="utf-8"))
        sys.stdout.write(summary(data if isinstance(data, list) else [data]))
        return 0
    return 0 if exercise_passes(args.id, args.repository) else 1


if __name__ == "__main__":
    sys.exit(main())

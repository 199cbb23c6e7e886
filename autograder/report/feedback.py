"""Feedback files (``grade --feedback-dir DIR``): one Markdown file per student.

``DIR/<student id>.md`` holds every notebook of that student: its score, a table of
each exercise's status and points linked to the book section that teaches it, then
for each exercise that did not pass, the grader's feedback and the misconceptions it
names, each linked to the section that explains it. Characters other than letters,
digits, ``.``, ``-`` and ``_`` in an id become ``_`` in the file name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from autograder.catalog import EXERCISES, REPOSITORY_URL
from autograder.misconceptions import MISCONCEPTIONS
from autograder.report.model import ExerciseResult, Grade
from autograder.report.students import from_file_name


def write(grades: list[Grade], folder: Path) -> list[Path]:
    """Write one feedback file per student into ``folder``; the files written."""
    by_student: dict[str, list[Grade]] = defaultdict(list)
    for grade in grades:
        by_student[grade.student or from_file_name(grade.notebook)].append(grade)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for student, own in by_student.items():
        base = file_name(student)
        path, copy = folder / f"{base}.md", 1
        while path in written:  # two ids with the same file name ("a b" and "a_b")
            copy += 1
            path = folder / f"{base}-{copy}.md"
        path.write_text(render(student, own), encoding="utf-8")
        written.append(path)
    return written


def file_name(student: str) -> str:
    """A file name for a student id: unsafe characters replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".") or "_"


def render(student: str, grades: list[Grade]) -> str:
    """The Markdown feedback of one student's notebooks."""
    parts = [f"# Feedback for {student}\n"]
    for grade in grades:
        parts.append(_notebook(grade))
    parts.append(f"---\nGraded by the course's autograder ({REPOSITORY_URL}).\n")
    return "\n".join(parts)


def _notebook(grade: Grade) -> str:
    lines = [f"## {Path(grade.notebook).name}: {grade.score:g} / {grade.max_score:g} points\n"]
    if grade.error:
        lines += ["This notebook could not be graded normally:\n", _block(grade.error)]
    if grade.exercises:
        lines += ["| exercise | status | points |", "|---|---|---|"]
        lines += [f"| {_exercise_link(e.id)} | {e.status} | {e.score:g} / {e.max_score:g} |" for e in grade.exercises]
        lines += [f"| {_exercise_link(i)} | not part of this release | - |" for i in grade.not_released]
        lines.append("")
    for result in grade.exercises:
        if result.status != "passed" and result.feedback != grade.error:  # the notebook's error is shown once
            lines.append(_details(result))
    return "\n".join(lines)


def _details(result: ExerciseResult) -> str:
    lines = [f"### {result.id}: {result.status}\n"]
    exercise = EXERCISES.get(result.id)
    if exercise:
        chapter = exercise.chapter
        lines.append(f"Where the book teaches it: [chapter {chapter.number}, {chapter.title}]({exercise.url}).\n")
    if result.feedback:
        lines.append(_block(result.feedback))
    named = [MISCONCEPTIONS[m] for m in result.misconceptions if m in MISCONCEPTIONS]
    if named:
        lines.append("What the grader recognised in your answer:\n")
        lines += [f"- **{m.id}**: {m.explanation} [Read the section]({m.url})." for m in named]
        lines.append("")
    return "\n".join(lines)


def _exercise_link(exercise_id: str) -> str:
    exercise = EXERCISES.get(exercise_id)
    return f"[{exercise_id}]({exercise.url})" if exercise else exercise_id


def _block(text: str) -> str:
    """Preformatted text in a fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"

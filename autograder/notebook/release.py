"""Generate the student notebooks from the solution notebooks.

``solutions/NN-slug.ipynb`` is the one source of a chapter's exercises. Its student
version, ``chapters/NN-slug/exercises.ipynb``, keeps every cell but replaces each block
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` with a ``raise
NotImplementedError`` at the block's indentation, and drops outputs; its "(N points)"
headings and list of exercises are written from the declarations (``headings``), with
which the solution must agree. A generated notebook records the exercise ids it was
released with (``bn_course.exercises``: an exercise added to the chapter later is not
charged to it) and a hash of its own content, so a notebook that was edited by hand (or
is not a generated one at all) is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import course
from autograder.catalog import CHAPTERS, Chapter
from autograder.exercises import chapter_exercises
from autograder.notebook import headings

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>### (?:BEGIN|END) SOLUTION)[ \t]*$")
NB_VERSION = 4


def bootstrap(where: course.Course) -> str:
    """The install cell of a student notebook: the autograder from the course's repository."""
    return f"""\
# Colab and Binder: install the course's autograder when this environment lacks it.
import importlib.util, subprocess, sys
if importlib.util.find_spec("autograder") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "{where.pip_url}"])"""


class ReleaseError(Exception):
    """A solution notebook cannot be released, or releasing would destroy work."""


def strip_solutions(source: str, exercise_id: str) -> str:
    """Replace each marked solution block of a cell's source with NotImplementedError."""
    out: list[str] = []
    inside: str | None = None  # indentation of the open block
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.match(line)
        if match and match["marker"] == BEGIN:
            if inside is not None:
                raise ReleaseError(f"{exercise_id}: nested {BEGIN} at line {number}")
            inside = match["indent"]
            message = f"{exercise_id}: replace this line with your implementation"
            out.append(f'{inside}raise NotImplementedError("{message}")')
        elif match and match["marker"] == END:
            if inside is None:
                raise ReleaseError(f"{exercise_id}: {END} without {BEGIN} at line {number}")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ReleaseError(f"{exercise_id}: {BEGIN} is never closed")
    return "\n".join(out)


def content_hash(nb: nbformat.NotebookNode) -> str:
    """Hash of a notebook's cells and metadata, leaving out the recorded hash itself."""
    data = json.loads(nbformat.writes(nb))
    data["metadata"].get("bn_course", {}).pop("content_hash", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def student_notebook(
    solution: nbformat.NotebookNode, chapter: Chapter, where: course.Course | None = None
) -> nbformat.NotebookNode:
    """The student version of a solution notebook, installing the autograder from ``where`` (default: this course)."""
    nb = nbformat.reads(nbformat.writes(solution), as_version=NB_VERSION)
    released: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            exercise_id = cell.metadata.get("exercise")
            if exercise_id:
                if BEGIN not in cell.source:
                    raise ReleaseError(f"{exercise_id}: the exercise cell has no {BEGIN} block")
                cell.source = strip_solutions(cell.source, exercise_id)
                released.append(exercise_id)
            elif BEGIN in cell.source:
                raise ReleaseError(f"{chapter.solution_path}: a {BEGIN} block outside an exercise cell")
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    if not released:
        raise ReleaseError(f"{chapter.solution_path}: no cell has an 'exercise' id in its metadata")
    headings.apply(nb, chapter_exercises(chapter.number))
    title_cells = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    install = bootstrap(where or course.current())
    nb.cells.insert(title_cells, nbformat.v4.new_code_cell(install, metadata={"bootstrap": True}, id="bootstrap"))
    nb.metadata["bn_course"] = {
        "chapter": chapter.number,
        "generated_from": chapter.solution_path,
        "exercises": released,
    }
    nb.metadata["bn_course"]["content_hash"] = content_hash(nb)
    return nb


def is_generated(nb: nbformat.NotebookNode) -> bool:
    """Whether a notebook is an untouched generated one (its content matches its recorded hash)."""
    recorded = nb.metadata.get("bn_course", {}).get("content_hash")
    return recorded is not None and recorded == content_hash(nb)


@dataclass(frozen=True)
class Plan:
    chapter: Chapter
    target: Path
    text: str  # the generated notebook, serialized


def plan(root: Path, where: course.Course | None = None) -> list[Plan]:
    """What releasing would write, for every chapter that has a solution notebook."""
    plans = []
    for chapter in CHAPTERS.values():
        source = root / chapter.solution_path
        if source.exists():
            solution = nbformat.read(source, as_version=NB_VERSION)
            disagree = headings.problems(solution, chapter_exercises(chapter.number), chapter.solution_path)
            if disagree:
                raise ReleaseError("\n".join(disagree))
            text = nbformat.writes(student_notebook(solution, chapter, where)) + "\n"
            plans.append(Plan(chapter, root / chapter.exercises_path, text))
    return plans


def course_file(root: Path) -> tuple[Path, str] | None:
    """``autograder/course.json`` and its text from the book's ``_config.yml``, when ``root`` is the book."""
    config = root / course.CONFIG_FILE
    target = root / "autograder" / course.COURSE_FILE.name
    if not config.is_file() or not target.parent.is_dir():
        return None
    return target, course.from_config(config).to_json()


def release(check: bool = False, root: Path | None = None) -> int:
    """Write (or with ``check``, verify) every student notebook; returns a process exit code."""
    root = root or Path.cwd()
    try:
        generated = course_file(root)
        plans = plan(root, course.Course(**json.loads(generated[1])) if generated else None)
    except (ReleaseError, KeyError, nbformat.ValidationError, json.JSONDecodeError, OSError, ValueError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    if not plans:
        print(f"release: no solution notebooks under {root / 'solutions'}", file=sys.stderr)
        return 1
    stale = [p for p in plans if not p.target.exists() or p.target.read_text() != p.text]
    course_stale: list[Path] = []  # the package's copy of the course setting, when it is out of date
    if generated is not None and (not generated[0].exists() or generated[0].read_text() != generated[1]):
        course_stale.append(generated[0])
    if check:
        for target in [p.target for p in stale] + course_stale:
            print(f"out of date: {target.relative_to(root)} (run `python -m autograder release`)")
        print(f"release --check: {len(plans) - len(stale)} of {len(plans)} exercise notebooks up to date")
        return 1 if stale or course_stale else 0
    for p in stale:
        if p.target.exists() and not is_generated(nbformat.read(p.target, as_version=NB_VERSION)):
            print(
                f"release: refusing to overwrite {p.target.relative_to(root)}: it was edited by hand "
                f"or is not a generated notebook; move it away and release again",
                file=sys.stderr,
            )
            return 1
    if generated is not None and course_stale:
        generated[0].write_text(generated[1])
        print(f"wrote {generated[0].relative_to(root)}")
    for p in stale:
        p.target.parent.mkdir(parents=True, exist_ok=True)
        p.target.write_text(p.text)
        print(f"wrote {p.target.relative_to(root)}")
    print(f"release: {len(plans)} exercise notebooks, {len(stale)} written")
    return 0

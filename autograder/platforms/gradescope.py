"""Gradescope: the autograder upload, and the grading that runs in Gradescope's container.

``python -m autograder gradescope --chapter NN --out autograder.zip`` writes the zip that
Gradescope's "Autograder" upload expects (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``setup.sh`` and ``run_autograder`` at its root, the grader-only requirements, this package's
source, ``assignment.json`` (the chapter graded) and a README. In the container,
``run_autograder`` runs ``python -m autograder.platforms.gradescope``, which grades the one
notebook in ``ROOT/submission/`` into ``ROOT/results/results.json`` (ROOT: ``--root``, else
``$AUTOGRADER_ROOT``, else ``/autograder``), following Gradescope's schema: ``score``,
``tests[]`` (``name``, ``score``, ``max_score``, ``status``, ``output``, ``tags``,
``visibility``), ``output``, ``visibility``, ``stdout_visibility`` and ``extra_data``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import autograder
from autograder import isolation
from autograder.catalog import CHAPTERS, chapter_exercises

if TYPE_CHECKING:  # autograder.report imports this module for --format gradescope
    from autograder.report.model import Grade

ASSIGNMENT_FILE = "assignment.json"
REQUIREMENTS = "requirements-grader.txt"
FILES = Path(__file__).with_name("files") / "gradescope"
EXECUTABLES = ("setup.sh", "run_autograder")
VISIBILITY = "visible"  # students see each exercise's result and feedback at once
DEFAULT_ROOT = "/autograder"


def build_zip(out: Path, chapter: str | None, repository: Path) -> None:
    """Write the Gradescope upload for ``chapter`` (None: any one chapter's notebook) to ``out``."""
    requirements = repository / REQUIREMENTS
    if not requirements.is_file():
        raise FileNotFoundError(f"{requirements} not found: run this from the course repository (or pass --root)")
    package = Path(autograder.__file__).resolve().parent
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in EXECUTABLES:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # unzip keeps them executable
            archive.writestr(info, (FILES / name).read_bytes(), zipfile.ZIP_DEFLATED)
        archive.writestr("README.md", readme(chapter))
        archive.writestr(ASSIGNMENT_FILE, json.dumps({"chapter": chapter}) + "\n")
        archive.write(requirements, REQUIREMENTS)
        for file in sorted(package.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                archive.write(file, f"autograder/{file.relative_to(package).as_posix()}")


def readme(chapter: str | None) -> str:
    """The zip's README: what it grades and which isolation it uses."""
    return (FILES / "README.md").read_text(encoding="utf-8").replace("{graded}", graded(chapter))


def graded(chapter: str | None) -> str:
    """What an upload built for ``chapter`` grades, in words."""
    if chapter is None:
        return "one notebook of any chapter per submission"
    return f"chapter {chapter} ({CHAPTERS[chapter].title}): `{CHAPTERS[chapter].exercises_path}`"


def results_for(grade: Grade) -> dict[str, Any]:
    """results.json for one graded notebook."""
    tests = [
        {
            "name": e.id,
            "score": e.score,
            "max_score": e.max_score,
            "status": "passed" if e.status == "passed" else "failed",
            "output": f"{e.status}\n\n{e.feedback}".rstrip(),
            "tags": list(e.misconceptions),
            "visibility": VISIBILITY,
        }
        for e in grade.exercises
    ]
    lines = [f"{Path(grade.notebook).name}: {grade.score:g} / {grade.max_score:g} points"]
    if grade.error:
        lines.append(grade.error)
    if grade.isolation:
        lines.append(f"Graded with {grade.isolation} isolation.")
    extra = {"notebook": Path(grade.notebook).name, "chapter": grade.chapter, "isolation": grade.isolation}
    return _results(grade.score, "\n".join(lines), tests, extra)


def refused(message: str, chapter: str | None) -> dict[str, Any]:
    """results.json for a submission that is not graded: zero points, and why, on every exercise."""
    tests = [
        {
            "name": e.id,
            "score": 0.0,
            "max_score": float(e.points),
            "status": "failed",
            "output": f"not graded: {message}",
            "visibility": VISIBILITY,
        }
        for e in (chapter_exercises(chapter) if chapter else [])
    ]
    return _results(0.0, f"Not graded: {message}", tests, {"refused": message})


def _results(score: float, output: str, tests: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "score": float(score),
        "output": output,
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",  # the grader's log is for the instructor
        "tests": tests,
        "extra_data": extra,
    }


def submitted_notebooks(submission: Path) -> list[Path]:
    """The .ipynb files a student uploaded (editor checkpoints and macOS zip debris left out)."""
    skip = {".ipynb_checkpoints", "__MACOSX"}
    return sorted(p for p in submission.rglob("*.ipynb") if p.is_file() and not skip & set(p.parts))


def grade_submission(
    root: Path,
    sandbox: isolation.Requested = "auto",
    *,
    notebook_seconds: float | None = None,
    exercise_seconds: float | None = None,
) -> dict[str, Any]:
    """results.json for the submission in ``root/submission``, as the assignment in ``root/source`` says.

    ``notebook_seconds`` and ``exercise_seconds`` replace the default wall-time limits when given.
    """
    from autograder.grading import grade_notebook
    from autograder.notebook.load import NotebookUnreadable, read
    from autograder.sandbox.api import Limits

    chapter = assignment_chapter(root)
    notebooks = submitted_notebooks(root / "submission")
    wanted = f"the notebook {CHAPTERS[chapter].exercises_path}" if chapter else "one exercise notebook"
    if len(notebooks) != 1:
        found = ", ".join(p.relative_to(root / "submission").as_posix() for p in notebooks) or "no .ipynb file"
        return refused(f"submit exactly one notebook, {wanted}; this submission has {found}.", chapter)
    submitted = notebooks[0]
    try:
        declared = read(submitted).chapter()
    except NotebookUnreadable:
        declared = None  # graded below, which reports why it cannot be read
    if chapter and declared and declared != chapter:
        return refused(
            f"{submitted.name} is chapter {declared}'s notebook ({CHAPTERS[declared].title}), and this assignment "
            f"is chapter {chapter} ({CHAPTERS[chapter].title}): submit {CHAPTERS[chapter].exercises_path}.",
            chapter,
        )
    try:
        mode = isolation.choose(sandbox, sys.stdout)
    except isolation.IsolationUnavailable as error:
        return refused(f"the autograder is misconfigured ({error}); please tell your instructor.", chapter)
    limits = Limits(sandbox=mode)
    limits = replace(limits, notebook_seconds=notebook_seconds or limits.notebook_seconds)
    limits = replace(limits, exercise_seconds=exercise_seconds or limits.exercise_seconds)
    with tempfile.TemporaryDirectory(prefix="bn-gradescope-") as scratch:
        # graded under its chapter's file name: a notebook without metadata is then graded as the assignment
        assignment = chapter or declared
        slug = CHAPTERS[assignment].slug if assignment else submitted.stem
        copy = Path(scratch) / f"{slug}.ipynb"
        shutil.copyfile(submitted, copy)
        grade = grade_notebook(copy, limits=limits)
    return results_for(replace(grade, notebook=submitted.name, isolation=isolation.NAMES[mode]))


def assignment_chapter(root: Path) -> str | None:
    """The chapter the upload was built for (``source/assignment.json``), None for any chapter."""
    chapter = json.loads((root / "source" / ASSIGNMENT_FILE).read_text(encoding="utf-8"))["chapter"]
    if chapter is not None and chapter not in CHAPTERS:
        raise ValueError(f"{ASSIGNMENT_FILE}: unknown chapter {chapter!r}")
    return chapter


def write_results(root: Path, results: dict[str, Any]) -> Path:
    """Write results.json at once (a temporary file renamed over it), replacing anything already there."""
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "results.json"
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as out:
        json.dump(results, out, indent=2)
        out.write("\n")
    os.replace(out.name, target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``run_autograder``'s entry point: grade, write results.json, never leave it missing."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder.platforms.gradescope", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT)))
    parser.add_argument("--sandbox", choices=isolation.REQUESTS, default="auto")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="wall time for the whole notebook")
    parser.add_argument("--exercise-timeout", type=float, metavar="SECONDS", help="wall time for one exercise's cases")
    parser.add_argument("--describe", action="store_true", help="say what this upload grades, then exit")
    args = parser.parse_args(argv)
    print(f"autograder: the grader in {Path(autograder.__file__).resolve().parent}")
    if args.describe:
        print(f"autograder: this upload grades {graded(assignment_chapter(args.root))}")
        return 0
    try:
        results = grade_submission(
            args.root, args.sandbox, notebook_seconds=args.timeout, exercise_seconds=args.exercise_timeout
        )
    except Exception:
        print(traceback.format_exc())
        results = refused("the autograder failed (an internal error); please tell your instructor.", None)
    print(f"autograder: wrote {write_results(args.root, results)}: {results['score']:g} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())

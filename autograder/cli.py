"""``python -m autograder grade | release | validate | report | gradescope`` (docs/interface.md, DESIGN.md).

Exit codes of ``grade``: 0 every notebook was graded (whatever the scores), 2 usage
error (bad arguments or paths), 3 a notebook could not be read at all (it still
appears in the output), 4 an internal grader error. ``validate`` exits 1 when a
solution does not score full marks or a blank does not score zero. ``report`` exits
0, or 2 when its input is not the JSON ``grade --format json`` writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from autograder import isolation
from autograder.catalog import CHAPTERS
from autograder.report import WRITERS
from autograder.report.model import Grade
from autograder.report.students import IdPatternError, StudentId, from_file_name, id_rule
from autograder.sandbox.api import Limits

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREADABLE, EXIT_INTERNAL, EXIT_NO_SANDBOX = 0, 1, 2, 3, 4, 5


class UsageError(Exception):
    """Bad paths or arguments: reported on stderr with exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.command(args)
    except UsageError as error:
        print(f"autograder {args.name}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except isolation.IsolationUnavailable as error:
        print(f"autograder {args.name}: error: {error}", file=sys.stderr)
        return EXIT_NO_SANDBOX


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder", description="Grade Batch Normalization course notebooks."
    )
    commands = parser.add_subparsers(required=True, metavar="{grade,release,validate,report,gradescope}")

    grade = commands.add_parser("grade", help="grade notebooks (files, or folders of .ipynb files)")
    grade.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a notebook, or a folder (searched recursively)"
    )
    grade.add_argument(
        "--format",
        choices=sorted(WRITERS),
        default="text",
        help="text (default); json (one object, or a list for several notebooks); csv (a gradebook row per notebook); "
        "gradescope (results.json; several notebooks merge into one submission)",
    )
    grade.add_argument("--out", type=Path, metavar="FILE", help="write the report here instead of stdout")
    _instructor_options(grade)
    _run_options(grade)
    grade.set_defaults(command=_grade, name="grade")

    release = commands.add_parser("release", help="write chapters/*/exercises.ipynb from solutions/")
    release.add_argument("--check", action="store_true", help="only check that the student notebooks are up to date")
    release.add_argument(
        "--student-repo", type=Path, metavar="DIR", help="write a student repository (no solutions) into DIR"
    )
    release.add_argument("--repository-url", metavar="URL", help="with --student-repo: where students will find it")
    release.set_defaults(command=_release, name="release")

    validate = commands.add_parser("validate", help="solutions score full marks, blank notebooks score zero")
    validate.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: the current folder)")
    _run_options(validate)
    validate.set_defaults(command=_validate, name="validate")

    report = commands.add_parser("report", help="an HTML class report from the JSON of `grade --format json`")
    report.add_argument("grades", nargs="+", type=Path, metavar="GRADES.json", help="output of grade --format json")
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help="the HTML page to write")
    report.set_defaults(command=_report, name="report")

    gradescope = commands.add_parser("gradescope", help="write the autograder zip for a Gradescope assignment")
    gradescope.add_argument("--chapter", choices=sorted(CHAPTERS), help="the chapter it grades (default: any one)")
    gradescope.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="FILE")
    gradescope.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: here)")
    gradescope.set_defaults(command=_gradescope, name="gradescope")
    return parser


def _instructor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--id-pattern",
        metavar="REGEX",
        help="student ids: the named group `id` of REGEX searched in each path (default: from the file name, "
        "see docs/interface.md)",
    )
    parser.add_argument(
        "--chapter",
        choices=sorted(CHAPTERS),
        metavar="NN",
        help="the chapter of a notebook whose file cannot say (unreadable, or no metadata, path or names)",
    )
    parser.add_argument("--feedback-dir", type=Path, metavar="DIR", help="also write a Markdown file per student here")


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", type=_positive(int), default=1, metavar="N", help="notebooks graded in parallel (default 1)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        metavar="SECONDS",
        help=f"wall time per notebook (default {Limits.notebook_seconds:g})",
    )
    parser.add_argument(
        "--sandbox",
        choices=isolation.REQUESTS,
        default="auto",
        help="auto (default): bubblewrap where it works, else process isolation, said on stderr; "
        f"required: exit {EXIT_NO_SANDBOX} when bubblewrap cannot run",
    )


def _positive(kind: type) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _grade(args: argparse.Namespace) -> int:
    try:
        student_id = id_rule(args.id_pattern)
    except IdPatternError as error:
        raise UsageError(str(error)) from error
    paths = notebook_paths(args.paths)
    grades = grade_all(
        paths, jobs=args.jobs, timeout=args.timeout, sandbox=args.sandbox, chapter=args.chapter, student_id=student_id
    )
    report = WRITERS[args.format](grades)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if args.feedback_dir:
        from autograder.report import feedback

        feedback.write(grades, args.feedback_dir)
    return exit_code(grades)


def _report(args: argparse.Namespace) -> int:
    from autograder.report.class_report import GradesUnreadable, read_grades, render

    try:
        grades = [grade for path in args.grades for grade in read_grades(path)]
    except GradesUnreadable as error:
        raise UsageError(str(error)) from error
    args.out.write_text(render(grades), encoding="utf-8")
    print(f"report: {len(grades)} notebooks -> {args.out}")
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    from autograder.notebook.release import release

    if args.student_repo is None:
        if args.repository_url:
            raise UsageError("--repository-url goes with --student-repo")
        return release(check=args.check)
    if args.check:
        raise UsageError("--check and --student-repo do not go together")
    return _student_repo(args.student_repo, args.repository_url)


def _student_repo(target: Path, repository_url: str | None) -> int:
    from autograder.notebook import student_repo

    root = Path.cwd()
    try:
        where = student_repo.write(root, target, repository_url)
    except (student_repo.StudentRepoError, OSError, ValueError) as error:
        raise UsageError(str(error)) from error
    leaks = student_repo.solution_leaks(target, root / "solutions")
    for leak in leaks:
        print(f"solution text in {target}/{leak}", file=sys.stderr)
    if leaks:
        print(f"release: {target} holds solution text ({len(leaks)} lines): not for students", file=sys.stderr)
        return EXIT_FAILED
    print(f"release: wrote the student repository {target} for {where.repository_url}")
    return EXIT_OK


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.platforms.gradescope import build_zip

    try:
        build_zip(args.out, args.chapter, args.root)
    except OSError as error:
        raise UsageError(str(error)) from error
    print(f"gradescope: wrote {args.out} (chapter {args.chapter or 'any'})")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    root: Path = args.root
    expected: list[tuple[Path, bool]] = []  # (notebook, whether it is a solution)
    problems: list[str] = []
    for chapter in CHAPTERS.values():
        for relative, solved in ((chapter.solution_path, True), (chapter.exercises_path, False)):
            if (root / relative).is_file():
                expected.append((root / relative, solved))
            else:
                problems.append(f"{relative}: not found")
    grades = grade_all([path for path, _ in expected], jobs=args.jobs, timeout=args.timeout, sandbox=args.sandbox)
    for (path, solved), grade in zip(expected, grades):
        problems += [f"{path.relative_to(root)}: {p}" for p in _validation_problems(grade, solved)]
    for problem in problems:
        print(problem)
    print(f"validate: {len(expected)} notebooks graded, {len(problems)} problem(s)")
    return EXIT_FAILED if problems else EXIT_OK


def _validation_problems(grade: Grade, solved: bool) -> list[str]:
    """Why a solution is not at full marks, or a blank notebook not entirely not-implemented."""
    if grade.error:
        return [grade.error.splitlines()[0]]
    want = "passed" if solved else "not-implemented"
    return [f"{e.id} is {e.status}, expected {want}: {_gist(e.feedback)}" for e in grade.exercises if e.status != want]


def _gist(feedback: str, limit: int = 300) -> str:
    """The first two lines of a feedback, on one line."""
    text = " ".join(line.strip() for line in feedback.splitlines()[:2])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def notebook_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders expanded to the .ipynb files below them, sorted. UsageError on bad paths."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not inside:
                raise UsageError(f"no .ipynb files in the folder {path}")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file or folder: {path}")
    return found


def grade_all(
    paths: Sequence[Path],
    *,
    jobs: int = 1,
    timeout: float | None = None,
    sandbox: isolation.Requested = "auto",
    chapter: str | None = None,
    student_id: StudentId = from_file_name,
) -> list[Grade]:
    """The grades of ``paths``, in order, ``jobs`` at a time, with a progress bar on a terminal.

    The isolation is chosen once (``autograder.isolation``), said on stderr and recorded in each grade;
    IsolationUnavailable when ``sandbox="required"`` and bubblewrap cannot run. ``chapter``: the chapter
    of a notebook whose file cannot say; ``student_id`` names each grade's student.
    """
    from autograder.grading import grade_notebook

    mode = isolation.choose(sandbox, sys.stderr)
    limits = Limits(notebook_seconds=timeout, sandbox=mode) if timeout else Limits(sandbox=mode)
    with ThreadPoolExecutor(max_workers=jobs) as pool, _progress(len(paths)) as advance:
        futures = [pool.submit(grade_notebook, path, limits=limits, chapter=chapter) for path in paths]
        for future in futures:
            future.add_done_callback(lambda _: advance())
        return [
            replace(future.result(), student=student_id(str(path)), isolation=isolation.NAMES[mode])
            for path, future in zip(paths, futures)
        ]


def exit_code(grades: Sequence[Grade]) -> int:
    problems = {grade.problem for grade in grades}
    if "internal" in problems:
        return EXIT_INTERNAL
    return EXIT_UNREADABLE if "unreadable" in problems else EXIT_OK


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A function advancing a rich progress bar on stderr when it is a terminal, else doing nothing."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("grading", total=total)
        yield lambda: bar.advance(task)

"""``python -m autograder release --student-repo DIR``: the repository students get, without solutions.

DIR receives the book's sources (with ``_config.yml`` pointing at the course repository),
the exercise notebooks generated from the solutions, the autograder package that
``check()`` needs (with its ``course.json``), the requirement sets, a README for students,
the ``grade`` workflow (``.github/workflows/grade.yml`` running ``.github/grade.sh``) and
GitHub Classroom's ``.github/classroom/autograding.json``. It never receives
``solutions/``, ``tests/`` (the right answers of the grader's own tests), ``benchmarks/``
or the developers' notes. ``solution_leaks`` finds solution text in what was written.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import shutil
from pathlib import Path

import nbformat

import autograder
from autograder import course
from autograder.catalog import CHAPTERS
from autograder.notebook.release import BEGIN, END, NB_VERSION, plan
from autograder.platforms.classroom import autograding

BOOK_FILES = ("_toc.yml", "intro.md", "references.bib", "references.md", "postBuild")
REQUIREMENTS = ("requirements-grader.txt", "requirements-student.txt")
FILES = Path(autograder.__file__).parent / "platforms" / "files" / "classroom"
INSTALL = "python -m pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements-student.txt"
GITIGNORE = ".venv/\n_build/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n.pytest_cache/\n"
BINDER_REQUIREMENTS = "# Binder installs this file: the student set.\n-r requirements-student.txt\n"
_PYTEST_TABLE = re.compile(r"^\[tool\.pytest\.ini_options\]\n(?:(?!\[).*\n?)*", re.MULTILINE)


class StudentRepoError(Exception):
    """DIR cannot be written (it is not empty, or the course repository lacks a file)."""


def write(root: Path, target: Path, repository_url: str | None = None) -> course.Course:
    """Write the student repository for the course at ``root`` into ``target`` (new or empty)."""
    if target.exists() and any(target.iterdir()):
        raise StudentRepoError(f"{target} is not empty: the student repository is written into a new folder")
    config = root / course.CONFIG_FILE
    text = config.read_text(encoding="utf-8")
    if repository_url:
        text = course.with_repository(text, repository_url.rstrip("/"))
    target.mkdir(parents=True, exist_ok=True)
    (target / course.CONFIG_FILE).write_text(text, encoding="utf-8")
    where = course.from_config(target / course.CONFIG_FILE)
    for name in (*BOOK_FILES, *REQUIREMENTS):
        if not (root / name).is_file():
            raise StudentRepoError(f"{root / name} not found")
        shutil.copy2(root / name, target / name)
    shutil.copytree(root / "_ext", target / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    for chapter in CHAPTERS.values():
        (target / "chapters" / chapter.slug).mkdir(parents=True)
        shutil.copy2(root / "chapters" / chapter.slug / "index.md", target / "chapters" / chapter.slug / "index.md")
    for notebook in plan(root, where):
        (target / notebook.chapter.exercises_path).write_text(notebook.text)
    package = target / "autograder"
    shutil.copytree(root / "autograder", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / course.COURSE_FILE.name).write_text(where.to_json())
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    (target / "pyproject.toml").write_text(_PYTEST_TABLE.sub("", pyproject).rstrip() + "\n")
    (target / "requirements.txt").write_text(BINDER_REQUIREMENTS)
    (target / ".gitignore").write_text(GITIGNORE)
    (target / "README.md").write_text(_readme(where))
    github = target / ".github"
    (github / "workflows").mkdir(parents=True)
    (github / "classroom").mkdir()
    shutil.copy2(FILES / "grade.yml", github / "workflows" / "grade.yml")
    shutil.copy2(FILES / "grade.sh", github / "grade.sh")
    (github / "classroom" / "autograding.json").write_text(json.dumps(autograding(INSTALL), indent=2) + "\n")
    return where


def _readme(where: course.Course) -> str:
    rows = "\n".join(f"| {c.number}. {c.title} | `{c.exercises_path}` |" for c in CHAPTERS.values())
    text = (FILES / "README.md").read_text(encoding="utf-8")
    return (
        text.replace("{chapters}", rows)
        .replace("{book_url}", where.book_url)
        .replace("{repository_url}", where.repository_url)
    )


def solution_lines(solutions: Path, package: Path) -> set[str]:
    """The lines of code that only a ``### BEGIN SOLUTION`` block of the solution notebooks holds, stripped.

    Left out as public: lines that the notebooks also show outside their solution blocks,
    and lines of the grader ``package`` (it is installed wherever students work, so its
    code is public by construction; that it holds no answer is the package's own rule).
    Left out as naming no computation: blank and comment-only lines, lines of keywords
    and brackets only (``else:``, ``)``), and ``return`` of names computed elsewhere.
    """
    inside_blocks: set[str] = set()
    public: set[str] = set()
    for path in sorted(solutions.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=NB_VERSION).cells:
            inside = False
            for line in cell.source.splitlines() if cell.cell_type == "code" else []:
                marker = line.strip()
                inside = (inside or marker == BEGIN) and marker != END
                (inside_blocks if inside and marker != BEGIN else public).add(marker)
    for source in package.rglob("*.py"):
        public.update(line.strip() for line in source.read_text(encoding="utf-8").splitlines())
    return {line for line in inside_blocks - public if _names_a_computation(line)}


def _names_a_computation(line: str) -> bool:
    code = line.split("#", 1)[0].strip()
    words = re.findall(r"[A-Za-z_]\w*", code)
    if not code or all(keyword.iskeyword(word) for word in words):
        return False
    try:
        node = ast.parse(code).body[0] if code.startswith("return ") else None
    except SyntaxError:
        node = None
    if not isinstance(node, ast.Return) or node.value is None:
        return True
    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
    return not all(isinstance(value, ast.Name) for value in values)


def solution_leaks(target: Path, solutions: Path) -> list[str]:
    """``path:line: text`` for every line of solution text (``solution_lines``) in a text file under ``target``."""
    wanted = solution_lines(solutions, Path(autograder.__file__).resolve().parent)
    leaks = []
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(_text_lines(path, text), start=1):
            if line.strip() in wanted:
                leaks.append(f"{path.relative_to(target)}:{number}: {line.strip()}")
    return leaks


def _text_lines(path: Path, text: str) -> list[str]:
    """The lines of a file; a notebook's cells are read as the text they hold, not as JSON strings."""
    if path.suffix != ".ipynb":
        return text.splitlines()
    node = nbformat.reads(text, as_version=NB_VERSION)
    return [line for cell in node.cells for line in cell.source.splitlines()]

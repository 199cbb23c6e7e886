"""The grader-only and student requirement sets: pinned as requirements.txt pins, and complete.

Complete means: every distribution that the grader's imports (torch, numpy, nbformat,
IPython, rich, scikit-learn) need, and for students also JupyterLab, pytest, nbval and
ipykernel, read from the installed packages' metadata, is pinned in the set.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from .helpers import ROOT

GRADER = ("torch", "numpy", "nbformat", "ipython", "rich", "scikit-learn")
STUDENT = (*GRADER, "jupyterlab", "pytest", "nbval", "ipykernel")
BOOTSTRAP = {"setuptools", "pip"}  # every virtual environment brings these
IMPORT_NAMES = {"IPython": "ipython", "sklearn": "scikit-learn"}
_STDLIB = frozenset(sys.stdlib_module_names)
# Packages only the course's own tools import, in the course's full environment (requirements.txt):
TOOLS_ONLY = {
    "yaml": "release reads _config.yml (autograder/course.py)",
    "matplotlib": "the class report's figures (python -m autograder report)",
    "nbclient": "make solutions re-executes the solution notebooks (autograder/notebook/execute.py)",
}


def name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of a requirements file, following ``-r`` includes."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        elif line:
            package, version = line.split("==")
            found[name(package)] = version
    return found


def closure(roots: tuple[str, ...]) -> set[str]:
    """The installed distributions that ``roots`` need, with their dependencies (markers evaluated here)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        current = name(todo.pop())
        if current in seen:
            continue
        seen.add(current)
        for text in metadata.distribution(current).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def test_every_pin_is_the_main_requirements_pin() -> None:
    main = pins(ROOT / "requirements.txt")
    for file in ("requirements-grader.txt", "requirements-student.txt"):
        for package, version in pins(ROOT / file).items():
            assert main.get(package) == version, (
                f"{file}: {package}=={version}, requirements.txt has {main.get(package)}"
            )


def test_the_grader_set_holds_what_the_grader_imports_and_no_book_stack() -> None:
    grader = pins(ROOT / "requirements-grader.txt")
    assert closure(GRADER) - BOOTSTRAP <= set(grader)
    assert not {"jupyter-book", "sphinx", "playwright", "jupyterlab", "matplotlib"} & set(grader)


def test_the_grader_set_names_every_third_party_import_of_the_package() -> None:
    imported: set[str] = set()
    for source in (ROOT / "autograder").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    third_party = {
        IMPORT_NAMES.get(module, module) for module in imported if module not in _STDLIB and module != "autograder"
    }
    assert {name(module) for module in third_party} - set(TOOLS_ONLY) <= set(GRADER) | {"traitlets"}


def test_grading_imports_none_of_the_tools_only_packages() -> None:
    """The tools' packages are imported only when an instructor or author runs the tool itself."""
    entry_points = ["autograder.cli", "autograder.grading", "autograder.platforms.gradescope", "autograder.inline"]
    tools = sorted(TOOLS_ONLY)
    code = f"import sys\nfor m in {entry_points!r}: __import__(m)\nprint(sorted(set(sys.modules) & set({tools!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_student_set_adds_jupyterlab_and_the_test_runner() -> None:
    student = pins(ROOT / "requirements-student.txt")
    assert closure(STUDENT) - BOOTSTRAP <= set(student)
    assert set(pins(ROOT / "requirements-grader.txt")) <= set(student)

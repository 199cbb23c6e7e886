"""The package's structure: no import cycles, chapter modules that import only shared modules,
a submission side that never imports the grader side, and chapters that fail alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from inprocess import run_in_process

import autograder
from autograder import exercises, grading
from autograder.grader import specs
from autograder.registry import ChapterModules

PACKAGE = Path(autograder.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """The autograder modules ``name`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                for alias in node.names
            }
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _reachable(start: str, skip: frozenset[str] = frozenset()) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH[todo.pop()] - seen - skip:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_no_import_cycles() -> None:
    cycles = sorted(name for name in MODULES if name in _reachable(name))
    assert not cycles, f"modules on an import cycle: {cycles}"


def test_types_is_a_leaf() -> None:
    assert GRAPH["autograder.types"] == set()


@pytest.mark.parametrize("side", ["autograder.grader.specs", "autograder.submission.probes"])
def test_chapter_modules_import_only_shared_modules(side: str) -> None:
    chapters = {name for name in MODULES if name.startswith(side + ".ch")}
    assert len(chapters) == 8
    for name in chapters:
        assert not GRAPH[name] & {m for m in MODULES if ".ch0" in m}, f"{name} imports a chapter module"


def test_the_submission_side_never_reaches_the_grader_side() -> None:
    """Through any import, module-level or in a function. The package's front door is left out:
    its check() and score() import the grader when called, and the worker replaces them with no-ops."""
    grader_side = {m for m in MODULES if m.startswith("autograder.grader")} | {
        "autograder.exercises",
        "autograder.grading",
        "autograder.inline",
    }
    for name in (m for m in MODULES if m.startswith("autograder.submission")):
        reached = _reachable(name, skip=frozenset({"autograder"})) & grader_side
        assert not reached, f"{name} reaches {sorted(reached)}"


def test_the_worker_loads_no_grader_module() -> None:
    """What the sandbox's worker imports, every probe included, in a fresh interpreter."""
    code = (
        "import sys, importlib\n"
        "import autograder.submission.driver, autograder.submission.worker, autograder.submission.inprocess\n"
        "from autograder.submission import probes\n"
        "for n in ('01', '02', '03', '04', '05', '06', '07', '08'):\n"
        "    importlib.import_module('autograder.submission.probes.ch' + n)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('autograder.grader', 'autograder.exercises'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_broken_chapter_module_fails_only_its_own_chapter(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = ChapterModules(specs.MODULES.package)
    broken.errors["05"] = "autograder.grader.specs.ch05 failed to import: SyntaxError (a half-written edit)"
    monkeypatch.setattr(specs, "MODULES", broken)
    assert not any(i.startswith("05.") for i in exercises.all_exercises())
    assert {"04.ema_debias", "06.fold_bn"} <= set(exercises.all_exercises())
    fifth = grading.grade_notebook(repo_root / "solutions/05-train-eval.ipynb", runner=run_in_process)
    assert fifth.problem == "internal" and "half-written" in (fifth.error or "")
    fourth = grading.grade_notebook(repo_root / "solutions/04-ema.ipynb", runner=run_in_process)
    assert fourth.problem is None and fourth.score == fourth.max_score == 8

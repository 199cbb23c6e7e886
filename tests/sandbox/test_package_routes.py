"""An answer may take only ``check`` and ``score`` from autograder: every other route is forbidden.

The end-to-end test grades one notebook per route with the real CLI, as a separate process
through the real sandbox: each is chapter 05's solution with its ``BatchNorm2d`` answer (or
chapter 04's ``ema_update``) replaced by code that takes the answer from the package. The
runtime routes (names the static reading cannot see) are also run in both sandbox modes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.static.package_use import find_package_use

from .helpers import SANDBOXES, call, grade

pytestmark = pytest.mark.adversarial

ROOT = Path(__file__).resolve().parents[2]

# route -> (chapter's solution, exercise, code before the answer's cell or None, the answer's cell)
ROUTES: dict[str, tuple[str, str, str | None, str]] = {
    "from-import": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        "from autograder.grader.flawed_module import flawed_batchnorm2d\nBatchNorm2d = flawed_batchnorm2d(())",
    ),
    "importlib-built-up-name": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        'import importlib\n_m = importlib.import_module("autograder.grader." + "flawed_module")\n'
        "class BatchNorm2d(_m.FlawedBatchNorm2d):\n    flaws = ()",
    ),
    "dunder-import": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        'BatchNorm2d = __import__("autograder.grader.flawed_module", fromlist=["x"]).flawed_batchnorm2d(())',
    ),
    "computed-name": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        "import importlib\nname = '.'.join(reversed(['flawed_module', 'grader', 'autograder']))\n"
        "BatchNorm2d = importlib.import_module(name).flawed_batchnorm2d(())",
    ),
    "import-in-an-earlier-cell": (
        "05-train-eval",
        "BatchNorm2d",
        "import autograder.grader.flawed_module as flawed",
        "BatchNorm2d = flawed.flawed_batchnorm2d(())",
    ),
    "package-attribute": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        "import autograder\nimport autograder.grader.flawed_module\n"
        "BatchNorm2d = autograder.grader.flawed_module.flawed_batchnorm2d(())",
    ),
    "exec-of-its-file": (
        "04-ema",
        "ema_update",
        None,
        "import os, sys\n"
        "_file = os.path.join(os.path.dirname(sys.modules['autograder'].__file__), 'grader', 'variants.py')\n"
        "_ns = {'__name__': 'copied'}\nexec(compile(open(_file).read(), 'copied', 'exec'), _ns)\n"
        "ema_update = _ns['ema']",
    ),
    "builtins-at-run-time": (
        "05-train-eval",
        "BatchNorm2d",
        None,
        "_load = getattr(__builtins__, '__imp' + 'ort__')\n"
        "def BatchNorm2d(*args, **kwargs):\n"
        "    module = _load('autograder' + '.grader.flawed_module', fromlist=['x'])\n"
        "    return module.flawed_batchnorm2d(())(*args, **kwargs)",
    ),
}


def route_notebook(folder: Path, route: str) -> Path:
    """The chapter's solution with its answer replaced by the route's code."""
    slug, name, before, answer = ROUTES[route]
    notebook = nbformat.read(ROOT / "solutions" / f"{slug}.ipynb", as_version=4)
    [index] = [i for i, c in enumerate(notebook.cells) if c.metadata.get("exercise", "").endswith("." + name)]
    notebook.cells[index].source = answer
    if before is not None:
        notebook.cells.insert(index, nbformat.v4.new_code_cell(before))
    path = folder / f"{slug}-{route}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every route's notebook graded by ``python -m autograder grade`` in one run."""
    folder = tmp_path_factory.mktemp("routes")
    paths = {route: route_notebook(folder, route) for route in ROUTES}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), "--format", "json", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    grades = {Path(g["notebook"]).name: g for g in json.loads(done.stdout)}
    return {route: grades[path.name] for route, path in paths.items()}


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_into_the_package_is_forbidden(graded: dict[str, dict], route: str) -> None:
    slug, name, _, _ = ROUTES[route]
    [result] = [e for e in graded[route]["exercises"] if e["id"].endswith("." + name)]
    assert result["status"] == "forbidden", result["feedback"]
    assert result["score"] == 0
    assert "autograder package beyond check and score" in result["feedback"]


def test_a_route_counts_for_every_later_exercise_too(graded: dict[str, dict]) -> None:
    """The answers after the cell that took from the package may use what it took: forbidden too."""
    later = [e for e in graded["from-import"]["exercises"] if not e["id"].endswith(".BatchNorm2d")]
    assert later and all(e["status"] == "forbidden" and e["score"] == 0 for e in later)


@pytest.mark.parametrize(
    ("cells", "route"),
    [
        (["from autograder.grader.variants import ema"], "from autograder.grader.variants import ..."),
        (["from autograder import inline"], "from autograder import inline"),
        (["import importlib\nm = importlib.import_module('autograder.' + 'inline')"], "(autograder.inline)"),
        (["import builtins\nimp = getattr(builtins, '__import__')\nm = imp('autograder.inline')"], "autograder.inline"),
        (["from autograder import check\ng = check.__globals__"], "check.__globals__"),
        (["import autograder as a\np = a.__file__"], "a.__file__ (autograder.__file__)"),
        (["import autograder\nv = vars(autograder)"], "the package object autograder itself"),
        (["import sys\nm = sys.modules['autograder.submission.probes']"], "names the package's modules or files"),
        (["s = open('/srv/autograder/exercises/variants.py').read()"], "names the package's modules or files"),
        (["import importlib\nm = importlib.import_module(input())"], "computed at run time"),
    ],
)
def test_static_reading_names_the_route(cells: list[str], route: str) -> None:
    found = find_package_use(cells)
    assert len(found) == 1 and route in found[0] and "(cell 1, line" in found[0], found


@pytest.mark.parametrize(
    "cells",
    [
        ["import torch\nfrom autograder import check, score"],
        ["import autograder\nautograder.check(1)\nautograder.score()"],
        ["from autograder import *"],
        ['def f(x):\n    """Unlike autograder.exercises, this is mine."""\n    return x'],
        ["print('the autograder says hi')"],
    ],
)
def test_check_and_score_are_allowed(cells: list[str]) -> None:
    assert find_package_use(cells) == []


HONEST = "(x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), unbiased=False, keepdim=True) + eps)"
RUNTIME_ROUTES = {  # the honest answer first: a route counts for every later exercise
    "honest": (f"def honest(x, eps=1e-5):\n    return {HONEST}"),
    "imports": (
        "def imports(x, eps=1e-5):\n"
        "    load = getattr(__builtins__, '__imp' + 'ort__')\n"
        "    load('autograder' + '.inline')\n"
        f"    return {HONEST}"
    ),
    "reads": (
        "def reads(x, eps=1e-5):\n"
        "    import sys\n"
        "    open(sys.modules['autograder'].__file__).read()\n"
        f"    return {HONEST}"
    ),
}


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_runtime_routes_are_seen_in_the_worker(sandbox: str) -> None:
    setup = "import torch\nfrom autograder import check, score"
    outcomes = grade([setup, *RUNTIME_ROUTES.values()], [call(name) for name in RUNTIME_ROUTES], sandbox)
    assert any("import of autograder.inline" in r for r in outcomes["t.imports"].forbidden_routes)
    assert any("reading the package's file" in r for r in outcomes["t.reads"].forbidden_routes)
    assert outcomes["t.honest"].forbidden_routes == []


def test_check_in_a_notebook_refuses_a_class_built_on_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    from autograder import check
    from autograder.grader.flawed_module import FlawedBatchNorm2d

    class BatchNorm2d(FlawedBatchNorm2d):
        flaws = frozenset()

    with pytest.raises(AssertionError, match="forbidden"):
        check(BatchNorm2d)
    assert "is built on autograder.grader.flawed_module.FlawedBatchNorm2d" in capsys.readouterr().out


GRADER_SIDE = {
    "imports_the_grader_side": (
        "def imports_the_grader_side(x, eps=1e-5):\n"
        "    try:\n"
        "        __import__('autograder' + '.grader.variants')\n"
        "    except ImportError:\n"
        "        return x * 0\n"
        "    return x * 0 + 1"
    ),
    "reads_the_grader_side": (
        "def reads_the_grader_side(x, eps=1e-5):\n"
        "    import os, sys\n"
        "    folder = os.path.join(os.path.dirname(sys.modules['autograder'].__file__), 'grader')\n"
        "    try:\n"
        "        return x * 0 + len(open(os.path.join(folder, 'variants.py')).read())\n"
        "    except OSError:\n"
        "        return x * 0"
    ),
}


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_the_grader_side_cannot_be_imported_or_read_in_the_worker(sandbox: str) -> None:
    """Whatever the route, the worker has only the submission side: both answers see nothing (and are caught)."""
    setup = "import torch\nfrom autograder import check, score"
    outcomes = grade([setup, *GRADER_SIDE.values()], [call(name) for name in GRADER_SIDE], sandbox)
    for name in GRADER_SIDE:
        [case] = outcomes[f"t.{name}"].cases
        assert case.outputs is not None and not case.outputs["y"].any(), name  # the import or read failed
        assert outcomes[f"t.{name}"].forbidden_routes, name

"""A folder of submissions mixing good, wrong and hostile ones, graded the way an
instructor does it: `python -m autograder grade FOLDER --jobs 2`, as a separate process,
through the real sandbox. Every notebook gets the right statuses, nothing is written to
the submissions, and a memory hog costs only its own exercise."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.adversarial

ROOT = Path(__file__).resolve().parents[1]

Edit = Callable[[nbformat.NotebookNode], None]


def replace_answer(name: str, source: str) -> Edit:
    def edit(nb: nbformat.NotebookNode) -> None:
        [cell] = [c for c in nb.cells if c.metadata.get("exercise", "").endswith("." + name)]
        cell.source = source

    return edit


def delete_answer(name: str) -> Edit:
    def edit(nb: nbformat.NotebookNode) -> None:
        nb.cells = [c for c in nb.cells if not c.metadata.get("exercise", "").endswith("." + name)]

    return edit


def prepend_cell(source: str) -> Edit:
    def edit(nb: nbformat.NotebookNode) -> None:
        nb.cells.insert(1, nbformat.v4.new_code_cell(source))

    return edit


MOMENTS = "def channel_moments(x):\n    {body}\n"
STANDARDIZE = "def standardize(x, eps=1e-5):\n    {body}\n"
GOOD_STANDARDIZE_BODY = (
    "m = x.mean((0, 2, 3), keepdim=True)\n"
    "    return (x - m) / torch.sqrt(((x - m) ** 2).mean((0, 2, 3), keepdim=True) + eps)"
)
BN_BACKWARD = """def bn_backward(dy, cache):
    x_hat, inv_std, gamma = cache
    dims = (0, 2, 3)
    dx = gamma.view(1, -1, 1, 1) * inv_std * (dy - x_hat * (dy * x_hat).mean(dim=dims, keepdim=True))
    return dx, (dy * x_hat).sum(dim=dims), dy.sum(dim=dims)
"""
BN_FORWARD = """def bn_forward(x, gamma, beta, eps=1e-5):
    dims = (0, 2, 3)
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = {inv_std}
    x_hat = (x - mean) * inv_std
    return x_hat * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1), (x_hat, inv_std, gamma)
"""
FORBIDDEN_BN_FORWARD = """def bn_forward(x, gamma, beta, eps=1e-5):
    y = torch.nn.functional.batch_norm(x, None, None, gamma, beta, True, 0.0, eps)
    return y, (x, gamma, beta, eps)
"""

# name -> (solution it starts from, edits, expected status per exercise, misconceptions expected)
SUBMISSIONS: dict[str, tuple[str, list[Edit], dict[str, str], set[str]]] = {
    "01-solved": ("01", [], {"01.channel_moments": "passed", "01.standardize": "passed"}, set()),
    "02-solved": (
        "02",
        [],
        {"02.bn_forward": "passed", "02.bn_backward": "passed", "02.BatchNormFunction": "passed"},
        set(),
    ),
    "01-blank": ("01-blank", [], {"01.channel_moments": "not-implemented", "01.standardize": "not-implemented"}, set()),
    "01-eps-outside": (
        "01",
        [
            replace_answer(
                "standardize",
                STANDARDIZE.format(
                    body="m = x.mean((0, 2, 3), keepdim=True)\n"
                    "    return (x - m) / (x.var((0, 2, 3), unbiased=False, keepdim=True).sqrt() + eps)"
                ),
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "failed"},
        {"eps-outside-sqrt"},
    ),
    "01-unbiased": (
        "01",
        [
            replace_answer(
                "standardize",
                STANDARDIZE.format(
                    body="return (x - x.mean((0, 2, 3), keepdim=True)) "
                    "/ torch.sqrt(x.var((0, 2, 3), keepdim=True) + eps)"
                ),
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "failed"},
        {"unbiased-normalization"},
    ),
    "01-wrong-dims": (
        "01",
        [
            replace_answer(
                "channel_moments",
                MOMENTS.format(body="v = x.reshape(x.shape[1], -1)\n    return v.mean(1), v.var(1, unbiased=False)"),
            )
        ],
        {"01.channel_moments": "failed", "01.standardize": "passed"},
        {"wrong-reduction-dims"},
    ),
    "02-no-mean-term": (  # the Function's wiring is right: bn_backward's mistake is charged to bn_backward
        "02",
        [replace_answer("bn_backward", BN_BACKWARD)],
        {"02.bn_forward": "passed", "02.bn_backward": "failed", "02.BatchNormFunction": "passed"},
        {"dx-missing-mean-term"},
    ),
    "02-missing-eps": (  # one eps slip in bn_forward costs bn_forward alone
        "02",
        [replace_answer("bn_forward", BN_FORWARD.format(inv_std="1 / torch.sqrt(var)"))],
        {"02.bn_forward": "failed", "02.bn_backward": "passed", "02.BatchNormFunction": "passed"},
        {"missing-eps"},
    ),
    "02-forbidden-forward-blank-backward": (
        "02",
        [
            replace_answer("bn_forward", FORBIDDEN_BN_FORWARD),
            replace_answer("bn_backward", "def bn_backward(dy, cache):\n    raise NotImplementedError\n"),
        ],
        {"02.bn_forward": "forbidden", "02.bn_backward": "not-implemented", "02.BatchNormFunction": "forbidden"},
        set(),
    ),
    "01-deleted-cell": (
        "01",
        [delete_answer("standardize")],
        {"01.channel_moments": "passed", "01.standardize": "missing"},
        set(),
    ),
    "01-renamed": (
        "01",
        [
            replace_answer(
                "standardize", STANDARDIZE.replace("standardize", "standardise").format(body=GOOD_STANDARDIZE_BODY)
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "missing"},
        set(),
    ),
    "01-syntax-error": (
        "01",
        [replace_answer("channel_moments", "def channel_moments(x):\n    return (x.mean(\n")],
        {"01.channel_moments": "error", "01.standardize": "passed"},
        set(),
    ),
    "01-raises": (
        "01",
        [replace_answer("channel_moments", MOMENTS.format(body="raise ValueError('no idea')"))],
        {"01.channel_moments": "error", "01.standardize": "passed"},
        set(),
    ),
    "01-nan": (
        "01",
        [
            replace_answer(
                "channel_moments", MOMENTS.format(body="return x.mean((0, 2, 3)) * float('nan'), x.var((0, 2, 3))")
            )
        ],
        {"01.channel_moments": "failed", "01.standardize": "passed"},
        set(),
    ),
    "01-wrong-shape": (
        "01",
        [replace_answer("channel_moments", MOMENTS.format(body="return x.mean(0), x.var(0)"))],
        {"01.channel_moments": "failed", "01.standardize": "passed"},
        {"wrong-reduction-dims", "unbiased-normalization"},
    ),
    "01-float64": (
        "01",
        [replace_answer("standardize", STANDARDIZE.format(body="x = x.double()\n    " + GOOD_STANDARDIZE_BODY))],
        {"01.channel_moments": "passed", "01.standardize": "failed"},
        {"dtype-changed"},
    ),
    "01-in-place": (
        "01",
        [
            replace_answer(
                "standardize",
                STANDARDIZE.format(
                    body="m = x.mean((0, 2, 3), keepdim=True)\n    v = x.var((0, 2, 3), unbiased=False, keepdim=True)\n"
                    "    return x.sub_(m).div_(torch.sqrt(v + eps))"
                ),
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "failed"},
        {"input-mutated"},
    ),
    "01-uses-torch-bn": (
        "01",
        [
            replace_answer(
                "standardize",
                STANDARDIZE.format(
                    body="import torch.nn.functional as F\n"
                    "    return F.batch_norm(x, None, None, training=True, eps=eps)"
                ),
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "forbidden"},
        set(),
    ),
    "01-memory-hog": (
        "01",
        [
            replace_answer(
                "channel_moments",
                MOMENTS.format(body="hoard = []\n    while True:\n        hoard.append(bytearray(256 * 2**20))"),
            )
        ],
        {"01.channel_moments": "error", "01.standardize": "passed"},
        set(),
    ),
    "01-os-exit": (
        "01",
        [replace_answer("standardize", "import os\n" + STANDARDIZE.format(body="os._exit(7)"))],
        {"01.channel_moments": "passed", "01.standardize": "error"},
        set(),
    ),
    "01-endless": (
        "01",
        [replace_answer("channel_moments", MOMENTS.format(body="while True:\n        pass"))],
        {"01.channel_moments": "timeout", "01.standardize": "passed"},
        set(),
    ),
    "01-tampers": (
        "01",
        [
            prepend_cell(
                "import torch, numpy, builtins\ntorch.allclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, "
                "**k: True\ntorch.manual_seed = lambda *a, **k: None\nbuiltins.abs = lambda v: 0"
            )
        ],
        {"01.channel_moments": "passed", "01.standardize": "passed"},
        set(),
    ),
}

SOURCES = {
    "01": ROOT / "solutions/01-covariate-shift.ipynb",
    "02": ROOT / "solutions/02-derivation.ipynb",
    "01-blank": ROOT / "chapters/01-covariate-shift/exercises.ipynb",
}
CHAPTER_SLUG = {"01": "01-covariate-shift", "02": "02-derivation"}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("submissions")
    for name, (source, edits, _, _) in SUBMISSIONS.items():
        nb = nbformat.read(SOURCES[source], as_version=4)
        for edit in edits:
            edit(nb)
        nb.metadata["bn_course"] = {"chapter": source[:2]}
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "not-json.ipynb").write_text("{ this is not json")
    (folder / "not-a-notebook.ipynb").write_text(json.dumps({"hello": "world"}))
    before = digest(folder)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(folder),
            "--jobs",
            "2",
            "--format",
            "json",
            "--timeout",
            "240",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )
    return done, folder, before


def by_name(done: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {Path(g["notebook"]).stem: g for g in json.loads(done.stdout)}


def test_every_submission_is_graded_and_the_exit_code_says_some_were_unreadable(graded) -> None:
    done, folder, _ = graded
    grades = by_name(done)
    assert sorted(grades) == sorted([*SUBMISSIONS, "not-json", "not-a-notebook"]), done.stderr[-3000:]
    assert done.returncode == 3, done.stderr[-3000:]  # documented: 3 when a notebook could not be read


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_statuses_and_misconceptions(graded, name: str) -> None:
    _, _, expected, misconceptions = SUBMISSIONS[name]
    grade = by_name(graded[0])[name]
    statuses = {e["id"]: e["status"] for e in grade["exercises"]}
    assert statuses == expected, json.dumps(grade, indent=1)[:4000]
    named = {m for e in grade["exercises"] for m in e["misconceptions"]}
    assert named == misconceptions, json.dumps(grade, indent=1)[:4000]
    passed = [e for e in grade["exercises"] if e["status"] == "passed"]
    assert grade["score"] == sum(e["max_score"] for e in passed)


@pytest.mark.parametrize("name", ["not-json", "not-a-notebook"])
def test_unreadable_files_get_a_clear_reason(graded, name: str) -> None:
    grade = by_name(graded[0])[name]
    assert grade["score"] == 0
    assert grade.get("error"), grade


def test_the_submissions_are_untouched(graded) -> None:
    _, folder, before = graded
    assert digest(folder) == before


def test_memory_hog_is_named_and_the_grader_survives(graded) -> None:
    grade = by_name(graded[0])["01-memory-hog"]
    [hog] = [e for e in grade["exercises"] if e["id"] == "01.channel_moments"]
    assert "memory" in hog["feedback"].lower(), hog["feedback"]


def test_a_mistake_is_charged_to_the_answer_that_makes_it(graded) -> None:
    """Through the CLI: the feedback of an exercise that calls a wrong answer names that answer."""
    feedback = {e["id"]: e["feedback"] for e in by_name(graded[0])["02-missing-eps"]["exercises"]}
    assert "your bn_forward has missing-eps here (charged to 02.bn_forward)" in feedback["02.bn_backward"]
    forbidden = {e["id"]: e["feedback"] for e in by_name(graded[0])["02-forbidden-forward-blank-backward"]["exercises"]}
    assert "bn_backward is not implemented yet" in forbidden["02.bn_backward"]
    assert "the forbidden call is in your bn_forward (02.bn_forward)" in forbidden["02.BatchNormFunction"]

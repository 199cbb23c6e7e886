"""check() in a notebook and ``python -m autograder grade`` agree on the same notebooks.

The rule: check()'s verdict is the grade's verdict restricted to the spec's quick cases.
So wherever a quick case shows the mistake, check() gives the same status and names the
same misconceptions as the grade; when every quick case passes but the grade fails on a
case only it runs, check() passes and says that the grade runs more cases.

Each notebook is a solution notebook with one slip written into one answer (or a blank
student notebook). The grade is the real CLI on the folder, through the sandbox; check()
runs in this process on the notebook's own code, as in Jupyter.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder import exercises, inline
from autograder.grader import specs
from autograder.types import Case

pytestmark = pytest.mark.adversarial  # grades through the real sandbox, like test_grade_folder

ROOT = Path(__file__).resolve().parents[1]
SLUGS = {"02": "02-derivation", "03": "03-axes", "04": "04-ema", "05": "05-train-eval"}

# name -> (chapter, blank notebook?, slips {exercise id: (old, new)}, what the grade says of the slipped exercise)
Slips = dict[str, tuple[str, str]]
NOTEBOOKS: dict[str, tuple[str, bool, Slips, tuple[str, set[str]] | None]] = {
    "02-solved": ("02", False, {}, None),
    "02-blank": ("02", True, {}, None),
    "02-missing-eps": (
        "02",
        False,
        {"02.bn_forward": ("torch.sqrt(var + eps)", "torch.sqrt(var)")},
        ("failed", {"missing-eps"}),
    ),
    "02-no-mean-term": (
        "02",
        False,
        {"02.bn_backward": ("dy - dy_mean - x_hat", "dy - x_hat")},
        ("failed", {"dx-missing-mean-term"}),
    ),
    "03-one-pass": (
        "03",
        False,
        {"03.batch_norm_nd": ("(xc * xc).mean(dim=dims, keepdim=True)", "(x * x).mean(dims, keepdim=True) - mean**2")},
        ("failed", {"one-pass-variance"}),
    ),
    "04-keras": (
        "04",
        False,
        {
            "04.ema_update": (
                "return (1 - momentum) * running + momentum * value",
                "return momentum * running + (1 - momentum) * value",
            )
        },
        ("failed", {"keras-momentum"}),
    ),
    "04-biased-running-var": (
        "04",
        False,
        {"04.update_running_stats": ("(xc * xc).sum(dim=dims) / (n - 1)", "(xc * xc).sum(dim=dims) / n")},
        ("failed", {"biased-running-var"}),
    ),
    "04-never-counts": (
        "04",
        False,
        {"04.update_running_stats": ("            count)", "            num_batches_tracked)")},
        ("failed", {"batch-count-wrong"}),
    ),
    "04-momentum-0-only": (  # wrong only where momentum is 0, a case that only the grade runs
        "04",
        False,
        {"04.ema_update": ("    return (1 - m", "    if momentum == 0:\n        return value * 1\n    return (1 - m")},
        ("failed", {"keras-momentum"}),  # torch's update with momentum 0 equals Keras's with momentum 0
    ),
    "05-blank": ("05", True, {}, None),
    "05-keras": (
        "05",
        False,
        {"05.BatchNorm2d": ("mul_(1 - factor).add_(factor * ", "mul_(factor).add_((1 - factor) * ")},
        ("failed", {"keras-momentum"}),
    ),
    "05-batch-stats-in-eval": (
        "05",
        False,
        {
            "05.BatchNorm2d": (
                "use_batch_stats = self.training or no_buffers\n        buffers_passed = not self.training or ",
                "use_batch_stats = True\n        buffers_passed = self.training and ",
            )
        },
        ("failed", {"batch-stats-in-eval"}),
    ),
    "05-repr-without-bias": (
        "05",
        False,
        {"05.BatchNorm2d": ('f"affine={self.affine}, bias={self.bias is not None}, "', 'f"affine={self.affine}, "')},
        ("failed", set()),
    ),
}


def notebook(name: str) -> nbformat.NotebookNode:
    chapter, blank, slips, _ = NOTEBOOKS[name]
    folder = "chapters/{}/exercises.ipynb" if blank else "solutions/{}.ipynb"
    nb = nbformat.read(ROOT / folder.format(SLUGS[chapter]), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("exercise") in slips:
            old, new = slips[cell.metadata["exercise"]]
            assert old in cell.source, (name, old)
            cell.source = cell.source.replace(old, new)
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """Notebook name -> exercise id -> its grade (JSON), from one run of the CLI on the folder."""
    folder = tmp_path_factory.mktemp("agree")
    for name in NOTEBOOKS:
        nbformat.write(notebook(name), folder / f"{name}.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), "--jobs", "2", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {Path(g["notebook"]).stem: {e["id"]: e for e in g["exercises"]} for g in json.loads(done.stdout)}


def checked(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, list[str], str]]:
    """Exercise id -> (status, misconceptions, feedback) of check() on each answer of the notebook."""
    nb = notebook(name)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("exercise"))
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells[: last + 1]:
            if cell.cell_type == "code" and not cell.metadata.get("check"):
                exec(compile(cell.source, "<cell>", "exec"), namespace)
    monkeypatch.setattr(inline, "_RESULTS", {})
    found = {}
    for exercise in exercises.chapter_exercises(NOTEBOOKS[name][0]):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(AssertionError):
            inline.check(exercise.id, namespace[exercise.name])
        result = inline._RESULTS[exercise.id]
        found[exercise.id] = (result.status, result.misconceptions, result.feedback)
    return found


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_check_and_grade_agree(graded, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    chapter, blank, slips, expected = NOTEBOOKS[name]
    grade = graded[name]
    for exercise_id, (status, named, feedback) in checked(name, monkeypatch).items():
        by_grade = grade[exercise_id]
        quick, every = len(specs.spec(exercise_id).cases(quick=True)), len(specs.spec(exercise_id).cases())
        subset_only = status == "passed" and by_grade["status"] != "passed"
        if subset_only:  # the mistake shows only on cases that the grade alone runs
            assert name == "04-momentum-0-only", (exercise_id, by_grade["feedback"])
            assert f"Passed the quick check ({quick} of {every} cases); the grade runs all {every}." == feedback
            continue
        assert (status, sorted(named)) == (by_grade["status"], sorted(by_grade["misconceptions"])), (
            exercise_id,
            feedback,
            by_grade["feedback"],
        )
        if status != "passed" and quick < every and not blank:
            assert f"of the {quick} quick cases (of {every})" in feedback
            assert f"Case {quick + 1}" not in feedback
    if expected is not None:
        [slipped] = slips
        assert (grade[slipped]["status"], set(grade[slipped]["misconceptions"])) == expected, grade[slipped]["feedback"]
    elif not blank:
        assert {e["status"] for e in grade.values()} == {"passed"}
    else:
        assert {e["status"] for e in grade.values()} == {"not-implemented"}


def test_a_text_mismatch_gets_its_hint_through_the_cli(graded) -> None:
    feedback = graded["05-repr-without-bias"]["05.BatchNorm2d"]["feedback"]
    assert "extra_repr" in feedback and "affine=True, bias=True" in feedback
    assert "What to do: extra_repr() must return torch's string exactly" in feedback
    assert "No misconception on the course's list explains this case." in feedback
    assert "compare your code with the chapter's equations" not in feedback


def test_the_quick_cases_show_every_mistake_their_exercise_names() -> None:
    """Every misconception a declared wrong variant shows on some case is shown on a quick one,
    so check() can name whatever the grade names from a variant (exceptions: none today)."""
    for spec in specs.all_specs():
        quick = _shown(spec, spec.cases(quick=True), set())
        others = _shown(spec, [case for case in spec.cases() if not case.quick], quick)
        assert others <= quick, (spec.id, others - quick)


def _shown(spec: specs.ExerciseSpec, cases: list[Case], known: set[str]) -> set[str]:
    """The misconceptions of the variants that differ from torch on some of ``cases``, beyond ``known``."""
    shown = set(known)
    for case in cases:
        variants = [v for v in spec.variants(case) if not set(v.misconceptions) <= shown]
        want = spec.reference(case) if variants else {}
        for variant in variants:
            wrong = variant.compute()
            if wrong is not None and spec.compare(case, {**want, **wrong}, want) is not None:
                shown.update(variant.misconceptions)
    return shown

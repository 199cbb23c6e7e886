"""Hostile or broken cells at the top level of a notebook, run for real."""

from __future__ import annotations

import pytest
from sandbox.helpers import call, grade

pytestmark = pytest.mark.adversarial

SETUP = "import os, sys, time\nimport torch\nfrom autograder import check"
FINE = "def {name}(x, eps=1e-5):\n    return x.clone()"


@pytest.fixture(scope="module")
def outcomes() -> dict:
    cells = [
        SETUP,
        FINE.format(name="looped") + "\nwhile True:\n    pass",
        FINE.format(name="fine") + "\ncheck(fine)",
        FINE.format(name="exited") + "\nos._exit(3)",
        "raise ValueError('boom')\n" + FINE.format(name="broken"),
        FINE.format(name="later") + "\nimport torch\ntorch.Tensor.clone = lambda self: self * 0",
        "def gone(x, eps=1e-5):\n    return x\ndel gone",
    ]
    names = ["looped", "fine", "exited", "broken", "later", "gone", "absent"]
    return grade(cells, [call(name) for name in names], cell_seconds=4.0)


def test_a_cell_that_never_ends_times_out_alone(outcomes):
    assert (outcomes["t.looped"].status, outcomes["t.looped"].message) == (
        "timeout",
        "cell 2, which defines looped, timed out after 4 s",
    )


def test_other_cells_still_run(outcomes):
    assert outcomes["t.fine"].status == "ran" and outcomes["t.fine"].cases[0].outputs is not None


def test_a_cell_that_kills_the_worker_is_skipped_by_the_next(outcomes):
    result = outcomes["t.exited"]
    assert result.status == "error" and result.message.startswith(
        "cell 4, which defines exited, stopped the worker: the worker exited early with code 3"
    )


def test_the_defining_cell_raised(outcomes):
    assert (outcomes["t.broken"].status, outcomes["t.broken"].message) == (
        "error",
        "cell 5, which defines broken, raised ValueError: boom",
    )


def test_later_cells_patching_torch_only_change_data(outcomes):
    assert (outcomes["t.later"].cases[0].outputs["y"] == 0).all()


def test_missing_names_say_why(outcomes):
    assert (outcomes["t.gone"].status, outcomes["t.gone"].message) == (
        "missing",
        "gone is not defined: cell 7 did not leave it defined",
    )
    assert (outcomes["t.absent"].status, outcomes["t.absent"].message) == (
        "missing",
        "absent is not defined: no code cell defines it",
    )


def test_the_whole_notebook_has_a_deadline():
    outcomes = grade(
        ["import time\ntime.sleep(60)", FINE.format(name="slow")],
        [call("slow")],
        cell_seconds=60.0,
        notebook_seconds=4.0,
    )
    assert (outcomes["t.slow"].status, outcomes["t.slow"].message) == ("timeout", "the submission ran out of its 4 s")

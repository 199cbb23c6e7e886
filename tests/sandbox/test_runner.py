"""The runner on ordinary notebooks: outputs, statuses, tracebacks, magics, op watching."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.sandbox import bwrap, runner
from autograder.sandbox.api import Limits, RunRequest

from .helpers import X, call, grade

CELLS = [
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nechoed = !echo computing\nimport "
    "torch\nfrom autograder import check, score",
    "def good(x, eps=1e-5):\n    print(echoed[0])\n    return (x - x.mean()) / 2",
    "check(good)\nscore()",
    "def stub(x, eps=1e-5):\n    raise NotImplementedError('write me')",
    "def wrong_type(x, eps=1e-5):\n    return 3",
    "def helper(x):\n    return x / 0.0 + undefined_name\n\ndef raises(x, eps=1e-5):\n    return helper(x)",
    "def reads_bn(bn, x):\n    return (x - bn.running_mean[None, :, None, None]) / bn.running_var.sqrt()[None, :, "
    "None, None]",
    "def runs_bn(bn, x):\n    return bn(x)",
]


@pytest.fixture(scope="module")
def outcomes() -> dict:
    calls = [call("good", cases=2), call("stub"), call("wrong_type"), call("raises")]
    calls += [call(name, probe="test.given_batchnorm") for name in ("reads_bn", "runs_bn")]
    return grade(CELLS, calls)


def test_outputs_come_back_as_arrays(outcomes):
    result = outcomes["t.good"]
    assert result.status == "ran" and result.stdout == "computing\n" * 2
    for index, case in enumerate(result.cases):
        np.testing.assert_array_equal(case.outputs["y"], ((X + index) - (X + index).mean()) / 2)


def test_statuses_of_cases(outcomes):
    assert outcomes["t.stub"].cases[0].not_implemented
    assert outcomes["t.wrong_type"].cases[0].answer_error == "y must be a torch.Tensor, got builtins.int"


def test_tracebacks_show_only_the_students_cells(outcomes):
    error = outcomes["t.raises"].cases[0].error
    assert error == (
        "Traceback (your code):\n"
        "  cell 6, line 5, in raises\n    return helper(x)\n"
        "  cell 6, line 2, in helper\n    return x / 0.0 + undefined_name\n"
        "NameError: name 'undefined_name' is not defined"
    )


def test_the_probes_own_batchnorm_is_not_the_students(outcomes):
    assert outcomes["t.reads_bn"].status == "ran" and not outcomes["t.reads_bn"].forbidden_routes
    result = outcomes["t.runs_bn"]
    assert result.status == "forbidden"
    assert result.forbidden_routes == ["aten::native_batch_norm (from cell 8, line 2, in runs_bn)"]


def test_the_same_request_gives_the_same_outputs_whatever_the_seeds():
    cells = [
        "import os, torch\ntorch.manual_seed(int.from_bytes(os.urandom(4), 'little'))",
        "def noisy(x, eps=1e-5):\n    return x + torch.rand(x.shape)",
    ]
    first, second = (grade(cells, [call("noisy", cases=2)])["t.noisy"] for _ in range(2))
    for a, b in zip(first.cases, second.cases, strict=True):
        np.testing.assert_array_equal(a.outputs["y"], b.outputs["y"])


def test_changing_the_graders_files_is_forbidden(tmp_path, monkeypatch):
    package = tmp_path / "grader"
    package.mkdir()
    (package / "verdict.py").write_text("PASS = False\n")
    monkeypatch.setattr(runner, "GRADER_PACKAGE", package)
    cells = [f"open({str(package / 'verdict.py')!r}, 'w').write('PASS = True')", "def f(x, eps=1e-5):\n    return x"]
    result = grade(cells, [call("f")], "none", watch_grader=True)["t.f"]
    assert (result.status, result.message) == ("forbidden", "the submission changed the grader's own files")


def test_bwrap_asked_for_but_missing_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(bwrap, "_problem", lambda: "bubblewrap (bwrap) is not installed")
    with pytest.raises(bwrap.SandboxUnavailable, match="apt-get install bubblewrap"):
        runner.run(RunRequest([], [], Limits(sandbox="bwrap")))
    assert bwrap.resolve("auto") == "none"

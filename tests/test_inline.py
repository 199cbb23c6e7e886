"""check() and score() as a student meets them in a notebook."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import autograder
from autograder import inline


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no checks run, as a new kernel does."""
    monkeypatch.setattr(inline, "_RESULTS", {})


def channel_moments(x):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
    return mean, var


def standardize(x, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) / (torch.sqrt(var) + eps)  # eps outside the square root


def test_a_right_answer_prints_one_line_with_the_points(capsys: pytest.CaptureFixture[str]) -> None:
    assert autograder.check(channel_moments) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "01.channel_moments: passed (1/1 points)" in out


def test_a_wrong_answer_raises_and_names_the_misconception(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(AssertionError, match=r"01\.standardize failed \[eps-outside-sqrt\]"):
        autograder.check("01.standardize", standardize)
    out = capsys.readouterr().out
    assert "Case " in out and "max abs error" in out
    assert "eps-outside-sqrt: eps goes inside the square root" in out and "#sec-derivation-forward" in out


def test_not_implemented_is_friendly_and_still_fails(capsys: pytest.CaptureFixture[str]) -> None:
    def channel_moments(x):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not-implemented"):
        autograder.check(channel_moments)
    assert "not implemented yet" in capsys.readouterr().out


def test_an_exception_shows_the_student_frames_only(capsys: pytest.CaptureFixture[str]) -> None:
    def channel_moments(x):
        return x.reshape(7, 7)

    with pytest.raises(AssertionError, match="error"):
        autograder.check(channel_moments)
    out = capsys.readouterr().out
    assert "RuntimeError" in out and "test_inline.py" in out and "autograder/probes" not in out


def test_an_endless_loop_is_a_timeout(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def channel_moments(x):
        while True:
            pass

    monkeypatch.setattr(inline, "CHECK_SECONDS", 0.5)
    with pytest.raises(AssertionError, match="timeout"):
        autograder.check(channel_moments)
    assert "did not finish within 0.5 s" in capsys.readouterr().out


def test_a_swallowed_timeout_still_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    def channel_moments(x):
        while True:
            try:
                while True:
                    pass
            except Exception:
                continue

    monkeypatch.setattr(inline, "CHECK_SECONDS", 0.5)
    with pytest.raises(AssertionError, match="timeout"):
        autograder.check(channel_moments)


def test_usage_mistakes_are_explained() -> None:
    with pytest.raises(ValueError, match="unknown exercise id"):
        autograder.check("01.nope", channel_moments)
    with pytest.raises(TypeError, match="pass your function"):
        autograder.check("01.standardize")
    with pytest.raises(KeyError, match="no exercise defines"):
        autograder.check(lambda x: x)


def test_score_prints_the_chapter_table(capsys: pytest.CaptureFixture[str]) -> None:
    autograder.score()
    assert "No check has run" in capsys.readouterr().out
    autograder.check(channel_moments)
    with pytest.raises(AssertionError):
        autograder.check("01.standardize", standardize)
    capsys.readouterr()
    autograder.score()
    table = capsys.readouterr().out
    assert "Chapter 01: 1 / 2 points" in table
    assert "01.channel_moments  passed" in table and "01.standardize      failed" in table


def test_quick_check_is_quick() -> None:
    import time

    autograder.check(channel_moments)  # warm
    start = time.perf_counter()
    autograder.check(channel_moments)
    assert time.perf_counter() - start < 2.0  # about 1 s is the goal; slack for a loaded machine


def test_importing_the_package_is_light() -> None:
    code = "import sys, autograder; print(sorted(m for m in ('torch', 'numpy', 'nbformat') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_says_it_ran_the_quick_subset(capsys: pytest.CaptureFixture[str]) -> None:
    spec = autograder_specs().spec("01.channel_moments")
    quick, every = len(spec.cases(quick=True)), len(spec.cases())
    autograder.check(channel_moments)
    out = capsys.readouterr().out
    assert f"passed the quick check ({quick} of {every} cases); the grade runs all {every}." in out.lower()


def test_a_failing_check_numbers_its_case_among_the_quick_ones(capsys: pytest.CaptureFixture[str]) -> None:
    def channel_moments(x):  # wrong on float64 inputs only: the second quick case is the first in float64
        var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
        return mean, var * 2 if x.dtype == torch.float64 else var

    spec = autograder_specs().spec("01.channel_moments")
    quick_cases, every = spec.cases(quick=True), len(spec.cases())
    number = next(i for i, case in enumerate(quick_cases, start=1) if case.inputs["x"].dtype == "float64")
    with pytest.raises(AssertionError, match=r"01\.channel_moments failed$"):
        autograder.check(channel_moments)
    out = capsys.readouterr().out
    assert f"Case {number} of the {len(quick_cases)} quick cases (of {every}), " in out
    assert "No misconception on the course's list explains this case." in out
    assert "What to do: `var` is off by more than rounding can explain" in out and "#sec-shift-moments" in out


def test_an_answer_that_raises_is_not_called_unexplained(capsys: pytest.CaptureFixture[str]) -> None:
    def channel_moments(x):
        return x.mean((0, 2, 3)), x.var((0, 2, 3)) / (x.shape[0] // (x.shape[1] - x.shape[1]))

    with pytest.raises(AssertionError, match=r"01\.channel_moments error$"):
        autograder.check(channel_moments)
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "What to do: read the traceback" in out
    assert "No misconception" not in out


def autograder_specs():  # the grader side, imported only where a test needs the case counts
    from autograder.grader import specs

    return specs

"""The verdict's feedback: consistent with itself, in order (what went wrong, what it looks like,
what to do), with a hint fitted to the kind of mismatch, and saying when only the quick cases ran.

Outcomes are built from torch's own reference arrays with one thing changed, so each test
controls exactly what went wrong on which case.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grader import hints, specs, verdict
from autograder.grader.specs.base import ExerciseSpec
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.submission.probes.modules import text_in, text_out
from autograder.types import Arrays, Mismatch

UNEXPLAINED = "No misconception on the course's list explains"


def outcomes(spec: ExerciseSpec, changed: dict[int, CaseOutcome], quick: bool = False) -> tuple[list, ExerciseOutcome]:
    """Every case answered with torch's arrays, except the case indices in ``changed``."""
    cases = spec.cases(quick=quick)
    ran = [changed.get(i) or CaseOutcome(outputs=spec.reference(case)) for i, case in enumerate(cases)]
    return cases, ExerciseOutcome("ran", cases=ran)


def judged(exercise_id: str, changed: dict[int, CaseOutcome], quick: bool = False):
    spec = specs.spec(exercise_id)
    cases, outcome = outcomes(spec, changed, quick)
    return verdict.judge(spec.exercise(), spec, cases, outcome, of=len(spec.cases()) if quick else None)


def edited(exercise_id: str, index: int, **arrays: np.ndarray) -> CaseOutcome:
    """Torch's outputs of case ``index`` with some replaced (an array) or removed (None)."""
    spec = specs.spec(exercise_id)
    outputs = dict(spec.reference(spec.cases()[index]))
    for key, value in arrays.items():
        if value is None:
            del outputs[key]
        else:
            outputs[key] = value
    return CaseOutcome(outputs=outputs)


def reference(exercise_id: str, index: int) -> Arrays:
    spec = specs.spec(exercise_id)
    return spec.reference(spec.cases()[index])


def showing(exercise_id: str, misconception: str, start: int = 0) -> tuple[int, CaseOutcome]:
    """The first case from ``start`` on where the single-mistake variant differs from torch, answered with it."""
    spec = specs.spec(exercise_id)
    for index, case in enumerate(spec.cases()[start:], start=start):
        for variant in spec.variants(case):
            wrong = variant.compute() if variant.misconceptions == (misconception,) else None
            if wrong is not None and spec.compare(case, wrong, spec.reference(case)) is not None:
                return index, CaseOutcome(outputs=wrong)
    raise AssertionError(f"no case of {exercise_id} shows {misconception}")


def float_case(exercise_id: str, dtype: str) -> int:
    """The first case of ``exercise_id`` whose input x has ``dtype``."""
    return next(i for i, c in enumerate(specs.spec(exercise_id).cases()) if c.inputs["x"].dtype == dtype)


# --- the hint fits the kind of mismatch ----------------------------------------------


def moments_with(index: int, var: np.ndarray | None) -> CaseOutcome:
    return edited("01.channel_moments", index, var=var)


VAR = "var"
KINDS = {
    # kind: (outcome of case 1, phrases of the hint)
    "value": (lambda w: w[VAR] * 1.5, ["off by more than rounding", "the section's equations"]),
    "shape": (lambda w: w[VAR][:-1], ["`var` has the wrong shape", "keepdim"]),
    "dtype": (lambda w: w[VAR].astype(np.float64), ["compute in the input's dtype", "dtype="]),
    "nan": (lambda w: np.full_like(w[VAR], np.nan), ["NaN or Inf where torch's is finite", "division by zero"]),
    "missing": (lambda w: None, ["make your answer produce `var`"]),
}


@pytest.mark.parametrize("kind", KINDS)
def test_an_unexplained_mismatch_gets_the_hint_of_its_kind_and_the_section(kind: str) -> None:
    change, phrases = KINDS[kind]
    result = judged("01.channel_moments", {0: moments_with(0, change(reference("01.channel_moments", 0)))})
    assert result.status == "failed" and result.misconceptions == []
    assert f"{UNEXPLAINED} this case." in result.feedback
    assert "compare your code with the chapter's equations" not in result.feedback
    for phrase in phrases:
        assert phrase in result.feedback, result.feedback
    assert f"The section that teaches it: {specs.spec('01.channel_moments').exercise().url}" in result.feedback


def test_a_near_miss_says_how_near_and_where_to_look() -> None:
    index = float_case("01.channel_moments", "float64")
    var = reference("01.channel_moments", index)[VAR]
    result = judged("01.channel_moments", {index: moments_with(index, var * (1 + 3e-4))})
    assert result.status == "failed" and result.misconceptions == []
    assert "is close to torch's (largest error 3e-04 of the values' size)" in result.feedback
    assert "eps left out or misplaced" in result.feedback and "float32 intermediate" in result.feedback


def test_a_float64_error_of_float32_size_is_called_a_float32_leak_only_when_nothing_explains_it() -> None:
    index = float_case("01.channel_moments", "float64")
    var = reference("01.channel_moments", index)[VAR]
    result = judged("01.channel_moments", {index: moments_with(index, var * (1 + 3e-7))})
    assert result.status == "failed" and result.misconceptions == []
    assert "off by 3e-07 of its largest value, float32's precision" in result.feedback
    assert "float32 leaking into the float64 computation" in result.feedback


def test_a_text_mismatch_points_at_the_exact_string() -> None:
    index = next(i for i, case in enumerate(specs.spec("05.BatchNorm2d").cases()) if case.label.startswith("API"))
    want = reference("05.BatchNorm2d", index)
    key = next(k for k in want if k.endswith(": extra_repr") and ", bias=True" in text_in(want[k]))
    wrong = text_out(text_in(want[key]).replace(", bias=True", ""))
    result = judged("05.BatchNorm2d", {index: edited("05.BatchNorm2d", index, **{key: wrong})})
    assert result.status == "failed"
    assert "extra_repr() must return torch's string exactly" in result.feedback
    assert "off by more than rounding" not in result.feedback


@pytest.mark.parametrize(
    ("key", "got", "want", "phrase"),
    [
        ("step 3 (train forward of x1): num_batches_tracked", np.array(2), np.array(1), "compared exactly"),
        ("step 9 (train forward of x2, which may raise): raised", text_out(""), text_out("ValueError"), "its message"),
        ("step 1 (new): buffers", text_out("[]"), text_out('["running_mean"]'), "register_buffer"),
        ("gradcheck", np.array(False), np.array(True), "a check that torch's computation passes"),
        ("dgamma", np.ones(3), None, "torch has no `dgamma` here"),
    ],
)
def test_every_kind_of_output_has_its_own_hint(key: str, got: np.ndarray, want: np.ndarray | None, phrase: str) -> None:
    expected = {} if want is None else {key: want}
    assert phrase in hints.mismatch_hint(Mismatch(key, "differs"), {key: got}, expected)


# --- the feedback never contradicts itself --------------------------------------------


def test_a_case_that_raised_is_an_error_not_an_unexplained_value() -> None:
    """Case 1 raises; a later case has wrong values that nothing explains."""
    later = moments_with(2, reference("01.channel_moments", 2)[VAR] * 1.5)
    raised = CaseOutcome(error="Traceback (your code):\n  cell 3, line 2\nZeroDivisionError: division by zero")
    result = judged("01.channel_moments", {0: raised, 2: later})
    assert result.status == "error" and result.misconceptions == []
    assert UNEXPLAINED not in result.feedback
    assert result.feedback.startswith("Case 1 of 9, ")
    assert "ZeroDivisionError" in result.feedback and "What to do: read the traceback" in result.feedback


def test_a_named_rule_explains_its_case() -> None:
    """Case 1 mutates its input; a later case has wrong values that nothing explains."""
    mutated = CaseOutcome(answer_error="the answer modified its input x in place", misconceptions=("input-mutated",))
    later = moments_with(2, reference("01.channel_moments", 2)[VAR] * 1.5)
    result = judged("01.channel_moments", {0: mutated, 2: later})
    assert result.status == "failed" and result.misconceptions == ["input-mutated"]
    assert UNEXPLAINED not in result.feedback and "What to do" not in result.feedback
    assert "This looks like:\n- input-mutated: " in result.feedback


def test_the_feedback_reads_in_order_and_names_other_cases_separately() -> None:
    """Case 2 raises (shown first, with what to do); case 3 has a named mistake (said after)."""
    index, missing_eps = showing("01.standardize", "missing-eps", start=2)
    result = judged("01.standardize", {1: CaseOutcome(error="ValueError: no"), index: missing_eps})
    assert result.status == "error" and result.misconceptions == ["missing-eps"]
    feedback = result.feedback
    parts = ("Case 2 of 9", "ValueError: no", "What to do:", "Other cases also show:\n- missing-eps")
    order = [feedback.index(part) for part in parts]
    assert order == sorted(order), feedback
    assert UNEXPLAINED not in feedback and "This looks like" not in feedback


def test_an_explained_first_case_names_its_misconception_before_anything_else() -> None:
    index, eps = showing("01.standardize", "eps-outside-sqrt")
    result = judged("01.standardize", {index: eps})
    assert result.misconceptions == ["eps-outside-sqrt"]
    lines = result.feedback.splitlines()
    assert lines[0].startswith(f"Case {index + 1} of 9, ") and lines[1].startswith("  y: ")
    if index:
        assert lines.pop(2) == f"The {index} case(s) before it passed."
    assert lines[2] == "This looks like:" and lines[3].startswith("- eps-outside-sqrt: ")
    assert UNEXPLAINED not in result.feedback and "Other cases" not in result.feedback


# --- the quick subset says so; the grade keeps its wording ---------------------------


def test_the_quick_check_says_it_ran_a_subset() -> None:
    spec = specs.spec("01.channel_moments")
    quick, every = len(spec.cases(quick=True)), len(spec.cases())
    assert quick < every
    passed = judged("01.channel_moments", {}, quick=True)
    assert passed.status == "passed"
    assert f"passed the quick check ({quick} of {every} cases); the grade runs all {every}." in passed.feedback.lower()
    failed = judged("01.channel_moments", {1: CaseOutcome(error="ValueError: no")}, quick=True)
    assert failed.feedback.startswith(f"Case 2 of the {quick} quick cases (of {every}), ")


def test_the_grade_keeps_its_wording() -> None:
    every = len(specs.spec("01.channel_moments").cases())
    assert judged("01.channel_moments", {}).feedback == f"All {every} cases match torch."
    failed = judged("01.channel_moments", {1: CaseOutcome(error="ValueError: no")})
    assert failed.feedback.startswith(f"Case 2 of {every}, ") and "quick" not in failed.feedback


def test_a_check_that_runs_every_case_says_nothing_of_a_subset() -> None:
    spec = specs.spec("03.reduction_dims")
    assert len(spec.cases(quick=True)) == len(spec.cases())
    assert "quick" not in judged("03.reduction_dims", {}, quick=True).feedback

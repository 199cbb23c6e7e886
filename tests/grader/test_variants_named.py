"""Every exercise's declared wrong variants fail, with their misconception named.

One test for every exercise: for each misconception a spec's ``variants`` declare, the
first case where that variant differs from torch is answered with the variant (and
every other case with torch's answer), and the verdict must be ``failed`` and name it.
Adding an exercise needs no change here.
"""

from __future__ import annotations

import pytest

from autograder import exercises
from autograder.grader import specs, verdict
from autograder.grader.specs.base import ExerciseSpec
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.types import Arrays, Case


def _first_showing(spec: ExerciseSpec, cases: list[Case], wants: list[Arrays]) -> dict[str, tuple[int, Arrays]]:
    """Misconception id -> (case index, the outputs of its single-mistake variant there), first case that shows it."""
    found: dict[str, tuple[int, Arrays]] = {}
    for index, (case, want) in enumerate(zip(cases, wants, strict=True)):
        for variant in spec.variants(case):
            if len(variant.misconceptions) != 1 or variant.misconceptions[0] in found:
                continue
            wrong = variant.compute()
            if wrong is None:
                continue
            got = {**want, **wrong}
            if spec.compare(case, got, want) is not None:
                found[variant.misconceptions[0]] = (index, got)
    return found


@pytest.mark.parametrize("spec", specs.all_specs(), ids=lambda s: s.id)
def test_declared_variants_fail_with_their_misconception_named(spec: ExerciseSpec) -> None:
    cases = spec.cases()
    wants = [spec.reference(case) for case in cases]
    shown = _first_showing(spec, cases, wants)
    assert set(shown) <= set(spec.misconceptions), f"{spec.id} names misconceptions it does not declare"
    for misconception, (index, got) in shown.items():
        outcomes = [CaseOutcome(outputs=got if i == index else want) for i, want in enumerate(wants)]
        result = verdict.judge(spec.exercise(), spec, cases, ExerciseOutcome("ran", cases=outcomes))
        assert result.status == "failed", (spec.id, misconception)
        assert misconception in result.misconceptions, (spec.id, misconception, result.feedback)


def test_every_declared_misconception_is_defined() -> None:
    defined = exercises.misconceptions()
    for spec in specs.all_specs():
        assert set(spec.misconceptions) <= defined.keys(), spec.id


def test_ema_debias_declares_its_misconception_with_a_link_to_its_section() -> None:
    spec = specs.spec("04.ema_debias")
    assert "debias-ignores-init" in spec.misconceptions
    known = exercises.misconceptions()["debias-ignores-init"]
    assert known.url == spec.exercise().url and known.url.endswith("#sec-ema-startup")

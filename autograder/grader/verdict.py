"""From what an exercise's run produced to its result: status, points, feedback, misconceptions.

Shared by the notebook grader (outcomes from the sandbox) and the inline ``check()``
(outcomes from running the quick cases in-process), so both judge alike. Scoring is
all-or-nothing per exercise: every case must match the reference.
"""

from __future__ import annotations

from dataclasses import replace

from autograder import exercises
from autograder.chapters import Exercise
from autograder.grader.specs.base import ExerciseSpec
from autograder.report.model import ExerciseResult
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.types import Case, Status

MAX_PRINTED = 1000  # characters of the answer's own prints shown with a wrong answer


def result(
    exercise: Exercise, status: Status, feedback: str, misconceptions: list[str] | None = None
) -> ExerciseResult:
    """An exercise's result, with the points the catalog gives when it passed."""
    score = float(exercise.points) if status == "passed" else 0.0
    return ExerciseResult(exercise.id, status, score, float(exercise.points), feedback, list(misconceptions or []))


def explain(misconception_ids: list[str]) -> str:
    """The named misconceptions, one per line, with their explanation and book link."""
    lines = []
    declared = exercises.misconceptions()
    for mid in misconception_ids:
        known = declared.get(mid)
        lines.append(f"- {mid}: {known.explanation} See {known.url}" if known else f"- {mid}")
    return "\n".join(lines)


def judge(exercise: Exercise, spec: ExerciseSpec, cases: list[Case], outcome: ExerciseOutcome) -> ExerciseResult:
    """The result of one exercise whose cases were run (or could not be), with what it printed."""
    found = _judge(exercise, spec, cases, outcome)
    if found.status == "passed" or not outcome.stdout.strip():
        return found
    printed = outcome.stdout.strip()
    printed = printed if len(printed) <= MAX_PRINTED else printed[:MAX_PRINTED] + "\n[...]"
    return replace(found, feedback=f"{found.feedback}\nYour code printed:\n{_indent(printed)}")


def _judge(exercise: Exercise, spec: ExerciseSpec, cases: list[Case], outcome: ExerciseOutcome) -> ExerciseResult:
    if outcome.forbidden_routes or outcome.status == "forbidden":
        routes = "".join(f"\n- {route}" for route in outcome.forbidden_routes)
        return result(exercise, "forbidden", (outcome.message or "A forbidden API was used.") + routes)
    if outcome.status != "ran":
        return result(exercise, outcome.status, outcome.message)
    if outcome.cases and all(c.not_implemented for c in outcome.cases):
        return result(
            exercise, "not-implemented", f"{exercise.name} is not implemented yet (it raises NotImplementedError)."
        )
    if len(outcome.cases) != len(cases):
        return result(
            exercise, "error", f"only {len(outcome.cases)} of {len(cases)} cases ran. {outcome.message}".strip()
        )

    first: tuple[Status, str] | None = None
    reported: list[str] = []  # rules the probe saw broken (input-mutated, dtype-changed)
    diagnosed: list[str] = []  # what the spec's diagnosis matched on wrong values
    first_wrong: int | None = None  # the first case with wrong values (cases go simplest first)
    unexplained: int | None = None  # set when no diagnosis explains that case
    for number, (case, got) in enumerate(zip(cases, outcome.cases), start=1):
        problem = _case_problem(spec, case, got)
        if problem is None:
            continue
        status, detail, found, from_values = problem
        target = diagnosed if from_values else reported
        target += [m for m in found if m not in target]
        if from_values and first_wrong is None:
            first_wrong = number
            unexplained = None if found else number
        if first is None:
            where = f"Case {number} of {len(cases)}, {case.label}"
            passed = f"\nThe {number - 1} case(s) before it passed." if number > 1 else ""
            first = (status, f"{where}:\n  {detail}{passed}")
    if first is None:
        return result(exercise, "passed", f"All {len(cases)} cases match torch.")
    status, feedback = first
    # Diagnoses are named only when one explains the simplest case with wrong values:
    # a mistake seen only on harder cases (a large mean swamps every variance error)
    # is not the story when a simpler case went wrong for a reason nothing explains.
    misconceptions = reported + ([] if unexplained else [m for m in diagnosed if m not in reported])
    if misconceptions:
        feedback += "\nThis looks like:\n" + explain(misconceptions)
    if unexplained:
        feedback += (
            f"\nNo misconception on the course's list explains case {unexplained}; "
            "compare your code with the chapter's equations."
        )
    return result(exercise, status, feedback, misconceptions)


def _case_problem(spec: ExerciseSpec, case: Case, got: CaseOutcome) -> tuple[Status, str, tuple[str, ...], bool] | None:
    """(status, detail, misconception ids, whether they come from diagnosing wrong values)
    when the case went wrong; None when it matches."""
    if got.not_implemented:
        return "error", "raised NotImplementedError on this case", (), False
    if got.error is not None:
        return "error", f"raised an exception:\n{_indent(got.error)}", got.misconceptions, False
    if got.answer_error is not None:
        return "failed", got.answer_error, got.misconceptions, False
    if got.outputs is None:
        return "error", "produced no outputs", (), False
    mismatch = spec.compare(case, got.outputs, spec.reference(case))
    if mismatch is None:
        return None
    return "failed", f"{mismatch.output}: {mismatch.detail}", tuple(spec.diagnose(case, got.outputs)), True


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())

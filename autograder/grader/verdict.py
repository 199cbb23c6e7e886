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
    routes = "".join(f"\n- {_route(route, exercise)}" for route in outcome.forbidden_routes)
    if outcome.cases and all(c.not_implemented for c in outcome.cases):
        # a blank scores nothing whatever it calls: report it as blank, and any forbidden route as a note
        note = f"\nA forbidden API ran while it was graded:{routes}" if routes else ""
        return result(
            exercise,
            "not-implemented",
            f"{exercise.name} is not implemented yet (it raises NotImplementedError).{note}",
        )
    if outcome.forbidden_routes or outcome.status == "forbidden":
        return result(exercise, "forbidden", (outcome.message or "A forbidden API was used.") + routes)
    if outcome.status != "ran":
        return result(exercise, outcome.status, outcome.message)
    if len(outcome.cases) != len(cases):
        return result(
            exercise, "error", f"only {len(outcome.cases)} of {len(cases)} cases ran. {outcome.message}".strip()
        )

    caveats: dict[str, list[int]] = {}  # cases that passed on the exercise's own part, by what was charged elsewhere
    first: tuple[Status, str] | None = None
    reported: list[str] = []  # rules the probe saw broken (input-mutated, dtype-changed)
    diagnosed: list[str] = []  # what the spec's diagnosis matched on wrong values
    first_wrong: int | None = None  # the first case with wrong values (cases go simplest first)
    unexplained: int | None = None  # set when no diagnosis explains that case
    for number, (case, got) in enumerate(zip(cases, outcome.cases), start=1):
        problem = _case_problem(spec, case, got)
        if problem is None:
            caveat = spec.caveat(case, got.outputs) if got.outputs is not None else None
            if caveat:
                caveats.setdefault(caveat, []).append(number)
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
    charged = "".join(
        f"\nCase{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))} passed on {exercise.name}'s own part "
        f"while an answer it calls is wrong there: {caveat}."
        for caveat, numbers in caveats.items()
    )
    if first is None:
        matched = f"All {len(cases)} cases match torch." if not caveats else f"All {len(cases)} cases pass."
        return result(exercise, "passed", matched + charged)
    status, feedback = first  # the failing case's own note says what is charged elsewhere
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


def _route(route: str, exercise: Exercise) -> str:
    """A forbidden route, saying so when it runs in another exercise's answer that this one calls.

    The route still counts for this exercise (it uses the forbidden API through that
    answer), but the fix belongs to the answer where the call is written.
    """
    caller = route.rsplit(", in ", 1)[-1].rstrip(")") if ", in " in route else None
    if caller is None or caller == exercise.name:
        return route
    others = {e.name: e.id for e in exercises.chapter_exercises(exercise.id.split(".")[0]) if e.id != exercise.id}
    if caller not in others:
        return route
    return (
        f"{route}: the forbidden call is in your {caller} ({others[caller]}), which {exercise.name} calls; "
        f"fix {caller} and both can pass"
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())

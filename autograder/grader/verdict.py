"""From what an exercise's run produced to its result: status, points, feedback, misconceptions.

Shared by the notebook grader (outcomes from the sandbox) and the inline ``check()``
(outcomes from running the quick cases in-process), so both judge alike. Scoring is
all-or-nothing per exercise: every case must match the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from autograder import exercises
from autograder.chapters import Exercise
from autograder.grader import hints
from autograder.grader.specs.base import ExerciseSpec
from autograder.report.model import ExerciseResult
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome
from autograder.types import Arrays, Case, Status

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


def judge(
    exercise: Exercise, spec: ExerciseSpec, cases: list[Case], outcome: ExerciseOutcome, *, of: int | None = None
) -> ExerciseResult:
    """The result of one exercise whose cases were run (or could not be), with what it printed.

    ``of`` is the number of cases the grade runs when ``cases`` are only the quick ones
    (``check()``): the feedback then says that it ran a subset.
    """
    found = _judge(exercise, spec, Cases(cases, of if of is not None else len(cases)), outcome)
    if found.status == "passed" or not outcome.stdout.strip():
        return found
    printed = outcome.stdout.strip()
    printed = printed if len(printed) <= MAX_PRINTED else printed[:MAX_PRINTED] + "\n[...]"
    return replace(found, feedback=f"{found.feedback}\nYour code printed:\n{_indent(printed)}")


@dataclass(frozen=True)
class Cases:
    """The cases that ran, and how many the full grade has (more when these are check()'s quick ones)."""

    run: list[Case]
    of: int

    @property
    def quick(self) -> bool:
        return self.of > len(self.run)

    def where(self, number: int) -> str:
        """How a case is named: "Case 2 of 8", or "Case 2 of the 5 quick cases (of 24)"."""
        if self.quick:
            return f"Case {number} of the {len(self.run)} quick cases (of {self.of})"
        return f"Case {number} of {len(self.run)}"

    def all_passed(self) -> str:
        if self.quick:
            return f"Passed the quick check ({len(self.run)} of {self.of} cases); the grade runs all {self.of}."
        return f"All {len(self.run)} cases match torch."


@dataclass(frozen=True)
class Problem:
    """What went wrong on one case."""

    status: Status  # "failed" (wrong values, a broken rule) or "error" (it raised, or gave nothing)
    detail: str
    misconceptions: tuple[str, ...]  # what this case shows
    from_values: bool  # misconceptions from diagnosing wrong values (else a rule the probe saw broken)
    hint: str  # what to do when nothing explains it (hints.HINTS, by the kind of problem)


def _judge(exercise: Exercise, spec: ExerciseSpec, cases: Cases, outcome: ExerciseOutcome) -> ExerciseResult:
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
    if len(outcome.cases) != len(cases.run):
        return result(
            exercise, "error", f"only {len(outcome.cases)} of {len(cases.run)} cases ran. {outcome.message}".strip()
        )
    problems = [
        (number, case, problem)
        for number, (case, got) in enumerate(zip(cases.run, outcome.cases), start=1)
        if (problem := _case_problem(spec, case, got)) is not None
    ]
    if not problems:
        return result(exercise, "passed", cases.all_passed() + _charged_elsewhere(exercise, spec, cases, outcome))
    named = _named([problem for _, _, problem in problems])
    number, case, first = problems[0]
    lines = [f"{cases.where(number)}, {case.label}:", f"  {first.detail}"]
    if number > 1:
        lines.append(f"The {number - 1} case(s) before it passed.")
    shown = [m for m in named if m in first.misconceptions]
    if shown:
        lines += ["This looks like:", explain(shown)]
    else:
        if first.from_values:
            lines.append("No misconception on the course's list explains this case.")
        lines.append(f"What to do: {first.hint} The section that teaches it: {exercise.url}")
    others = [m for m in named if m not in shown]
    if others:
        lines += ["Other cases also show:", explain(others)]
    return result(exercise, first.status, "\n".join(lines), named)


def _named(problems: list[Problem]) -> list[str]:
    """The misconceptions to name: every broken rule, and the diagnoses when one explains the
    first case with wrong values.

    Cases go simplest first: a mistake seen only on harder cases (a large mean swamps every
    variance error) is not the story when a simpler case went wrong for a reason nothing explains.
    """
    reported = list(dict.fromkeys(m for p in problems if not p.from_values for m in p.misconceptions))
    wrong_values = [p for p in problems if p.from_values]
    if not wrong_values or not wrong_values[0].misconceptions:
        return reported
    diagnosed = dict.fromkeys(m for p in wrong_values for m in p.misconceptions)
    return reported + [m for m in diagnosed if m not in reported]


def _case_problem(spec: ExerciseSpec, case: Case, got: CaseOutcome) -> Problem | None:
    """What went wrong on the case, or None when it matches torch."""
    if got.not_implemented:
        return Problem("error", "raised NotImplementedError on this case", (), False, hints.hint("not-implemented"))
    if got.error is not None:
        return Problem(
            "error", f"raised an exception:\n{_indent(got.error)}", got.misconceptions, False, hints.hint("raised")
        )
    if got.answer_error is not None:
        return Problem("failed", got.answer_error, got.misconceptions, False, hints.hint("rule"))
    if got.outputs is None:
        return Problem("error", "produced no outputs", (), False, hints.hint("no-outputs"))
    want = spec.reference(case)
    mismatch = spec.compare(case, got.outputs, want)
    if mismatch is None:
        return None
    return Problem(
        "failed",
        f"{mismatch.output}: {mismatch.detail}",
        _diagnosis(spec, case, got.outputs),
        True,
        hints.mismatch_hint(mismatch, got.outputs, want),
    )


def _diagnosis(spec: ExerciseSpec, case: Case, got: Arrays) -> tuple[str, ...]:
    """The spec's diagnosis of wrong outputs; none when the outputs are too odd to read.

    The outputs are the answer's, in any shape or dtype the comparison let through as
    a mismatch; a diagnosis that cannot read them names nothing rather than failing
    the grade.
    """
    try:
        return tuple(spec.diagnose(case, got))
    except (ArithmeticError, IndexError, KeyError, RuntimeError, TypeError, ValueError):
        return ()


def _charged_elsewhere(exercise: Exercise, spec: ExerciseSpec, cases: Cases, outcome: ExerciseOutcome) -> str:
    """A note on the cases that passed on the exercise's own part while an answer it calls is wrong there.

    Only for an exercise that passed: a failing case's own detail says what is charged elsewhere.
    """
    caveats: dict[str, list[int]] = {}
    for number, (case, got) in enumerate(zip(cases.run, outcome.cases), start=1):
        caveat = spec.caveat(case, got.outputs) if got.outputs is not None else None
        if caveat:
            caveats.setdefault(caveat, []).append(number)
    return "".join(
        f"\nCase{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))} passed on {exercise.name}'s own part "
        f"while an answer it calls is wrong there: {caveat}."
        for caveat, numbers in caveats.items()
    )


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


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.rstrip().splitlines())

"""A held-out evaluation of the grader's verdicts and misconception names.

``tests/grader/heldout/<exercise id>/<name>.py`` holds answers written the way students
write them, independently of the grader's own variants (several adapted from public
implementations, named in a ``# source:`` line). Each starts with ``# expect:`` and
either ``pass`` (a correct answer), ``fail`` (wrong in a way no misconception of the
course's list explains) or the misconception ids that together explain the mistake.

Every answer is graded on the exercise's full cases, as ``check`` grades it. Correct
answers must pass, wrong ones must not; over the wrong answers, recall is the share of
expected ids the grader named, and a wrong name is an id it named that was not expected.
The assertion message is the whole table, so a failing run shows every miss.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from inprocess import define, grade

from autograder.exercises import misconceptions

HELDOUT = Path(__file__).parent / "heldout"
MIN_RECALL = 0.95


@dataclass(frozen=True)
class Answer:
    exercise_id: str
    name: str
    source: str
    expect_pass: bool
    expected: frozenset[str]


@dataclass(frozen=True)
class Outcome:
    answer: Answer
    status: str
    named: frozenset[str]
    seconds: float

    @property
    def ok(self) -> bool:
        if self.answer.expect_pass:
            return self.status == "passed"
        return self.status != "passed" and self.named == self.answer.expected


def parse(path: Path) -> Answer:
    """The answer in ``path``, with the expectation of its ``# expect:`` header."""
    source = path.read_text()
    first = source.splitlines()[0]
    if not first.startswith("# expect:"):
        raise ValueError(f"{path} does not start with '# expect:'")
    words = [w.strip() for w in first.removeprefix("# expect:").split(",")]
    expect_pass = words == ["pass"]
    expected = frozenset() if expect_pass or words == ["fail"] else frozenset(words)
    return Answer(path.parent.name, path.stem, source, expect_pass, expected)


def answers() -> list[Answer]:
    return [parse(path) for path in sorted(HELDOUT.glob("*/*.py"))]


def run(answer: Answer) -> Outcome:
    name = answer.exercise_id.split(".", 1)[1]
    start = time.perf_counter()
    result = grade(answer.exercise_id, define(answer.source)[name])
    return Outcome(answer, result.status, frozenset(result.misconceptions), time.perf_counter() - start)


def table(outcomes: list[Outcome]) -> str:
    """One line per answer (expected, named, status), then the totals and the time per exercise."""
    lines = [f"{'answer':<58} {'expected':<44} {'named':<44} status"]
    for o in outcomes:
        a = o.answer
        expected = "pass" if a.expect_pass else ", ".join(sorted(a.expected)) or "fail (no id)"
        named = ", ".join(sorted(o.named)) or "-"
        mark = "" if o.ok else "   <-- MISS"
        lines.append(f"{a.exercise_id + '/' + a.name:<58} {expected:<44} {named:<44} {o.status}{mark}")
    return "\n".join(lines)


def summary(outcomes: list[Outcome]) -> dict[str, object]:
    right = [o for o in outcomes if o.answer.expect_pass]
    wrong = [o for o in outcomes if not o.answer.expect_pass]
    expected = sum(len(o.answer.expected) for o in wrong)
    found = sum(len(o.answer.expected & o.named) for o in wrong)
    wrong_names = sorted(
        f"{o.answer.exercise_id}/{o.answer.name}: {', '.join(sorted(o.named - o.answer.expected))}"
        for o in outcomes
        if o.named - o.answer.expected
    )
    seconds: dict[str, float] = {}
    for o in outcomes:
        seconds[o.answer.exercise_id] = seconds.get(o.answer.exercise_id, 0.0) + o.seconds
    return {
        "correct answers passed": f"{sum(o.status == 'passed' for o in right)}/{len(right)}",
        "wrong answers failed": f"{sum(o.status != 'passed' for o in wrong)}/{len(wrong)}",
        "recall": found / expected if expected else 1.0,
        "named/expected ids": f"{found}/{expected}",
        "wrong names": wrong_names,
        "seconds per exercise": {k: round(v, 1) for k, v in sorted(seconds.items())},
    }


def test_every_answer_declares_known_ids() -> None:
    found = answers()
    assert found, f"no answers under {HELDOUT}"
    known = misconceptions().keys()
    for a in found:
        unknown = a.expected - known
        assert not unknown, f"{a.exercise_id}/{a.name} expects unknown ids {sorted(unknown)}"


def test_heldout_answers_are_graded_and_named() -> None:
    outcomes = [run(a) for a in answers()]
    report = summary(outcomes)
    text = table(outcomes) + "\n\n" + "\n".join(f"{k}: {v}" for k, v in report.items())
    print(text)
    right_failed = [o for o in outcomes if o.answer.expect_pass and o.status != "passed"]
    wrong_passed = [o for o in outcomes if not o.answer.expect_pass and o.status == "passed"]
    assert not right_failed, text
    assert not wrong_passed, text
    assert not report["wrong names"], text
    assert isinstance(report["recall"], float) and report["recall"] >= MIN_RECALL, text

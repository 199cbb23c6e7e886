"""The numbers of the class report: per student, per exercise, per misconception.

Students to reach out to (docs/interface.md, "Class report"): a student is listed when
their total is below ``LOW_SCORE`` of the points they could get, or their answers show
``MANY_MISCONCEPTIONS`` or more distinct misconceptions, or one of their notebooks could
not be graded normally (it carries an error). Most urgent first: the lowest share of
points, then the most misconceptions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from autograder.catalog import EXERCISES
from autograder.misconceptions import MISCONCEPTIONS
from autograder.report.model import STATUSES, Grade, Status
from autograder.report.students import from_file_name

LOW_SCORE = 0.5  # share of the student's points below which they are listed
MANY_MISCONCEPTIONS = 2  # distinct misconceptions from which they are listed


@dataclass(frozen=True)
class StudentSummary:
    student: str
    notebooks: list[str]
    score: float
    max_score: float
    misconceptions: dict[str, list[str]]  # misconception id -> the exercise ids it was named in
    errors: list[str]  # first line of each notebook error

    @property
    def share(self) -> float | None:
        """Score over max score; None when nothing could be graded."""
        return self.score / self.max_score if self.max_score else None

    def reasons(self) -> list[str]:
        """Why the student is to be reached out to (empty: no reason)."""
        found = []
        if self.share is not None and self.share < LOW_SCORE:
            found.append(f"scored {self.share:.0%} (below {LOW_SCORE:.0%})")
        if len(self.misconceptions) >= MANY_MISCONCEPTIONS:
            found.append(f"{len(self.misconceptions)} misconceptions")
        found += [f"notebook not graded normally: {error}" for error in self.errors]
        return found


@dataclass(frozen=True)
class ExerciseSummary:
    id: str
    counts: dict[Status, int]  # over the notebooks graded on this exercise
    not_released: int = 0  # notebooks of the chapter released without it

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def pass_rate(self) -> float:
        return self.counts["passed"] / self.graded if self.graded else 0.0

    @property
    def url(self) -> str:
        return EXERCISES[self.id].url if self.id in EXERCISES else ""


@dataclass(frozen=True)
class MisconceptionSummary:
    id: str
    students: list[str]
    exercises: dict[str, int]  # exercise id -> students holding it in that exercise
    explanation: str = ""  # from misconceptions.py; empty for an id it does not know
    url: str = ""


@dataclass(frozen=True)
class ClassSummary:
    notebooks: int
    students: list[StudentSummary]
    exercises: list[ExerciseSummary]
    misconceptions: list[MisconceptionSummary] = field(default_factory=list)  # most held first

    def reach_out(self) -> list[StudentSummary]:
        listed = [s for s in self.students if s.reasons()]
        return sorted(listed, key=lambda s: (s.share if s.share is not None else -1.0, -len(s.misconceptions)))


def summarize(grades: list[Grade]) -> ClassSummary:
    by_student: dict[str, list[Grade]] = defaultdict(list)
    for grade in grades:
        by_student[grade.student or from_file_name(grade.notebook)].append(grade)
    students = [_student(name, own) for name, own in sorted(by_student.items())]
    return ClassSummary(len(grades), students, _exercises(grades), _misconceptions(students))


def _student(name: str, grades: list[Grade]) -> StudentSummary:
    named: dict[str, list[str]] = defaultdict(list)
    for grade in grades:
        for result in grade.exercises:
            for misconception in result.misconceptions:
                named[misconception].append(result.id)
    return StudentSummary(
        student=name,
        notebooks=[g.notebook for g in grades],
        score=sum(g.score for g in grades),
        max_score=sum(g.max_score for g in grades),
        misconceptions=dict(named),
        errors=[g.error.splitlines()[0] for g in grades if g.error],
    )


def _exercises(grades: list[Grade]) -> list[ExerciseSummary]:
    counts: dict[str, Counter[Status]] = defaultdict(Counter)
    not_released: Counter[str] = Counter()
    for grade in grades:
        for result in grade.exercises:
            counts[result.id][result.status] += 1
        not_released.update(grade.not_released)
    ids = [i for i in EXERCISES if i in counts or i in not_released]
    ids += sorted((counts.keys() | not_released.keys()) - set(ids))
    return [ExerciseSummary(i, {s: counts[i][s] for s in STATUSES}, not_released[i]) for i in ids]


def _misconceptions(students: list[StudentSummary]) -> list[MisconceptionSummary]:
    holders: dict[str, list[str]] = defaultdict(list)
    where: dict[str, Counter[str]] = defaultdict(Counter)
    for student in students:
        for misconception, exercise_ids in student.misconceptions.items():
            holders[misconception].append(student.student)
            where[misconception].update(set(exercise_ids))
    found = [MisconceptionSummary(m, holders[m], dict(where[m].most_common()), *_known(m)) for m in holders]
    return sorted(found, key=lambda m: (-len(m.students), m.id))


def _known(misconception: str) -> tuple[str, str]:
    """Explanation and book link of a misconception id (empty for an id misconceptions.py does not know)."""
    known = MISCONCEPTIONS.get(misconception)
    return (known.explanation, known.url) if known else ("", "")

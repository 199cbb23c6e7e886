"""The grade of one notebook, in the JSON shape of docs/interface.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from autograder.types import STATUSES, Status

__all__ = ["STATUSES", "ExerciseResult", "Grade", "Problem", "Status"]

# Why a whole notebook could not be graded normally: "unreadable" (not a notebook, or
# its chapter cannot be told: exit code 3) or "internal" (a grader bug: exit code 4).
Problem = Literal["unreadable", "internal", "tampered"]  # tampered: graded (all forbidden), exit 0


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    status: Status
    score: float
    max_score: float
    feedback: str
    misconceptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "feedback": self.feedback,
            "misconceptions": list(self.misconceptions),
        }


@dataclass(frozen=True)
class Grade:
    notebook: str
    exercises: list[ExerciseResult]
    chapter: str | None = None
    error: str | None = None  # notebook-level message, with ``problem``
    problem: Problem | None = None
    student: str | None = None  # the student id (autograder/report/students.py)
    not_released: list[str] = field(default_factory=list)  # chapter's exercise ids absent from this release
    isolation: str | None = None  # "bubblewrap" or "process" (autograder.isolation), when the CLI graded it

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))

    def to_dict(self) -> dict[str, Any]:
        """The contract's object; ``"student"``, ``"not_released"`` and ``"error"`` only when they have a value."""
        data: dict[str, Any] = {"notebook": self.notebook, **({"student": self.student} if self.student else {})}
        data |= {"score": self.score, "max_score": self.max_score, "exercises": [e.to_dict() for e in self.exercises]}
        if self.not_released:
            data["not_released"] = list(self.not_released)
        if self.error:
            data["error"] = self.error
        if self.isolation:
            data["isolation"] = self.isolation
        return data

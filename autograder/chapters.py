"""The course's chapters, and the record an exercise's declaration produces (light: no torch).

The chapters are listed here; each exercise is declared once, with its points, section
and misconceptions, by its spec (``autograder.grader.specs.chNN``), collected by
``autograder.exercises``; ``autograder.catalog`` offers both in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder import course

BOOK_URL = course.current().book_url  # both from _config.yml's `repository: url:` (autograder/course.py)
REPOSITORY_URL = course.current().repository_url


@dataclass(frozen=True)
class Chapter:
    number: str  # "02"
    slug: str  # "02-derivation"
    title: str

    @property
    def solution_path(self) -> str:
        return f"solutions/{self.slug}.ipynb"

    @property
    def exercises_path(self) -> str:
        return f"chapters/{self.slug}/exercises.ipynb"

    @property
    def url(self) -> str:
        return f"{BOOK_URL}/chapters/{self.slug}/index.html"


@dataclass(frozen=True)
class Exercise:
    """The catalog's record of an exercise, derived from its declaration (``autograder.grader.specs``)."""

    id: str  # "02.bn_forward"
    name: str  # the function or class the student defines
    points: float
    section: str  # label of the book section that teaches it
    summary: str = ""  # its line in the notebook's list of exercises
    misconceptions: tuple[str, ...] = ()  # the ids its diagnosis can name

    @property
    def chapter(self) -> Chapter:
        return CHAPTERS[self.id.split(".")[0]]

    @property
    def url(self) -> str:
        return f"{self.chapter.url}#{self.section}"


CHAPTERS: dict[str, Chapter] = {
    c.number: c
    for c in [
        Chapter("01", "01-covariate-shift", "Covariate shift"),
        Chapter("02", "02-derivation", "The BN transform, forward and backward"),
        Chapter("03", "03-axes", "Axis choices"),
        Chapter("04", "04-ema", "Running statistics"),
        Chapter("05", "05-train-eval", "Train versus eval"),
        Chapter("06", "06-inference", "Inference and folding"),
        Chapter("07", "07-distributed", "Statistics across processes"),
        Chapter("08", "08-capstone", "Capstone"),
    ]
}

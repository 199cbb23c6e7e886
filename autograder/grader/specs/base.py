"""An exercise, declared once. Specs run in the GRADER's process only.

A spec subclass is the one declaration of an exercise: its id, the points it is worth,
the book section that teaches it (an explicit MyST label in the chapter page), the line
that lists it in the notebook, the misconceptions it can name (with the definition of
any that no other exercise names), and how it is graded: seeded cases, torch's answer
for each (the reference), the comparison, and the deliberately wrong variants that name
a misconception. The catalog, release's "(N points)" headings and the feedback's links
are derived from it. The student's code never runs here: its outputs arrive as plain
arrays from the probe registered under the same id (``autograder.submission.probes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from autograder.chapters import Exercise
from autograder.grader.compare import compare_arrays
from autograder.misconceptions import Misconception
from autograder.types import Arrays, Case, Mismatch


@dataclass(frozen=True)
class Variant:
    """A deliberately wrong answer on one case, named by the misconceptions it models.

    ``compute`` returns the wrong answer's arrays, or None when the variant does not
    apply to the case (or cannot be told apart there, e.g. it is not finite): skipped.
    """

    misconceptions: tuple[str, ...]
    compute: Callable[[], Arrays | None]


def matching_variant(
    got: Arrays, variants: Iterable[Variant], compare: Callable[[Arrays, Arrays], Mismatch | None]
) -> list[str]:
    """The misconception ids of the first variant that ``got`` matches, or [].

    List simpler explanations (fewer ids) first, since the first match wins.
    """
    for variant in variants:
        wrong = variant.compute()
        if wrong is not None and all(name in got for name in wrong) and compare(got, wrong) is None:
            return list(variant.misconceptions)
    return []


class ExerciseSpec:
    """Base class of an exercise's declaration; one subclass per exercise id."""

    id: ClassVar[str]  # "02.bn_forward": chapter number and the name the student defines
    points: ClassVar[float]
    section: ClassVar[str]  # label of the book section that teaches it: "the-forward-transform"
    summary: ClassVar[str]  # the notebook's list of exercises: "the train-mode forward, returning a cache"
    misconceptions: ClassVar[tuple[str, ...]] = ()  # the ids its diagnosis can name
    defines: ClassVar[tuple[Misconception, ...]] = ()  # misconceptions first declared by this exercise
    name: ClassVar[str | None] = None  # what the student defines, when it is not the id's second part

    @classmethod
    def exercise(cls) -> Exercise:
        """The catalog's record of this exercise."""
        name = cls.name if cls.name is not None else cls.id.split(".", 1)[1]
        return Exercise(cls.id, name, cls.points, cls.section, cls.summary, cls.misconceptions)

    def make_cases(self) -> list[Case]:
        """Every case, seeded and varied; the ones marked ``quick`` are what check() runs."""
        raise NotImplementedError

    def cases(self, quick: bool = False) -> list[Case]:
        """The cases ``grade`` runs, or with ``quick`` the few that ``check()`` runs in a notebook."""
        every = self.make_cases()
        return [case for case in every if case.quick] if quick else every

    def reference(self, case: Case) -> Arrays:
        """What torch's own modules produce for this case, as arrays keyed like the probe's."""
        raise NotImplementedError

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        """First difference between the answer and the reference, or None when they agree."""
        return compare_arrays(got, want)

    def caveat(self, case: Case, got: Arrays) -> str | None:
        """What the feedback must add about a case that passed: that it passed on the exercise's own
        part while an answer it calls is wrong there (charged to that answer). None by default."""
        return None

    def variants(self, case: Case) -> Sequence[Variant] | Iterable[Variant]:
        """The deliberately wrong answers on this case, simplest explanation first."""
        return ()

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        """Misconception ids that explain ``got`` on this failing case: the first variant it matches."""
        return matching_variant(got, self.variants(case), partial(self.compare, case))

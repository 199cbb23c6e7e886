"""The curriculum contract as data: chapters, exercises and their points.

This is the one place where exercise ids, the names students define and the
points each exercise is worth are written down (see docs/interface.md).
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
    id: str  # "02.bn_forward"
    name: str  # the function or class the student defines, or "" for a whole-notebook grade
    points: float
    section: str  # anchor of the book section that teaches it

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

EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in [
        Exercise("01.channel_moments", "channel_moments", 1, "per-channel-moments"),
        Exercise("01.standardize", "standardize", 1, "standardizing-a-batch"),
        Exercise("02.bn_forward", "bn_forward", 2, "the-forward-transform"),
        Exercise("02.bn_backward", "bn_backward", 3, "the-backward-pass"),
        Exercise("02.BatchNormFunction", "BatchNormFunction", 2, "an-autograd-function"),
        Exercise("03.reduction_dims", "reduction_dims", 1, "which-dims-bn-reduces-over"),
        Exercise("03.batch_norm_nd", "batch_norm_nd", 2, "which-dims-bn-reduces-over"),
        Exercise("03.group_norm", "group_norm", 2, "normalizations-as-reduction-axes"),
        Exercise("04.ema_update", "ema_update", 1, "momentum-conventions"),
        Exercise("04.update_running_stats", "update_running_stats", 3, "the-running-variance-is-unbiased"),
        Exercise("04.population_stats", "population_stats", 2, "population-statistics"),
        Exercise("05.BatchNorm2d", "BatchNorm2d", 5, "batchnorm2d-from-scratch"),
        Exercise("05.FrozenBatchNorm2d", "FrozenBatchNorm2d", 2, "freezing-bn-for-fine-tuning"),
        Exercise("05.freeze_batchnorm", "freeze_batchnorm", 1, "freezing-bn-for-fine-tuning"),
        Exercise("06.fold_bn", "fold_bn", 1, "bn-as-an-affine-map"),
        Exercise("06.fuse_conv_bn", "fuse_conv_bn", 2, "folding-bn-into-the-convolution"),
        Exercise("07.sync_moments", "sync_moments", 2, "global-moments-from-local-sums"),
        Exercise("07.sync_batch_norm", "sync_batch_norm", 2, "synchronized-batch-norm"),
        Exercise("08.capstone", "BatchNorm2d", 5, "grading"),
    ]
}


def chapter_exercises(number: str) -> list[Exercise]:
    """The exercises of one chapter, in the contract's order."""
    return [e for e in EXERCISES.values() if e.id.startswith(number + ".")]


def exercise_by_name(name: str) -> Exercise:
    """The exercise a student's function or class name belongs to (not the capstone)."""
    matches = [e for e in EXERCISES.values() if e.name == name and e.id != "08.capstone"]
    if not matches:
        raise KeyError(f"no exercise defines a function or class named {name!r}")
    return matches[0]

"""The class report's figures, drawn with matplotlib and returned as PNG data URIs (the page works offline)."""

from __future__ import annotations

import base64
import io
import statistics

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.report.class_stats import ExerciseSummary, MisconceptionSummary
from autograder.report.model import STATUSES

STATUS_COLOURS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "not-implemented": "#9e9e9e",
    "missing": "#616161",
    "error": "#ef6c00",
    "timeout": "#6a1b9a",
    "forbidden": "#000000",
}
ACCENT = "#1565c0"


def score_distribution(shares: list[float]) -> str:
    """Histogram of the students' shares of their points, in tenths, with the median marked."""
    figure, axes = _figure(6.4, 3.0)
    axes.hist([100 * s for s in shares], bins=[10 * i for i in range(11)], color=ACCENT, edgecolor="white")
    if shares:
        median = 100 * statistics.median(shares)
        axes.axvline(median, color="#212121", linestyle="--", linewidth=1.2, label=f"median {median:.0f}%")
        axes.legend(frameon=False)
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 10))
    axes.set_xlabel("share of the points (%)")
    axes.set_ylabel("students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _data_uri(figure)


def status_mix(exercises: list[ExerciseSummary]) -> str:
    """One horizontal bar per exercise: the share of notebooks in each status."""
    figure, axes = _figure(6.4, 0.9 + 0.38 * len(exercises))
    labels = [e.id for e in exercises][::-1]
    left = [0.0] * len(exercises)
    for status in STATUSES:
        widths = [100 * e.counts[status] / e.graded if e.graded else 0.0 for e in exercises][::-1]
        if any(widths):
            axes.barh(labels, widths, left=left, color=STATUS_COLOURS[status], label=status, height=0.7)
            left = [a + b for a, b in zip(left, widths)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("notebooks (%)")
    axes.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8)
    return _data_uri(figure)


def misconception_counts(misconceptions: list[MisconceptionSummary], students: int) -> str:
    """One bar per misconception: how many students hold it."""
    figure, axes = _figure(6.4, 0.9 + 0.38 * len(misconceptions))
    labels = [m.id for m in misconceptions][::-1]
    counts = [len(m.students) for m in misconceptions][::-1]
    axes.barh(labels, counts, color="#ad1457", height=0.7)
    for y, count in enumerate(counts):
        axes.text(count, y, f" {count}", va="center", fontsize=9)
    axes.set_xlim(0, max(students, 1) * 1.08)
    axes.set_xlabel(f"students (of {students})")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _data_uri(figure)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure of its own, drawn without pyplot (no backend, no global state)."""
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

"""``python -m autograder report GRADES.json --out report.html``: the class report.

One self-contained HTML page (CSS inline, figures as PNG data URIs, so it works
offline): the score distribution, each exercise's pass rate and status mix, the
misconception census with links into the book, the students to reach out to (the rule
is in ``class_stats``) and every student's total. Its input is what
``grade --format json`` writes: one grade object, or a list of them.
"""

from __future__ import annotations

import json
import statistics
from html import escape
from pathlib import Path
from typing import Any

from autograder.catalog import EXERCISES
from autograder.report import figures
from autograder.report.class_stats import LOW_SCORE, MANY_MISCONCEPTIONS, ClassSummary, StudentSummary, summarize
from autograder.report.model import STATUSES, ExerciseResult, Grade

ALWAYS_SHOWN = ("passed", "failed")  # status columns shown even when no notebook has them


class GradesUnreadable(ValueError):
    """The input is not the JSON of ``grade --format json``."""


def read_grades(path: Path) -> list[Grade]:
    """The grades in a file written by ``grade --format json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GradesUnreadable(f"cannot read {path} as JSON: {error}") from error
    items = data if isinstance(data, list) else [data]
    try:
        return [_grade(item) for item in items]
    except (KeyError, TypeError, ValueError) as error:
        raise GradesUnreadable(f"{path} is not the output of `grade --format json`: {error!r}") from error


def _grade(item: dict[str, Any]) -> Grade:
    results = [
        ExerciseResult(
            str(e["id"]),
            e["status"],
            float(e["score"]),
            float(e["max_score"]),
            str(e.get("feedback", "")),
            [str(m) for m in e.get("misconceptions", [])],
        )
        for e in item["exercises"]
    ]
    unknown = {r.status for r in results} - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown status {sorted(unknown)}")
    chapters = {r.id.split(".")[0] for r in results}
    return Grade(
        notebook=str(item["notebook"]),
        exercises=results,
        chapter=chapters.pop() if len(chapters) == 1 else None,
        error=item.get("error"),
        student=item.get("student"),
        not_released=[str(i) for i in item.get("not_released", [])],
    )


def render(grades: list[Grade]) -> str:
    """The report page for these grades."""
    summary = summarize(grades)
    sections = [
        _overview(summary),
        _distribution(summary),
        _exercises(summary),
        _census(summary),
        _reach_out(summary),
        _all_students(summary),
    ]
    return PAGE.format(style=STYLE, body="\n".join(sections))


def _shares(summary: ClassSummary) -> list[float]:
    return [s.share for s in summary.students if s.share is not None]


def _overview(summary: ClassSummary) -> str:
    shares = _shares(summary)
    chapters = sorted({e.id.split(".")[0] for e in summary.exercises})
    cards = [
        ("students", str(len(summary.students))),
        ("notebooks", str(summary.notebooks)),
        ("median score", f"{statistics.median(shares):.0%}" if shares else "-"),
        ("full marks", str(sum(1 for s in shares if s == 1.0))),
        ("to reach out to", str(len(summary.reach_out()))),
    ]
    tiles = "".join(f'<div class="card" id="card-{_slug(k)}"><b>{v}</b><span>{k}</span></div>' for k, v in cards)
    chapter_text = ", ".join(chapters) if chapters else "none"
    return (
        f'<header><h1>Class report</h1><p class="sub">{len(summary.students)} students, '
        f"{summary.notebooks} notebooks, chapter{'s' if len(chapters) != 1 else ''} {escape(chapter_text)}</p>"
        f'</header><section class="cards">{tiles}</section>'
    )


def _distribution(summary: ClassSummary) -> str:
    shares = _shares(summary)
    ungraded = len(summary.students) - len(shares)
    note = f" {ungraded} student(s) with nothing gradable are left out." if ungraded else ""
    mean = f"Mean {statistics.fmean(shares):.0%}, median {statistics.median(shares):.0%}." if shares else ""
    return (
        '<section id="distribution"><h2>Score distribution</h2>'
        f"<p>Each student's points over the points they could get, in bins of 10%. {mean}{note}</p>"
        f"{_figure(figures.score_distribution(shares), 'Histogram of the students scores')}</section>"
    )


def _exercises(summary: ClassSummary) -> str:
    shown = [s for s in STATUSES if s in ALWAYS_SHOWN or any(e.counts[s] for e in summary.exercises)]
    released = any(e.not_released for e in summary.exercises)
    head = ["exercise", "points", "graded", "pass rate", *shown] + (["not released"] if released else [])
    rows = []
    for e in summary.exercises:
        points = f"{EXERCISES[e.id].points:g}" if e.id in EXERCISES else ""
        cells = [_link(e.id, e.url), points, str(e.graded), _rate_bar(e.pass_rate)]
        cells += [str(e.counts[s]) if e.counts[s] else '<span class="zero">0</span>' for s in shown]
        cells += [str(e.not_released)] if released else []
        rows.append(cells)
    figure = _figure(figures.status_mix(summary.exercises), "Status mix per exercise") if summary.exercises else ""
    return (
        '<section id="exercises"><h2>Exercises</h2>'
        "<p>How many of the notebooks graded on each exercise reached each status. "
        "A notebook released before an exercise was added is not graded on it (“not released”).</p>"
        f"{figure}{_table('exercise-table', head, rows, range(1, len(head)))}</section>"
    )


def _census(summary: ClassSummary) -> str:
    students = len(summary.students)
    if not summary.misconceptions:
        body = "<p>No answer matched a known misconception.</p>"
    else:
        rows = [
            [
                f"<code>{escape(m.id)}</code>",
                str(len(m.students)),
                f"{len(m.students) / students:.0%}",
                ", ".join(f"{escape(i)} ({n})" for i, n in m.exercises.items()),
                escape(m.explanation) + (f' <a href="{escape(m.url)}">Read the section</a>' if m.url else ""),
            ]
            for m in summary.misconceptions
        ]
        head = ["misconception", "students", "share", "in exercises (students)", "what is wrong; where it is taught"]
        figure = _figure(figures.misconception_counts(summary.misconceptions, students), "Students per misconception")
        body = figure + _table("census-table", head, rows, range(1, 3))
    return (
        '<section id="census"><h2>Misconception census</h2>'
        "<p>How many students hold each misconception the grader named, and in which exercises. "
        f"Send the class to the linked sections.</p>{body}</section>"
    )


def _reach_out(summary: ClassSummary) -> str:
    listed = summary.reach_out()
    rule = (
        f"A student is listed when their score is below {LOW_SCORE:.0%} of their points, when their answers show "
        f"{MANY_MISCONCEPTIONS} or more distinct misconceptions, or when a notebook of theirs could not be graded "
        "normally. Lowest score first."
    )
    if not listed:
        return f'<section id="reach-out"><h2>Students to reach out to</h2><p>{rule}</p><p>Nobody.</p></section>'
    rows = [[escape(s.student), _score(s), _misconception_list(s), escape("; ".join(s.reasons()))] for s in listed]
    table = _table("reach-out-table", ["student", "score", "misconceptions", "why"], rows, range(1, 2))
    return f'<section id="reach-out"><h2>Students to reach out to</h2><p>{rule}</p>{table}</section>'


def _all_students(summary: ClassSummary) -> str:
    rows = [
        [escape(s.student), _score(s), f"{s.share:.0%}" if s.share is not None else "-", _misconception_list(s)]
        for s in summary.students
    ]
    table = _table("student-table", ["student", "score", "share", "misconceptions"], rows, range(1, 3))
    return f'<section id="students"><h2>Every student</h2>{table}</section>'


def _score(student: StudentSummary) -> str:
    return f"{student.score:g} / {student.max_score:g}"


def _misconception_list(student: StudentSummary) -> str:
    return ", ".join(f"<code>{escape(m)}</code>" for m in student.misconceptions) or "-"


def _rate_bar(rate: float) -> str:
    return f'<span class="rate"><span style="width:{100 * rate:.0f}%"></span></span> {rate:.0%}'


def _link(text: str, url: str) -> str:
    return f'<a href="{escape(url)}"><code>{escape(text)}</code></a>' if url else f"<code>{escape(text)}</code>"


def _figure(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{escape(alt)}"></figure>'


def _table(table_id: str, head: list[str], rows: list[list[str]], numeric: range = range(0)) -> str:
    """A table of already escaped cells; the ``numeric`` columns are right-aligned."""

    def cell(tag: str, index: int, content: str) -> str:
        align = ' class="num"' if index in numeric else ""
        return f"<{tag}{align}>{content}</{tag}>"

    header = "".join(cell("th", i, escape(h)) for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _slug(text: str) -> str:
    return "-".join(text.split())


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report</title>
<style>{style}</style>
</head>
<body><main>
{body}
</main></body>
</html>
"""

STYLE = """
:root { --ink: #212121; --muted: #616161; --line: #e0e0e0; --accent: #1565c0; --bg: #fafafa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { margin: 0; font-size: 28px; }
h2 { margin: 40px 0 8px; font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.sub { margin: 4px 0 0; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card b { display: block; font-size: 26px; color: var(--accent); }
.card span { color: var(--muted); font-size: 13px; }
figure { margin: 12px 0; background: white; border: 1px solid var(--line); border-radius: 8px; padding: 8px;
         text-align: center; }
figure img { max-width: 100%; height: auto; }
table { width: 100%; border-collapse: collapse; background: white; border: 1px solid var(--line); font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
tbody tr:hover { background: #f5f9ff; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.zero { color: #bdbdbd; }
.rate { display: inline-block; width: 60px; height: 8px; background: #ffcdd2; border-radius: 4px;
        vertical-align: middle; overflow: hidden; }
.rate span { display: block; height: 100%; background: #2e7d32; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
td:first-child code { white-space: nowrap; }
a { color: var(--accent); }
"""

"""`python -m autograder report` on the class's grades, opened offline in headless Chromium."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from autograder.exercises import misconceptions

from .conftest import Graded
from .submissions import autograder

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]


@pytest.fixture(scope="module")
def report(graded: Graded) -> Path:
    out = graded.grades_file.with_name("report.html")
    done = autograder("report", graded.grades_file, "--out", out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        pytest.fail("no system Chromium: install Debian's `chromium` package")
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        outside: list[str] = []
        offline = ("file:", "data:")
        context.route(lambda url: not url.startswith(offline), lambda r: (outside.append(r.request.url), r.abort()))
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(report.as_uri(), wait_until="load")
        tab.screenshot(path=str(report.with_suffix(".png")), full_page=True)
        yield tab
        assert errors == [] and outside == [], (errors, outside)
        browser.close()


def rows(page: Page, table: str) -> list[dict[str, str]]:
    """A table's rows as header -> cell text."""
    head = page.eval_on_selector_all(f"#{table} thead th", "cells => cells.map(c => c.innerText.trim())")
    body = page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )
    return [dict(zip(head, cells)) for cells in body]


def test_the_figures_load(page: Page) -> None:
    sizes = page.eval_on_selector_all("img", "images => images.map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) == 3  # distribution, status mix, census
    assert all(complete and width > 0 for complete, width in sizes), sizes


def test_exercise_pass_rates_match_the_grades(graded: Graded, page: Page) -> None:
    statuses: dict[str, Counter[str]] = {}
    for grade in graded.grades().values():
        for e in grade["exercises"]:
            statuses.setdefault(e["id"], Counter())[e["status"]] += 1
    shown = {row["exercise"]: row for row in rows(page, "exercise-table")}
    assert sorted(shown) == sorted(statuses)
    for exercise_id, counts in statuses.items():
        row = shown[exercise_id]
        assert row["graded"] == str(sum(counts.values()))
        assert row["pass rate"] == f"{round(100 * counts['passed'] / sum(counts.values()))}%"
        for status, count in counts.items():
            assert row[status] == str(count)
    assert shown["01.standardize"]["not released"] == "1"


def test_misconception_census_matches_the_grades(graded: Graded, page: Page) -> None:
    holders: dict[str, set[str]] = {}
    for grade in graded.grades().values():
        for e in grade["exercises"]:
            for m in e["misconceptions"]:
                holders.setdefault(m, set()).add(grade["student"])
    census = {row["misconception"]: row for row in rows(page, "census-table")}
    assert {m: int(row["students"]) for m, row in census.items()} == {m: len(s) for m, s in holders.items()}
    links = page.eval_on_selector_all("#census-table a", "links => links.map(a => a.href)")
    assert {misconceptions()[m].url for m in census} <= set(links), links  # each row links to its section


def test_students_to_reach_out_to_and_totals(graded: Graded, page: Page) -> None:
    listed = [row["student"] for row in rows(page, "reach-out-table")]
    assert sorted(listed) == ["carol", "dave", "erin"]  # 0 points, 0 points and 2 misconceptions, unreadable
    totals = {row["student"]: row["score"] for row in rows(page, "student-table")}
    assert totals == {g["student"]: f"{g['score']:g} / {g['max_score']:g}" for g in graded.grades().values()}
    assert page.inner_text("#card-students b") == str(len(totals))


def test_report_refuses_what_grade_did_not_write(tmp_path: Path) -> None:
    bad = tmp_path / "grades.json"
    bad.write_text('{"hello": 1}')
    done = autograder("report", bad, "--out", tmp_path / "r.html")
    assert done.returncode == 2 and "not the output of `grade --format json`" in done.stderr
    assert not (tmp_path / "r.html").exists()

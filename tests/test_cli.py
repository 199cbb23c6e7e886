"""``python -m autograder`` end to end, as a subprocess, on small notebooks made in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from inprocess import run_in_process
from notebooks_for_tests import (
    BLANK_CHANNEL_MOMENTS,
    BLANK_STANDARDIZE,
    CHANNEL_MOMENTS,
    SETUP,
    STANDARDIZE,
    write_notebook,
)

from autograder import cli, grading
from autograder.report import ExerciseResult, Grade
from autograder.sandbox.api import ExerciseOutcome, Limits, RunRequest

LAUNCHER = Path(__file__).with_name("cli_inprocess.py")
ROOT = Path(__file__).resolve().parents[1]


def autograder(*args: object, cwd: Path | None = None, real: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a subprocess: ``python -m autograder`` if ``real``, else with the in-process runner."""
    command = [sys.executable, "-m", "autograder"] if real else [sys.executable, str(LAUNCHER)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=240)


def isolations(runs: int) -> list[str]:
    """What ``grade`` says it uses here, once per run (autograder.isolation)."""
    from autograder.sandbox import bwrap

    return ["process" if bwrap.problem() else "bubblewrap"] * runs


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.main called in this process grades with the in-process runner."""
    monkeypatch.setattr(grading, "sandbox_runner", run_in_process)


def test_grade_json_for_several_notebooks_in_parallel(solved_ch01: Path, blank_ch01: Path, in_process: None) -> None:
    done = autograder("grade", solved_ch01, blank_ch01, "--format", "json", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [d["notebook"] for d in data] == [str(solved_ch01), str(blank_ch01)]
    assert data[0]["score"] == data[0]["max_score"] == 2.0
    assert {e["status"] for e in data[1]["exercises"]} == {"not-implemented"}
    one_at_a_time = [g.to_dict() for g in cli.grade_all([solved_ch01, blank_ch01], jobs=1)]
    assert data == one_at_a_time


def test_grade_a_folder_to_a_csv_file(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    write_notebook(folder / "b" / "01-bob.ipynb", [SETUP, BLANK_CHANNEL_MOMENTS, STANDARDIZE])
    write_notebook(folder / "a" / "01-alice.ipynb", [SETUP, CHANNEL_MOMENTS, STANDARDIZE])
    write_notebook(folder / "a" / ".ipynb_checkpoints" / "01-alice-checkpoint.ipynb", [SETUP])
    (folder / "c").mkdir()
    (folder / "c" / "01-carol.ipynb").write_text("{ not json")
    out = tmp_path / "grades.csv"
    done = autograder("grade", folder, "--format", "csv", "--jobs", "2", "--out", out)
    assert done.returncode == 3, done.stderr  # carol's notebook cannot be read
    assert done.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [Path(r["notebook"]).name for r in rows] == ["01-alice.ipynb", "01-bob.ipynb", "01-carol.ipynb"]
    assert rows[0]["total"] == "2" and rows[1]["01.channel_moments"] == "0" and rows[1]["total"] == "1"
    assert rows[2]["total"] == "0" and rows[2]["max_total"] == "2"


def test_gradescope_and_text_formats(solved_ch01: Path, in_process: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["grade", str(solved_ch01), "--format", "gradescope"]) == 0
    gradescope = json.loads(capsys.readouterr().out)
    assert gradescope["score"] == 2.0 and {t["status"] for t in gradescope["tests"]} == {"passed"}
    assert cli.main(["grade", str(solved_ch01)]) == 0
    assert f"{solved_ch01}: 2 / 2" in capsys.readouterr().out


def test_bad_paths_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = autograder("grade", tmp_path / "nope.ipynb", real=True)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "no .ipynb files" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        cli.main(["grade", str(tmp_path), "--timeout", "-1"])
    assert exited.value.code == 2 and "must be positive" in capsys.readouterr().err


def test_unreadable_notebook_exits_3_and_is_reported(
    tmp_path: Path, solved_ch01: Path, in_process: None, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "01-broken.ipynb"
    broken.write_text("{ not json")
    assert cli.main(["grade", str(solved_ch01), str(broken), "--format", "json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data[0]["score"] == 2.0
    assert data[1]["notebook"] == str(broken) and "error" in data[1]
    assert {e["status"] for e in data[1]["exercises"]} == {"missing"}


def test_exit_code_order() -> None:
    ok = Grade("a", [ExerciseResult("01.standardize", "failed", 0, 1, "")])
    unreadable = Grade("b", [], error="x", problem="unreadable")
    internal = Grade("c", [], error="y", problem="internal")
    assert cli.exit_code([ok]) == 0
    assert cli.exit_code([ok, unreadable]) == 3
    assert cli.exit_code([unreadable, internal]) == 4


def test_validate(tmp_path: Path) -> None:
    write_notebook(tmp_path / "solutions" / "01-covariate-shift.ipynb", [SETUP, CHANNEL_MOMENTS, STANDARDIZE])
    write_notebook(
        tmp_path / "chapters" / "01-covariate-shift" / "exercises.ipynb",
        [SETUP, BLANK_CHANNEL_MOMENTS, BLANK_STANDARDIZE],
    )
    write_notebook(
        tmp_path / "solutions" / "02-derivation.ipynb",
        [SETUP, "def bn_forward(x, gamma, beta, eps=1e-5):\n    raise NotImplementedError"],
        chapter="02",
    )
    done = autograder("validate", "--root", tmp_path)
    assert done.returncode == 1
    assert "solutions/03-axes.ipynb: not found" in done.stdout
    assert "chapters/02-derivation/exercises.ipynb: not found" in done.stdout
    assert "solutions/02-derivation.ipynb: 02.bn_forward is" in done.stdout
    assert "01-covariate-shift" not in done.stdout  # chapter 01's notebooks are right


def test_release_delegates(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograder.notebook import release

    calls: list[bool] = []
    monkeypatch.setattr(release, "release", lambda check=False: calls.append(check) or 0)
    assert cli.main(["release", "--check"]) == 0
    assert cli.main(["release"]) == 0
    assert calls == [True, False]


def test_real_sandbox_path(solved_ch01: Path) -> None:
    """The default path really goes through the sandbox."""
    done = autograder("grade", solved_ch01, "--format", "json", "--timeout", "120", real=True)
    data = json.loads(done.stdout)
    assert "worker failed before running the notebook" not in json.dumps(data), data
    assert done.returncode == 0, done.stderr
    assert data["score"] == 2.0


def test_timeout_is_the_notebook_wall_time(
    solved_ch01: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[float] = []

    def runner(request: RunRequest) -> dict[str, ExerciseOutcome]:
        seen.append(request.limits.notebook_seconds)
        return run_in_process(request)

    monkeypatch.setattr(grading, "sandbox_runner", runner)
    assert cli.main(["grade", str(solved_ch01), "--timeout", "42", "--format", "json"]) == 0
    assert cli.main(["grade", str(solved_ch01), "--format", "json"]) == 0
    assert seen == [42.0, Limits().notebook_seconds]
    err = capsys.readouterr().err  # no progress bar when stderr is not a terminal: only the isolation used, once a run
    assert [line.split(" (")[0] for line in err.splitlines()] == [f"autograder: isolation: {i}" for i in isolations(2)]

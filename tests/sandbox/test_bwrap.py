"""Bubblewrap's view of the machine, run for real."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder.sandbox import bwrap

pytestmark = pytest.mark.adversarial


def run_wrapped(script: str, readable: list[Path], scratch: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        bwrap.wrap(["/bin/sh", "-c", script], scratch, readable, 2**20), capture_output=True, timeout=30
    )


def test_readable_directories_under_tmp_stay_visible_and_read_only(tmp_path: Path) -> None:
    """A checkout (and its venv) under /tmp must still be there inside the private /tmp."""
    tool = tmp_path / "checkout" / ".venv"
    tool.mkdir(parents=True)
    (tool / "tool.sh").write_text("echo ran > result\n")
    (tool / "tool.sh").chmod(0o755)
    with tempfile.TemporaryDirectory(prefix="bn-scratch-") as scratch:
        done = run_wrapped(f"{tool}/tool.sh && ! touch {tool}/written", [tool], Path(scratch))
        assert done.returncode == 0, done.stderr
        assert (Path(scratch) / "result").read_text() == "ran\n"
    assert not (tool / "written").exists()


def test_the_rest_of_tmp_is_private(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("grader's file")
    with tempfile.TemporaryDirectory(prefix="bn-scratch-") as scratch:
        done = run_wrapped(f"test ! -e {secret}", [], Path(scratch))
    assert done.returncode == 0, done.stderr

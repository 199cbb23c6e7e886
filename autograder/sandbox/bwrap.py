"""Bubblewrap: a read-only view of the machine, no network, a private /tmp and pid space.

Inside, the whole file system is bound read-only except the worker's scratch
directory, so the graded notebook and the grader's files cannot change; the network
is unshared; inside, the worker is ``nobody`` without capabilities; ``--die-with-parent`` and the private pid namespace mean that killing
bwrap kills every process the submission started.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal


Mode = Literal["bwrap", "none"]
INSTALL_HINT = "install it with `apt-get install bubblewrap`, or grade with sandbox='none'"


class SandboxUnavailable(RuntimeError):
    """Bubblewrap was asked for explicitly but cannot run here."""


def wrap(argv: list[str], scratch: Path) -> list[str]:
    """``argv`` run inside bubblewrap with ``scratch`` as its only writable directory."""
    return [
        _executable(),
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--bind", str(scratch), str(scratch),
        "--chdir", str(scratch),
        "--unshare-user", "--uid", "65534", "--gid", "65534", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
        "--", *argv,
    ]  # fmt: skip


def resolve(requested: Literal["auto", "bwrap", "none"]) -> Mode:
    """The sandbox to use: ``auto`` picks bubblewrap when a quick trial run works."""
    if requested == "none":
        return "none"
    problem = _problem()
    if problem is None:
        return "bwrap"
    if requested == "bwrap":
        raise SandboxUnavailable(f"sandbox='bwrap' was requested but {problem}; {INSTALL_HINT}")
    return "none"


def _executable() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed; {INSTALL_HINT}")
    return path


@functools.cache
def _problem() -> str | None:
    """Why bubblewrap cannot run here (as the worker's user), or None when it works."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="bn-bwrap-probe-") as scratch:
        try:
            trial = subprocess.run(
                wrap(["/bin/sh", "-c", "touch ok"], Path(scratch)), capture_output=True, timeout=20, env={"PATH": "/usr/bin:/bin"}
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap failed to start ({error})"
        if trial.returncode != 0 or not (Path(scratch) / "ok").exists():
            return f"bubblewrap does not work here ({trial.stderr.decode(errors='replace').strip()[:200]})"
    return None

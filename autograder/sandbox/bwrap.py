"""Bubblewrap: a read-only view of the machine, no network, a private /tmp and pid space.

Inside, the whole file system is read-only except the worker's scratch directory,
so the graded notebook and the grader's files cannot change, and home directories
are hidden. The network is unshared. The worker runs as ``nobody`` without
capabilities, so it cannot read root's private files either. ``--die-with-parent``
and the private pid namespace mean that killing bwrap kills every process the
submission started.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

Mode = Literal["bwrap", "none"]
NOBODY = 65534  # the worker's user inside the sandbox
HIDDEN = ("/root", "/home")  # users' files: nothing a submission needs to read
INSTALL_HINT = "install it with `apt-get install bubblewrap`, or grade with sandbox='none'"


class SandboxUnavailable(RuntimeError):
    """Bubblewrap was asked for explicitly but cannot run here."""


def wrap(
    argv: list[str], scratch: Path, readable: list[Path], tmp_bytes: int, emptied: Sequence[Path] = ()
) -> list[str]:
    """``argv`` run inside bubblewrap with ``scratch`` as its only writable directory.

    Home directories are hidden (empty and read-only) and ``/tmp`` is private, in
    memory, of ``tmp_bytes``; the ``readable`` directories the worker needs (the
    interpreter, the virtualenv, the grader's package) are bound back read-only when
    they lie in one of those (a checkout under /tmp, say), and the directories leading
    to them are made traversable for the worker's user. A root grader runs bwrap
    privileged (the worker then drops to ``NOBODY`` itself, see
    ``autograder.sandbox.limits``); anyone else gets a user namespace where the worker
    appears as ``nobody``. The ``emptied`` directories (the grader's side of the package)
    are seen empty and read-only: what is not there cannot be imported or read.
    """
    hidden = [home for home in HIDDEN if Path(home).is_dir()]
    masked = tuple(f"{root}/" for root in (*hidden, "/tmp"))  # mounted over: what the worker needs is re-bound
    shown = sorted({str(p.resolve()) for p in readable if str(p.resolve()).startswith(masked)})
    leading = sorted({str(parent) for path in shown for parent in Path(path).parents if str(parent).startswith(masked)})
    user = [] if os.geteuid() == 0 else ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    return [
        _executable(),
        "--ro-bind", "/", "/",
        *(arg for home in hidden for arg in ("--tmpfs", home)),
        "--perms", "01777", "--size", str(tmp_bytes), "--tmpfs", "/tmp",
        *(arg for path in leading for arg in ("--perms", "0755", "--dir", path)),
        *(arg for path in shown for arg in ("--ro-bind", path, path)),
        *(arg for path in emptied for arg in ("--tmpfs", str(path.resolve()), "--remount-ro", str(path.resolve()))),
        *(arg for home in hidden for arg in ("--remount-ro", home)),
        "--dev", "/dev",
        "--proc", "/proc",
        "--bind", str(scratch), str(scratch),
        "--chdir", str(scratch),
        *user, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
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


def problem() -> str | None:
    """Why bubblewrap cannot run here, or None when it works (checked once per process)."""
    return _problem()


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
                wrap(["/bin/sh", "-c", "touch ok"], Path(scratch), [], 1024**2),
                capture_output=True,
                timeout=20,
                env={"PATH": "/usr/bin:/bin"},
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap failed to start ({error})"
        if trial.returncode != 0 or not (Path(scratch) / "ok").exists():
            return f"bubblewrap does not work here ({trial.stderr.decode(errors='replace').strip()[:200]})"
    return None

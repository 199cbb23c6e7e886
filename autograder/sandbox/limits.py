"""Resource limits and the environment of the worker process.

The worker calls ``apply`` on itself first thing, before it imports torch or runs any
submitted code, so the limits (and, under a root grader's bubblewrap, the change to an
unprivileged user) hold for everything the submission does and every process it
starts. Wall-clock limits are the parent's job.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

from autograder.sandbox.api import Limits


def apply(limits: Limits, drop_to: int | None = None) -> None:
    """Set the rlimits of the calling process (soft = hard, so they cannot be raised back),
    then, when ``drop_to`` is given (root inside bubblewrap), become that user for good."""
    wanted = {
        resource.RLIMIT_AS: limits.memory_bytes,
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_FSIZE: limits.file_bytes,
        resource.RLIMIT_CORE: 0,
    }
    if drop_to is None:
        # RLIMIT_NPROC counts every process and thread of the user, so the budget is on
        # top of what the user already runs. The kernel does not apply it to root, and
        # ``nobody`` is shared by concurrent workers: there, ``autograder.sandbox.cgroup``
        # caps the tasks instead.
        wanted[resource.RLIMIT_NPROC] = _processes_of(os.getuid()) + limits.processes
    for kind, value in wanted.items():
        _, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))
    if drop_to is not None:
        os.setgroups([])
        os.setgid(drop_to)
        os.setuid(drop_to)  # also clears every capability


def _processes_of(uid: int) -> int:
    """How many tasks (processes and threads) ``uid`` owns now, from /proc."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1"))
    return count


def environment(scratch: Path, python_path: str) -> dict[str, str]:
    """The worker's whole environment: nothing inherited, so no secrets leak into it."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "IPYTHONDIR": str(scratch / ".ipython"),
        "MPLCONFIGDIR": str(scratch / ".matplotlib"),
        "PYTHONPATH": python_path,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
    }


def describe_bytes(count: int) -> str:
    """``4 GiB``, ``512 MiB``: a limit as a student reads it."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return f"{count} bytes"

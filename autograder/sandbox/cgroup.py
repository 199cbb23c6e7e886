"""A pids cgroup around the worker, when the grader may make one (it runs as root).

RLIMIT_NPROC does not bind root (the kernel exempts uid 0, also inside bubblewrap's
user namespace, which maps to it), so for a root grader a fork bomb is capped by
``pids.max`` instead. The cgroup also finds every process the submission started,
even those that left the worker's process group, so all of them can be killed.
Without permission to create one (a normal user), ``create`` returns None and
RLIMIT_NPROC does the capping.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))  # cgroup v1 pids hierarchy, or v2


class PidsCgroup:
    """One cgroup with a ``pids.max``; the worker's command joins it before anything else runs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, max_tasks: int) -> PidsCgroup | None:
        """A fresh cgroup capped at ``max_tasks`` tasks, or None when none can be made here."""
        if os.geteuid() != 0:
            return None
        for root in ROOTS:
            path = root / f"bn-grade-{uuid.uuid4().hex[:12]}"
            try:
                path.mkdir()
            except OSError:
                continue
            try:
                if (path / "pids.current").exists():  # a real cgroup, not a plain directory
                    (path / "pids.max").write_text(str(max_tasks))
                    return cls(path)
            except OSError:
                pass
            path.rmdir()
        return None

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started from a shell that first joins the cgroup (no ``preexec_fn``: the grader has threads)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *argv]

    def remove(self) -> None:
        """Kill every process still in the cgroup, then delete it."""
        for _ in range(100):
            pids = [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        try:
            self.path.rmdir()
        except OSError:  # a process outlived 2 s of SIGKILLs; leave the empty-to-be group
            pass

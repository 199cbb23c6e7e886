"""One worker process seen from the grader: start it, read its events, stop it.

The worker runs in its own session (its own process group) in a fresh scratch
directory, inside bubblewrap when the mode says so, and in a pids cgroup when the
grader may make one. Its results come on a dedicated pipe; its stdout and stderr share
another pipe that is drained continuously and kept only up to a cap, so a flood of
output neither blocks the worker nor fills the grader's memory.
"""

from __future__ import annotations

import os
import select
import selectors
import signal
import site
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import autograder
from autograder.sandbox import bwrap, limits
from autograder.sandbox.api import Limits
from autograder.sandbox.cgroup import PidsCgroup
from autograder.sandbox.protocol import Decoder, Message, ProtocolError

TAIL_BYTES = 4096
REQUEST_FILE = "request.bin"


@dataclass(frozen=True)
class Expired:
    """The deadline passed before anything else happened."""


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


@dataclass(frozen=True)
class Ended:
    """The worker is gone (or its result stream broke); ``reason`` says why, in one line."""

    reason: str


Event = Message | Expired | Ended


class WorkerProcess:
    """A running worker and the messages it sent."""

    def __init__(self, scratch: Path, request: bytes, mode: bwrap.Mode, run_limits: Limits) -> None:
        self.limits, self.mode = run_limits, mode
        self.cgroup = PidsCgroup.create(run_limits.processes)
        (scratch / REQUEST_FILE).write_bytes(request)
        read_fd, write_fd = os.pipe()
        argv = [sys.executable, "-m", "autograder.submission.worker", str(scratch / REQUEST_FILE), str(write_fd)]
        if mode == "bwrap" and os.geteuid() == 0:  # privileged bwrap: the worker drops to nobody itself
            os.chown(scratch, bwrap.NOBODY, bwrap.NOBODY)
            argv.append(str(bwrap.NOBODY))
        package_root = Path(autograder.__file__).resolve().parent.parent
        readable = [Path(sys.base_prefix), Path(sys.prefix), package_root, *map(Path, site.getsitepackages())]
        grader_side = [Path(autograder.__file__).resolve().parent / "grader"]  # never needed by the worker
        command = bwrap.wrap(argv, scratch, readable, run_limits.file_bytes, grader_side) if mode == "bwrap" else argv
        try:
            self.process = subprocess.Popen(
                self.cgroup.wrap(command) if self.cgroup else command,
                cwd=scratch,
                env=limits.environment(scratch, str(package_root)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            if self.cgroup:
                self.cgroup.remove()
            raise
        finally:
            os.close(write_fd)
        self._results = read_fd
        self._decoder = Decoder()
        self._messages: deque[Message] = deque()
        self._selector = selectors.DefaultSelector()
        self._selector.register(read_fd, selectors.EVENT_READ)
        if self.process.stdout is None:  # never: stdout is a pipe
            raise RuntimeError("the worker has no output pipe")
        self._output = self.process.stdout
        self._selector.register(self._output, selectors.EVENT_READ)
        self._tail = bytearray()
        self._broken: str | None = None

    def next_event(self, deadline: float) -> Event:
        """The next message, or Ended when the worker is gone, or Expired at ``deadline``."""
        while not self._messages and self._broken is None:
            if self.process.poll() is not None:
                self._drain_results()
                if not self._messages:
                    return Ended(self._broken or self.exit_reason())
                break
            timeout = deadline - time.monotonic()
            if timeout < 0:
                return Expired()
            for key, _ in self._selector.select(min(timeout, 0.5)):
                self._read(key.fileobj)
        return self._messages.popleft() if self._messages else Ended(self._broken or self.exit_reason())

    def _drain_results(self) -> None:
        """Read what the worker wrote before it exited (bounded: its children may still write)."""
        budget = 64 * 1024**2
        while budget > 0 and self._broken is None and select.select([self._results], [], [], 0)[0]:
            before = len(self._messages)
            if not self._read(self._results):
                return
            budget -= 1 << 16
            if len(self._messages) > before:
                return

    def stop(self) -> None:
        """Kill the worker and everything it started (its process group; bwrap's pid namespace)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        if self.cgroup:
            self.cgroup.remove()
        self._selector.close()
        os.close(self._results)
        self._output.close()

    @property
    def output_tail(self) -> str:
        """The end of what the worker wrote to stdout and stderr."""
        return self._tail.decode(errors="replace")

    def exit_reason(self) -> str:
        """Why the worker ended, in one line a student can read."""
        code = self.process.returncode
        if self.mode == "bwrap" and code is not None and code > 128:
            code = -(code - 128)  # bubblewrap reports a signal N as exit code 128 + N
        memory = limits.describe_bytes(self.limits.memory_bytes)
        file_limit = limits.describe_bytes(self.limits.file_bytes)
        if code is None or code >= 0:
            return (
                f"the worker exited early with code {code} "
                f"(did the submission call os._exit({code}) or close the grader's pipe?)"
            )
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if any(hint in self.output_tail for hint in ("MemoryError", "bad_alloc", "can't allocate memory")):
            return f"the worker was killed after exceeding {memory} of memory ({name})"
        return {
            "SIGSEGV": "the worker crashed with a segmentation fault (SIGSEGV)",
            "SIGBUS": "the worker crashed with a bus error (SIGBUS)",
            "SIGABRT": "the worker aborted (SIGABRT)",
            "SIGXCPU": f"the worker was killed after using its {self.limits.cpu_seconds} s of CPU time (SIGXCPU)",
            "SIGXFSZ": f"the worker was killed for writing a file larger than {file_limit} (SIGXFSZ)",
            "SIGKILL": (
                f"the worker was killed (SIGKILL): it ran out of its {self.limits.cpu_seconds} s of CPU time "
                f"or {memory} of memory"
            ),
        }.get(name, f"the worker was killed by {name}")

    def _read(self, source: int | _HasFileno) -> bool:
        """Read one chunk from the result or output pipe; False at its end."""
        fd = source if isinstance(source, int) else source.fileno()
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            if fd in self._selector.get_map():
                self._selector.unregister(fd)
            return False
        elif fd == self._results:
            try:
                self._messages.extend(self._decoder.feed(data))
            except ProtocolError as error:
                self._broken = f"the worker sent malformed data ({error})"
        else:
            self._tail = (self._tail + data)[-TAIL_BYTES:]
        return True

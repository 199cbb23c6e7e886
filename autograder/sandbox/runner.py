"""Running a submission: ``run(request)`` -> one ExerciseOutcome per exercise.

A worker (``autograder.submission.worker``) runs the notebook's cells, then the probes.
The grader watches the clock: a cell gets ``cell_seconds``, an exercise
``exercise_seconds``, the whole submission ``notebook_seconds``. When the worker dies
or overruns, the cell or exercise it was in gets the reason, the worker is killed,
and a fresh one (in a fresh scratch directory) re-runs the cells, skipping the cells
that failed that way, for the exercises still to do. Every restart settles at least
one cell or exercise, so this ends.

What is protected, in every mode: the verdict is computed by the grader from
validated arrays, so nothing the submission does to torch, numpy, builtins or the
autograder inside its own process changes it; the rlimits (memory, CPU, file size,
processes; a pids cgroup instead when the grader is root) and the clocks bound what
it can consume; the worker's environment holds no inherited variables; the grader's
own package is read-only (bubblewrap) or hashed before and after (no bubblewrap), and
a change makes every exercise ``forbidden``. With bubblewrap (``sandbox="bwrap"``, or ``"auto"`` where it works) the
whole file system is also read-only outside the scratch directory (the graded
notebook and the grader's files cannot change), the network is off, and every process
the submission starts dies with the worker. Without it (``"none"``) the worker only
starts in a scratch directory: it can write wherever the grader's user can (root:
anywhere), reach the network, and a process that leaves its process group outlives
it unless the pids cgroup catches it. ``file_hashes`` lets callers compare the
graded notebook before and after.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

import autograder
from autograder.sandbox import bwrap, outcomes
from autograder.sandbox.api import CaseOutcome, ExerciseOutcome, Limits, ProbeCall, RunRequest
from autograder.sandbox.process import Ended, Expired, WorkerProcess
from autograder.sandbox.protocol import ProtocolError, encode
from autograder.types import RunStatus

GRADER_PACKAGE = Path(autograder.__file__).resolve().parent
STARTUP_SECONDS = 120.0  # importing torch on a busy machine; no submitted code runs yet
Failure = tuple[RunStatus, str]  # (status, what happened): ("timeout", "timed out after 60 s")


def run(request: RunRequest, *, extra_probes: Sequence[Path] = ()) -> dict[str, ExerciseOutcome]:
    """Run the submission isolated; outcomes keyed by exercise id, in the request's order.

    ``extra_probes`` are Python files with a ``PROBES`` dict, looked up before the
    registry (for the sandbox's own tests). Raises ``SandboxUnavailable`` only when
    ``sandbox="bwrap"`` is requested and bubblewrap cannot run.
    """
    mode = bwrap.resolve(request.limits.sandbox)
    deadline = time.monotonic() + request.limits.notebook_seconds
    grader_files = file_hashes([GRADER_PACKAGE]) if mode == "none" else None  # read-only under bwrap
    done: dict[str, ExerciseOutcome] = {}
    skipped: dict[int, Failure] = {}
    while pending := [call for call in request.calls if call.exercise_id not in done]:
        session = _Session(request, pending, skipped, done, deadline)
        with tempfile.TemporaryDirectory(prefix="bn-grade-") as scratch:
            worker = WorkerProcess(
                Path(scratch), _encode(request, pending, skipped, extra_probes), mode, request.limits
            )
            try:
                stuck = session.follow(worker)
            finally:
                worker.stop()
        if stuck is not None:  # no cell or exercise was settled: give up on the rest
            done.update({call.exercise_id: ExerciseOutcome(*stuck) for call in pending if call.exercise_id not in done})
    if grader_files is not None and file_hashes([GRADER_PACKAGE]) != grader_files:
        tampered = ExerciseOutcome("forbidden", "the submission changed the grader's own files")
        done = {exercise_id: tampered for exercise_id in done}
    return {call.exercise_id: done[call.exercise_id] for call in request.calls}


class _Session:
    """Follows one worker's messages; settles cells and exercises as they end."""

    def __init__(
        self,
        request: RunRequest,
        pending: list[ProbeCall],
        skipped: dict[int, Failure],
        done: dict[str, ExerciseOutcome],
        deadline: float,
    ) -> None:
        self.limits: Limits = request.limits
        self.cell_count = len(request.code_cells)
        self.pending, self.skipped, self.done, self.notebook_deadline = pending, skipped, done, deadline
        self.cell: int | None = None  # the last cell started
        self.call: ProbeCall | None = None  # the exercise running now
        self.settled = 0  # exercises this worker finished
        self.cases: list[CaseOutcome] = []
        self.stage_deadline = time.monotonic() + STARTUP_SECONDS

    def follow(self, worker: WorkerProcess) -> Failure | None:
        """Read messages until the worker finishes or fails; a Failure when nothing got settled."""
        while True:
            event = worker.next_event(min(self.stage_deadline, self.notebook_deadline))
            if isinstance(event, Expired):
                return self._expired()
            if isinstance(event, Ended):
                return self._failed("error", event.reason, worker.output_tail)
            try:
                if self._handle(*event):
                    return None
            except ProtocolError as error:
                return self._failed("error", f"the worker sent malformed data ({error})", "")

    def _handle(self, header: dict, arrays: dict) -> bool:
        """Apply one message; True when the worker has finished."""
        kind, now = header.get("t"), time.monotonic()
        if kind == "cell" and self.call is None and header.get("i") == (-1 if self.cell is None else self.cell) + 1:
            self.cell, self.stage_deadline = header["i"], now + self.limits.cell_seconds
        elif (
            kind == "exercise"
            and self.call is None
            and (upcoming := self._next_call())
            and header.get("id") == upcoming.exercise_id
        ):
            self.call, self.cases, self.stage_deadline = upcoming, [], now + self.limits.exercise_seconds
        elif kind == "case" and self.call is not None and header.get("i") == len(self.cases) < len(self.call.cases):
            self.cases.append(outcomes.case(header, arrays))
        elif kind == "result" and self.call is not None:
            self.done[self.call.exercise_id] = outcomes.exercise(
                header, self.cases, len(self.call.cases), self.limits.output_bytes
            )
            self.call, self.settled = None, self.settled + 1
        elif kind == "done" and self.call is None and self._next_call() is None:
            return True
        else:
            raise ProtocolError(f"unexpected message {str(header)[:100]}")
        return False

    def _next_call(self) -> ProbeCall | None:
        """The exercise the worker must start next, once it has started every cell."""
        if self.cell != self.cell_count - 1 and self.cell_count:
            return None  # exercises come after every cell
        return next((call for call in self.pending if call.exercise_id not in self.done), None)

    def _expired(self) -> Failure | None:
        if time.monotonic() >= self.notebook_deadline:
            reason = f"the submission ran out of its {self.limits.notebook_seconds:g} s"
            for call in self.pending:
                self.done.setdefault(call.exercise_id, ExerciseOutcome("timeout", reason))
            return None
        if self.call is not None:
            seconds = self.limits.exercise_seconds
        else:
            seconds = self.limits.cell_seconds if self.cell is not None else STARTUP_SECONDS
        return self._failed("timeout", f"timed out after {seconds:g} s", "")

    def _failed(self, status: RunStatus, reason: str, output: str) -> Failure | None:
        """The worker failed: settle what it was running, or say why nothing could be."""
        if self.call is not None:
            self.done[self.call.exercise_id] = ExerciseOutcome(status, reason, self.cases)
        elif self.settled:
            pass  # between two exercises: a fresh worker goes on with the next one
        elif self.cell is not None and self.cell not in self.skipped:
            self.skipped[self.cell] = (status, reason if status == "timeout" else f"stopped the worker: {reason}")
        else:
            last = output.strip().splitlines()[-1:] if output.strip() else []
            return status, f"the worker failed before running the notebook: {reason}" + "".join(
                f" ({line[:200]})" for line in last
            )
        return None


def _encode(
    request: RunRequest, calls: list[ProbeCall], skipped: dict[int, Failure], extra_probes: Iterable[Path]
) -> bytes:
    """The worker's request: one header message, then one message of inputs per case."""
    header = {
        "t": "request",
        "cells": list(request.code_cells),
        "skipped": {str(index): list(failure) for index, failure in skipped.items()},
        "calls": [
            {
                "exercise_id": c.exercise_id,
                "name": c.name,
                "probe": c.probe_key,
                "cases": [{"label": case.label, "params": case.params} for case in c.cases],
            }
            for c in calls
        ],
        "limits": asdict(request.limits),
        "extra_probes": [str(Path(path).resolve()) for path in extra_probes],
    }
    return encode(header) + b"".join(encode({"t": "inputs"}, case.inputs) for call in calls for case in call.cases)


def file_hashes(paths: Iterable[Path]) -> dict[Path, str]:
    """SHA-256 of each file under ``paths`` (files or directories; caches skipped), to compare before and after."""
    hashes: dict[Path, str] = {}
    for path in paths:
        files = (
            [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        )
        for file in sorted(files):
            hashes[file] = hashlib.sha256(file.read_bytes()).hexdigest()
    return hashes

"""What the grading front end asks of the sandbox, and what it gets back.

The front end (``autograder.grading``) builds a ``RunRequest`` from a notebook's code
and the exercise specs' cases; ``autograder.sandbox.runner.run`` executes it in an
isolated worker process and returns one ``ExerciseOutcome`` per exercise. Everything
here is plain data: cases' arrays go in, probes' arrays come out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from autograder.types import Arrays, Case, RunStatus


@dataclass(frozen=True)
class Limits:
    """Process limits for one submission (enforced with rlimits, and bubblewrap when present)."""

    exercise_seconds: float = 60.0  # wall time for all cases of one exercise
    notebook_seconds: float = 300.0  # wall time for the whole submission
    cell_seconds: float = 60.0  # wall time for executing one notebook cell
    memory_bytes: int = 4 * 1024**3  # address space of the worker
    cpu_seconds: int = 600  # CPU time of the worker
    file_bytes: int = 64 * 1024**2  # largest file the worker may write
    processes: int = 256  # processes/threads the worker may own (RLIMIT_NPROC, where it applies)
    output_bytes: int = 1024**2  # stdout/stderr kept from the worker
    sandbox: Literal["auto", "bwrap", "none"] = "auto"  # auto: bubblewrap when it works here


@dataclass(frozen=True)
class ProbeCall:
    """Run one exercise: find ``name`` in the executed notebook and drive it with the exercise's probe."""

    exercise_id: str  # "02.bn_forward": its probe is the one registered under this id
    name: str  # object the student defines: "bn_forward"
    cases: list[Case]
    probe: str = ""  # another probe's key, for the sandbox's own tests (extra probe files)

    @property
    def probe_key(self) -> str:
        return self.probe or self.exercise_id


@dataclass(frozen=True)
class RunRequest:
    code_cells: list[str]  # the notebook's code cells, in order, as the student wrote them
    calls: list[ProbeCall]
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class CaseOutcome:
    """The probe's arrays for one case, or why there are none."""

    outputs: Arrays | None = None
    error: str | None = None  # the student's exception, traceback trimmed to their code
    answer_error: str | None = None  # AnswerError message (unusable result, rule broken)
    misconceptions: tuple[str, ...] = ()  # from AnswerError (input-mutated, dtype-changed)
    not_implemented: bool = False  # the answer raised NotImplementedError


@dataclass(frozen=True)
class ExerciseOutcome:
    """What happened when one exercise ran. The verdict is the front end's, not this."""

    status: RunStatus  # "ran": the cases ran (each CaseOutcome says how)
    message: str = ""  # one line for the student: why missing / error / timeout / forbidden
    cases: list[CaseOutcome] = field(default_factory=list)
    forbidden_routes: list[str] = field(
        default_factory=list
    )  # ops seen at run time: "aten::native_batch_norm via torch.ops.aten"
    stdout: str = ""  # what the worker printed while running this exercise, capped

"""Which isolation a grading run uses, chosen once and said out loud (``--sandbox auto|required``).

``bubblewrap``: each submission's worker process runs inside bwrap (read-only file system
outside its scratch directory, no network, private /tmp, runs as ``nobody``).
``process``: a separate worker process with resource limits only (it can read and write
what the grader's user can, and reach the network). ``auto`` takes bubblewrap when a trial
run works here and otherwise falls back to ``process``, saying why; ``required`` refuses to
grade without bubblewrap. Where bwrap is looked for: the grader's ``PATH``.
"""

from __future__ import annotations

from typing import Literal, TextIO

from autograder.sandbox import bwrap

Requested = Literal["auto", "required"]
Isolation = Literal["bubblewrap", "process"]
REQUESTS: tuple[Requested, ...] = ("auto", "required")
NAMES: dict[bwrap.Mode, Isolation] = {"bwrap": "bubblewrap", "none": "process"}


class IsolationUnavailable(RuntimeError):
    """``--sandbox required`` and bubblewrap cannot run here."""


def choose(requested: Requested, report: TextIO) -> bwrap.Mode:
    """The sandbox mode for this run; writes one line to ``report`` saying which and why."""
    problem = bwrap.problem()
    if problem and requested == "required":
        raise IsolationUnavailable(
            f"--sandbox required: {problem}. Install bubblewrap (`apt-get install bubblewrap`) on a machine "
            "that allows user namespaces, or grade with --sandbox auto to accept process isolation"
        )
    if problem:
        print(
            f"autograder: isolation: process ({problem}): each notebook runs in a separate worker process with "
            "resource limits, but it can read and write what this user can and reach the network; "
            "--sandbox required refuses to grade without bubblewrap",
            file=report,
        )
    else:
        print("autograder: isolation: bubblewrap", file=report)
    return "none" if problem else "bwrap"

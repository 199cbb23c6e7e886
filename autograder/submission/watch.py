"""Watching the torch operators a submission runs while a probe drives it (worker side).

A ``TorchDispatchMode`` sees every aten operator, whatever Python route led to it
(``F.batch_norm``, ``torch.ops.aten``, ``torch._C``, an ``nn.BatchNorm2d`` inside the
student's module, an autograd backward). An operator counts when the innermost Python
frame below it that is not torch, numpy or the standard library belongs to the
submission: the probes' own set-up (building an ``nn.BatchNorm2d`` to hand to the
answer) is not the student's doing. This runs inside the submission's process, so a
determined submission can switch it off; the static reading (``autograder.static``)
is the other half.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from collections.abc import Iterable
from types import FrameType
from typing import Any

import IPython
import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode

FORBIDDEN_OP = re.compile(r"(batch|group|layer|instance|rms)_norm")
_LIBRARIES = tuple(
    directory + os.sep
    for directory in (
        os.path.dirname(torch.__file__),
        os.path.dirname(np.__file__),
        os.path.dirname(IPython.__file__),  # runs the cells, and wraps open()
        sysconfig.get_paths()["stdlib"],
        os.path.dirname(__file__),  # the worker itself
    )
) + ("<frozen ",)  # the import machinery


class OpWatch(TorchDispatchMode):
    """Records forbidden aten operators that the submission's own code runs."""

    def __init__(self, grader_paths: Iterable[str], allowed: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.grader_paths = tuple(grader_paths)  # files and directories of the probes
        self.allowed = allowed  # operator names allowed for this exercise: "aten::native_batch_norm"
        self.routes: list[str] = []

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # else torch wraps the hook in a dynamo guard, whose import costs seconds

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None
    ) -> Any:
        name = func._schema.name
        if FORBIDDEN_OP.search(name) and name not in self.allowed:
            where = submission_frame(sys._getframe(1), self.grader_paths)
            route = where and f"{name} (from {location(where)})"
            if route and route not in self.routes:
                self.routes.append(route)
        return func(*args, **(kwargs or {}))


def submission_frame(frame: FrameType | None, grader_paths: tuple[str, ...]) -> FrameType | None:
    """The innermost frame that is the submission's, or None when the innermost frame that is not
    a library's (torch, numpy, IPython, the standard library, the worker, the import machinery)
    belongs to ``grader_paths``."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_LIBRARIES):
            return None if filename.startswith(grader_paths) else frame
        frame = frame.f_back
    return None


def location(frame: FrameType) -> str:
    """``cell 5, line 7, in bn_forward``: where a frame of the submission is, and its function."""
    return f"{frame.f_code.co_filename.strip('<>')}, line {frame.f_lineno}, in {frame.f_code.co_name}"

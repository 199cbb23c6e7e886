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

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode

FORBIDDEN_OP = re.compile(r"(batch|group|layer|instance|rms)_norm")
_LIBRARIES = tuple(
    directory + os.sep
    for directory in (
        os.path.dirname(torch.__file__),
        os.path.dirname(np.__file__),
        sysconfig.get_paths()["stdlib"],
        os.path.dirname(__file__),  # the worker itself
    )
)


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
            where = self._submission_frame(sys._getframe(1))
            route = where and f"{name} (from {where})"
            if route and route not in self.routes:
                self.routes.append(route)
        return func(*args, **(kwargs or {}))

    def _submission_frame(self, frame: FrameType | None) -> str | None:
        """``cell 5, line 7`` for the submission frame that ran the operator, or None."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith(_LIBRARIES):
                if filename.startswith(self.grader_paths):
                    return None
                return f"{filename.strip('<>')}, line {frame.f_lineno}"
            frame = frame.f_back
        return None

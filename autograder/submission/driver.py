"""The worker's work once its limits are set: run the cells, then drive each answer.

``Driver`` runs in the submission's process (see ``autograder.submission.worker``). It
sends, on the result pipe: ``cell`` before each cell, then per exercise ``exercise``,
one ``case`` per case (the probe's arrays) and ``result``, and finally ``done``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import random
import sys
import zlib
from typing import Any

import numpy as np
import torch

import autograder
from autograder.sandbox import limits
from autograder.sandbox.api import Limits
from autograder.sandbox.protocol import ProtocolError, check_array, write_message
from autograder.static.allowances import allowance
from autograder.static.package_use import beyond_check_and_score
from autograder.static.source import defining_cell
from autograder.submission.cells import CellRunner, cell_file, out_of_memory
from autograder.submission.package_guard import PackageGuard, answer_routes
from autograder.submission.probes import probe as registered_probe
from autograder.submission.probes.marshal import AnswerError
from autograder.submission.watch import OpWatch
from autograder.tracebacks import student_traceback, summary

GRADER_PATHS = (os.path.dirname(autograder.__file__) + os.sep,)  # probes and the models they build


class CappedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters written to it."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._parts: list[str] = []
        self._size = 0
        self._cut = False

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self._size
        if room > 0:
            self._parts.append(text[:room])
            self._size += min(len(text), room)
        self._cut |= len(text) > room
        return len(text)

    def take(self) -> str:
        """Everything kept since the last call, and forget it."""
        text = "".join(self._parts)
        if self._cut:
            note = "\n[output cut here]"
            text = text[: max(self.limit - len(note), 0)] + note
        self._parts, self._size, self._cut = [], 0, False
        return text


class Driver:
    """Runs one request's cells and exercises, and reports them on the result pipe ``fd``."""

    def __init__(
        self, fd: int, request: dict[str, Any], inputs: list[dict[str, np.ndarray]], run_limits: Limits
    ) -> None:
        self.fd, self.request, self.inputs, self.limits = fd, request, iter(inputs), run_limits
        self.output = CappedText(run_limits.output_bytes)  # the submission's prints, never the pipe
        sys.stdout = sys.stderr = self.output
        self.cells: list[str] = request["cells"]
        # why a cell failed, as (status, what happened): ("error", "raised ValueError: ...")
        self.failures: dict[int, tuple[str, str]] = {int(i): tuple(why) for i, why in request["skipped"].items()}
        self.runner = CellRunner()
        self.extra_probes = _load_probe_files(request["extra_probes"])
        self.guard = PackageGuard((*GRADER_PATHS, *request["extra_probes"]))

    def run(self) -> None:
        autograder.check = autograder.score = _no_op  # checks are the grader's job, not the submission's
        for index, source in enumerate(self.cells):
            self.send({"t": "cell", "i": index})
            if index not in self.failures:
                self._run_cell(index, source)
        self.output.take()  # the cells' prints are not any exercise's
        for call in self.request["calls"]:
            self.send({"t": "exercise", "id": call["exercise_id"]})
            status, message, routes = self._exercise(call)
            self.send(
                {"t": "result", "status": status, "message": message, "routes": routes, "stdout": self.output.take()}
            )
        self.send({"t": "done"})

    def send(self, header: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> None:
        write_message(self.fd, header, arrays)

    def _run_cell(self, index: int, source: str) -> None:
        error = self.runner.run(index, source)
        if error is not None:
            self.failures[index] = ("error", f"raised {self._explain(error, summary(error))}")

    def _exercise(self, call: dict[str, Any]) -> tuple[str, str, list[str]]:
        """Run one exercise's cases, sending each; (status, message, forbidden routes)."""
        inputs = [next(self.inputs) for _ in call["cases"]]  # this call's, even if it cannot run
        name = call["name"]
        cell = defining_cell(self.cells, name)
        cells = {cell_file(i) for i in range(len(self.cells) if cell is None else cell + 1)}
        taken = [beyond_check_and_score(route) for route in self.guard.routes_of(call["exercise_id"], cells)]
        if cell is not None and cell in self.failures:
            status, why = self.failures[cell]
            return status, f"cell {cell + 1}, which defines {name}, {why}", taken
        if name not in self.runner.namespace:
            where = "no code cell defines it" if cell is None else f"cell {cell + 1} did not leave it defined"
            return "missing", f"{name} is not defined: {where}", taken
        try:
            probe = self._probe(call["probe"])
        except Exception as error:  # the grader's own problem, reported as this exercise's error
            return "error", f"the grader cannot load the probe {call['probe']!r}: {error}", []
        watch = self._watch(call["exercise_id"])
        answer = self.runner.namespace[name]
        self.guard.exercise = call["exercise_id"]
        for index, (case, arrays) in enumerate(zip(call["cases"], inputs)):
            self._reset(zlib.crc32(f"{call['exercise_id']}/{index}".encode()))
            header, outputs = self._case(probe, answer, case["params"], arrays, watch)
            self.send({"t": "case", "i": index, **header}, outputs)
        self.guard.exercise = None
        package = self.guard.routes_of(call["exercise_id"], cells) + answer_routes(answer)
        return "ran", "", watch.routes + [beyond_check_and_score(route) for route in package]

    def _case(
        self, probe: Any, answer: Any, params: dict[str, Any], inputs: dict[str, np.ndarray], watch: OpWatch
    ) -> tuple[dict[str, Any], dict[str, np.ndarray] | None]:
        """Drive the answer on one case: (what happened, the outputs when there are some)."""
        try:
            with watch:
                outputs = probe(answer, inputs, params)
            return {"outputs": True}, {str(key): check_array(np.asarray(value)) for key, value in outputs.items()}
        except NotImplementedError:
            return {"not_implemented": True}, None
        except AnswerError as error:
            return {"answer_error": str(error)[:2000], "misconceptions": [str(m) for m in error.misconceptions]}, None
        except ProtocolError as error:
            return {"answer_error": f"the outputs cannot be sent: {error}"}, None
        except BaseException as error:  # whatever the submission raised, SystemExit included
            return {"error": self._explain(error, student_traceback(error))}, None

    def _probe(self, key: str) -> Any:
        """The probe ``key``, from the extra probe files (the sandbox's tests) or the registry."""
        if key in self.extra_probes:
            return self.extra_probes[key]
        return registered_probe(key)

    def _explain(self, error: BaseException, text: str) -> str:
        """``text``, with the memory limit when the error is an allocation failure."""
        if out_of_memory(error):
            return f"{text} (the worker's memory limit is {limits.describe_bytes(self.limits.memory_bytes)})"
        return text

    def _watch(self, exercise_id: str) -> OpWatch:
        return OpWatch([*GRADER_PATHS, *self.request["extra_probes"]], allowance(exercise_id).ops)

    def _reset(self, seed: int) -> None:
        """The same global torch, numpy and random state before every case, whatever the cells did."""
        torch.set_grad_enabled(True)
        torch.set_default_dtype(torch.float32)
        torch.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)


def _no_op(*args: Any, **kwargs: Any) -> None:
    """What ``check(...)`` and ``score()`` do inside the worker."""


def _load_probe_files(paths: list[str]) -> dict[str, Any]:
    """The ``PROBES`` of extra probe files (used by the sandbox's own tests), merged."""
    probes: dict[str, Any] = {}
    for number, path in enumerate(paths):
        spec = importlib.util.spec_from_file_location(f"_extra_probes_{number}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the probe file {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        probes.update(module.PROBES)
    return probes

"""Running notebook cells with IPython, and telling students what went wrong (worker side).

Cells run in an ``InteractiveShell`` so magics (``%matplotlib inline``) and ``!shell``
lines work as in Jupyter; each cell runs on its own, so one that raises does not stop
the next. Code from cell 5 is compiled under the file name ``<cell 5>`` (cells are
numbered from 1 among the notebook's code cells), which is how a trimmed traceback
(``autograder.tracebacks``) names the student's cells.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from autograder.tracebacks import summary


def cell_file(index: int) -> str:
    """The file name code from the code cell at ``index`` (0-based) is compiled under."""
    return f"<cell {index + 1}>"


class _Shell(InteractiveShell):
    """An InteractiveShell for a process without a GUI or a terminal.

    IPython 9 keeps all output of a cell in memory (``_tee``); a submission that
    prints without end would grow the worker until its memory limit, so this does
    not. ``%matplotlib inline`` asks for a GUI event loop, which there is none of.
    """

    @contextmanager
    def _tee(self, channel: str):  # noqa: ANN202 (IPython's private hook)
        yield

    def enable_gui(self, gui: str | None = None) -> None:
        """No event loop to start: figures are drawn by the (non-interactive) backend."""


class CellRunner:
    """One shell; runs cells one at a time and keeps their namespace."""

    def __init__(self) -> None:
        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.colors = "nocolor"
        self._shell = _Shell.instance(config=config)
        self._name = cell_file(0)
        self._shell.compile.get_code_name = lambda raw, transformed, number: self._name

    @property
    def namespace(self) -> dict[str, Any]:
        return self._shell.user_ns

    def run(self, index: int, source: str) -> BaseException | None:
        """Run the code cell at ``index``; the exception it raised, if any."""
        self._name = cell_file(index)
        result = self._shell.run_cell(source, store_history=False)
        return result.error_before_exec or result.error_in_exec


def out_of_memory(error: BaseException) -> bool:
    """Whether the exception is an allocation failure (the memory limit was hit)."""
    return isinstance(error, MemoryError) or "can't allocate memory" in summary(error)

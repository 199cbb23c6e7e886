"""Running notebook cells with IPython, and telling students what went wrong (worker side).

Cells run in an ``InteractiveShell`` so magics (``%matplotlib inline``) and ``!shell``
lines work as in Jupyter; each cell runs on its own, so one that raises does not stop
the next. Code from cell 5 is compiled under the file name ``<cell 5>`` (cells are
numbered from 1 among the notebook's code cells), which is how a trimmed traceback
(``autograder.tracebacks``) names the student's cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from IPython.core.compilerop import CachingCompiler
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from autograder.tracebacks import summary


def cell_file(index: int) -> str:
    """The file name code from the code cell at ``index`` (0-based) is compiled under."""
    return f"<cell {index + 1}>"


class _CellCompiler(CachingCompiler):
    """Compiles the code of a cell under its cell's file name, ``<cell N>``."""

    cell_name = cell_file(0)

    def get_code_name(self, raw_code: str, transformed_code: str, number: int) -> str:
        return self.cell_name


class _Shell(InteractiveShell):
    """An InteractiveShell for a process without a GUI or a terminal.

    IPython 9 keeps all output of a cell in memory (``_tee``); a submission that
    prints without end would grow the worker until its memory limit, so this does
    not. ``%matplotlib inline`` asks for a GUI event loop, which there is none of.
    """

    compiler_class = Type(_CellCompiler)

    @contextmanager
    def _tee(self, channel: str) -> Iterator[None]:
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
        if not isinstance(self._shell.compile, _CellCompiler):
            raise RuntimeError("the shell does not compile with the cells' file names")
        self._compiler = self._shell.compile

    @property
    def namespace(self) -> dict[str, Any]:
        return self._shell.user_ns

    def run(self, index: int, source: str) -> BaseException | None:
        """Run the code cell at ``index``; the exception it raised, if any."""
        self._compiler.cell_name = cell_file(index)
        result = self._shell.run_cell(source, store_history=False)
        return result.error_before_exec or result.error_in_exec


def out_of_memory(error: BaseException) -> bool:
    """Whether the exception is an allocation failure (the memory limit was hit)."""
    return isinstance(error, MemoryError) or "can't allocate memory" in summary(error)

"""Trimming an exception's traceback to the student's own frames: the package's one trimmer.

A frame is the student's unless its file lies in the autograder package, the standard
library or the installed packages: notebook cells (``<cell 5>`` in the sandbox, the
kernel's cell files in Jupyter) and anything the student exec'd remain.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from pathlib import Path

MAX_CHARS = 4000
_FOLDERS = (Path(__file__).parent, *(Path(sysconfig.get_paths()[key]) for key in ("stdlib", "purelib", "platlib")))
_NOT_STUDENT = tuple({str(path) + os.sep for folder in _FOLDERS for path in (folder, folder.resolve())})


def summary(error: BaseException) -> str:
    """``ZeroDivisionError: division by zero``, on one line and short."""
    try:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
    except Exception:  # a submission's exception whose __str__ raises
        text = type(error).__name__
    first = text.splitlines()[-1] if text else type(error).__name__
    return first if len(first) <= 300 else first[:297] + "..."


def student_traceback(error: BaseException) -> str:
    """The exception with its traceback trimmed to the student's frames, at most ``MAX_CHARS`` long."""
    frames = [
        f"  {_place(frame.filename)}, line {frame.lineno}, in {frame.name}\n    {(frame.line or '').strip()}"
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_NOT_STUDENT)
    ]
    text = "\n".join(["Traceback (your code):", *frames, summary(error)] if frames else [summary(error)])
    return text if len(text) <= MAX_CHARS else "...\n" + text[-MAX_CHARS:]


def _place(filename: str) -> str:
    """``cell 5`` for the sandbox's ``<cell 5>``; other file names as they are."""
    return filename[1:-1] if filename.startswith("<") and filename.endswith(">") else filename

"""The Batch Normalization course's autograder.

In a notebook: ``from autograder import check, score``. Importing the package stays
light (the sandbox worker imports it too): ``check`` and ``score`` load their
machinery on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "score"]


def check(target: Any, answer: Any = None) -> None:
    """Check an answer on the quick cases: ``check(fn)`` or ``check("02.bn_forward", fn)``."""
    from autograder.inline import check as run_check

    run_check(target, answer)


def score() -> None:
    """Print the chapter's score table from the checks run in this kernel."""
    from autograder.inline import score as print_score

    print_score()

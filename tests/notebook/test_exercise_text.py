"""The 05.BatchNorm2d exercise states torch's exact strings: its extra_repr and its errors,
each produced here by torch 2.13 itself and looked up in the exercise's text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]


def task_text(exercise_id: str) -> str:
    """The markdown cell that sets the exercise: the one just before its answer cell."""
    cells = nbformat.read(ROOT / "solutions/05-train-eval.ipynb", as_version=4).cells
    [index] = [i for i, c in enumerate(cells) if c.metadata.get("exercise") == exercise_id]
    assert cells[index - 1].cell_type == "markdown"
    return " ".join(cells[index - 1].source.split())  # line breaks of the Markdown do not matter


def resized(name: str) -> nn.BatchNorm2d:
    bn = nn.BatchNorm2d(3)
    setattr(bn, name, nn.Parameter(torch.zeros(4)) if name in ("weight", "bias") else torch.zeros(4))
    return bn


# what to call on torch's module -> the error it raises, as the text must show it
PROVOKED: dict[str, Callable[[], object]] = {
    "3-D input": lambda: nn.BatchNorm2d(3)(torch.zeros(2, 3, 4)),
    "one value per channel": lambda: nn.BatchNorm2d(3)(torch.zeros(1, 3, 1, 1)),
    "eps 0 in training": lambda: nn.BatchNorm2d(3, eps=0.0)(torch.zeros(2, 3, 2, 2)),
    "eps < 0 in eval": lambda: nn.BatchNorm2d(3, eps=-1e-5).eval()(torch.zeros(2, 3, 2, 2)),
    **{
        f"{name} of 4 elements": (lambda n=name: resized(n)(torch.zeros(2, 3, 2, 2)))
        for name in ("running_mean", "running_var", "weight", "bias")
    },
}


@pytest.mark.parametrize("what", PROVOKED)
def test_the_exercise_states_each_error_exactly(what: str) -> None:
    with pytest.raises(Exception) as raised:
        PROVOKED[what]()
    stated = f'{type(raised.value).__name__}("{raised.value}")'
    assert stated in task_text("05.BatchNorm2d"), stated


@pytest.mark.parametrize("kwargs", [{}, {"affine": False}])
def test_the_exercise_states_extra_repr_exactly(kwargs: dict) -> None:
    assert f"`{nn.BatchNorm2d(3, **kwargs).extra_repr()}`" in task_text("05.BatchNorm2d")

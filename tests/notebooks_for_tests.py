"""Small notebooks for the grading front end's tests, written with nbformat."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat

SETUP = "import torch\nfrom torch import nn\nfrom autograder import check, score"

CHANNEL_MOMENTS = '''
def channel_moments(x):
    """Per-channel mean and biased variance."""
    mean = x.mean(dim=(0, 2, 3))
    var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
    return mean, var
'''

STANDARDIZE = '''
def standardize(x, eps=1e-5):
    """Normalize each channel with its batch mean and biased variance."""
    var, mean = torch.var_mean(x, dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps)
'''

BLANK_CHANNEL_MOMENTS = (
    'def channel_moments(x):\n    """Per-channel mean and biased variance."""\n    raise NotImplementedError'
)
BLANK_STANDARDIZE = 'def standardize(x, eps=1e-5):\n    """Normalize."""\n    raise NotImplementedError'

MakeNotebook = Callable[..., Path]


def write_notebook(
    path: Path, cells: list[str], chapter: str | None = "01", tags: dict[int, str] | None = None
) -> Path:
    """A notebook of code cells (``tags``: cell index -> exercise id) at ``path``."""
    notebook = nbformat.v4.new_notebook()
    if chapter:
        notebook.metadata["bn_course"] = {"chapter": chapter}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    for index, exercise_id in (tags or {}).items():
        notebook.cells[index].metadata["exercise"] = exercise_id
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path

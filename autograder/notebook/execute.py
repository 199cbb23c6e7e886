"""``python -m autograder.notebook.execute [NOTEBOOK ...]``: re-run solution notebooks and store their outputs.

The solution notebooks are stored with their outputs, which ``pytest --nbval`` compares
on every test run; after editing one, run this (``make solutions``) to refresh them.
Without arguments it executes every ``solutions/*.ipynb`` of the current folder, each in
a fresh ``python3`` kernel started in ``solutions/``, and rewrites only the notebooks
whose content changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT_SECONDS = 600


def execute(path: Path) -> bool:
    """Run every cell of ``path`` in a fresh kernel and store the outputs; whether the file changed."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    NotebookClient(
        nb,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timings differ on every run: keep the file stable
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted(Path("solutions").glob("*.ipynb"))
    for path in paths:
        print(f"{path}: {'outputs refreshed' if execute(path) else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

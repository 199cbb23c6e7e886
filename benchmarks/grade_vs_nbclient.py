"""How long grading takes: the autograder versus executing the notebook with nbclient,
and ``--jobs 2`` versus ``--jobs 1`` on 8 notebooks. A script, not a test:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/grade_vs_nbclient.py [NOTEBOOK] [--repeat 3]

NOTEBOOK defaults to solutions/01-covariate-shift.ipynb. Grading goes through the real
sandbox. Times are wall-clock seconds, the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.cli import grade_all
from autograder.grading import grade_notebook

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def execute_with_nbclient(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=ROOT / "solutions" / "01-covariate-shift.ipynb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=8)
    args = parser.parse_args()

    grade = grade_notebook(args.notebook)
    print(f"{args.notebook}: {grade.score:g} / {grade.max_score:g}")
    rows = [
        ("autograder, 1 notebook", best_of(args.repeat, lambda: grade_notebook(args.notebook))),
        ("nbclient execution, 1 notebook", best_of(args.repeat, lambda: execute_with_nbclient(args.notebook))),
    ]
    with tempfile.TemporaryDirectory() as folder:
        copies = [
            shutil.copy(args.notebook, Path(folder) / f"{args.notebook.stem}-copy{i}.ipynb") for i in range(args.copies)
        ]
        paths = [Path(p) for p in copies]
        for jobs in (1, 2):
            rows.append(
                (
                    f"autograder, {args.copies} notebooks, --jobs {jobs}",
                    best_of(args.repeat, lambda jobs=jobs: grade_all(paths, jobs=jobs)),
                )
            )
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.2f} s")


if __name__ == "__main__":
    main()

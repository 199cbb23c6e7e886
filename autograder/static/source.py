"""Reading a notebook cell as Python: parsing (IPython syntax included) and what it defines."""

from __future__ import annotations

import ast
import functools
import re

from IPython.core.inputtransformer2 import TransformerManager


@functools.lru_cache(maxsize=512)
def parse(source: str) -> ast.Module | None:
    """The cell as a Python module (``%magic`` and ``!shell`` lines become calls), or None."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def binds(source: str, name: str) -> bool:
    """Whether the cell defines ``name`` (def, class, assignment or import), anywhere in it.

    A cell that does not parse is read as text, so that a syntax error in the answer's
    own cell is reported as that cell's error rather than as a missing answer.
    """
    tree = parse(source)
    if tree is None:
        return re.search(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(name)}\b", source, re.MULTILINE) is not None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == name:
            return True
        if isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
            return True
    return False


def defining_cell(cells: list[str], name: str) -> int | None:
    """Index of the last code cell that defines ``name``, or None."""
    found = [index for index, source in enumerate(cells) if binds(source, name)]
    return found[-1] if found else None

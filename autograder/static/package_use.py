"""Finding uses of the autograder package beyond ``check`` and ``score`` in a submission's code.

An answer may take ``check`` and ``score`` from ``autograder`` and nothing else: the
package holds the grader's references, and a copy of any of it is not the student's
work. Every route to the rest is reported, with its cell and line:

- imports of a submodule, or of another name from the package
  (``from autograder.x import y``, ``import autograder.x``, ``from autograder import x``);
- attributes of the package or of ``check``/``score`` (``autograder.exercises``,
  ``check.__globals__``, ``autograder.__file__``), and the package object passed on
  (``vars(autograder)``, ``inspect.getsource(autograder)``);
- ``importlib.import_module``, ``__import__`` and their relatives with a name that
  folds to the package's modules (``"autograder." + "x"``) or cannot be read at all;
- string constants that name the package's modules or files (``sys.modules[...]``,
  ``open(".../autograder/...")``).

What the code computes at run time is watched by the worker (``autograder.sandbox``),
where the grader's side of the package cannot be imported at all.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from autograder.static.forbidden import DEFAULT_ALIASES, Names
from autograder.static.source import parse

PACKAGE = "autograder"
ALLOWED = frozenset({"check", "score"})
_IMPORTERS = frozenset(
    {
        "importlib.import_module",
        "__import__",
        "builtins.__import__",
        "importlib.__import__",
        "importlib.util.find_spec",
        "importlib.util.spec_from_file_location",
        "importlib.reload",
        "runpy.run_module",
        "runpy.run_path",
        "pkgutil.get_data",
        "pkgutil.iter_modules",
        "pkgutil.walk_packages",
        "importlib.resources.files",
    }
)
_PACKAGE_TEXT = re.compile(rf"\b{PACKAGE}(\.[A-Za-z_]|[/\\])")


def find_package_use(cells: Sequence[str]) -> list[str]:
    """Routes to the package beyond check/score in ``cells`` (an answer's cell and those before it)."""
    names = Names(dict(DEFAULT_ALIASES))
    routes: list[str] = []
    for index, source in enumerate(cells):
        tree = parse(source)
        if tree is None:
            continue  # a cell that does not parse runs nothing
        names.learn(tree)
        for line, route in _Reader(names).read(tree):
            found = f"{route} (cell {index + 1}, line {line})"
            if found not in routes:
                routes.append(found)
    return routes


def beyond_check_and_score(route: str) -> str:
    """A route as the student reads it in the feedback."""
    return f"uses the autograder package beyond check and score: {route}"


def is_package_path(path: str | None) -> bool:
    """Whether a dotted name is the package's own beyond ``autograder.check``/``autograder.score``."""
    if path is None or not (path == PACKAGE or path.startswith(PACKAGE + ".")):
        return False
    return path != PACKAGE and path.removeprefix(PACKAGE + ".") not in ALLOWED


class _Reader:
    """Walks one cell's tree and yields (line, route) for each use of the package."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.allowed_uses: set[int] = set()  # Name nodes that are the base of autograder.check/.score
        self.reported: set[int] = set()

    def read(self, tree: ast.AST) -> Iterator[tuple[int, str]]:
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ALLOWED and isinstance(node.value, ast.Name):
                if self.names.resolve(node.value) == PACKAGE:
                    self.allowed_uses.add(id(node.value))
        for node in ast.walk(tree):
            if id(node) in self.reported:
                continue
            line = getattr(node, "lineno", 0)
            route = self._route(node, docstrings)
            if route is not None:
                self._silence(node)
                yield line, route

    def _route(self, node: ast.AST, docstrings: set[int]) -> str | None:
        if isinstance(node, ast.Import):
            taken = [alias.name for alias in node.names if is_package_path(alias.name)]
            return f"import {', '.join(taken)}" if taken else None
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == PACKAGE:
                taken = [a.name for a in node.names if a.name not in ALLOWED and a.name != "*"]
                return f"from {PACKAGE} import {', '.join(taken)}" if taken else None
            if is_package_path(node.module):
                return f"from {node.module} import ..."
            return None
        if isinstance(node, ast.Call):
            path = self.names.resolve(node)  # getattr(autograder, "exercises"), importers' results
            return _written(node, path) if is_package_path(path) else self._importer(node)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            path = self.names.resolve(node)
            return _written(node, path) if is_package_path(path) else None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if self.names.resolve(node) == PACKAGE and id(node) not in self.allowed_uses:
                return f"the package object {node.id} itself"
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if _PACKAGE_TEXT.search(node.value):
                text = node.value if len(node.value) <= 60 else node.value[:57] + "..."
                return f"the string {text!r}, which names the package's modules or files"
        return None

    def _importer(self, node: ast.Call) -> str | None:
        function = self.names.resolve(node.func) or (node.func.id if isinstance(node.func, ast.Name) else None)
        if function not in _IMPORTERS or not node.args:
            return None
        name = self.names.fold(node.args[0])
        if name is None:
            return f"{function}(...) with a module name computed at run time"
        return f"{function}({name!r})" if name.startswith(PACKAGE) and is_package_path(name) else None

    def _silence(self, node: ast.AST) -> None:
        """Report a use once, at its outermost node: its parts are not uses of their own."""
        self.reported.update(id(child) for child in ast.walk(node))


def _written(node: ast.AST, path: str | None) -> str:
    """The code as written, with the name it resolves to when that differs."""
    code = ast.unparse(node)
    code = code if len(code) <= 80 else code[:77] + "..."
    return code if code == path else f"{code} ({path})"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring constants (strings are data, but a docstring is prose)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found

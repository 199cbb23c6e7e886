"""Finding forbidden APIs in a cell's code, by its syntax tree, before anything runs.

Names are resolved through imports and assignments (``from torch.nn import
functional as G; G.batch_norm``), constant strings are folded (``getattr(torch,
"batch" + "_norm")``, ``importlib.import_module("torch.nn.utils" + ".fusion")``,
``exec("F.batch_norm(x)")``), and strings, docstrings and comments are never read as
code. What is forbidden is docs/interface.md's list ("Forbidden in answers"); an
exercise's ``Allowance`` lets it mention some names without calling them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from autograder.static.allowances import Allowance, allowance
from autograder.static.source import parse

DEFAULT_ALIASES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
_NORM_OP = re.compile(r"(batch|group|layer|instance|rms)_norm")
_NORM_MODULE = re.compile(
    r"^(Lazy)?(Sync)?(BatchNorm|GroupNorm|LayerNorm|InstanceNorm)|^_(BatchNorm|NormBase|InstanceNorm)"
)
_NORM_SOURCES = frozenset({"batchnorm", "normalization", "instancenorm"})  # torch.nn.modules.<these>
_NAMESPACES = (
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.modules",
    "torch.nn.utils",
    "torch.ops",
    "torch._C",
)
_DYNAMIC_CODE = frozenset({"exec", "eval", "compile"})
_IMPORTERS = frozenset({"importlib.import_module", "__import__"})


def is_forbidden(name: str) -> bool:
    """Whether a canonical dotted name (``torch.nn.functional.batch_norm``) is forbidden."""
    parts = name.split(".")
    if parts[0] != "torch":
        return False
    return (
        any(_NORM_OP.search(part) or _NORM_MODULE.search(part) for part in parts)
        or (parts[:3] == ["torch", "nn", "functional"] and len(parts) > 3 and parts[3].endswith("_norm"))
        or (parts[:3] == ["torch", "nn", "modules"] and len(parts) > 3 and parts[3] in _NORM_SOURCES)
        or name.startswith(("torch.nn.utils.fusion", "torch._C"))
    )


def find_forbidden(source: str, exercise_id: str = "", *, prelude: Iterable[str] = ()) -> list[str]:
    """Forbidden APIs used in ``source`` (one cell), as ``"F.batch_norm at line 12"``.

    ``prelude`` is the code of the cells before it: only its imports and aliases are
    read (``F``, ``nn`` and ``torch`` have their usual meaning unless rebound).
    """
    tree = parse(source)
    if tree is None:
        return []  # the run reports the syntax error
    names = Names(dict(DEFAULT_ALIASES))
    for earlier in prelude:
        if (earlier_tree := parse(earlier)) is not None:
            names.learn(earlier_tree)
    names.learn(tree)
    return list(dict.fromkeys(_Reader(source, names, allowance(exercise_id)).read(tree)))


class Names:
    """What names stand for: torch paths bound by imports and assignments, and constant strings."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.strings: dict[str, str] = {}

    def learn(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.aliases.pop(node.name, None)  # the student's own BatchNorm2d shadows torch's
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target = node.targets[0].id
                self.aliases.pop(target, None)
                self.strings.pop(target, None)
                if (path := self.resolve(node.value)) is not None:
                    self.aliases[target] = path
                elif (text := self.fold(node.value)) is not None:
                    self.strings[target] = text

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name an expression denotes (``torch.nn.functional.batch_norm``), if known."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return base and f"{base}.{node.attr}"
        if isinstance(node, ast.Call) and node.args:
            function = self.resolve(node.func) or (node.func.id if isinstance(node.func, ast.Name) else None)
            if function == "getattr" and len(node.args) >= 2:
                base, attribute = self.resolve(node.args[0]), self.fold(node.args[1])
                return base and attribute and f"{base}.{attribute}"
            if function in _IMPORTERS:
                return self.fold(node.args[0])
            if function == "vars":
                return self.resolve(node.args[0])
        if isinstance(node, ast.Subscript):  # vars(F)["batch_norm"], F.__dict__["batch_norm"]
            base = self.resolve(node.value)
            base = base.removesuffix(".__dict__") if base else None
            key = self.fold(node.slice)
            return base and key and f"{base}.{key}"
        return None

    def fold(self, node: ast.AST) -> str | None:
        """The value of a string expression built from constants, if it is one."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.strings.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.fold(node.left), self.fold(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.JoinedStr):
            parts = [self.fold(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
            known = [p for p in parts if p is not None]
            return "".join(known) if len(known) == len(parts) else None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and len(node.args) == 1
            and isinstance(node.args[0], (ast.List, ast.Tuple))
        ):
            separator, parts = self.fold(node.func.value), [self.fold(e) for e in node.args[0].elts]
            known = [p for p in parts if p is not None]
            return separator.join(known) if separator is not None and len(known) == len(parts) else None
        return None


class _Reader:
    """Walks one cell and reports each forbidden use once, at its outermost expression."""

    def __init__(self, source: str, names: Names, allowed: Allowance) -> None:
        self.source, self.names, self.allowed = source, names, allowed
        self.used: set[int] = set()  # ids of nodes that are called or subclassed, not just mentioned

    def read(self, tree: ast.AST, line: int | None = None) -> Iterator[str]:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.used.add(id(node.func))
            elif isinstance(node, ast.ClassDef):
                self.used.update(id(base) for base in node.bases)
        yield from self._visit(tree, line)

    def _visit(self, node: ast.AST, line: int | None) -> Iterator[str]:
        at = line if line else int(getattr(node, "lineno", 0))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from self._imports(node, at)
        elif isinstance(node, ast.expr) and (route := self._route(node, at, nested=line is not None)) is not None:
            yield route
            return
        elif isinstance(node, ast.Call) and (code := self._dynamic_code(node)) is not None:
            yield from self.read(code, at)
        for name, child in ast.iter_fields(node):
            if name in ("annotation", "returns"):
                continue  # annotations name types; they never call them
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, ast.AST):
                    yield from self._visit(item, line)

    def _route(self, node: ast.expr, line: int, *, nested: bool) -> str | None:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            return None  # binding a name is not using what it will hold
        path = self.names.resolve(node)
        if path is None:
            return self._dynamic_getattr(node, line)
        if not is_forbidden(path) or (path in self.allowed.mention and id(node) not in self.used):
            return None
        written = (None if nested else ast.get_source_segment(self.source, node)) or path
        written = written if len(written) <= 80 else written[:77] + "..."
        return f"{written} at line {line}" if written == path else f"{written} ({path}) at line {line}"

    def _dynamic_getattr(self, node: ast.expr, line: int) -> str | None:
        """``getattr(F, name)`` with a name that cannot be read statically, on a torch namespace."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"):
            return None
        base = self.names.resolve(node.args[0]) if node.args else None
        if base is None or not base.startswith(_NAMESPACES) or base.count(".") > 2:
            return None
        return f"getattr({base}, <computed name>) at line {line}"

    def _imports(self, node: ast.Import | ast.ImportFrom, line: int) -> Iterator[str]:
        if isinstance(node, ast.Import):
            paths = [alias.name for alias in node.names]
        elif node.module and not node.level:
            paths = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            return
        for path in paths:
            if path.endswith(".*") and path[:-2] in _NAMESPACES[:3]:
                yield f"import * from {path[:-2]} at line {line}"
            elif is_forbidden(path) and path not in self.allowed.mention:
                yield f"import of {path} at line {line}"

    def _dynamic_code(self, node: ast.Call) -> ast.AST | None:
        """The parsed code of ``exec("...")`` / ``eval("...")`` with a constant string."""
        if not (isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC_CODE and node.args):
            return None
        text = self.names.fold(node.args[0])
        try:
            return ast.parse(text) if text is not None else None
        except SyntaxError:
            return None

"""Which student a submitted notebook belongs to, from its path.

The rule (docs/interface.md, "Student ids"): take the file name without ``.ipynb``;
remove every chapter slug (``01-covariate-shift``), the words ``exercises`` and
``chapters``, a leading chapter number (``01-``, ``01_``) and the separators (``-``,
``_``, ``.``, spaces) left at either end. What remains is the id:
``alice_01-covariate-shift.ipynb``, ``01-alice.ipynb`` and ``alice.ipynb`` all belong to
``alice``. When nothing remains (``exercises.ipynb``, ``04-ema.ipynb``), the same is done
with the name of the folder holding the file, then of its parent, and so on
(``subs/alice/exercises.ipynb`` and ``alice/chapters/04-ema/exercises.ipynb`` belong to
``alice``).

``--id-pattern REGEX`` replaces the rule: the id is the named group ``id`` of the first
match of REGEX in the path as given (``re.search``); a path it does not match falls back
to the rule, with a warning.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import PurePath

from autograder.catalog import CHAPTERS

StudentId = Callable[[str], str]  # notebook path -> student id

_SEPARATORS = "-_. "
_NOISE = re.compile(
    "|".join([*(re.escape(c.slug) for c in CHAPTERS.values()), "exercises", "chapters"]),
    re.IGNORECASE,
)
_CHAPTER_NUMBER = re.compile(rf"^(?:{'|'.join(CHAPTERS)})[{_SEPARATORS}]+")


class IdPatternError(ValueError):
    """An ``--id-pattern`` that is not a regular expression with a named group ``id``."""


def from_file_name(path: str) -> str:
    """The student id of a notebook path by the documented rule."""
    location = PurePath(path)
    stem = location.name[: -len(".ipynb")] if location.name.endswith(".ipynb") else location.stem
    for name in (stem, *(folder.name for folder in location.parents)):
        rest = _CHAPTER_NUMBER.sub("", _NOISE.sub(" ", name).strip(_SEPARATORS)).strip(_SEPARATORS)
        if rest:
            return re.sub(rf"[{_SEPARATORS}]{{2,}}", lambda m: m[0][0], rest)  # "alice_ _v2" once a slug is gone
    return stem


def id_rule(pattern: str | None) -> StudentId:
    """The rule in force: ``from_file_name``, or ``pattern``'s group ``id`` (IdPatternError when unusable)."""
    if pattern is None:
        return from_file_name
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise IdPatternError(f"--id-pattern is not a regular expression: {error}") from error
    if "id" not in compiled.groupindex:
        raise IdPatternError("--id-pattern needs a named group `id`, e.g. '(?P<id>[a-z]+)_'")

    def by_pattern(path: str) -> str:
        match = compiled.search(path)
        if match and match["id"]:
            return match["id"]
        fallback = from_file_name(path)
        print(f"warning: --id-pattern does not match {path}; its student id is {fallback!r}", file=sys.stderr)
        return fallback

    return by_pattern

"""Where the course lives: one setting, ``repository: url:`` (and ``branch:``) in ``_config.yml``.

Everything that points at the course (feedback links, the exercise notebooks' Colab and
Binder install cell, the student repository, the Gradescope upload) takes it from here.
The installed package has no ``_config.yml`` beside it (Gradescope, Colab, a student
repository), so ``python -m autograder release`` copies the setting into
``autograder/course.json``, a generated file inside the package, and ``release --check``
fails when that copy is stale. The book is assumed to be published with GitHub Pages
(``https://github.com/OWNER/REPO`` -> ``https://OWNER.github.io/REPO``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

COURSE_FILE = Path(__file__).with_name("course.json")
CONFIG_FILE = "_config.yml"
_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Course:
    repository_url: str  # "https://github.com/bn-course/batchnorm-book"
    branch: str = "main"

    @property
    def book_url(self) -> str:
        """The published book: GitHub Pages of the repository (the repository itself elsewhere)."""
        match = _GITHUB.match(self.repository_url)
        if match is None:
            return self.repository_url.rstrip("/")
        return f"https://{match['owner'].lower()}.github.io/{match['repo']}"

    @property
    def pip_url(self) -> str:
        """What ``pip install`` takes to install the package from the repository."""
        return f"git+{self.repository_url}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def current() -> Course:
    """The course this package was released for (``autograder/course.json``)."""
    return Course(**json.loads(COURSE_FILE.read_text(encoding="utf-8")))


def from_config(path: Path) -> Course:
    """The course named by a book's ``_config.yml`` (``repository: url:`` and ``branch:``)."""
    import yaml  # the book's environment has it; the grader never reads _config.yml

    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    repository = config.get("repository") or {}
    url = repository.get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise ValueError(f"{path}: `repository: url:` must be the course repository's https URL, got {url!r}")
    return Course(url.rstrip("/"), str(repository.get("branch") or "main"))


def with_repository(config_text: str, url: str) -> str:
    """``_config.yml``'s text with ``repository: url:`` set to ``url`` (the rest kept as written)."""
    pattern = re.compile(r"^(repository:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)\S.*$", re.MULTILINE)
    replaced, count = pattern.subn(lambda match: match[1] + url, config_text, count=1)
    if count != 1:
        raise ValueError("_config.yml has no `repository: url:` entry to set")
    return replaced

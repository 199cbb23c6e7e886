"""Point a chapter page's launch buttons at the chapter's exercise notebook.

sphinx-book-theme builds Binder/Colab links to the page's own source. A chapter page is
MyST Markdown, which Colab cannot open, and what a reader wants to launch from it is
the exercises: this rewrites those links on ``chapters/NN-slug/index`` to
``chapters/NN-slug/exercises.ipynb``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sphinx.application import Sphinx


def _launch_exercises(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    page = PurePosixPath(pagename)
    if page.parts[:1] != ("chapters",) or page.name != "index":
        return
    source = f"{pagename}{PurePosixPath(app.env.doc2path(pagename)).suffix}"
    target = f"{page.parent}/exercises.ipynb"
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if group.get("type") == "group" else []:
            if button.get("type") == "link" and source in button.get("url", ""):
                button["url"] = button["url"].replace(source, target)
                button["tooltip"] = f"Open this chapter's exercises on {button['text']}"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _launch_exercises, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

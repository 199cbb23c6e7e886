"""Drop repeated <script> entries from a page.

sphinx-thebe registers its inline configuration script once per read phase, and under
Jupyter Book that phase runs twice, so every page declared ``const THEBE_JS_URL`` twice
and the browser raised a SyntaxError. Identical entries are kept once.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple[str, str]:
    attributes = getattr(script, "attributes", {})
    return str(getattr(script, "filename", script) or ""), repr(sorted(attributes.items()))  # None and "" both mean inline


def _dedupe(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in context.get("script_files", []):
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"][:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

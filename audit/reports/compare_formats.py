"""The renderings ``audit compare`` writes, by format name and by output file extension."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from audit.platform_matrix import PlatformMatrix
from audit.reports.compare_html import render_html
from audit.reports.compare_text import render_console, render_json, render_markdown
from audit.reports.compare_xlsx import render_xlsx

# format -> (renderer, whether it writes bytes); a renderer writes to a text or binary stream
Renderer = Callable[[PlatformMatrix, IO[Any]], None]
RENDERERS: dict[str, tuple[Renderer, bool]] = {
    "console": (render_console, False), "json": (render_json, False),
    "markdown": (render_markdown, False), "html": (render_html, False),
    "xlsx": (render_xlsx, True)}
EXTENSIONS = {".txt": "console", ".json": "json", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".xlsx": "xlsx"}

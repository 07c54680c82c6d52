"""Evidence text made safe to print in an HTML page, shared by the report and its charts.

Its own module so that the charts (``audit.reports.html_charts``) and the page
(``audit.reports.html``) both use it without importing each other.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Embedding, override and isolate controls reorder text ("Trojan Source"); shown, not obeyed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(value: object) -> object:
    """Text safe to print: bidi controls become a visible ``[U+202E]``, other control
    characters a space. Escaping of markup is Jinja's autoescape, applied after this."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value  # Markup: built by this package from escaped (and neutralised) parts
    text = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
    return _CONTROL.sub(" ", text)

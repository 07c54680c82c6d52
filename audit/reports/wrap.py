"""Text wrapped for the terminal's tables (the console summary, ``audit diff``).

``textwrap`` takes time in the square of a word's length when it breaks a long word, and
evidence text has no length limit: a 10 MB single-word answer note in a finding took two
minutes to print. What a terminal table shows of one text is capped first, so wrapping costs
at most a few milliseconds whatever the evidence holds; JSON, Markdown and the workbook keep
the text (the workbook up to a cell's limit).
"""

from __future__ import annotations

import textwrap

WRAP_CAP = 4000  # characters of one text a terminal table shows


def fill(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` columns, cut (and marked) after ``WRAP_CAP`` characters."""
    if len(text) > WRAP_CAP:
        text = text[:WRAP_CAP] + " […]"
    return textwrap.fill(text, width)

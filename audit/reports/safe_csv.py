"""The one CSV writer for every CSV the tool writes (the gap workbook's full offending lists,
the HTML report's event lists).

Event values come from the platform's logs, so they are hostile text: a cell starting with
``=``, ``+``, ``-`` or ``@`` is a formula to Excel and LibreOffice, and so is one starting with
a TAB or a carriage return once the spreadsheet trims it. Following OWASP's guidance on CSV
injection, such a text cell is written with a leading apostrophe, which spreadsheets show as
text and never evaluate. Numbers are written as numbers (``-5`` stays a number); only text is
changed, and only its first character decides.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: characters to defuse


def neutral(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet will not evaluate; anything but text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(stream: IO[str], header: Sequence[str],
               rows: Iterable[Sequence[object]]) -> None:
    """``header`` then ``rows`` as RFC 4180 CSV, every text cell neutralised; streamed, never
    held in memory. ``None`` is an empty cell."""
    out = csv.writer(stream)
    out.writerow([neutral(name) for name in header])
    for row in rows:
        out.writerow([neutral(value) for value in row])

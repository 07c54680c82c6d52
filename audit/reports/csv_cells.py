"""CSV that a spreadsheet opens as data: every text cell neutralised against formula
injection. One small function, so the project's CSV writers share one rule.

A spreadsheet reads a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP, "CSV injection"); evidence text, platform names and finding
sentences come from other hands, so such a cell is prefixed with an apostrophe, which
spreadsheets show as text and programs can strip. Numbers are written as numbers (a negative
number is not text and is left alone).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` as a CSV cell: text a spreadsheet would run as a formula gets a leading
    ``'``; None is an empty cell; numbers and booleans stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """RFC 4180 CSV (comma, double quotes, CRLF line ends), every cell neutralised."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])

"""Reading what people typed into workbooks we wrote (gap workbook, template): by header, never
by position, with errors that name the sheet and cell.

Workbooks are opened read-only through openpyxl after the same container checks (size, zip
ratio) as evidence workbooks, and headers are matched case-insensitively against the English
label and its translation, so a workbook re-saved by Excel or LibreOffice, or with its columns
moved, still reads back.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.errors import EvidenceError, Problem
from audit.evidence.xlsx_guard import check_container
from audit.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook


def open_workbook(path: Path, display: str | None = None,
                  sheets: tuple[str, ...] = ()) -> Workbook:
    """Open ``path`` read-only (values, not formulas) after the evidence workbooks' container
    and size checks on ``sheets``; a bad file is one clear error."""
    import openpyxl

    name = display or str(path)
    if not path.is_file():
        raise EvidenceError(problems=[Problem(name, "", "no such file")])
    check_container(path, name, sheets)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise EvidenceError(problems=[Problem(name, "", f"not a readable .xlsx workbook "
                                                        f"({type(exc).__name__})")]) from None


@contextmanager
def cells_as_read() -> Iterator[None]:
    """Read cells without openpyxl's Python warnings on standard error.

    openpyxl warns when a date cell's serial number lies outside the dates a spreadsheet
    holds, and reads that cell as the error value ``#VALUE!``. A cell the tool reads then
    fails its own check, one line naming the sheet and cell; a cell it does not read is
    nobody's concern. The warning itself, two lines naming openpyxl's source file, would only
    be noise beside those."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Cell \S+ is marked as a date",
                                category=UserWarning)
        yield


_BIDI_MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def text(value: object) -> str | None:
    """A cell as trimmed text (``None`` when blank; 3.0 read back as ``3``)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # the isolates a right-to-left gap workbook puts around left-to-right runs are display
    # marks, not part of an id or a name (audit/reports/bidi.py)
    out = _BIDI_MARKS.sub("", str(value)).strip()
    return out or None


def date_value(value: object) -> dt.date | None | str:
    """A date, ``None`` when blank, or the message saying what was wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return f"expected a date YYYY-MM-DD, got {str(value)!r}"


def cell_name(column: int, row: int) -> str:
    """0-based column and 1-based row -> ``M5``."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row}"


def labels(*english: str) -> set[str]:
    """Header spellings accepted for a column: each English label and its translation."""
    return {s.lower() for e in english for s in (e, _(e))}


def find_header(rows: list[tuple[Any, ...]], required: dict[str, set[str]],
                optional: dict[str, set[str]]) -> tuple[int, dict[str, int]] | None:
    """The first of the top rows holding every required header: (row index, name -> column)."""
    for index, row in enumerate(rows[:10]):
        cells = {(text(v) or "").lower(): i for i, v in enumerate(row)}
        found = {}
        for key, spellings in {**required, **optional}.items():
            hit = next((cells[s] for s in spellings if s in cells), None)
            if hit is not None:
                found[key] = hit
        if all(k in found for k in required):
            return index, found
    return None


def sheet_rows(wb: Workbook, name: str) -> list[tuple[Any, ...]] | None:
    """Every row of sheet ``name`` as values, or ``None`` when the workbook lacks it."""
    if name not in wb.sheetnames:
        return None
    with cells_as_read():
        return [tuple(row) for row in wb[name].iter_rows(values_only=True)]


def records(rows: list[tuple[Any, ...]], header_row: int,
            columns: dict[str, int]) -> Iterator[tuple[int, dict[str, tuple[Any, str]]]]:
    """Each non-blank row under the header: (1-based row, {name: (value, cell)})."""
    for offset, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        values = {k: (row[c] if c < len(row) else None, cell_name(c, offset))
                  for k, c in columns.items()}
        if any(text(v) for v, _cell in values.values()):
            yield offset, values

"""What the gap workbook's long sheets send to paper, and the values its formulas carry.

Gaps and Requirements hold more columns than an A4 page can show at a legible size: the
columns a reader needs on paper come first and the print area covers only them, so LibreOffice
and Excel fit that block to the page width at about three quarters of full size instead of
shrinking every column to a third (docs/gap-workbook.md, "Printing").

openpyxl writes a formula with an empty value, which readers that do not recalculate (pandas,
``openpyxl`` with ``data_only``, file previewers) show as a blank. :func:`store_values` writes
each formula's computed value into the saved sheet XML as the cached ``<v>`` a spreadsheet
application would have left there; Excel and LibreOffice still recalculate on opening.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook

    from audit.reports.xlsx_style import Sheet


@dataclass(frozen=True)
class Computed:
    """A formula the tool composed and the value it computes (a number, or a text such as
    "n/a"), stored with it by :func:`store_values`."""

    expression: str
    value: float | int | str


def print_columns(ws: Sheet, columns: int, last_row: int) -> None:
    """Print only the first ``columns`` columns of ``ws`` (rows 1 to ``last_row``)."""
    from openpyxl.utils import get_column_letter

    ws.print_area = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


# one formula cell as openpyxl writes it: <c r="B32" s="14"><f>...</f><v /></c>
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v\s*/>(</c>)')


def saved(wb: Workbook) -> bytes:
    """``wb`` as openpyxl's save writes it, but with its parts stored, not deflated.

    :func:`store_values` reads every part and writes it again, deflated: openpyxl's own save
    would deflate a 100,000-row detail sheet once for it to be inflated and deflated again,
    0.5 CPU s of a 6 s write (benchmarks/results.md). openpyxl's ``save_workbook`` is this
    writer over a deflating archive; its modification time is set as it sets it."""
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    return buffer.getvalue()


def store_values(data: bytes, sheet_title: str, values: Mapping[str, object]) -> bytes:
    """The saved workbook ``data`` (:func:`saved`) with its parts deflated and ``values``
    (cell reference -> number, text or None) stored as the cached results of the formulas
    in sheet ``sheet_title``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(source, sheet_title)
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == part:
                body = _FORMULA_CELL.sub(lambda m: _cached(m, values), body)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, body)
    return out.getvalue()


def _cached(match: re.Match[bytes], values: Mapping[str, object]) -> bytes:
    ref = match.group(1).decode()
    if ref not in values or values[ref] is None:
        return match.group(0)
    value = values[ref]
    attributes = match.group(2)
    if isinstance(value, bool):
        kind, text = b' t="b"', b"1" if value else b"0"
    elif isinstance(value, (int, float)):
        kind, text = b"", repr(float(value) if isinstance(value, float) else value).encode()
    else:  # a formula's text result ("n/a")
        kind, text = b' t="str"', html.escape(str(value), quote=False).encode()
    return (b'<c r="' + match.group(1) + b'"' + attributes + kind + b"><f>" + match.group(3)
            + b"</f><v>" + text + b"</v>" + match.group(4))


def _sheet_part(book: zipfile.ZipFile, title: str) -> str:
    """The zip member holding the sheet named ``title`` (through workbook.xml and its rels)."""
    workbook = book.read("xl/workbook.xml").decode()
    rels = book.read("xl/_rels/workbook.xml.rels").decode()
    for name, rel in re.findall(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', workbook):
        if _unescape(name) == title:
            target = re.search(r'<Relationship [^>]*?Id="' + re.escape(rel)
                               + r'"[^>]*?Target="([^"]*)"', rels)
            if target is None:
                target = re.search(r'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="'
                                   + re.escape(rel) + '"', rels)
            if target is not None:
                path = target.group(1)
                return path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
    raise KeyError(title)


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))

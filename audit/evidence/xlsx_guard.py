"""Checks on a workbook's zip container before openpyxl parses anything: untrusted input.

Size, member count, inflated size and compression ratio (zip bombs) come first; then every
sheet the loader reads must have its part in the zip, and its ``<dimension>`` must not declare
more rows, columns or cells than the limits (openpyxl sizes rows by it). The numbers are in
:mod:`audit.limits`; the names below are module attributes so tests can lower them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from audit import limits
from audit.errors import EvidenceError, Problem

MAX_FILE_BYTES = limits.MAX_WORKBOOK_BYTES  # the workbook on disk
MAX_MEMBERS = limits.MAX_WORKBOOK_MEMBERS  # files inside the zip container
MAX_UNCOMPRESSED_BYTES = limits.MAX_WORKBOOK_UNCOMPRESSED  # all members, once inflated
MAX_RATIO = limits.MAX_COMPRESSION_RATIO  # uncompressed / compressed, above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024  # small members may compress very well without harm
DIMENSION_RE = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Z]+)?([0-9]+)?(?::([A-Z]+)([0-9]+))?")


def check_container(path: Path, display: str, sheets: tuple[str, ...] = ()) -> None:
    """Refuse oversized files and zip bombs before any XML is parsed (one-line errors), then
    check the ``sheets`` the caller will read (:func:`check_sheets`)."""

    def fail(message: str) -> EvidenceError:
        return EvidenceError(problems=[Problem(display, "", message)])

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise fail(f"workbook is {size / 1048576:.1f} MB; the limit is "
                   f"{MAX_FILE_BYTES // 1048576} MB")
    if not zipfile.is_zipfile(path):
        raise fail("not an .xlsx workbook (the file is not a zip container); save it from "
                   "Excel or LibreOffice as .xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail(f"not a readable .xlsx workbook ({exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise fail(f"workbook container holds {len(infos)} files; the limit is {MAX_MEMBERS}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise fail(f"workbook inflates to {total / 1048576:.0f} MB; the limit is "
                   f"{MAX_UNCOMPRESSED_BYTES // 1048576} MB (possible zip bomb)")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise fail(f"member {info.filename} compresses {info.file_size // max(info.compress_size, 1)}:1; "
                       f"the limit is {MAX_RATIO}:1 (possible zip bomb)")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise fail("not an .xlsx workbook (a zip file without a spreadsheet inside)")
    check_sheets(path, display, sheets)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its part, from xl/workbook.xml and its relationships."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts = {}
    for sheet in workbook.iter(f"{ns_main}sheet"):
        parts[sheet.get("name", "")] = targets.get(sheet.get(f"{ns_rel}id"), "")
    return parts


def check_sheets(path: Path, display: str, sheets: tuple[str, ...]) -> None:
    """Every sheet the workbook lists has its part, and no sheet declares more rows, columns or
    cells than the limits (its ``<dimension>``), before openpyxl allocates anything for it."""

    def fail(place: str, message: str) -> EvidenceError:
        return EvidenceError(problems=[Problem(display, place, message)])

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            parts = sheet_parts(zf)
            for sheet, part in parts.items():
                if sheet not in sheets:
                    continue
                if part not in names:
                    raise fail(sheet, f"the sheet's part {part or '(unnamed)'} is missing from "
                                      "the workbook (damaged file?); save it again from the "
                                      "spreadsheet program")
                with zf.open(part) as fh:
                    head = fh.read(65536)  # <dimension> precedes the cells
                m = DIMENSION_RE.search(head)
                if m and m.group(3):
                    cols = _column_number(m.group(3).decode()) - _column_number(
                        (m.group(1) or b"A").decode()) + 1
                    rows = int(m.group(4)) - int(m.group(2) or 1) + 1
                    dim = m.group(0).split(b"ref=", 1)[1][1:].decode()
                    if cols > limits.MAX_SHEET_COLUMNS or rows > limits.MAX_SHEET_ROWS or \
                            cols * rows > limits.MAX_SHEET_CELLS:
                        raise fail(f"{sheet}!{dim}", f"the sheet declares {rows:,} rows x {cols:,} "
                                   f"columns; the limits are {limits.MAX_SHEET_ROWS:,} rows, "
                                   f"{limits.MAX_SHEET_COLUMNS} columns and "
                                   f"{limits.MAX_SHEET_CELLS:,} cells")
    except EvidenceError:
        raise
    except Exception as exc:  # malformed XML, missing workbook.xml: not a workbook we can read
        raise fail("", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None

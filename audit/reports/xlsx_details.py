"""The gap workbook's per-rule detail sheets: offending events, worst first.

The events are those the log's one pass listed (``Assessment.detail_rows``: read back from
the run's temporary space, never from the log again; a rule whose rows were not listed has
them streamed by its own query). A sheet holds at most ``cap`` rows (a spreadsheet is for
reading, not for a million rows); when a rule has more offending events, the full list is
written beside the workbook as CSV (through the neutralising CSV writer,
``audit.reports.safe_csv``), and the sheet names that file. Rows are appended as plain
values, only text a spreadsheet could read as a formula, that holds XML-illegal characters or
that breaks lines (a wrapping cell, its row as tall as its lines) goes through
:func:`audit.reports.xlsx_style.cell` (two searches over a block of 2,048 rows' texts
decide, the block's rows value by value when one finds something), so writing 100k rows
costs about what raw openpyxl write-only costs for the same cells (benchmarks/results.md).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from audit.assessment import Assessment
from audit.i18n import _, format_number
from audit.labels import detail_column_label, detail_status_label
from audit.reports.base import Render
from audit.reports.safe_csv import write_rows
from audit.reports.safe_csv import FORMULA_STARTS
from audit.reports.xlsx_style import MAX_TEXT, Style, cell, shown_text

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.styles import Alignment, Font

    from audit.reports.xlsx_style import Sheet

DETAIL_CAP = 5000  # offending events per detail sheet; the sheet states the cap and the total


OFFENDING_CSV = ".offending.csv"  # how every full offending list beside a workbook ends


def sidecar_path(output: Path | None, requirement: str) -> Path | None:
    """``gaps.xlsx`` + ``iq.telegram-2023:leak-takedown`` -> ``gaps.leak-takedown.offending.csv``."""
    if output is None:
        return None
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", requirement.split(":")[-1]) or "details"
    return output.with_name(f"{output.stem}.{name}{OFFENDING_CSV}")


def sidecars(a: Assessment, output: Path, cap: int) -> list[tuple[Path, Render]]:
    """The full offending list of each rule whose events overflow its sheet, as CSV files
    beside the workbook: staged and renamed with it (``audit.reports.base.write_report``)."""
    out: list[tuple[Path, Render]] = []
    for full_id, query in a.details.items():
        path = sidecar_path(output, full_id)
        if path is not None and a.detail_count(full_id) > cap:
            out.append((path, functools.partial(_full_list, a, full_id, query.columns)))
    return out


def _full_list(a: Assessment, full_id: str, columns: Sequence[str], stream: IO[Any]) -> None:
    write_rows(stream, columns, a.detail_rows(full_id))


# text a cell cannot hold as it is: a formula's first character (audit.reports.safe_csv) or a
# character XML 1.0 forbids (openpyxl's ILLEGAL_CHARACTERS_RE), in one expression
_UNSAFE = re.compile("^[" + re.escape("".join(FORMULA_STARTS)) + r"]|[\000-\010\013\014\016-\037]")
# a line break: a spreadsheet shows such a text's last line only, unless its cell wraps and
# its row is as tall as its lines (an id "R1", line break, "=2" would read "=2")
_BREAK = re.compile(r"[\n\r]")
# the same tests over a block of texts, each after a tab, as two searches: the XML-illegal
# characters and line breaks, and a formula character (a tab among them) at a text's start.
# A tab inside a text can only send its block the careful way, never let one through; an
# ASCII separator keeps an ASCII block's joined text one byte a character (the searches on
# a wider string take half as long again).
_SEPARATOR = "\t"
_ILLEGAL_OR_BREAK = re.compile(r"[\000-\010\012-\037]")
_TEXT_STARTS = re.compile(_SEPARATOR + "[" + re.escape("".join(FORMULA_STARTS)) + "]")
_MAX_TEXT = MAX_TEXT  # characters in one cell (Excel's limit)
_BLOCK = 2048  # rows whose texts one regular expression search tests together
_AS_IS = {str, int, float, type(None)}  # what openpyxl write-only takes without a cell of ours
Fit = Callable[[int, Sequence[object]], None]  # (the row's place from 0, its values)


@functools.cache
def _wrapping() -> Alignment:
    """How a text with a line break is aligned (openpyxl imported when a workbook is written;
    one alignment for every such cell)."""
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def _plain(values: Iterable[object], ws: Sheet, font: Font, rtl: bool = False) -> list[Any]:
    """Values as openpyxl write-only takes them; unsafe text as explicit string cells, text
    with a line break as a wrapping one."""
    out: list[Any] = []
    for v in values:
        if isinstance(v, str):
            broken = _BREAK.search(v) is not None
            if broken or len(v) > _MAX_TEXT or _UNSAFE.search(v):
                c = cell(ws, v, font)
                if broken:
                    c.alignment = _wrapping()
                out.append(c)
            else:
                out.append(shown_text(v) if rtl else v)
        elif v is None or isinstance(v, (int, float)):
            out.append(v)
        else:
            out.append(cell(ws, v, font))
    return out


def _careful_block(texts: list[str]) -> bool:
    """Whether any of a block's texts must go value by value (over-long, XML-illegal, a line
    break, a formula's first character)."""
    if not texts:
        return False
    if max(map(len, texts)) > _MAX_TEXT:
        return True
    joined = _SEPARATOR + _SEPARATOR.join(texts)
    return bool(_ILLEGAL_OR_BREAK.search(joined) or _TEXT_STARTS.search(joined))


def _plain_rows(rows: Iterable[Sequence[object]], ws: Sheet, font: Font,
                rtl: bool = False, fit: Fit | None = None) -> Iterator[Sequence[object]]:
    """``rows`` as :func:`_plain` makes them, a block at a time: a block whose values are all
    text, numbers or empty, and whose texts pass two searches together, is appended as it
    came (the usual case: two searches per 2,048 rows, not one per text, about a third of
    the write's own cost at 100,000 rows). Right-to-left text is isolated value by value.
    ``fit`` is called before a row holding text with a line break is given (so its height
    can be stored before it is appended)."""
    it = iter(rows)
    at = 0
    while block := list(itertools.islice(it, _BLOCK)):
        values = [v for row in block for v in row]
        if rtl or not set(map(type, values)) <= _AS_IS \
                or _careful_block([v for v in values if type(v) is str]):
            for offset, row in enumerate(block, start=at):
                if fit is not None and any(isinstance(v, str) and _BREAK.search(v)
                                           for v in row):
                    fit(offset, row)
                yield _plain(row, ws, font, rtl)
        else:
            yield from block
        at += len(block)


def _title_row(ws: Sheet, st: Style, row_index: int, text: str, font: Font,
               widths: list[float]) -> None:
    """A full-width line above the table: merged across the used columns, wrapped and as tall
    as its text needs, so it is neither cut at the page edge nor overprinted."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    c = cell(ws, text, font)
    c.alignment = Alignment(wrap_text=True, vertical="top",
                            horizontal="right" if st.rtl else "left",
                            readingOrder=2 if st.rtl else 1)
    st.fit_row(ws, row_index, [text], [0], widths=[sum(widths)])
    ws.append([c])
    if len(widths) > 1:
        ws.merged_cells.add(f"A{row_index}:{get_column_letter(len(widths))}{row_index}")


_ID_WIDTH = 38  # the event's id, first: a UUID (36 characters) is shown whole, on paper too
_TIME_WIDTH = 26  # an instant as ISO 8601 with its offset (25 characters)
_NARROW = {"hours_taken": 13, "problem": 13, "row": 8}


def _width(index: int, column: str) -> float:
    """A detail column's width. The cells are not wrapped (write-only speed): a column too
    narrow for its values cuts them on screen and on paper."""
    if column in _NARROW:
        return _NARROW[column]
    return _ID_WIDTH if index == 0 else _TIME_WIDTH


def detail_sheets(a: Assessment, new_sheet: Callable[[str], Sheet], style: Style,
                  letter: Callable[[int], str], cap: int = DETAIL_CAP,
                  output: Path | None = None) -> dict[str, str]:
    """One sheet per rule with offending events; returns requirement id -> sheet title.

    Titles, the cap line, headers and the problem words are in the report language; the
    event values themselves are appended as they come from DuckDB (write-only speed)."""
    st = style
    titles: dict[str, str] = {}
    by_id = {r.requirement.full_id: r for r in a.results}
    for full_id, query in a.details.items():
        r = by_id.get(full_id)
        name = r.requirement.id if r is not None else full_id.split(":")[-1]
        ws = new_sheet(f"D {name}")
        titles[full_id] = ws.title
        total = a.detail_count(full_id)
        shown = min(total, cap)
        headers = [detail_column_label(c) for c in query.columns]
        widths = [_width(i, c) for i, c in enumerate(query.columns)]
        st.setup(ws, widths, freeze="A4", headers=headers)
        ws.print_title_rows = "3:3"  # the column names on every printed page
        widths = st.widths
        what = r.requirement.title if r is not None else name
        _title_row(ws, st, 1, _("{title} ({id}): events handled late or not at all (log {log}), "
                                "worst first", title=what, id=full_id, log=query.log),
                   st.bold, widths)
        counts = {"shown": format_number(shown), "total": format_number(total),
                  "cap": format_number(cap)}
        if total > cap:
            side = sidecar_path(output, full_id)
            if side is not None:  # written beside the workbook by sidecars()
                note = _("{shown} of {total} offending events shown; the sheet is capped at "
                         "{cap} rows; the full list is in {file}, beside this workbook.",
                         file=side.name, **counts)
            else:
                note = _("{shown} of {total} offending events shown; the sheet is capped at "
                         "{cap} rows; the rest are in the {log} log (see the Evidence sheet).",
                         log=query.log, **counts)
        else:
            note = _("{shown} of {total} offending events shown; the sheet is capped at "
                     "{cap} rows.", **counts)
        _title_row(ws, st, 2, note, st.font, widths)
        st.fit_row(ws, 3, headers, range(len(headers)))
        ws.append(st.header(ws, headers))
        problem = query.columns.index("problem") if "problem" in query.columns else -1
        words: dict[object, object] = {v: detail_status_label(v) for v in ("late", "not handled")}
        rows: Iterable[Sequence[object]] = a.detail_rows(full_id, limit=cap)
        if problem >= 0:
            rows = ((*row[:problem], words.get(row[problem], row[problem]), *row[problem + 1:])
                    for row in rows)

        def fit(offset: int, values: Sequence[object], ws: Sheet = ws) -> None:
            shown = [v if isinstance(v, str) else "" for v in values]
            st.fit_row(ws, offset + 4, shown, range(len(shown)))

        n = 0
        for row in _plain_rows(rows, ws, st.font, st.rtl, fit):
            ws.append(row)
            n += 1
        if n:
            ws.auto_filter.ref = f"A3:{letter(len(query.columns))}{n + 3}"
    return titles

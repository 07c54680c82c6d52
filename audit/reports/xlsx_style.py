"""Cells, styles and sheet set-up shared by the gap workbook and the evidence template.

Every cell the project writes goes through :func:`cell` (or :func:`formula`, for the few
formulas the tool itself composes), so text from evidence or checklists can never become a
formula, a hyperlink or invalid XML: strings are written as explicit string cells (never
``<f>``), and those a spreadsheet would read as a formula when edited (leading ``=``, ``+``,
``-``, ``@``, tab, CR) also carry the quote-prefix flag Excel and LibreOffice show as a
leading apostrophe.

openpyxl is imported inside the functions that build cells and styles, so that importing this
module (and the report modules that use it) stays light: ``audit --help`` loads no workbook
library.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from audit.i18n import _
from audit.labels import status_label
from audit.reports.safe_csv import FORMULA_STARTS
from audit.reports.bidi import isolate_cell_text

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

    from typing import TypeAlias

    # openpyxl publishes no type hints (mypy sees Any), but the names say what is passed
    Sheet: TypeAlias = "Worksheet | WriteOnlyWorksheet"

MAX_TEXT = 32767  # Excel's limit on the characters of one cell
MAX_WIDTH = 60
MIN_WIDTH = 6

LATIN_FONT = "Calibri"
ARABIC_FONT = "Arial"  # ships with Excel everywhere and shapes Arabic; LibreOffice maps it

STATUS_FILLS = {  # one palette for every sheet: status -> background colour
    "met": "C6EFCE",
    "partial": "FFEB9C",
    "not_met": "FFC7CE",
    "no_evidence": "F4B084",
    "manual_review": "BDD7EE",
    "not_applicable": "EDEDED",
    "waived": "D9D2E9",
}
HEADER_FILL = "1F4E78"
THIN_COLOUR = "BFBFBF"  # the grid of every table


class Style:
    """One workbook's fonts and alignment: Latin, or Arabic-capable and right-to-left."""

    def __init__(self, rtl: bool = False) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.rtl = rtl
        name = ARABIC_FONT if rtl else LATIN_FONT
        self.font = Font(name=name, size=10)
        self.bold = Font(name=name, size=10, bold=True)
        self.title = Font(name=name, size=14, bold=True)
        self.header_font = Font(name=name, size=10, bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top",
                              horizontal="right" if rtl else "left",
                              readingOrder=2 if rtl else 1)
        self.plain = Alignment(vertical="top", readingOrder=2 if rtl else 1)
        # values beside their label (a date, a version): aligned with the text, not as numbers
        self.text = Alignment(vertical="top", horizontal="right" if rtl else "left",
                              readingOrder=2 if rtl else 1)
        thin = Side(style="thin", color=THIN_COLOUR)
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.unlocked = Protection(locked=False)

    def setup(self, ws: Sheet, widths: Sequence[float] | None = None,
              freeze: str | None = "A2", headers: Sequence[str] = ()) -> None:
        """Sheet view and column widths; in write-only mode call before the first row.
        With ``headers``, a column is widened until the longest word of its header fits
        (header cells wrap between words; a word broken across lines reads as two)."""
        from openpyxl.utils import get_column_letter

        ws.sheet_view.rightToLeft = self.rtl
        if freeze:
            ws.freeze_panes = freeze
        self.widths = header_widths(list(widths or ()), headers)
        for i, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def fit_row(self, ws: Sheet, row_index: int, values: Sequence[Any], wrap: Iterable[int],
                widths: Sequence[float] | None = None, font_size: float = 10) -> None:
        """Store the height row ``row_index`` needs for its wrapped cells (call before the row
        is appended: write-only sheets write a row's height with the row). Without a stored
        height, spreadsheets show one line and wrapped text overprints the next row."""
        widths = list(widths if widths is not None else self.widths)
        lines = 1
        for i in wrap:
            if i < len(values) and i < len(widths) and isinstance(values[i], str):
                lines = max(lines, wrapped_lines(values[i], widths[i]))
        if lines > 1:
            ws.row_dimensions[row_index].height = row_height(lines, font_size)

    def print_setup(self, ws: Sheet, header_rows: str | None, right: str, left: str,
                    landscape: bool = True) -> None:
        """Landscape, one page wide, header rows repeated, a header naming the platform and
        the as-of date and a 'page x of y' footer (in the report language)."""
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = 9  # A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.25
        ws.print_options.horizontalCentered = False
        if header_rows:
            ws.print_title_rows = header_rows
        font = "Arial,Regular" if self.rtl else "Calibri,Regular"
        ws.oddHeader.left.text = _header_text(left)
        ws.oddHeader.left.size = 8
        ws.oddHeader.left.font = font
        ws.oddHeader.right.text = _header_text(right)
        ws.oddHeader.right.size = 8
        ws.oddHeader.right.font = font
        ws.oddFooter.center.text = _("Page {page} of {pages}", page="&P", pages="&N")
        ws.oddFooter.center.size = 8
        ws.oddFooter.center.font = font

    def header(self, ws: Sheet, names: Iterable[str]) -> list[Cell]:
        from openpyxl.styles import Alignment

        out = []
        for name in names:
            c = cell(ws, name, font=self.header_font)
            c.fill = self.header_fill
            c.alignment = Alignment(wrap_text=True, vertical="center",
                                    readingOrder=2 if self.rtl else 1)
            c.border = self.border
            out.append(c)
        return out

    def row(self, ws: Sheet, values: Iterable[object], wrap: Iterable[int] = (),
            number_formats: dict[int, str] | None = None) -> list[Cell]:
        from openpyxl.cell.cell import Cell

        wrap = set(wrap)
        out = []
        for i, value in enumerate(values):
            c = value if isinstance(value, Cell) else cell(ws, value, font=self.font)
            c.alignment = self.wrap if i in wrap else self.plain
            c.border = self.border
            if number_formats and i in number_formats:
                c.number_format = number_formats[i]
            out.append(c)
        return out


LINE_POINTS = 12.9  # height of one line of 10 pt text, as Excel and LibreOffice lay it out
# Share of a column's width (in '0' characters of the default font) that average running text
# fills: proportional fonts fit more than one character per '0' width, but the fonts that
# replace Calibri and Arial where they are missing (DejaVu Sans on Linux) are wider, so the
# estimate errs towards taller rows.
CHARS_PER_WIDTH = 1.15


def header_widths(widths: list[float], headers: Sequence[str]) -> list[float]:
    """``widths`` widened so each header's longest word fits on one line in bold."""
    out = list(widths)
    for i, name in enumerate(headers):
        longest = max((len(w) for w in str(name).split()), default=0)
        if i < len(out):
            out[i] = max(out[i], round(longest * 1.2 + 2, 1))
    return out


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when word-wrapped in a column ``width`` characters wide.

    Only the text a cell can hold is measured (``MAX_TEXT`` characters, see :func:`clean_text`):
    wrapping one long word costs time in the square of its length, so a 10 MB answer would
    take minutes; capped, the worst case is a few milliseconds."""
    per_line = max(4, int((width - 1.5) * CHARS_PER_WIDTH))
    total = 0
    for paragraph in text[:MAX_TEXT].splitlines() or [""]:
        total += max(1, len(textwrap.wrap(paragraph, per_line, break_long_words=True,
                                          break_on_hyphens=False)))
    return total


def row_height(lines: int, font_size: float = 10) -> float:
    """Points a row needs to show ``lines`` lines of text at ``font_size``."""
    return round(lines * LINE_POINTS * font_size / 10 + 3, 1)


def _header_text(text: str) -> str:
    # '&' starts a header/footer code; a literal one is written '&&'
    return clean_text(text).replace("&", "&&")[:120]


def clean_text(value: str) -> str:
    """Text a cell can hold: no XML-illegal control characters, within Excel's length."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT - 1] + "…"
    return value


def shown_text(text: str) -> str:
    """``text`` (already :func:`clean_text`) as a cell holds it: with its left-to-right runs
    isolated in a right-to-left workbook, and still within Excel's length once the isolating
    marks are counted (they are characters of the cell too: 32,767 characters of text and two
    marks would make a cell Excel repairs). Cut by what the marks add, then isolated again."""
    shown = isolate_cell_text(text)
    while len(shown) > MAX_TEXT:
        text = text[:max(len(text) - (len(shown) - MAX_TEXT) - 1, 0)] + "…"
        shown = isolate_cell_text(text)
    return shown


def cell(ws: Sheet, value: object, font: Font | None = None) -> Cell:
    """The one way to put a value in a cell.

    Strings are always string cells (``data_type 's'``, written as an inline string, never a
    formula), whatever their first character; a string starting with a formula trigger also
    gets the quote prefix, so a user editing the cell in Excel or LibreOffice does not turn it
    into a formula either. The text itself is kept as it is (minus XML-illegal characters).
    Timezone-aware datetimes become ISO 8601 text (a spreadsheet cannot hold an offset).
    """
    from openpyxl.cell.cell import Cell

    c = Cell(ws, row=1, column=1)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.isoformat()
    if isinstance(value, str):
        text = clean_text(value)
        # bypass type inference, which reads a leading '=' as a formula; in a right-to-left
        # workbook, left-to-right runs isolated (audit.reports.bidi)
        c._value = shown_text(text)
        c.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            c.quotePrefix = True
    elif value is None or isinstance(value, (bool, int, float, dt.date, dt.datetime, dt.time)):
        c.value = value
    else:  # anything else (lists, mappings, decimals) is shown as text, never evaluated
        return cell(ws, str(value), font)
    if font is not None:
        c.font = font
    return c


def formula(ws: Sheet, expression: str, font: Font | None = None) -> Cell:
    """A formula the tool composed itself (never from evidence or checklist text)."""
    if not expression.startswith("="):
        raise ValueError("a formula starts with '='")
    from openpyxl.cell.cell import Cell

    c = Cell(ws, row=1, column=1)
    c.value = expression
    if font is not None:
        c.font = font
    return c


def fit_widths(rows: Iterable[Sequence[Any]], minimum: float = MIN_WIDTH,
               maximum: float = MAX_WIDTH) -> list[float]:
    """Column widths that fit the longest line of each column, capped (wrapped beyond)."""
    widths: list[float] = []
    for row in rows:
        for i, value in enumerate(row):
            if value is None:
                n = 0
            elif isinstance(value, float):
                n = 10
            elif isinstance(value, (dt.date, dt.datetime)):
                n = 19 if isinstance(value, dt.datetime) else 10
            else:
                n = max((len(line) for line in str(value).splitlines()), default=0)
            if i >= len(widths):
                widths.append(minimum)
            widths[i] = min(maximum, max(widths[i], n * 1.1 + 2))
    return widths


def status_formatting(ws: Sheet, column: str, first_row: int, last_row: int,
                      last_column: str) -> None:
    """Colour each row by the status label in ``column`` (conditional, so it follows edits)."""
    if last_row < first_row:
        return
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    area = f"A{first_row}:{last_column}{last_row}"
    for status, colour in STATUS_FILLS.items():
        word = status_label(status).replace('"', '""')
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f'${column}{first_row}="{word}"'],
            fill=PatternFill("solid", fgColor=colour, bgColor=colour)))


def safe_sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet name within Excel's rules: at most 31 chars, none of []:*?/\\."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    title = base[:31]
    n = 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"~{n}"
        title = base[:31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title

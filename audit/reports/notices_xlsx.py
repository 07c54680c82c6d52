"""``audit notices -o plan.xlsx``: the plan on one printable sheet, with the gap workbook's
fonts, labels and right-to-left layout (``--lang ar``): duties by deadline, then what is not
law, the countries without a duty and the rules that do not concern the incident."""

from __future__ import annotations

from typing import IO, Any

from audit.i18n import _, current_language, is_rtl
from audit.notices import OVERDUE, Plan
from audit.reports.notices_view import apart_sections, duty_row, headers, heading
from audit.reports.bidi import isolating
from audit.reports.xlsx_style import STATUS_FILLS, Style, cell

WIDTHS = [19, 17, 16, 9, 16, 20, 28, 34, 12, 34]
WRAP = range(len(WIDTHS))


def write_workbook(plan: Plan, stream: IO[bytes]) -> None:
    from openpyxl import Workbook  # deferred: openpyxl

    style = Style(rtl=is_rtl(current_language()))
    with isolating(style.rtl):  # times, ids and English module text keep their direction
        _fill(Workbook(), plan, style, stream)


def _fill(wb: Any, plan: Plan, style: Style, stream: IO[bytes]) -> None:
    from openpyxl.styles import PatternFill  # deferred: openpyxl

    ws = wb.active
    ws.title = _("Notices")
    names = [*headers(), _("Threshold"), _("What to do")]
    style.setup(ws, WIDTHS, freeze="A3", headers=names)
    style.print_setup(ws, "2:2", right=plan.incident.id, left=heading(plan))
    ws.append([cell(ws, heading(plan), style.title)])
    style.fit_row(ws, 2, names, WRAP)
    ws.append(style.header(ws, names))
    overdue = PatternFill("solid", fgColor=STATUS_FILLS["not_met"])
    for duty in plan.duties:
        row = duty_row(duty)
        values: list[Any] = [row.deadline_local, row.deadline_utc, row.state, row.jurisdiction,
                             row.recipient, row.clock, row.law, row.requirement,
                             row.threshold, row.todo]
        style.fit_row(ws, ws.max_row + 1, values, WRAP)
        cells = style.row(ws, values, wrap=WRAP)
        if duty.state == OVERDUE:
            cells[2].fill = overdue
        ws.append(cells)
    if not plan.duties:
        ws.append([cell(ws, _("No notice duty in force for this incident in the selected "
                              "modules."), style.bold)])
    for title, items in apart_sections(plan):
        ws.append([])
        _full_width(ws, style, title, style.bold)
        for item in items:
            _full_width(ws, style, item, style.font)
    wb.save(stream)


def _full_width(ws: Any, style: Style, text: str, font: Any) -> None:
    """A line of text across the table's width, wrapped: notes under a table are read, not
    sorted, and must not be cut at the printed page's edge."""
    from openpyxl.utils import get_column_letter

    row = ws.max_row + 1
    style.fit_row(ws, row, [text], [0], widths=[sum(WIDTHS)])
    ws.append([cell(ws, text, font)])
    ws.cell(row=row, column=1).alignment = style.wrap
    ws.merge_cells(f"A{row}:{get_column_letter(len(WIDTHS))}{row}")

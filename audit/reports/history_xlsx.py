"""``audit history -o history.xlsx``: a History sheet (the table) and, on a sheet of its own,
a line chart of the overall score and the score by area over the submissions. Imports
openpyxl: callers import this module only when they write a workbook."""

from __future__ import annotations

import io
from typing import IO

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from audit.history import HistoryRow
from audit.i18n import _, format_date
from audit.reports.history_table import table
from audit.reports.xlsx_process import reproducible_xlsx
from audit.reports.xlsx_style import Style, fit_widths


def write_workbook(rows: list[HistoryRow], stream: IO[bytes]) -> None:
    """A History sheet (the table) and a line chart of the score by area over time."""
    headers, body = table(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = _("History")
    st = Style()
    st.setup(ws, fit_widths([headers, *body]), freeze="B2", headers=headers)
    left = str(rows[-1]["platform"] or "")
    right = _("As of {date}", date=format_date(rows[-1]["as_of"]))
    st.print_setup(ws, "1:1", right=right, left=left)  # as the gap workbook's sheets print
    ws.append(st.header(ws, headers))
    for values in body:
        ws.append(values)
    chart = LineChart()
    chart.title = _("Score by area and overall (%)")
    chart.y_axis.title = "%"
    chart.x_axis.title = _("as of")
    first_area = headers.index(_("stale")) + 1
    data = Reference(ws, min_col=3, max_col=3, min_row=1, max_row=len(body) + 1)
    chart.add_data(data, titles_from_data=True)
    if len(headers) > first_area:
        chart.add_data(Reference(ws, min_col=first_area + 1, max_col=len(headers), min_row=1,
                                 max_row=len(body) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(body) + 1))
    chart.width, chart.height = 24, 12  # cm: fits one landscape A4 page
    # the chart on its own sheet, printed on one page: below the table it was cut across pages
    cs = wb.create_sheet(_("Chart"))
    st.setup(cs, freeze=None)
    st.print_setup(cs, None, right=right, left=left)
    cs.page_setup.fitToHeight = 1
    cs.add_chart(chart, "A1")
    buffer = io.BytesIO()
    wb.save(buffer)
    stream.write(reproducible_xlsx(buffer.getvalue()))

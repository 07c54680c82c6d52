"""``audit compare -o matrix.xlsx``: one sheet, platforms as columns and requirements as rows,
each cell the status (coloured as in the gap workbook) over its headline figure, the scores
side by side above the table and what the columns rest on (as-of, module versions) noted on
top."""

from __future__ import annotations

import io
from typing import IO, Any

from audit.i18n import _, current_language, is_rtl
from audit.platform_matrix import PlatformMatrix
from audit.reports.compare_text import headers, requirement_rows, score_rows, title
from audit.reports.xlsx_process import reproducible_xlsx
from audit.reports.xlsx_style import STATUS_FILLS, Style, cell, safe_sheet_title

ID_WIDTH, SEVERITY_WIDTH, PLATFORM_WIDTH = 34, 10, 22


def render_xlsx(m: PlatformMatrix, stream: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook(write_only=True)
    st = Style(rtl=is_rtl(current_language()))
    ws = wb.create_sheet(safe_sheet_title(_("Platforms"), set()))
    head = [title(m), *(_("Note: {note}", note=n) for n in m.notes)]
    scores = score_rows(m)
    first = len(head) + 1 + len(scores) + 2  # the requirements' header row
    widths = [ID_WIDTH, SEVERITY_WIDTH, *([PLATFORM_WIDTH] * len(m.platforms))]
    st.setup(ws, widths, freeze=f"C{first + 1}")
    st.print_setup(ws, f"{first}:{first}", right=_(", ").join(sorted({str(p.as_of)
                                                                     for p in m.platforms})),
                   left=title(m))
    for line in head:
        ws.append([cell(ws, line, st.bold if line is head[0] else st.font)])
    ws.append([])
    ws.append(st.header(ws, ["", "", *(p.label for p in m.platforms)]))
    for values in scores:
        ws.append(st.row(ws, [values[0], "", *values[1:]]))
    ws.append([])
    names = headers(m)
    st.fit_row(ws, first, names, range(len(names)))
    ws.append(st.header(ws, names))
    wrap = list(range(len(names)))
    for n, (row, values) in enumerate(zip(m.rows, requirement_rows(m), strict=True),
                                      start=first + 1):
        st.fit_row(ws, n, values, wrap)
        cells: list[Any] = st.row(ws, values, wrap=wrap)
        for idx, c in enumerate(row.cells, start=2):
            if c is not None and c.status in STATUS_FILLS:
                cells[idx].fill = PatternFill("solid", fgColor=STATUS_FILLS[c.status])
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    stream.write(reproducible_xlsx(buffer.getvalue()))

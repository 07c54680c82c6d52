"""The Changes sheet (``audit diff -o x.xlsx``, and the gap workbook with ``--baseline``).

It lays out the headline lines and change rows :mod:`audit.reports.diff_lines` makes of a
comparison (:class:`audit.comparison.Diff`, named here for its type only), so the sheet is
the same for ``audit diff`` and for a gap workbook with a baseline.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

from audit.i18n import N_, _, current_language, is_rtl
from audit.labels import severity_label, status_label
from audit.reports.xlsx_process import reproducible_xlsx
from audit.reports.bidi import isolating
from audit.reports.xlsx_style import STATUS_FILLS, Style, cell, safe_sheet_title

if TYPE_CHECKING:  # pragma: no cover
    from audit.comparison import Diff
    from audit.reports.xlsx_style import Sheet

CHANGE_HEADERS = [N_("requirement"), N_("severity"), N_("change"), N_("old status"),
                  N_("new status"), N_("old score"), N_("new score"), N_("score change"),
                  N_("figures"), N_("waiver"), N_("old finding"), N_("new finding")]
WIDTHS = [24, 9, 20, 11, 11, 7, 7, 7, 30, 16, 36, 36]


def changes_sheet(ws: Sheet, d: Diff, st: Style, head: list[str],
                  rows: list[list[Any]]) -> None:
    """One row per changed requirement (and per requirement only in one result), headed by
    the verdict and score change; docs/diff.md describes the columns."""
    from openpyxl.styles import PatternFill

    head = head + [_("Note: {note}", note=n) for n in d.notes]
    by_id = {c.id: c for c in d.common}
    data: list[list[Any]] = []
    tokens: list[tuple[Any, Any]] = []
    for row in rows:
        c = by_id[row[0]]
        was, now = c.old or {}, c.new or {}  # a requirement in both results has both
        data.append([c.id, severity_label(c.severity), row[2], status_label(c.old_status),
                     status_label(c.new_status), was.get("score"), now.get("score"),
                     None if c.score_delta is None else round(c.score_delta, 6), row[5],
                     c.waiver or "", was.get("summary", ""), now.get("summary", "")])
        tokens.append((c.old_status, c.new_status))
    for only_old, items in ((True, d.only_old), (False, d.only_new)):
        for r in items:
            old = r if only_old else None
            new = None if only_old else r
            change = (_("only in old: {reason}", reason=r["reason"]) if only_old
                      else _("only in new: {reason}", reason=r["reason"]))
            data.append([r["id"], severity_label(r.get("severity", "")), change,
                         old and status_label(old["status"]), new and status_label(new["status"]),
                         old and old.get("score"), new and new.get("score"), None, "", "",
                         (old or {}).get("summary", ""), (new or {}).get("summary", "")])
            tokens.append((old and old["status"], new and new["status"]))
    first = len(head) + 2
    st.setup(ws, WIDTHS, freeze=f"B{first + 1}")
    ws.print_title_rows = f"{first}:{first}"
    for line in head:
        ws.append([cell(ws, line, st.bold if line is head[0] else st.font)])
    ws.append([])
    st.fit_row(ws, first, [_(h) for h in CHANGE_HEADERS], range(len(CHANGE_HEADERS)))
    ws.append(st.header(ws, [_(h) for h in CHANGE_HEADERS]))
    wrap = [0, 2, 8, 9, 10, 11]
    fmts = {5: "0.00", 6: "0.00", 7: "+0.00;-0.00;0.00"}
    for n, (values, pair) in enumerate(zip(data, tokens, strict=True), start=first + 1):
        st.fit_row(ws, n, values, wrap)
        cells = st.row(ws, values, wrap=wrap, number_formats=fmts)
        for idx, token in zip((3, 4), pair, strict=True):
            if token in STATUS_FILLS:
                cells[idx].fill = PatternFill("solid", fgColor=STATUS_FILLS[token])
        ws.append(cells)
    if data:
        ws.auto_filter.ref = f"A{first}:{_letter(len(CHANGE_HEADERS))}{first + len(data)}"
    else:
        ws.append([cell(ws, _("No requirement changed."), st.font)])


def write_changes_workbook(d: Diff, head: list[str], rows: list[list[Any]],
                           stream: IO[Any]) -> None:
    """The workbook ``audit diff OLD NEW -o changes.xlsx`` writes: one Changes sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    style = Style(rtl=is_rtl(current_language()))
    ws = wb.create_sheet(safe_sheet_title(_("Changes"), set()))
    name = (d.new.get("platform") or {}).get("name", "")
    style.print_setup(ws, None, right=str(d.new.get("as_of") or ""), left=str(name))
    with isolating(style.rtl):  # left-to-right runs in a right-to-left sheet (bidi.py)
        changes_sheet(ws, d, style, head, rows)

    buffer = io.BytesIO()
    wb.save(buffer)
    stream.write(reproducible_xlsx(buffer.getvalue()))


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

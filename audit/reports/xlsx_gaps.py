"""The gap workbook's Gaps sheet: every gap worst first, with tracking columns to fill in.

The Owner, Due date, Tracking status and Comments columns are unlocked input cells keyed by the
requirement id column; defined names (``gaps_owner``, ``gaps_due_date``,
``gaps_tracking_status``, ``gaps_comments``, ``gaps_requirement_id``) locate them in any
language, so a later run can read them back (docs/gap-workbook.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.i18n import _
from audit.labels import area_label, severity_label, status_label, tracking_labels
from audit.reports.summary import citation_text, one_line, since_baseline_text
from audit.reports.xlsx_columns import (
    BASELINE_ALERTS,
    GAP_HEADERS,
    GAP_PRINTED,
    SINCE_BASELINE,
    priority,
)
from audit.reports.xlsx_process import tracking_values
from audit.reports.xlsx_print import print_columns
from audit.reports.xlsx_style import cell, status_formatting

if TYPE_CHECKING:  # pragma: no cover
    from audit.reports.xlsx import _Builder

# column widths: fixed; the printed columns (GAP_PRINTED, first) add up to a width that prints
# one page wide in landscape at about three quarters of full size (docs/gap-workbook.md)
WIDTHS = {"#": 4, "priority": 7, "id": 16, "jurisdiction": 11, "area": 12, "severity": 9,
          "status": 11, "score": 6, "requirement": 24, "legal citation": 16, "finding": 30,
          "remediation": 27, "owner": 14, "due date": 11, "tracking status": 12,
          "comments": 22, "since baseline": 14}
WRAPPED = ("id", "area", "requirement", "legal citation", "finding", "remediation",
           "since baseline", "comments", "status")
INPUT_FILL = "FFF2CC"  # the pale yellow of cells to fill in, as in the evidence template
BLANK_ROWS = 50  # dropdowns also cover rows below, for gaps the auditor adds by hand


def gaps_sheet(b: _Builder) -> None:
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    a, st = b.a, b.style
    ws = b.sheet(_("Gaps"))
    base = a.baseline
    keys = list(GAP_HEADERS)
    if base is not None:  # beside the status, so the change reads with it
        keys.insert(keys.index("score") + 1, SINCE_BASELINE)
    col = {k: i for i, k in enumerate(keys)}
    widths: list[float] = [WIDTHS[k] for k in keys]
    data = []
    for i, r in enumerate(a.gaps(), start=1):
        req = r.requirement
        values: list[Any] = [i, priority(r), req.full_id, severity_label(req.severity),
                             status_label(r.status), req.title, citation_text(a, r),
                             one_line(r.finding.summary), " ".join(req.remediation.split()),
                             req.jurisdiction, area_label(req.area), r.finding.score,
                             *tracking_values(a, req.full_id)]
        if base is not None:
            values.insert(col[SINCE_BASELINE], since_baseline_text(base, req.full_id))
        data.append(values)
    headers = [_(k) for k in keys]
    st.setup(ws, widths, headers=headers)
    widths = st.widths
    b.print_setup(ws, "1:1")
    b.header_row(ws, 1, headers, widths)
    print_columns(ws, GAP_PRINTED, len(data) + 1)
    wrap = [col[k] for k in WRAPPED if k in col]
    inputs = [col[k] for k in ("owner", "due date", "tracking status", "comments")]
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    for n, values in enumerate(data, start=2):
        st.fit_row(ws, n, values, wrap)
        cells = st.row(ws, values, wrap=wrap,
                       number_formats={col["score"]: "0.00", col["due date"]: "yyyy-mm-dd"})
        for idx in inputs:
            cells[idx].protection = st.unlocked
            cells[idx].fill = fill
        if base is not None and base.label(values[col["id"]]) in BASELINE_ALERTS:
            cells[col[SINCE_BASELINE]].font = st.bold
        ws.append(cells)
    last = len(data) + 1
    last_col = _letter(len(keys))
    end = max(last, 2) + BLANK_ROWS
    choices = tracking_labels()
    status_dv = DataValidation(type="list", allow_blank=True,
                               formula1='"' + ",".join(c.replace(",", " ") for c in choices)
                               + '"', showErrorMessage=True,
                               errorTitle=_("Tracking status"),
                               error=_("Choose one of: {choices}", choices=", ".join(choices)))
    letter = _letter(col["tracking status"] + 1)
    status_dv.add(f"{letter}2:{letter}{end}")
    due = _letter(col["due date"] + 1)
    date_dv = DataValidation(type="date", operator="between", allow_blank=True,
                             formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                             showErrorMessage=True, errorTitle=_("Due date"),
                             error=_("Enter a date (YYYY-MM-DD)"))
    date_dv.add(f"{due}2:{due}{end}")
    ws.data_validations.append(status_dv)
    ws.data_validations.append(date_dv)
    ws.auto_filter.ref = f"A1:{last_col}{last}"
    # the input cells keep their own colour
    status_formatting(ws, _letter(col["status"] + 1), 2, last, _letter(col["owner"]))
    title = ws.title.replace("'", "''")
    for key, name in (("owner", "gaps_owner"), ("due date", "gaps_due_date"),
                      ("tracking status", "gaps_tracking_status"),
                      ("comments", "gaps_comments"), ("id", "gaps_requirement_id")):
        letter = _letter(col[key] + 1)
        b.wb.defined_names[name] = DefinedName(
            name, attr_text=f"'{title}'!${letter}$1:${letter}${end}")
    if not data:
        ws.append([cell(ws, _("No gaps: every applicable requirement is met or waived."),
                        st.font)])


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

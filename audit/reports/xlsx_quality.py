"""The gap workbook's "Data quality" sheet: one row per data-quality note of the run."""

from __future__ import annotations

from typing import Any, Callable

from audit.assessment import Assessment
from audit.i18n import _

HEADERS = ("severity", "code", "log", "requirement", "note")


def write_quality_sheet(assessment: Assessment, new_sheet: Callable[[str], Any],
                        style: Any) -> None:
    """Add the sheet when the run has notes (like Matrix and Changes, absent otherwise)."""
    from audit.reports.xlsx_style import cell

    if not assessment.notes:
        return
    ws = new_sheet(_("Data quality"))
    style.setup(ws, [10, 22, 18, 34, 100], freeze="A3")
    ws.append([cell(ws, _("Data-quality notes: each changes what a figure in this workbook "
                          "means; read them before the scores"), style.bold)])
    ws.append(style.header(ws, [_(h) for h in HEADERS]))
    for note in assessment.notes:
        ws.append(style.row(ws, [note.severity, note.code, note.log or "",
                                 note.requirement or "", note.message], wrap=[4]))
    ws.auto_filter.ref = f"A2:E{len(assessment.notes) + 2}"

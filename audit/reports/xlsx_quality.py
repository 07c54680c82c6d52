"""The gap workbook's "Data quality" sheet: one row per data-quality note of the run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from audit.assessment import Assessment
from audit.i18n import N_, _
from audit.labels import note_severity_label
from audit.reports.xlsx_style import Style, cell

if TYPE_CHECKING:  # pragma: no cover
    from audit.reports.xlsx_style import Sheet

HEADERS = (N_("severity"), N_("code"), N_("log"), N_("requirement"), N_("note"))


def write_quality_sheet(assessment: Assessment, new_sheet: Callable[[str], Sheet],
                        style: Style) -> None:
    """Add the sheet when the run has notes (like Matrix and Changes, absent otherwise)."""
    if not assessment.notes:
        return
    ws = new_sheet(_("Data quality"))
    headers = [_(h) for h in HEADERS]
    style.setup(ws, [10, 22, 18, 34, 100], freeze="A3", headers=headers)
    ws.append([cell(ws, _("Data-quality notes: each changes what a figure in this workbook "
                          "means; read them before the scores"), style.bold)])
    ws.append(style.header(ws, headers))
    for n, note in enumerate(assessment.notes, start=3):
        values = [note_severity_label(note.severity), note.code, note.log or "", note.requirement or "",
                  note.message]
        style.fit_row(ws, n, values, [4])  # tall enough for the wrapped note
        ws.append(style.row(ws, values, wrap=[4]))
    ws.auto_filter.ref = f"A2:E{len(assessment.notes) + 2}"

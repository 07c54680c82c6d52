"""The gap workbook's "Data quality" sheet: one row per data-quality note of the run, then
the row ledger: every row read from the logs and where it went, in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from audit.assessment import Assessment
from audit.i18n import N_, _
from audit.labels import note_severity_label
from audit.ledger import rule_words, table_words
from audit.reports.xlsx_style import Style, cell

if TYPE_CHECKING:  # pragma: no cover
    from audit.reports.xlsx_style import Sheet

HEADERS = (N_("severity"), N_("code"), N_("log"), N_("requirement"), N_("note"))


def write_quality_sheet(assessment: Assessment, new_sheet: Callable[[str], Sheet],
                        style: Style) -> None:
    """Add the sheet when the run has notes or read logs (like Matrix and Changes, absent
    otherwise)."""
    ledger = assessment.ledger
    if not assessment.notes and not ledger.tables and not ledger.rules:
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
    last = len(assessment.notes) + 2
    ws.auto_filter.ref = f"A2:E{last}"
    # each table's line, then the lines of the rules that read it (as the other reports)
    lines = [line for t in ledger.tables for line in (
        (t.log, "", table_words(t)),
        *((r.log, r.requirement, rule_words(r)) for r in ledger.rules if r.log == t.log))]
    tables = {t.log for t in ledger.tables}
    lines += [(r.log, r.requirement, rule_words(r)) for r in ledger.rules if r.log not in tables]
    if not lines:
        return
    ws.append([])
    ws.append([cell(ws, _("Rows accounted for: every row read from the logs, and where it "
                          "went (the parts add up to the rows read)"), style.bold)])
    for n, (log, requirement, words) in enumerate(lines, start=last + 3):
        values = ["", _("row ledger"), log, requirement, words]
        style.fit_row(ws, n, values, [4])
        ws.append(style.row(ws, values, wrap=[4]))

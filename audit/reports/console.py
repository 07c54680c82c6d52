"""Console summary: verdict, score with its formula, per-area table, then gaps worst first."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from tabulate import tabulate

from audit.assessment import Assessment
from audit.i18n import _, use_language
from audit.reports.base import WriterBase
from audit.reports.process_text import sections as process_sections
from audit.reports.quality_text import ledger_heading, ledger_lines, note_lines, notes_heading
from audit.reports.summary import area_rows, gap_rows, header_lines, jurisdiction_rows, resolved_rows
from audit.reports.wrap import fill


class ConsoleWriter(WriterBase):
    id = "console"
    description = "summary tables for a terminal"
    extensions = (".txt",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        with use_language(assessment.language):
            self._write(assessment, stream)

    def _write(self, assessment: Assessment, stream: IO[Any]) -> None:
        out = header_lines(assessment)
        if assessment.notes:  # before the figures they qualify
            out += ["", notes_heading(assessment), *note_lines(assessment)]
        if assessment.ledger.tables or assessment.ledger.rules:
            out += ["", ledger_heading() + ":", *ledger_lines(assessment)]
        headers, rows = area_rows(assessment)
        out += ["", tabulate(rows, headers=headers)]
        if len(assessment.by_jurisdiction) > 1:
            headers, rows = jurisdiction_rows(assessment)
            out += ["", tabulate(rows, headers=headers)]
        headers, rows = gap_rows(assessment)
        if rows:
            out += ["", _("Gaps, worst first ({n}):", n=len(rows)),
                    tabulate(rows, headers=headers)]
        else:
            out += ["", _("No gaps.")]
        headers, rows = resolved_rows(assessment)
        if rows:
            out += ["", _("Gaps closed since the baseline ({n}):", n=len(rows)),
                    tabulate(rows, headers=headers)]
        for title, headers, rows in process_sections(assessment):
            rows = [[fill(c, 60) if isinstance(c, str) else c for c in row]
                    for row in rows]
            out += ["", f"{title}:", tabulate(rows, headers=headers)]
        stream.write("\n".join(out) + "\n")

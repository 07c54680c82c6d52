"""Markdown report for pull requests and e-mail: the console summary plus remediation."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from tabulate import tabulate

from audit.assessment import Assessment
from audit.i18n import _, use_language
from audit.labels import severity_label
from audit.reports.base import WriterBase
from audit.reports.process_text import sections as process_sections
from audit.reports.quality_text import ledger_groups, ledger_heading, note_lines, notes_heading
from audit.reports.summary import (
    area_rows,
    gap_rows,
    header_lines,
    jurisdiction_rows,
    one_line,
    resolved_rows,
)


def _cell(text: str) -> str:
    # Evidence text must not become Markdown structure (tables, links, HTML) or carry
    # terminal control sequences into a file someone will cat.
    return (one_line(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\["))


class MarkdownWriter(WriterBase):
    id = "markdown"
    description = "Markdown summary and gap list"
    extensions = (".md", ".markdown")
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        with use_language(assessment.language):
            self._write(assessment, stream)

    def _write(self, assessment: Assessment, stream: IO[Any]) -> None:
        a = assessment
        head = header_lines(a)
        out = [f"# {_cell(head[0])}", ""] + [f"- {_cell(line)}" for line in head[1:]] + [""]
        if a.notes:  # before the figures they qualify
            out += [f"## {notes_heading(a)}", "", *(f"- {_cell(x)}" for x in note_lines(a)), ""]
        if a.ledger.tables or a.ledger.rules:
            out += [f"## {ledger_heading()}", ""]
            for table_line, rules in ledger_groups(a):
                out += [f"- {_cell(table_line)}", *(f"  - {_cell(r)}" for r in rules)]
            out.append("")
        headers, rows = area_rows(a)
        out += ["## " + _("Scores by area"), "",
                tabulate(rows, headers=headers, tablefmt="github"), ""]
        if len(a.by_jurisdiction) > 1:
            headers, rows = jurisdiction_rows(a)
            out += ["## " + _("Scores by jurisdiction"), "",
                    tabulate(rows, headers=headers, tablefmt="github"), ""]
        headers, rows = gap_rows(a, width=None)
        out += ["## " + _("Gaps, worst first ({n})", n=len(rows)), ""]
        if rows:
            rows = [[_cell(str(c)) for c in row] for row in rows]
            out += [tabulate(rows, headers=headers, tablefmt="github"), ""]
            out += ["## " + _("Remediation"), ""]
            for r in a.gaps():
                out.append(f"- **{r.requirement.full_id}** "
                           + _("({severity}): {remediation}",
                               severity=severity_label(r.requirement.severity),
                               remediation=_cell(r.requirement.remediation.strip())))
            out.append("")
        else:
            out += [_("No gaps."), ""]
        headers, rows = resolved_rows(a)
        if rows:
            out += ["## " + _("Gaps closed since the baseline ({n})", n=len(rows)), "",
                    tabulate([[_cell(str(c)) for c in row] for row in rows], headers=headers,
                             tablefmt="github"), ""]
        for title, headers, rows in process_sections(a):
            out += [f"## {_cell(title)}", "", tabulate([[_cell(str(c)) for c in row]
                                                        for row in rows], headers=headers,
                                                       tablefmt="github"), ""]
        stream.write("\n".join(out))

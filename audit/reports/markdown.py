"""Markdown report for pull requests and e-mail: the console summary plus remediation."""

from __future__ import annotations

from typing import IO, Any

from tabulate import tabulate

from audit.assessment import Assessment
from audit.reports.process_text import sections as process_sections
from audit.reports.quality_text import note_lines, notes_heading
from audit.reports.summary import (area_rows, gap_rows, header_lines, jurisdiction_rows,
                                   one_line, resolved_rows)


def _cell(text: str) -> str:
    # Evidence text must not become Markdown structure (tables, links, HTML) or carry
    # terminal control sequences into a file someone will cat.
    return (one_line(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\["))


class MarkdownWriter:
    id = "markdown"
    description = "Markdown summary and gap list"
    extensions = (".md", ".markdown")
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any]) -> None:
        a = assessment
        head = header_lines(a)
        out = [f"# {_cell(head[0])}", ""] + [f"- {_cell(line)}" for line in head[1:]] + [""]
        if a.notes:  # before the figures they qualify
            out += [f"## {notes_heading(a)}", "", *(f"- {_cell(x)}" for x in note_lines(a)), ""]
        headers, rows = area_rows(a)
        out += ["## Scores by area", "", tabulate(rows, headers=headers, tablefmt="github"), ""]
        if len(a.by_jurisdiction) > 1:
            headers, rows = jurisdiction_rows(a)
            out += ["## Scores by jurisdiction", "",
                    tabulate(rows, headers=headers, tablefmt="github"), ""]
        headers, rows = gap_rows(a, width=None)
        out += [f"## Gaps, worst first ({len(rows)})", ""]
        if rows:
            rows = [[_cell(str(c)) for c in row] for row in rows]
            out += [tabulate(rows, headers=headers, tablefmt="github"), ""]
            out += ["## Remediation", ""]
            for r in a.gaps():
                out.append(f"- **{r.requirement.full_id}** ({r.requirement.severity.value}): "
                           f"{_cell(r.requirement.remediation.strip())}")
            out.append("")
        else:
            out += ["No gaps.", ""]
        headers, rows = resolved_rows(a)
        if rows:
            out += [f"## Gaps closed since the baseline ({len(rows)})", "",
                    tabulate([[_cell(str(c)) for c in row] for row in rows], headers=headers,
                             tablefmt="github"), ""]
        for title, headers, rows in process_sections(a):
            out += [f"## {_cell(title)}", "", tabulate([[_cell(str(c)) for c in row]
                                                        for row in rows], headers=headers,
                                                       tablefmt="github"), ""]
        stream.write("\n".join(out))

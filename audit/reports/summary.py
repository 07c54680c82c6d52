"""The tables the console and Markdown reports share, so both say the same thing."""

from __future__ import annotations

import re

import textwrap
from typing import Any

from audit.assessment import Assessment
from audit.baseline import baseline_of
from audit.model import Status
from audit.reviews import status_label
from audit.scoring import ScoreResult

STATUS_COLUMNS = (Status.MET, Status.PARTIAL, Status.NOT_MET, Status.NO_EVIDENCE,
                  Status.MANUAL_REVIEW, Status.NOT_APPLICABLE, Status.WAIVED)
VERDICT_WORDS = {
    "compliant": "COMPLIANT",
    "partially_compliant": "PARTIALLY COMPLIANT",
    "non_compliant": "NON-COMPLIANT",
    "review_needed": "REVIEW NEEDED",
}


def percent(score: ScoreResult) -> str:
    return score.percent


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: object) -> str:
    """Evidence text made safe for a terminal or a Markdown line: control characters
    (escape sequences, carriage returns) and line breaks become single spaces, so a platform
    name cannot forge a 'Verdict:' line or hide output."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def header_lines(a: Assessment) -> list[str]:
    name = one_line(a.platform.get("name", "(unnamed platform)"))
    lines = [f"{name}: assessment as of {a.as_of} (platform-audit {a.tool_version})",
             "Checklists: " + "; ".join(f"{c.id} v{c.version} ({c.jurisdiction}, {c.status})"
                                        for c in a.checklists)]
    verdict = VERDICT_WORDS[a.verdict.value]
    reason = ""
    if a.verdict.value == "non_compliant":
        crit = [r for r in a.results if r.requirement.severity.value == "critical"
                and r.status in (Status.NOT_MET, Status.NO_EVIDENCE)]
        reason = f" ({len(crit)} critical requirement(s) not met or without evidence)"
    lines.append(f"Verdict: {verdict}{reason}")
    s = a.score
    line = (f"Score ({a.scoring_model}): {s.percent} = {s.numerator:g} / {s.denominator:g} "
            f"over {s.counted} requirement(s)")
    if a.waivers:
        w = a.score_without_waivers
        line += (f"; without waivers {w.percent} "
                 f"(verdict {VERDICT_WORDS[a.verdict_without_waivers.value]})")
    lines.append(line)
    lines.append(f"Formula: {s.formula}.")
    excluded = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(s.excluded.items()))
    if excluded:
        lines.append(f"Outside the denominator: {excluded}.")
    drafts = sorted({r.requirement.full_id for r in a.results
                     if r.requirement.status.value != "in_force"})
    if drafts:
        lines.append(f"{len(drafts)} requirement(s) rest on practice, drafts or superseded law; "
                     "their legal status is shown per requirement.")
    base = baseline_of(a)
    if base is not None:
        lines.append(base.summary_line() + ".")
    from audit.reports.process_text import header_lines as process_lines

    lines += [line + "." for line in process_lines(a)]
    return lines


def area_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    headers = ["area", "score", *[s.value.replace("_", " ") for s in STATUS_COLUMNS]]
    rows = []
    for area, score in a.by_area.items():
        counts = {s: 0 for s in STATUS_COLUMNS}
        for r in a.results:
            if r.requirement.area.value == area:
                counts[r.status] += 1
        rows.append([area.replace("_", " "), score.percent, *[counts[s] for s in STATUS_COLUMNS]])
    totals = a.counts()
    rows.append(["all", a.score.percent, *[totals[s.value] for s in STATUS_COLUMNS]])
    return headers, rows


def jurisdiction_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    return ["jurisdiction", "score", "counted"], [[j, s.percent, s.counted]
                                                  for j, s in a.by_jurisdiction.items()]


def gap_rows(a: Assessment, width: int | None = 60) -> tuple[list[str], list[list[Any]]]:
    headers = ["requirement", "severity", "status", "score", "finding", "citation"]
    base = baseline_of(a)
    if base is not None:  # appended last, so the columns above keep their positions
        headers.append("since baseline")
    rows = []
    for r in a.gaps():
        finding = one_line(r.finding.summary)
        citation = a.citation(r)
        if r.requirement.confidence.value not in ("high", "high_text"):
            citation += f" [confidence: {r.requirement.confidence.value}]"
        if width:
            finding = textwrap.fill(finding, width)
            citation = textwrap.fill(citation, 40)
        row = [r.requirement.full_id, r.requirement.severity.value,
               status_label(r), f"{r.finding.score:.2f}", finding, citation]
        if base is not None:
            row.append(since_baseline_text(base, r.requirement.full_id))
        rows.append(row)
    return headers, rows


def since_baseline_text(base: Any, full_id: str) -> str:
    """The since-baseline label, with the baseline status when it changed."""
    label: str = base.label(full_id)
    change = next((c for c in base.diff.common if c.id == full_id), None)
    if (change is not None and change.old_status != change.new_status
            and label != "was met"):
        return f"{label} (was {change.old_status.replace('_', ' ')})"
    return label


def resolved_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    """Gaps of the baseline that are closed now (they no longer show among the gaps)."""
    base = baseline_of(a)
    if base is None:
        return [], []
    rows = [[c.id, c.severity, c.old_status.replace("_", " "), c.new_status.replace("_", " ")]
            for c in base.resolved()]
    return ["requirement", "severity", "baseline status", "status now"], rows

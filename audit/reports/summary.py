"""The tables the console and Markdown reports share, so both say the same thing.

Every word goes through the report catalogue (``audit.i18n``); statuses, areas and severities
are shown as labels (``audit.labels``), never as tokens.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from audit.assessment import Assessment, RequirementResult
from audit.i18n import _, format_date, format_number, format_percent, ngettext
from audit.labels import (
    area_label,
    baseline_label,
    confidence_label,
    excluded_label,
    legal_status_label,
    scoring_model_label,
    severity_label,
    status_label,
    verdict_label,
)
from audit.model import Status
from audit.quality import warnings_of
from audit.reports.process_text import header_lines as process_lines
from audit.reports.wrap import fill
from audit.reviews import status_label as decided_status
from audit.scoring import FORMULA_JOIN, REQUIREMENT_SCORE, ScoreResult

if TYPE_CHECKING:  # pragma: no cover
    from audit.baseline import BaselineComparison  # the domain type; not imported at run time

STATUS_COLUMNS = (Status.MET, Status.PARTIAL, Status.NOT_MET, Status.NO_EVIDENCE,
                  Status.MANUAL_REVIEW, Status.NOT_APPLICABLE, Status.WAIVED)


def percent(score: ScoreResult) -> str:
    """A score as people read it in the report language (``60.6%``; "n/a" when empty)."""
    return format_percent(score.score)


def score_written_out(score: ScoreResult) -> str:
    """``60.6% = 45.5 / 75 over 12 requirements``, in the report language."""
    return ngettext("{percent} = {earned} / {counted} over {n} requirement",
                    "{percent} = {earned} / {counted} over {n} requirements", score.counted,
                    percent=percent(score), earned=format_number(score.numerator),
                    counted=format_number(score.denominator))


def excluded_text(score: ScoreResult) -> str:
    """Requirements outside the denominator, by reason ("" when none)."""
    return _("; ").join(_("{reason}: {n}", reason=excluded_label(k), n=n)
                        for k, n in sorted(score.excluded.items()))


def formula_text(score: ScoreResult) -> str:
    """The scoring model's formula in the report language (a plugin's stays as written):
    the model's part and the shared definition of a requirement's score, each translated."""
    head, join, tail = score.formula.partition(FORMULA_JOIN + REQUIREMENT_SCORE)
    if join and not tail:
        return _("{formula}; {requirement_score}", formula=_(head),
                 requirement_score=_(REQUIREMENT_SCORE))
    return _(score.formula)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: object) -> str:
    """Evidence text made safe for a terminal or a Markdown line: control characters
    (escape sequences, carriage returns) and line breaks become single spaces, so a platform
    name cannot forge a 'Verdict:' line or hide output."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def platform_name(a: Assessment) -> str:
    return one_line(a.platform.get("name") or _("(unnamed platform)"))


def verdict_reason(a: Assessment, named: bool = True) -> str:
    """Why the verdict is non-compliant, naming the critical requirements that block it
    (``named``; else only their count, where the next sheet lists them); why nothing was
    assessed ("" otherwise)."""
    if a.verdict.value == "not_assessed":
        return _("no requirement applies to this platform")
    if a.verdict.value != "non_compliant":
        return ""
    crit = [r.requirement.full_id for r in a.results
            if r.requirement.severity.value == "critical"
            and r.status in (Status.NOT_MET, Status.NO_EVIDENCE)]
    if not named:
        return ngettext("{n} critical requirement not met or without evidence",
                        "{n} critical requirements not met or without evidence", len(crit))
    return ngettext("{n} critical requirement not met or without evidence: {ids}",
                    "{n} critical requirements not met or without evidence: {ids}", len(crit),
                    ids=", ".join(crit))


def verdict_words(a: Assessment) -> str:
    """The verdict with the data-quality warnings beside it ("NON-COMPLIANT, 2 data
    warnings"), so a verdict is never read without the notes that qualify it."""
    verdict = verdict_label(a.verdict)
    count = len(warnings_of(a))
    if not count:
        return verdict
    return ngettext("{verdict}, {count} data warning", "{verdict}, {count} data warnings",
                    count, verdict=verdict, count=format_number(count))


def header_lines(a: Assessment) -> list[str]:
    lines = [_("{platform}: assessment as of {date} (platform-audit {version})",
               platform=platform_name(a), date=format_date(a.as_of), version=a.tool_version),
             _("Checklists: {list}", list=_("; ").join(
                 _("{id} v{version} ({jurisdiction}, {status})", id=c.id, version=c.version,
                   jurisdiction=c.jurisdiction, status=legal_status_label(c.status))
                 for c in a.checklists))]
    reason = verdict_reason(a)
    verdict = verdict_words(a)
    lines.append(_("Verdict: {verdict} ({reason})", verdict=verdict, reason=reason) if reason
                 else _("Verdict: {verdict}", verdict=verdict))
    line = _("Score ({model}): {written}", model=scoring_model_label(a.scoring_model),
             written=score_written_out(a.score))
    if a.waivers:
        line = _("{score}; without waivers {percent} (verdict {verdict})", score=line,
                 percent=percent(a.score_without_waivers),
                 verdict=verdict_label(a.verdict_without_waivers))
    lines.append(line)
    lines.append(_("Formula: {formula}.", formula=formula_text(a.score)))
    excluded = excluded_text(a.score)
    if excluded:
        lines.append(_("Outside the denominator: {list}.", list=excluded))
    drafts = sorted({r.requirement.full_id for r in a.results
                     if r.requirement.status.value not in ("in_force", "enacted")})
    if drafts:
        lines.append(ngettext(
            "{n} requirement rests on practice, drafts or superseded law; its legal status is "
            "shown per requirement.",
            "{n} requirements rest on practice, drafts or superseded law; their legal status is "
            "shown per requirement.", len(drafts)))
    enacted = sorted({r.requirement.full_id for r in a.results
                      if r.requirement.status.value == "enacted"})
    if enacted:  # never law in force: named in every report's header, never scored
        lines.append(_("Enacted but not yet in force, not assessed: {list}.",
                       list=", ".join(enacted)))
    base = a.baseline
    if base is not None:
        lines.append(base.summary_line() + ".")

    lines += [line + "." for line in process_lines(a)]
    return lines


def area_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    headers = [_("area"), _("score"), *[status_label(s) for s in STATUS_COLUMNS]]
    rows = []
    for area, score in a.by_area.items():
        counts = {s: 0 for s in STATUS_COLUMNS}
        for r in a.results:
            if r.requirement.area.value == area:
                counts[r.status] += 1
        rows.append([area_label(area), percent(score), *[counts[s] for s in STATUS_COLUMNS]])
    totals = a.counts()
    rows.append([_("all"), percent(a.score), *[totals[s.value] for s in STATUS_COLUMNS]])
    return headers, rows


def jurisdiction_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    return [_("jurisdiction"), _("score"), _("counted")], [
        [j, percent(s), s.counted] for j, s in a.by_jurisdiction.items()]


def citation_text(a: Assessment, r: RequirementResult) -> str:
    """The citation, with the legal reference's confidence when it is not high."""
    citation = a.citation(r)
    if r.requirement.confidence.value not in ("high", "high_text"):
        citation = _("{citation} [confidence: {confidence}]", citation=citation,
                     confidence=confidence_label(r.requirement.confidence))
    return citation


def gap_rows(a: Assessment, width: int | None = 60) -> tuple[list[str], list[list[Any]]]:
    headers = [_("requirement"), _("severity"), _("status"), _("score"), _("finding"),
               _("citation")]
    base = a.baseline
    if base is not None:  # appended last, so the columns above keep their positions
        headers.append(_("since baseline"))
    rows = []
    for r in a.gaps():
        finding = one_line(r.finding.summary)
        citation = citation_text(a, r)
        if width:
            finding = fill(finding, width)
            citation = fill(citation, 40)
        row = [r.requirement.full_id, severity_label(r.requirement.severity),
               decided_status(r), format_number(r.finding.score, 2), finding, citation]
        if base is not None:
            row.append(since_baseline_text(base, r.requirement.full_id))
        rows.append(row)
    return headers, rows


def since_baseline_text(base: BaselineComparison, full_id: str) -> str:
    """The since-baseline label, with the baseline status when it changed."""
    label: str = base.label(full_id)
    change = next((c for c in base.diff.common if c.id == full_id), None)
    if (change is not None and change.old_status != change.new_status
            and label != "was met"):
        return _("{label} (was {status})", label=baseline_label(label),
                 status=status_label(change.old_status))
    return baseline_label(label)


def resolved_rows(a: Assessment) -> tuple[list[str], list[list[Any]]]:
    """Gaps of the baseline that are closed now (they no longer show among the gaps)."""
    base = a.baseline
    if base is None:
        return [], []
    rows = [[c.id, severity_label(c.severity), status_label(c.old_status),
             status_label(c.new_status)] for c in base.resolved()]
    return [_("requirement"), _("severity"), _("baseline status"), _("status now")], rows

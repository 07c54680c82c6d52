"""Column headers and constants of the gap workbook's sheets, and the priority of a gap
(shared by every sheet module and the OSCAL writer, importing none of them)."""

from __future__ import annotations

from audit.assessment import RequirementResult
from audit.i18n import N_
from audit.model import Status

SEVERITY_POINTS = {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0}
SEVERITIES = ("critical", "high", "medium", "low")
STATUS_ORDER = ("met", "partial", "not_met", "no_evidence", "manual_review", "not_applicable",
                "waived")
PCT = "0.0%"
SINCE_BASELINE = N_("since baseline")  # column added when assessed with --baseline
BASELINE_ALERTS = ("was met", "new gap", "worse")

# Column headers in the source language; the workbook shows them translated. The Gaps sheet's
# tracking columns are also reachable by defined names (docs/gap-workbook.md), whatever the
# language.
# The columns that go to paper come first (REQ_PRINTED, GAP_PRINTED of them): the print area
# covers them, so a sheet prints at a legible scale (docs/gap-workbook.md, "Printing"); the
# columns after them (tracking input, the figures the Summary formulas add up) stay on screen.
REQ_HEADERS = [N_("id"), N_("area"), N_("severity"), N_("requirement"), N_("status"),
               N_("score"), N_("finding"), N_("legal citation"), N_("legal status"),
               N_("checklist"), N_("jurisdiction"), N_("theme"), N_("weight"), N_("rule"),
               N_("applicability"), N_("waiver"), N_("status without waivers"),
               N_("score without waivers"), N_("counted weight"), N_("earned points"),
               N_("counted weight without waivers"), N_("earned points without waivers"),
               N_("confidence"), N_("source URL")]
REQ_PRINTED = REQ_HEADERS.index("legal status") + 1
REQ_COLUMNS = {name: i for i, name in enumerate(REQ_HEADERS)}
GAP_HEADERS = [N_("#"), N_("priority"), N_("id"), N_("severity"), N_("status"),
               N_("requirement"), N_("legal citation"), N_("finding"), N_("remediation"),
               N_("jurisdiction"), N_("area"), N_("score"), N_("owner"), N_("due date"),
               N_("tracking status"), N_("comments")]
GAP_PRINTED = GAP_HEADERS.index("remediation") + 1
TRACKING_COLUMNS = {"owner": "gaps_owner", "due date": "gaps_due_date",
                    "tracking status": "gaps_tracking_status", "comments": "gaps_comments",
                    "id": "gaps_requirement_id"}
METRIC_HEADERS = [N_("requirement"), N_("rule"), N_("log"), N_("rule version from"),
                  N_("within"), N_("events"), N_("on time"), N_("late"), N_("missing"),
                  N_("pending"), N_("share"), N_("target"), N_("median time"),
                  N_("90th percentile time"), N_("99th percentile time"), N_("matched"),
                  N_("status")]

# The Metrics column that shows each measured figure (a ``Finding.figures`` key), so other
# writers (the HTML report) label a figure with the same, already translated, header.
FIGURE_COLUMNS = {"events": "events", "on_time": "on time", "late": "late",
                  "missing": "missing", "pending": "pending", "share_on_time": "share",
                  "share": "share", "target": "target", "p50_hours": "median time",
                  "p90_hours": "90th percentile time", "p99_hours": "99th percentile time",
                  "matched": "matched"}


def priority(result: RequirementResult) -> str:
    """P1..P4 from severity and the size of the gap (documented in docs/gap-workbook.md).

    points = severity points (critical 10, high 5, medium 3, low 1) x gap size, where the gap
    size is 1 - score (0.5 for manual review, whose outcome is unknown);
    P1 >= 5 > P2 >= 2.5 > P3 >= 1 > P4.
    """
    gap = 0.5 if result.status is Status.MANUAL_REVIEW else 1.0 - result.finding.score
    points = SEVERITY_POINTS[result.requirement.severity.value] * gap
    if points >= 5:
        return "P1"
    if points >= 2.5:
        return "P2"
    if points >= 1:
        return "P3"
    return "P4"

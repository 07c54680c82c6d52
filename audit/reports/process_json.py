"""The JSON result's keys for the audit as a process (docs/reference/result-schema.md)."""

from __future__ import annotations

from typing import Any, Callable

from audit.assessment import Assessment
from audit.i18n import _
from audit.reports.json_values import score_dict


def process_dict(a: Assessment) -> dict[str, Any]:
    """remediation, remediation_dropped, freshness, auditor_decisions and provenance."""
    decided = [r.requirement.full_id for r in a.results if r.review is not None]
    return {
        "remediation": {rid: e.as_dict() for rid, e in sorted(a.remediation.items())},
        "remediation_dropped": [{"requirement": d.entry.requirement, "reason": d.reason,
                                 **d.entry.as_dict()} for d in a.remediation_dropped],
        "freshness": [{"requirement": i.requirement, "state": i.state, "evidence": i.evidence,
                       "dated": i.dated.isoformat() if i.dated else None,
                       "max_age": i.max_age,
                       "stale_from": i.stale_from.isoformat() if i.stale_from else None}
                      for i in a.freshness],
        "auditor_decisions": None if not decided or a.score_without_reviews is None else {
            "requirements": decided,
            "score_without": score_dict(a.score_without_reviews),
            "verdict_without": a.verdict_without_reviews.value
            if a.verdict_without_reviews else None},
        "provenance": a.provenance,
    }


def milestone_tasks(a: Assessment, full_id: str, uid: Callable[..., str]) -> list[dict[str, Any]]:
    """OSCAL remediation tasks for a POA&M risk: one milestone on the carried due date, with
    the owner, tracking status and comments typed into the gap workbook."""
    entry = a.remediation.get(full_id)
    if entry is None or entry.due is None:
        return []
    details = [_("Owner: {owner}.", owner=entry.owner)] if entry.owner else []
    if entry.tracking:
        details.append(_("Tracking status: {tracking}.", tracking=entry.tracking))
    if entry.comments:
        details.append(_("Comments: {comments}", comments=" ".join(entry.comments.split())))
    return [{"uuid": uid("milestone", full_id, per_run=False), "type": "milestone",
             "title": _("Remediated by {due}", due=entry.due.isoformat()),
             "description": " ".join(details) or _("Due date carried from the gap workbook."),
             "timing": {"on-date": {"date": f"{entry.due.isoformat()}T23:59:59Z"}}}]

"""Report sections of the audit as a process, shared by the console and Markdown writers:
auditor decisions, stale evidence, carried remediation, waivers, scope (docs/over-time.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.freshness import HORIZON_DAYS
from audit.i18n import _, ngettext
from audit.labels import verdict_label
from audit.reviews import computed_label, status_label

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment

Section = tuple[str, list[str], list[list[Any]]]


def header_lines(a: Assessment) -> list[str]:
    """Lines for the report head: what auditor decisions change, staleness, tracking."""
    out = []
    decided = [r for r in a.results if r.review is not None]
    if decided and a.score_without_reviews is not None and a.verdict_without_reviews:
        out.append(ngettext(
            "{n} auditor decision applies; without it: score {score}, verdict {verdict}",
            "{n} auditor decisions apply; without them: score {score}, verdict {verdict}",
            len(decided), score=a.score_without_reviews.percent,
            verdict=verdict_label(a.verdict_without_reviews)))
    stale = sum(1 for i in a.freshness if i.state == "stale")
    due = len(a.freshness) - stale
    if a.freshness:
        out.append(_("Evidence freshness: {stale} requirement(s) on stale evidence (counted as "
                     "partial at most), {due} going stale within 90 days", stale=stale, due=due))
    if a.remediation or a.remediation_dropped:
        open_ = sum(1 for e in a.remediation.values() if e.state == "open")
        out.append(_("Remediation tracking carried: {open} open, {closed} closed since the "
                     "baseline, {dropped} not carried (listed below)", open=open_,
                     closed=len(a.remediation) - open_, dropped=len(a.remediation_dropped)))
        done = sorted(e.requirement for e in a.remediation.values()
                      if e.state == "open" and e.tracking == "done")
        if done:
            out.append(_("Marked done in the tracking but still a gap: {ids}",
                         ids=", ".join(done)))
    return out


def sections(a: Assessment) -> list[Section]:
    """Each non-empty section as (title, headers, rows)."""
    out: list[Section] = []
    decided = [(r, r.review) for r in a.results if r.review is not None]
    if decided:
        out.append((_("Auditor decisions ({n})", n=len(decided)),
                    [_("requirement"), _("status"), _("computed"), _("reviewer"), _("date"),
                     _("reasoning")],
                    [[r.requirement.full_id, status_label(r), computed_label(r),
                      rv.reviewer, str(rv.date), rv.reasoning] for r, rv in decided]))
    if a.freshness:
        out.append((_("Evidence freshness: stale now or within {days} days ({n})",
                      days=HORIZON_DAYS, n=len(a.freshness)),
                    [_("requirement"), _("state"), _("evidence"), _("dated"), _("allowed age"),
                     _("stale from")],
                    [[i.requirement, i.state, i.evidence, str(i.dated or _("undated")),
                      i.max_age, str(i.stale_from or "")]
                     for i in sorted(a.freshness, key=lambda i: (i.state, i.requirement))]))
    if a.remediation:
        out.append((_("Remediation tracking ({n})", n=len(a.remediation)),
                    [_("requirement"), _("state"), _("owner"), _("due date"),
                     _("tracking status"), _("closed on"), _("comments")],
                    [[e.requirement, e.state, e.owner or "", str(e.due or ""),
                      e.tracking or "", str(e.closed_on or ""), e.comments or ""]
                     for e in sorted(a.remediation.values(),
                                     key=lambda e: (e.state, e.requirement))]))
    if a.remediation_dropped:
        out.append((_("Tracking not carried forward ({n})", n=len(a.remediation_dropped)),
                    [_("requirement"), _("read from"), _("owner"), _("due date"), _("reason")],
                    [[d.entry.requirement, d.entry.source, d.entry.owner or "",
                      str(d.entry.due or ""), d.reason] for d in a.remediation_dropped]))
    waivers = waiver_rows(a)
    if waivers:
        out.append((_("Waivers ({n})", n=len(waivers)),
                    [_("requirement"), _("state"), _("detail")], waivers))
    scope = scope_rows(a)
    if scope:
        out.append((_("Scope: overlays and requirements left out ({n})", n=len(scope)),
                    [_("item"), _("kind"), _("detail")], scope))
    return out


def waiver_rows(a: Assessment) -> list[list[Any]]:
    """Every waiver that names an assessed requirement: in force, expired or not yet granted."""
    rows = []
    for w in sorted(a.waivers, key=lambda w: (not w.active, w.waiver.requirement)):
        state = _("in force") if w.active else (
            _("not yet in force") if w.waiver.granted and a.as_of < w.waiver.granted
            else _("expired"))
        detail = _("granted {granted}, expires {expires}, approved by {by}: {why}",
                   granted=w.waiver.granted or _("(no grant date)"), expires=w.waiver.expires,
                   by=w.waiver.approved_by, why=" ".join(w.waiver.justification.split()))
        rows.append([w.waiver.requirement, state, detail])
    return rows


def scope_rows(a: Assessment) -> list[list[Any]]:
    """Overlays with their parent module and version, and the requirements they unselect."""
    rows: list[list[Any]] = []
    for c in a.checklists:
        if c.extends:
            rows.append([c.id, _("overlay"), _("extends {parent} v{version}", parent=c.extends,
                                               version=c.extends_version or "?")])
        for rid, reason in c.unselected:
            rows.append([f"{c.extends or c.id}:{rid}", _("unselected"),
                         _("left out by {module}: {reason}", module=c.id, reason=reason)])
    return rows

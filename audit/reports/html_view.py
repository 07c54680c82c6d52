"""What the HTML report shows, computed from the ``Assessment`` (the template only lays it out).

Words that depend on a value (status, severity, verdict) are translated here through
``audit.i18n`` so the template never builds a sentence from pieces.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from audit.assessment import Assessment, RequirementResult
from audit.durations import parse_duration
from audit.freshness import HORIZON_DAYS
from audit.i18n import (
    N_,
    _,
    babel_locale,
    format_date,
    format_duration,
    format_hours,
    format_number,
    format_percent,
)
from audit.labels import detail_column_label, detail_status_label
from audit.quality import warnings_of
from audit.reports.html_charts import MonthPoint, area_bars, monthly_share, score_colour
from audit.reports.quality_text import ledger_lines
from audit.reports.summary import citation_text, verdict_reason
from audit.reports.xlsx_columns import FIGURE_COLUMNS, priority


def status_label(status: str) -> str:
    labels = {"met": _("met"), "partial": _("partially met"), "not_met": _("not met"),
              "no_evidence": _("no evidence"), "manual_review": _("manual review"),
              "not_applicable": _("not applicable"), "waived": _("waived")}
    return labels.get(status, status)


def severity_label(severity: str) -> str:
    labels = {"critical": _("critical"), "high": _("high"), "medium": _("medium"),
              "low": _("low")}
    return labels.get(severity, severity)


def verdict_label(verdict: str) -> str:
    labels = {"compliant": _("Compliant"), "partially_compliant": _("Partially compliant"),
              "non_compliant": _("Non-compliant"), "review_needed": _("Review needed"),
              "not_assessed": _("Not assessed")}
    return labels.get(verdict, verdict)


def legal_status_label(status: str) -> str:
    labels = {"in_force": _("in force"), "draft": _("draft, not in force"),
              "practice": _("practice without a published instrument"),
              "proposal": _("proposal, not in force"),
              "enacted": _("enacted, not yet in force"), "superseded": _("superseded")}
    return labels.get(status, status)


def role_label(role: str) -> str:
    labels = {"profile": _("platform profile"), "answers": _("answers"),
              "documents-index": _("documents index"), "document": _("document"),
              "log": _("log"), "waivers": _("waivers"), "workbook": _("evidence workbook")}
    return labels.get(role, role)


def area_label(area: str) -> str:
    labels = {"data_handling": _("data handling"), "moderation": _("moderation"),
              "breach_disclosure": _("breach disclosure"), "governance": _("governance"),
              "transparency": _("transparency"), "localisation": _("data localisation"),
              "law_enforcement": _("law enforcement")}
    return labels.get(area, area.replace("_", " "))


_FIGURE_LABELS = {"outside_period": N_("outside the measured period"),
                  "count": N_("documents found"), "newest": N_("newest document"),
                  "calendar": N_("calendar")}


def figure_label(key: str) -> str:
    """A measured figure's name for people: the Metrics sheet's header where it has a column,
    else a label of its own; an unknown (plugin) key keeps its name, spaced."""
    if key in FIGURE_COLUMNS:
        return _(FIGURE_COLUMNS[key])
    if key in _FIGURE_LABELS:
        return _(_FIGURE_LABELS[key])
    return key.replace("_", " ")


def figure_value(key: str, value: Any) -> Any:  # Any: whatever an evaluator measured
    # (Finding.figures is Mapping[str, Any]: numbers, ISO dates, text, set by each rule type)
    """A figure formatted as the workbook shows it, in the report's locale: shares as
    percentages, hours as durations, dates in words, counts with grouping."""
    if value is None or isinstance(value, bool):
        return value
    if key.startswith("share") or key == "target":
        return format_percent(float(value))
    if key.endswith("_hours"):
        return format_hours(float(value))
    if key == "newest":
        return format_date(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return value


def _figures(figures: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
    """Scalar figures as (label, formatted value) pairs, and rule versions as rows."""
    scalars = [(figure_label(k), figure_value(k, v)) for k, v in figures.items()
               if isinstance(v, (str, int, float, bool)) or v is None]
    versions = [{**v, "within": clock_words(v.get("within")),
                 "from": format_date(v.get("from")) or None,
                 "until": format_date(v.get("until")) or None}
                for v in figures.get("versions", []) if isinstance(v, dict)]
    return scalars, versions


def _row(a: Assessment, r: RequirementResult) -> dict[str, Any]:
    req, f = r.requirement, r.finding
    return {
        "id": req.full_id, "title": req.title, "checklist": r.checklist,
        "jurisdiction": req.jurisdiction, "area": area_label(req.area.value),
        "severity": req.severity.value, "severity_label": severity_label(req.severity.value),
        "status": f.status.value, "status_label": status_label(f.status.value),
        "score": f.score, "summary": f.summary, "citation": citation_text(a, r),
        "url": a.source_url(r), "remediation": " ".join(req.remediation.split()),
        "priority": priority(r) if r.status.is_gap else "",
        "applicability": r.applicability, "legal_status": req.status.value,
        "legal_status_label": legal_status_label(req.status.value),
        "waiver": r.waiver.note if r.waiver is not None else "",
    }


def _monthly(a: Assessment, r: RequirementResult) -> Any:
    """The share-within-the-clock chart for a deadline rule whose events span two months or
    more; None otherwise (one DuckDB query over the log, only for the report)."""
    query = a.details.get(r.requirement.full_id)
    sql = getattr(query, "monthly_sql", "") if query is not None else ""
    if not sql or a.evidence is None:
        return None
    points = [MonthPoint(str(m), int(v), int(t), int(o)) for m, v, t, o in
              a.evidence.logs.query(sql) if t]
    if len({p.month for p in points}) < 2:
        return None
    versions = []
    for v in r.finding.figures.get("versions", []):
        since = v.get("from")
        within = clock_words(v.get("within"))
        label = (_("rule from {date}: within {within}", date=format_date(since), within=within)
                 if since else _("rule: within {within}", within=within))
        versions.append((label, float(v.get("target", 0.0))))
    title = _("{requirement}: share handled within the clock, by month of receipt",
              requirement=r.requirement.full_id)
    return monthly_share(points, versions, title)


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
EVENT_TIME = "d MMM y, HH:mm"  # the date as elsewhere in the report, and the time of day


def report_zone(a: Assessment) -> str:
    """The time zone the report shows event times in: the pack profile's ``timezone``, else
    UTC (a timestamp without an offset is shown as it was recorded)."""
    zone = getattr(a.evidence, "timezone", None) if a.evidence is not None else None
    return zone if isinstance(zone, str) and zone else "UTC"


def event_value(column: str, value: Any, zone: str) -> Any:  # Any: a log's cell
    """One cell of an offending-events table for people: times in the report's locale and
    time zone, hours as a duration, the problem in words; anything else as it is."""
    from babel.dates import format_datetime  # deferred: babel

    moment = value
    if isinstance(value, str) and _TIMESTAMP.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(zoneinfo.ZoneInfo(zone))
        return format_datetime(moment.replace(tzinfo=None), format=EVENT_TIME,
                               locale=babel_locale())
    if column == "hours_taken" and isinstance(value, (int, float)):
        return format_hours(float(value))
    if column == "problem" and isinstance(value, str):
        return detail_status_label(value)
    return value


def clock_words(value: object) -> str:
    """A rule version's clock (``72h``, ``1 month``) in words in the report language."""
    try:
        return format_duration(parse_duration(value))
    except (TypeError, ValueError):
        return "" if value is None else str(value)


def _detail(a: Assessment, r: RequirementResult, names: dict[str, str],
            cap: int) -> dict[str, Any] | None:
    full_id = r.requirement.full_id
    query = a.details.get(full_id)
    figures = dict(r.finding.figures)
    scalars, versions = _figures(figures)
    measured = [k for k, v in figures.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
                or isinstance(v, str) and v[:1].isdigit()]
    if query is None and not measured:
        return None  # an answer or a named officer: already in the requirement table
    total = a.detail_count(full_id) if query is not None else 0
    columns = tuple(query.columns) if query is not None else ()
    zone = report_zone(a)
    rows = [[event_value(c, v, zone) for c, v in zip(columns, row, strict=False)]
            for row in a.detail_rows(full_id, limit=cap)] if query is not None else []
    return {"id": full_id, "title": r.requirement.title, "figures": scalars,
            "versions": versions, "columns": [detail_column_label(c) for c in columns],
            "zone": zone,
            "rows": rows, "total": total, "shown": len(rows), "cap": cap,
            "csv": names.get(full_id) if total else None,
            "log": query.log if query is not None else None, "chart": _monthly(a, r)}


def _decisions(a: Assessment) -> list[dict[str, Any]]:
    """Auditor decisions that replaced a computed status: ``RequirementResult.review`` (and
    ``.computed``, what the evidence showed) when the review machinery set them."""
    out = []
    for r in a.results:
        review = getattr(r, "review", None)
        if review is None:
            continue
        decision = getattr(review, "decision", "")
        computed = getattr(r, "computed", None)
        out.append({
            "requirement": r.requirement.full_id,
            "decision": status_label(getattr(decision, "value", str(decision))),
            "computed": (status_label(computed.status.value) if computed is not None else ""),
            "by": getattr(review, "reviewer", ""), "date": getattr(review, "date", ""),
            "note": getattr(review, "reasoning", ""),
            "where": getattr(review, "location", "")})
    return out


def view(a: Assessment, names: dict[str, str], cap: int) -> dict[str, Any]:
    """Everything the template shows, in display order."""
    results = [_row(a, r) for r in a.results]
    gaps = [_row(a, r) for r in a.gaps()]
    areas = [(area_label(k), s.score, s) for k, s in a.by_area.items()]
    details = [d for d in (_detail(a, r, names, cap) for r in a.results
                           if r.status.value != "not_applicable") if d is not None]
    zone = report_zone(a)
    return {
        "platform": a.platform.get("name") or _("(unnamed platform)"),
        "as_of": format_date(a.as_of),
        # when the report was made, in the report's words and zone, the zone named
        "generated": _("{time} ({zone})", time=event_value("generated", a.generated_at, zone),
                       zone=zone),
        "legal_name": a.platform.get("legal_name"),
        "verdict": verdict_label(a.verdict.value), "verdict_code": a.verdict.value,
        "verdict_without": verdict_label(a.verdict_without_waivers.value),
        "data_warnings": len(warnings_of(a)),
        # the count of critical requirements that block it (the Gaps section names them)
        "verdict_reason": verdict_reason(a, named=False),
        "ledger": ledger_lines(a),
        "score_colour": score_colour(a.score.score),
        "counts": [(status_label(k), k, n) for k, n in a.counts().items() if n],
        "checklists": [(c, legal_status_label(c.status)) for c in a.checklists],
        "results": results, "gaps": gaps,
        "areas": [(name, s) for name, _score, s in areas],
        "area_chart": area_bars([(name, score) for name, score, _s in areas]),
        "jurisdictions": list(a.by_jurisdiction.items()),
        "details": details,
        "waivers": a.waivers,
        "freshness_heading": _("Evidence freshness: stale now or within {days} days ({n})",
                               days=HORIZON_DAYS, n=len(a.freshness)),
        # the state token as the console and Markdown tables show it (stale or due)
        "freshness": [(i, i.state, i.dated or _("undated"))
                      for i in sorted(a.freshness, key=lambda i: (i.state, i.requirement))],
        "files": [(f, role_label(f.role)) for f in a.evidence_files],
        "decisions": _decisions(a),
        "score_without_reviews": getattr(a, "score_without_reviews", None),
        "statuses": sorted({(r["status"], r["status_label"]) for r in results}),
    }

"""The gap workbook's reference sheets: Requirements (the data the Summary formulas read),
Metrics, Evidence and the jurisdiction Matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.assessment import RequirementResult
from audit.durations import parse_duration
from audit.i18n import _, format_date, format_duration, format_hours
from audit.labels import (
    area_label,
    confidence_label,
    file_role_label,
    legal_status_label,
    rule_label,
    severity_label,
    status_label,
    theme_label,
)
from audit.model import Finding
from audit.reports.summary import citation_text, one_line, since_baseline_text
from audit.reports.xlsx_columns import (
    METRIC_HEADERS,
    PCT,
    REQ_HEADERS,
    REQ_PRINTED,
    SINCE_BASELINE,
)
from audit.reports.xlsx_columns import REQ_COLUMNS as _COL
from audit.reports.xlsx_print import print_columns
from audit.reports.xlsx_style import STATUS_FILLS, cell, status_formatting
from audit.scoring import ROLLUP_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from audit.reports.xlsx import _Builder

# the printed columns (REQ_PRINTED, first) fit an A4 landscape page at about three quarters
REQ_WIDTHS = {"id": 16, "checklist": 14, "jurisdiction": 8, "area": 11, "theme": 14,
              "severity": 9, "weight": 7, "rule": 10, "requirement": 26, "status": 11,
              "score": 6, "finding": 32, "applicability": 24, "waiver": 20,
              "status without waivers": 11, "score without waivers": 8, "counted weight": 8,
              "earned points": 8, "counted weight without waivers": 9,
              "earned points without waivers": 9, "legal citation": 18, "confidence": 10,
              "legal status": 10, "source URL": 30, "since baseline": 14}
REQ_WRAPPED = ("id", "area", "theme", "requirement", "finding", "applicability", "waiver",
               "legal citation", "legal status", "source URL", "since baseline", "status",
               "status without waivers")


def applicability_text(value: str) -> str:
    return _("applies") if value == "applies" else value


def requirements_sheet(b: _Builder) -> None:
    a, st = b.a, b.style
    ws = b.sheet(_("Requirements"))
    base = a.baseline
    keys = REQ_HEADERS + ([SINCE_BASELINE] if base is not None else [])
    data = []
    for r, (den, num, uden, unum) in zip(a.results, b.contrib, strict=True):
        req = r.requirement
        waiver = ""
        if r.waiver is not None:
            waiver = (_("active: {note}", note=r.waiver.note) if r.waiver.active
                      else _("expired: {note}", note=r.waiver.note))
        data.append([req.full_id, area_label(req.area), severity_label(req.severity),
                     req.title, status_label(r.status), r.finding.score,
                     one_line(r.finding.summary), citation_text(a, r),
                     legal_status_label(req.status), r.checklist, req.jurisdiction,
                     theme_label(req.theme or ""), req.weight, rule_label(req.rule.type),
                     applicability_text(r.applicability), waiver,
                     status_label(r.underlying.status), r.underlying.score, den, num, uden,
                     unum, confidence_label(req.confidence), a.source_url(r) or ""])
        if base is not None:  # last, so the Summary formulas' columns do not move
            data[-1].append(since_baseline_text(base, req.full_id))
    headers = [_(k) for k in keys]
    st.setup(ws, [REQ_WIDTHS[k] for k in keys], freeze="B2", headers=headers)
    widths = st.widths
    b.print_setup(ws, "1:1")
    b.header_row(ws, 1, headers, widths)
    print_columns(ws, REQ_PRINTED, len(data) + 1)
    wrap = [keys.index(k) for k in REQ_WRAPPED if k in keys]
    fmts = {_COL["score"]: "0.00", _COL["score without waivers"]: "0.00"}
    for n, values in enumerate(data, start=2):
        st.fit_row(ws, n, values, wrap)
        ws.append(st.row(ws, values, wrap=wrap, number_formats=fmts))
    last = len(data) + 1
    ws.auto_filter.ref = f"A1:{_letter(len(keys))}{last}"
    status_formatting(ws, _letter(_COL["status"] + 1), 2, last, _letter(len(keys)))


def metrics_sheet(b: _Builder) -> None:
    a, st = b.a, b.style
    ws = b.sheet(_("Metrics"))
    data = []
    for r in a.results:
        for finding in _walk(r.finding):
            data += _metric_rows(r, finding)
    widths: list[float] = [24, 9, 24, 12, 10, 8, 8, 7, 8, 8, 8, 8, 10, 10, 10, 8, 11]
    headers = [_(h) for h in METRIC_HEADERS]
    st.setup(ws, widths, freeze="B2", headers=headers)
    widths = st.widths
    b.print_setup(ws, "1:1")
    b.header_row(ws, 1, headers, widths)
    fmts = {METRIC_HEADERS.index("share"): PCT, METRIC_HEADERS.index("target"): PCT}
    wrap = [0, 2, 16]
    for n, values in enumerate(data, start=2):
        st.fit_row(ws, n, values, wrap)
        ws.append(st.row(ws, values, wrap=wrap, number_formats=fmts))
    ws.auto_filter.ref = f"A1:{_letter(len(METRIC_HEADERS))}{len(data) + 1}"


def evidence_sheet(b: _Builder) -> None:
    a, st = b.a, b.style
    ws = b.sheet(_("Evidence"))
    headers = [_("file"), _("role"), _("size (bytes)"), _("SHA-256")]
    data = [[f.path, file_role_label(f.role), f.size, f.sha256] for f in a.evidence_files]
    widths = [44, 14, 12, 70]
    st.setup(ws, widths, freeze="A3")
    b.print_setup(ws, "2:2")
    ws.append([cell(ws, _("Files read by platform-audit {version}; SHA-256 of the exact bytes "
                          "judged", version=a.tool_version), st.bold)])
    b.header_row(ws, 2, headers, widths)
    for n, values in enumerate(data, start=3):
        st.fit_row(ws, n, values, [0])
        ws.append(st.row(ws, values, wrap=[0], number_formats={2: "#,##0"}))
    ws.auto_filter.ref = f"A2:D{len(data) + 2}"


def matrix_sheet(b: _Builder) -> None:
    from openpyxl.styles import PatternFill

    a, st = b.a, b.style
    ws = b.sheet(_("Matrix"))
    jurisdictions = list(a.by_jurisdiction)
    grid: dict[str, dict[str, list[RequirementResult]]] = {}
    for r in a.results:
        theme = theme_label(r.requirement.theme) if r.requirement.theme \
            else f"({r.requirement.id})"
        grid.setdefault(theme, {}).setdefault(r.requirement.jurisdiction, []).append(r)
    headers = [_("theme"), *jurisdictions]
    widths = [30, *[14] * len(jurisdictions)]
    st.setup(ws, widths, freeze="B2")
    b.print_setup(ws, "1:1")
    b.header_row(ws, 1, headers, widths)
    n = 1
    for theme in sorted(grid):
        values: list[Any] = [theme]
        tokens: list[str | None] = [None]
        for jur in jurisdictions:
            found = grid[theme].get(jur, [])
            if not found:
                values.append("")
                tokens.append(None)
                continue
            worst = min((x.status for x in found), key=ROLLUP_ORDER.index)
            values.append(status_label(worst))
            tokens.append(worst.value)
        n += 1
        st.fit_row(ws, n, values, range(len(values)))
        cells = st.row(ws, values, wrap=range(len(values)))
        for c, token in zip(cells[1:], tokens[1:], strict=True):
            if token in STATUS_FILLS:
                c.fill = PatternFill("solid", fgColor=STATUS_FILLS[token])
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{_letter(len(headers))}{n}"
    ws.append([])
    ws.append([cell(ws, _("Each cell shows the worst status among the jurisdiction's "
                          "requirements on the theme (see the Requirements sheet)."), st.font)])


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _walk(finding: Finding) -> list[Finding]:
    out = [finding]
    for child in finding.children:
        out += _walk(child)
    return out


def _within(value: object) -> str:
    try:
        return format_duration(parse_duration(value))
    except (TypeError, ValueError):
        return "" if value is None else str(value)


def _metric_rows(r: RequirementResult, f: Finding) -> list[list[Any]]:
    """One row per measured rule (and per rule version), durations in words for people."""
    fig = dict(f.figures)
    log = next((p.ref for p in f.proof if p.kind == "log"), "")
    rid = r.requirement.full_id
    status = status_label(f.status)
    if "share_on_time" in fig:
        versions = fig.get("versions") or []
        rows = []
        last = versions[-1] if versions else {}
        rows.append([rid, rule_label("deadline"), log,
                     _("all") if len(versions) > 1 else format_date(last.get("from")),
                     _within(last.get("within")) if len(versions) == 1 else _("by version"),
                     fig.get("events"), fig.get("on_time"), fig.get("late"), fig.get("missing"),
                     fig.get("pending"), fig.get("share_on_time"),
                     last.get("target") if len(versions) == 1 else None,
                     format_hours(fig.get("p50_hours")), format_hours(fig.get("p90_hours")),
                     format_hours(fig.get("p99_hours")), None, status])
        if len(versions) > 1:
            for v in versions:
                rows.append([rid, rule_label("deadline"), log, format_date(v.get("from")),
                             _within(v.get("within")), v.get("events"), v.get("on_time"),
                             v.get("late"), v.get("missing"), None, v.get("share_on_time"),
                             v.get("target"), None, None, None, None, ""])
        return rows
    if "matched" in fig and "share" in fig:
        return [[rid, rule_label("share"), log, None, None, fig.get("events"), None, None, None, None,
                 fig.get("share"), fig.get("target"), None, None, None, fig.get("matched"),
                 status]]
    if fig.get("events") == 0 and log:
        return [[rid, rule_label("share"), log, None, None, 0, None, None, None, None, None, None, None,
                 None, None, None, status]]
    return []

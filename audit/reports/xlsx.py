"""The gap workbook (``--format xlsx``): summary, gaps to track, every requirement, metrics,
offending events, evidence hashes and a jurisdiction matrix, in one styled workbook.

The whole workbook is written in openpyxl's write-only mode: rows stream to disk, so a detail
sheet of thousands of events costs little memory. Totals on the Summary sheet are formulas over
the Requirements sheet (COUNTIF, SUMIFS), so an auditor can see how each figure is made; the
tests recompute them in LibreOffice and compare them with the JSON result.
See docs/gap-workbook.md for every sheet and column.
"""

from __future__ import annotations

import io
from typing import IO, Any

from openpyxl.cell.cell import Cell

from audit.assessment import Assessment, RequirementResult
from audit.model import Finding, Status
from audit.baseline import baseline_of
from audit.remediation import stamp_workbook
from audit.reports.summary import VERDICT_WORDS, gap_rows, since_baseline_text
from audit.reports.xlsx_process import process_sheets, reproducible_xlsx, tracking_values
from audit.reports.xlsx_quality import write_quality_sheet
from audit.scoring import ROLLUP_ORDER, Scored

DETAIL_CAP = 5000  # offending events per detail sheet; the sheet states the cap and the total
TRACKING_STATUSES = ("open", "in progress", "done", "accepted risk")
SEVERITY_POINTS = {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0}
SEVERITIES = ("critical", "high", "medium", "low")
STATUS_ORDER = ("met", "partial", "not_met", "no_evidence", "manual_review", "not_applicable",
                "waived")
PCT = "0.0%"
SINCE_BASELINE = "since baseline"  # column added when assessed with --baseline
BASELINE_ALERTS = ("was met", "new gap", "worse")
CHANGE_HEADERS = ["requirement", "severity", "change", "old status", "new status", "old score",
                  "new score", "score change", "figures", "waiver", "old finding",
                  "new finding"]

REQ_HEADERS = ["id", "checklist", "jurisdiction", "area", "theme", "severity", "weight", "rule",
               "requirement", "status", "score", "finding", "applicability", "waiver",
               "status without waivers", "score without waivers", "counted weight",
               "earned points", "counted weight without waivers",
               "earned points without waivers", "legal citation", "confidence",
               "legal status", "source URL"]
_COL = {name: i for i, name in enumerate(REQ_HEADERS)}
GAP_HEADERS = ["#", "priority", "id", "jurisdiction", "area", "severity", "status", "score",
               "requirement", "legal citation", "finding", "remediation", "owner", "due date",
               "tracking status", "comments"]
METRIC_HEADERS = ["requirement", "rule", "log", "rule version from", "within", "events",
                  "on time", "late", "missing", "pending", "share", "target", "p50 hours",
                  "p90 hours", "p99 hours", "matched", "status"]


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


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def rtl_for(platform_language: Any, checklist_languages: Any = ()) -> bool:
    """Right-to-left sheets when the platform's or a checklist's language is written so."""
    return (platform_language in RTL_LANGUAGES
            or any(lang in RTL_LANGUAGES for lang in checklist_languages))


def is_rtl(a: Assessment) -> bool:
    return rtl_for(a.platform.get("language"), [c.language for c in a.checklists])


def _contributions(a: Assessment) -> tuple[list[tuple[float, float, float, float]], bool]:
    """Each requirement's (denominator, numerator) share with and without waivers, and whether
    the scoring model is additive (then Summary totals can be SUM formulas over them)."""
    from audit.plugins import get_registry

    model = get_registry().scoring_models.get(a.scoring_model)
    out = []
    for r in a.results:
        w = model.score([Scored(r.requirement, r.finding.status, r.finding.score)])
        u = model.score([Scored(r.requirement, r.underlying.status, r.underlying.score)])
        out.append((w.denominator, w.numerator, u.denominator, u.numerator))
    additive = True
    for idx, total in ((0, a.score.denominator), (1, a.score.numerator),
                       (2, a.score_without_waivers.denominator),
                       (3, a.score_without_waivers.numerator)):
        if abs(sum(c[idx] for c in out) - total) > 1e-6:
            additive = False
    return out, additive


class XlsxWriter:
    id = "xlsx"
    description = "gap workbook for auditors (Excel/LibreOffice), with tracking columns"
    extensions = (".xlsx",)
    binary = True

    def write(self, assessment: Assessment, stream: IO[Any]) -> None:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        _Builder(assessment, wb).build()
        stamp_workbook(wb, assessment)
        buffer = io.BytesIO()
        wb.save(buffer)
        stream.write(reproducible_xlsx(buffer.getvalue()))


class _Builder:
    def __init__(self, a: Assessment, wb: Any) -> None:
        from audit.reports.xlsx_style import Style

        self.a = a
        self.wb = wb
        self.style = Style(rtl=is_rtl(a))
        self.titles: set[str] = set()
        self.contrib, self.additive = _contributions(a)
        self.n = len(a.results)

    # -- helpers ---------------------------------------------------------------------------

    def sheet(self, name: str) -> Any:
        from audit.reports.xlsx_style import safe_sheet_title

        return self.wb.create_sheet(safe_sheet_title(name, self.titles))

    def req_range(self, column: str) -> str:
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(_COL[column] + 1)
        return f"Requirements!${letter}$2:${letter}${max(self.n + 1, 2)}"

    def build(self) -> None:
        self.summary()
        self.gaps()
        self.requirements()
        self.metrics()
        self.details()
        self.evidence()
        if len(self.a.by_jurisdiction) > 1:
            self.matrix()
        base = baseline_of(self.a)
        if base is not None:
            changes_sheet(self.sheet("Changes"), base.diff, self.style)
        process_sheets(self)
        write_quality_sheet(self.a, self.sheet, self.style)

    # -- Summary ---------------------------------------------------------------------------

    def summary(self) -> None:
        from openpyxl.chart import BarChart, Reference

        from audit.reports.xlsx_style import cell, formula

        a, st = self.a, self.style
        ws = self.sheet("Summary")
        st.setup(ws, [34, 16, 16, 16, 16, 16, 16, 16, 16], freeze=None)
        row = 0

        def put(*values: Any, bold: bool = False, fmt: dict[int, str] | None = None) -> int:
            nonlocal row
            cells = []
            for i, v in enumerate(values):
                c = v if isinstance(v, Cell) else cell(ws, v, st.bold if bold and i == 0
                                                            else st.font)
                if fmt and i in fmt:
                    c.number_format = fmt[i]
                cells.append(c)
            ws.append(cells)
            row += 1
            return row

        put(cell(ws, f"Gap workbook: {a.platform.get('name', '(unnamed platform)')}", st.title))
        put()
        put("Platform", a.platform.get("name", ""), bold=True)
        if a.platform.get("legal_name"):
            put("Legal name", a.platform["legal_name"], bold=True)
        put("As of", a.as_of, bold=True, fmt={1: "yyyy-mm-dd"})
        put("Generated (UTC)", a.generated_at.replace(tzinfo=None), bold=True,
            fmt={1: "yyyy-mm-dd hh:mm:ss"})
        put("Tool", f"platform-audit {a.tool_version}", bold=True)
        put("Verdict", VERDICT_WORDS[a.verdict.value], bold=True)
        put("Verdict without waivers", VERDICT_WORDS[a.verdict_without_waivers.value], bold=True)
        put("Scoring model", a.scoring_model, bold=True)
        put("Formula", a.score.formula, bold=True)
        excluded = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(a.score.excluded.items()))
        put("Outside the denominator", excluded or "nothing", bold=True)
        put()
        put(cell(ws, "Checklists", st.bold))
        put(*st.header(ws, ["module", "version", "jurisdiction", "legal status", "language",
                            "title"]))
        for c in a.checklists:
            put(c.id, c.version, c.jurisdiction, c.status, c.language, c.title)
        put()

        # Scores: formulas over the Requirements sheet when the model is additive.
        put(cell(ws, "Scores", st.bold))
        put(*st.header(ws, ["scope", "score", "earned points", "counted weight",
                            "requirements counted", "score written out"]))
        self.overall_rows: dict[str, int] = {}
        for label, res, suffix in (("overall, with waivers", a.score, ""),
                                   ("overall, without waivers", a.score_without_waivers,
                                    " without waivers")):
            r = row + 1
            if self.additive:
                values = [
                    formula(ws, f"=IF(D{r}=0,\"n/a\",C{r}/D{r})"),
                    formula(ws, f"=SUM({self.req_range('earned points' + suffix)})"),
                    formula(ws, f"=SUM({self.req_range('counted weight' + suffix)})"),
                    formula(ws, f"=COUNTIF({self.req_range('counted weight' + suffix)},\">0\")"),
                ]
            else:
                values = [res.score if res.score is not None else "n/a", res.numerator,
                          res.denominator, res.counted]
            put(label, *values, f"{res.percent} = {res.numerator:g} / {res.denominator:g} "
                                f"over {res.counted} requirement(s)",
                fmt={1: PCT, 2: "0.####", 3: "0.####"})
            self.overall_rows[label] = r
        put()
        put(cell(ws, "Scores by area", st.bold))
        put(*st.header(ws, ["area", "score", "earned points", "counted weight",
                            "requirements counted", "score written out"]))
        first_area = row + 1
        for area, res in a.by_area.items():
            self._scope_row(ws, put, row + 1, area, "area", res)
        last_area = row
        put()
        put(cell(ws, "Scores by jurisdiction", st.bold))
        put(*st.header(ws, ["jurisdiction", "score", "earned points", "counted weight",
                            "requirements counted", "score written out"]))
        for jur, res in a.by_jurisdiction.items():
            self._scope_row(ws, put, row + 1, jur, "jurisdiction", res)
        put()

        put(cell(ws, "Requirements by status", st.bold))
        put(*st.header(ws, ["status", "with waivers", "without waivers"]))
        for status in STATUS_ORDER:
            r = row + 1
            put(status, formula(ws, f"=COUNTIF({self.req_range('status')},A{r})"),
                formula(ws, f"=COUNTIF({self.req_range('status without waivers')},A{r})"))
        r = row + 1
        put("all", formula(ws, f"=SUM(B{r - len(STATUS_ORDER)}:B{r - 1})"),
            formula(ws, f"=SUM(C{r - len(STATUS_ORDER)}:C{r - 1})"), bold=True)
        put()
        put(cell(ws, "Requirements by severity and status (with waivers)", st.bold))
        put(*st.header(ws, ["severity", *STATUS_ORDER]))
        sev_col = self.req_range("severity")
        status_col = self.req_range("status")
        from openpyxl.utils import get_column_letter

        for sev in SEVERITIES:
            r = row + 1
            put(sev, *[formula(ws, f"=COUNTIFS({sev_col},$A{r},{status_col},"
                                   f"{get_column_letter(i + 2)}${r - 1 - SEVERITIES.index(sev)})")
                       for i in range(len(STATUS_ORDER))])
        self.summary_rows = row

        if a.by_area:
            chart = BarChart()
            chart.type = "bar"
            chart.title = "Score by area (with waivers)"
            chart.y_axis.title = "score"
            chart.y_axis.scaling.min = 0
            chart.y_axis.scaling.max = 1
            chart.y_axis.number_format = "0%"
            chart.legend = None
            data = Reference(ws, min_col=2, min_row=first_area, max_row=last_area)
            cats = Reference(ws, min_col=1, min_row=first_area, max_row=last_area)
            chart.add_data(data, titles_from_data=False)
            chart.set_categories(cats)
            chart.height = max(6.0, 1.2 * len(a.by_area) + 3)
            chart.width = 16
            ws.add_chart(chart, "H3")

    def _scope_row(self, ws: Any, put: Any, r: int, key: str, column: str, res: Any) -> None:
        from audit.reports.xlsx_style import formula

        written = (f"{res.percent} = {res.numerator:g} / {res.denominator:g} over "
                   f"{res.counted} requirement(s)")
        if self.additive:
            crit = f"{self.req_range(column)},$A{r}"
            put(key,
                formula(ws, f"=IF(D{r}=0,\"n/a\",C{r}/D{r})"),
                formula(ws, f"=SUMIFS({self.req_range('earned points')},{crit})"),
                formula(ws, f"=SUMIFS({self.req_range('counted weight')},{crit})"),
                formula(ws, f"=COUNTIFS({crit},{self.req_range('counted weight')},\">0\")"),
                written, fmt={1: PCT, 2: "0.####", 3: "0.####"})
        else:
            put(key, res.score if res.score is not None else "n/a", res.numerator,
                res.denominator, res.counted, written, fmt={1: PCT})

    # -- Gaps ------------------------------------------------------------------------------

    def gaps(self) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        from audit.reports.xlsx_style import cell, fit_widths, status_formatting

        a, st = self.a, self.style
        ws = self.sheet("Gaps")
        _headers, rows = gap_rows(a, width=None)
        gaps = a.gaps()
        base = baseline_of(a)
        H = list(GAP_HEADERS)
        if base is not None:  # beside the status, so the change reads with it
            H.insert(H.index("score") + 1, SINCE_BASELINE)
        data = []
        for i, (r, g) in enumerate(zip(gaps, rows, strict=False), start=1):
            req = r.requirement
            values = [i, priority(r), req.full_id, req.jurisdiction, req.area.value,
                      req.severity.value, r.status.value, r.finding.score, req.title, g[5],
                      g[4], " ".join(req.remediation.split()), *tracking_values(a, req.full_id)]
            if base is not None:
                values.insert(H.index(SINCE_BASELINE), g[6])
            data.append(values)
        widths = fit_widths([H, *data])
        widths[H.index("owner")] = 18
        widths[H.index("due date")] = 12
        widths[H.index("tracking status")] = 16
        widths[H.index("comments")] = 30
        st.setup(ws, widths)
        ws.append(st.header(ws, H))
        wrap = [H.index(h) for h in ("requirement", "legal citation", "finding",
                                     "remediation")]
        due = H.index("due date")
        for values in data:
            cells = st.row(ws, values, wrap=wrap,
                           number_formats={H.index("score"): "0.00", due: "yyyy-mm-dd"})
            for idx in (H.index("owner"), due, H.index("tracking status"), H.index("comments")):
                cells[idx].protection = st.unlocked
            if base is not None and values[H.index(SINCE_BASELINE)].startswith(
                    BASELINE_ALERTS):
                cells[H.index(SINCE_BASELINE)].font = st.bold
            ws.append(cells)
        last = len(data) + 1
        last_col = _letter(len(H))
        # Dropdowns also cover blank rows below, for gaps the auditor adds by hand.
        end = max(last, 2) + 50
        status_dv = DataValidation(type="list", allow_blank=True,
                                   formula1='"' + ",".join(TRACKING_STATUSES) + '"',
                                   showErrorMessage=True, errorTitle="Tracking status",
                                   error="Choose one of: " + ", ".join(TRACKING_STATUSES))
        status_dv.add(f"{_letter(H.index('tracking status') + 1)}2:"
                      f"{_letter(H.index('tracking status') + 1)}{end}")
        date_dv = DataValidation(type="date", operator="between", allow_blank=True,
                                 formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                                 showErrorMessage=True, errorTitle="Due date",
                                 error="Enter a date (YYYY-MM-DD)")
        date_dv.add(f"{_letter(due + 1)}2:{_letter(due + 1)}{end}")
        ws.data_validations.append(status_dv)
        ws.data_validations.append(date_dv)
        ws.auto_filter.ref = f"A1:{last_col}{last}"
        status_formatting(ws, _letter(H.index("status") + 1), 2, last, last_col)
        if not data:
            ws.append([cell(ws, "No gaps: every applicable requirement is met or waived.")])

    # -- Requirements ----------------------------------------------------------------------

    def requirements(self) -> None:
        from audit.reports.xlsx_style import fit_widths, status_formatting

        a, st = self.a, self.style
        ws = self.sheet("Requirements")
        base = baseline_of(a)
        headers = REQ_HEADERS + ([SINCE_BASELINE] if base is not None else [])
        data = []
        for r, (den, num, uden, unum) in zip(a.results, self.contrib, strict=False):
            req = r.requirement
            citation = a.citation(r)
            waiver = ""
            if r.waiver is not None:
                waiver = ("active: " if r.waiver.active else "expired: ") + r.waiver.note
            data.append([req.full_id, r.checklist, req.jurisdiction, req.area.value,
                         req.theme or "", req.severity.value, req.weight, req.rule.type,
                         req.title, r.status.value, r.finding.score, r.finding.summary,
                         r.applicability, waiver, r.underlying.status.value,
                         r.underlying.score, den, num, uden, unum, citation,
                         req.confidence.value, req.status.value, a.source_url(r) or ""])
            if base is not None:  # last, so the Summary formulas' columns do not move
                data[-1].append(since_baseline_text(base, req.full_id))
        widths = fit_widths([headers, *data])
        st.setup(ws, widths, freeze="B2")
        ws.append(st.header(ws, headers))
        wrap = [_COL[h] for h in ("requirement", "finding", "applicability", "waiver",
                                  "legal citation")]
        fmts = {_COL["score"]: "0.00", _COL["score without waivers"]: "0.00"}
        for values in data:
            ws.append(st.row(ws, values, wrap=wrap, number_formats=fmts))
        last = len(data) + 1
        ws.auto_filter.ref = f"A1:{_letter(len(headers))}{last}"
        status_formatting(ws, _letter(_COL["status"] + 1), 2, last, _letter(len(headers)))

    # -- Metrics ---------------------------------------------------------------------------

    def metrics(self) -> None:
        from audit.reports.xlsx_style import fit_widths

        a, st = self.a, self.style
        ws = self.sheet("Metrics")
        data = []
        for r in a.results:
            for finding in _walk(r.finding):
                data += _metric_rows(r, finding)
        widths = fit_widths([METRIC_HEADERS, *data], maximum=40)
        st.setup(ws, widths, freeze="B2")
        ws.append(st.header(ws, METRIC_HEADERS))
        fmts = {METRIC_HEADERS.index("share"): PCT, METRIC_HEADERS.index("target"): PCT}
        for values in data:
            ws.append(st.row(ws, values, number_formats=fmts))
        ws.auto_filter.ref = f"A1:{_letter(len(METRIC_HEADERS))}{len(data) + 1}"

    # -- Detail sheets ---------------------------------------------------------------------

    def details(self) -> None:
        from audit.reports.xlsx_style import cell

        a, st = self.a, self.style
        self.detail_sheets: dict[str, str] = {}
        by_id = {r.requirement.full_id: r for r in a.results}
        for full_id, query in a.details.items():
            r = by_id.get(full_id)
            name = r.requirement.id if r is not None else full_id.split(":")[-1]
            ws = self.sheet(f"D {name}")
            self.detail_sheets[full_id] = ws.title
            total = a.detail_count(full_id)
            shown = min(total, DETAIL_CAP)
            widths = [8 if c == "row" else 26 if c not in ("hours_taken", "problem") else 13
                      for c in query.columns]
            st.setup(ws, widths, freeze="A4")
            ws.append([cell(ws, f"{full_id}: events handled late or not at all "
                                f"(log {query.log}), worst first", st.bold)])
            note = (f"{shown:,} of {total:,} offending event(s) shown; the sheet is capped at "
                    f"{DETAIL_CAP:,} rows" + (f"; the rest are in the {query.log} log (see the "
                                              "Evidence sheet)." if total > DETAIL_CAP else "."))
            ws.append([cell(ws, note, st.font)])
            ws.append(st.header(ws, query.columns))
            n = 0
            for row in a.detail_rows(full_id, limit=DETAIL_CAP):
                ws.append([cell(ws, v, st.font) for v in row])
                n += 1
            if n:
                ws.auto_filter.ref = f"A3:{_letter(len(query.columns))}{n + 3}"

    # -- Evidence --------------------------------------------------------------------------

    def evidence(self) -> None:
        from audit.reports.xlsx_style import cell, fit_widths

        a, st = self.a, self.style
        ws = self.sheet("Evidence")
        headers = ["file", "role", "size (bytes)", "SHA-256"]
        data = [[f.path, f.role, f.size, f.sha256] for f in a.evidence_files]
        widths = fit_widths([headers, *data], maximum=70)
        widths[3] = 68
        st.setup(ws, widths, freeze="A3")
        ws.append([cell(ws, f"Files read by platform-audit {a.tool_version}; SHA-256 of the "
                            "exact bytes judged", st.bold)])
        ws.append(st.header(ws, headers))
        for values in data:
            ws.append(st.row(ws, values, number_formats={2: "#,##0"}))
        ws.auto_filter.ref = f"A2:D{len(data) + 2}"

    # -- Matrix ----------------------------------------------------------------------------

    def matrix(self) -> None:
        from openpyxl.styles import PatternFill

        from audit.reports.xlsx_style import STATUS_FILLS, cell, fit_widths

        a, st = self.a, self.style
        ws = self.sheet("Matrix")
        jurisdictions = list(a.by_jurisdiction)
        grid: dict[str, dict[str, list[RequirementResult]]] = {}
        for r in a.results:
            theme = r.requirement.theme or f"({r.requirement.id})"
            grid.setdefault(theme, {}).setdefault(r.requirement.jurisdiction, []).append(r)
        headers = ["theme", *jurisdictions]
        data = []
        for theme in sorted(grid):
            row: list[Any] = [theme]
            for jur in jurisdictions:
                found = grid[theme].get(jur, [])
                if not found:
                    row.append("")
                    continue
                worst = min((x.status for x in found), key=ROLLUP_ORDER.index)
                row.append(worst.value)
            data.append((row, grid[theme]))
        widths = fit_widths([headers, *[d[0] for d in data]], minimum=14)
        st.setup(ws, widths, freeze="B2")
        ws.append(st.header(ws, headers))
        for values, _cells in data:
            cells = st.row(ws, values)
            for c, v in zip(cells[1:], values[1:], strict=False):
                if v in STATUS_FILLS:
                    c.fill = PatternFill("solid", fgColor=STATUS_FILLS[v])
            ws.append(cells)
        ws.auto_filter.ref = f"A1:{_letter(len(headers))}{len(data) + 1}"
        ws.append([])
        ws.append([cell(ws, "Each cell shows the worst status among the jurisdiction's "
                            "requirements on the theme (see the Requirements sheet).", st.font)])


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _walk(finding: Finding) -> list[Finding]:
    out = [finding]
    for child in finding.children:
        out += _walk(child)
    return out


def _metric_rows(r: RequirementResult, f: Finding) -> list[list[Any]]:
    fig = dict(f.figures)
    log = next((p.ref for p in f.proof if p.kind == "log"), "")
    rid = r.requirement.full_id
    if "share_on_time" in fig:
        versions = fig.get("versions") or []
        rows = []
        last = versions[-1] if versions else {}
        rows.append([rid, "deadline", log, "all" if len(versions) > 1 else last.get("from"),
                     last.get("within") if len(versions) == 1 else "by version",
                     fig.get("events"), fig.get("on_time"), fig.get("late"), fig.get("missing"),
                     fig.get("pending"), fig.get("share_on_time"),
                     last.get("target") if len(versions) == 1 else None,
                     fig.get("p50_hours"), fig.get("p90_hours"), fig.get("p99_hours"), None,
                     f.status.value])
        if len(versions) > 1:
            for v in versions:
                rows.append([rid, "deadline", log, v.get("from"), v.get("within"),
                             v.get("events"), v.get("on_time"), v.get("late"), v.get("missing"),
                             None, v.get("share_on_time"), v.get("target"), None, None, None,
                             None, ""])
        return rows
    if "matched" in fig and "share" in fig:
        return [[rid, "share", log, None, None, fig.get("events"), None, None, None, None,
                 fig.get("share"), fig.get("target"), None, None, None, fig.get("matched"),
                 f.status.value]]
    if fig.get("events") == 0 and log:
        return [[rid, "share", log, None, None, 0, None, None, None, None, None, None, None,
                 None, None, None, f.status.value]]
    return []


# -- Changes (audit diff -o x.xlsx, and the gap workbook with --baseline) ------------------------

def changes_sheet(ws: Any, d: Any, st: Any) -> None:
    """One row per changed requirement (and per requirement only in one result), headed by
    the verdict and score change; docs/diff.md describes the columns."""
    from audit.diff import change_rows, headline_lines
    from audit.reports.xlsx_style import STATUS_FILLS, cell, fit_widths

    from openpyxl.styles import PatternFill

    head = headline_lines(d) + [f"Note: {n}" for n in d.notes]
    by_id = {c.id: c for c in d.common}
    data: list[list[Any]] = []
    for row in change_rows(d, figure_limit=None):
        c = by_id[row[0]]
        data.append([c.id, c.severity, row[2], c.old_status, c.new_status,
                     c.old.get("score"), c.new.get("score"),
                     None if c.score_delta is None else round(c.score_delta, 6), row[5],
                     c.waiver or "", c.old.get("summary", ""), c.new.get("summary", "")])
    for label, items in (("only in old", d.only_old), ("only in new", d.only_new)):
        for r in items:
            old = r if label == "only in old" else None
            new = r if label == "only in new" else None
            data.append([r["id"], r.get("severity", ""), f"{label}: {r['reason']}",
                         old and old["status"], new and new["status"],
                         old and old.get("score"), new and new.get("score"), None, "", "",
                         (old or {}).get("summary", ""), (new or {}).get("summary", "")])
    widths = fit_widths([CHANGE_HEADERS, *data], maximum=50)
    first = len(head) + 2
    st.setup(ws, widths, freeze=f"B{first + 1}")
    for line in head:
        ws.append([cell(ws, line, st.bold if line is head[0] else st.font)])
    ws.append([])
    ws.append(st.header(ws, CHANGE_HEADERS))
    wrap = [CHANGE_HEADERS.index(h) for h in ("change", "figures", "old finding",
                                              "new finding")]
    fmts = {5: "0.00", 6: "0.00", 7: "+0.00;-0.00;0.00"}
    for values in data:
        cells = st.row(ws, values, wrap=wrap, number_formats=fmts)
        for idx in (3, 4):
            if values[idx] in STATUS_FILLS:
                cells[idx].fill = PatternFill("solid", fgColor=STATUS_FILLS[values[idx]])
        ws.append(cells)
    if data:
        ws.auto_filter.ref = f"A{first}:{_letter(len(CHANGE_HEADERS))}{first + len(data)}"
    else:
        ws.append([cell(ws, "No requirement changed.", st.font)])


def write_changes_workbook(d: Any, stream: IO[Any]) -> None:
    """The workbook ``audit diff OLD NEW -o changes.xlsx`` writes: one Changes sheet."""
    from openpyxl import Workbook

    from audit.reports.xlsx_style import Style, safe_sheet_title

    wb = Workbook(write_only=True)
    rtl = rtl_for((d.new.get("platform") or {}).get("language"),
                  [c.get("language") for c in d.new.get("checklists") or []])
    changes_sheet(wb.create_sheet(safe_sheet_title("Changes", set())), d, Style(rtl=rtl))
    buffer = io.BytesIO()
    wb.save(buffer)
    stream.write(reproducible_xlsx(buffer.getvalue()))

"""The gap workbook's Summary sheet: key facts, the verdict, how to read the workbook, and
score tables whose figures are formulas over the Requirements sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from audit.i18n import _, format_date
from audit.labels import (
    area_label,
    legal_status_label,
    scoring_model_label,
    severity_label,
    status_label,
    verdict_label,
)
from audit.reports.summary import (
    excluded_text,
    formula_text,
    platform_name,
    score_written_out,
    verdict_reason,
    verdict_words,
)
from audit.reports.xlsx_columns import SEVERITIES, STATUS_ORDER
from audit.reports.xlsx_print import Computed
from audit.reports.xlsx_style import cell, formula

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.styles import Font

    from audit.assessment import RequirementResult
    from audit.reports.xlsx import _Builder
    from audit.scoring import ScoreResult
    from audit.reports.xlsx_style import Sheet

PCT = "0.0%"
WIDTHS = [30, 15, 15, 15, 15, 15, 15, 15, 15]
VERDICT_FILLS = {"compliant": "C6EFCE", "partially_compliant": "FFEB9C",
                 "non_compliant": "FFC7CE", "review_needed": "BDD7EE",
                 "not_assessed": "D9D9D9"}


def how_to_read() -> list[str]:
    """The short guide at the top of the Summary sheet."""
    return [
        _("How to read this workbook"),
        _("Gaps lists every requirement not met, worst first, with the law it rests on, what "
          "the evidence shows and what to do; the Owner, Due date, Tracking status and "
          "Comments columns are for following each gap up."),
        _("Requirements lists every requirement assessed; the scores on this sheet are "
          "formulas over it, so each figure can be traced."),
        _("Metrics gives the measured figures behind log-based rules; Evidence lists every "
          "file read with its SHA-256; sheets starting with D list the offending events."),
        _("Statuses: met; partially met; not met; no evidence (nothing was submitted); manual "
          "review (an auditor must decide); not applicable; waived (an accepted exception)."),
    ]


def summary_sheet(b: _Builder) -> None:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    a, st = b.a, b.style
    ws = b.sheet(_("Summary"))
    b.summary_title = ws.title
    st.setup(ws, WIDTHS, freeze=None)
    b.print_setup(ws, None)
    row = 0
    last_col = len(WIDTHS)

    def put(*values: object, bold: bool = False, fmt: dict[int, str] | None = None,
            span: bool = False, font: Font | None = None) -> int:
        """Append one row; ``span`` merges the second cell (or the only one) across the
        sheet and wraps it, with the row as tall as the text needs."""
        nonlocal row
        cells = []
        for i, v in enumerate(values):
            if isinstance(v, Computed):  # a formula, with the value it computes stored
                b.cached[f"{_col(i + 1)}{row + 1}"] = v.value
                v = formula(ws, v.expression)
            c = v if isinstance(v, Cell) else cell(ws, v, font or (
                st.bold if bold and i == 0 else st.font))
            if fmt and i in fmt:
                c.number_format = fmt[i]
            c.alignment = st.text if bold else st.plain
            cells.append(c)
        row += 1
        if span and cells:
            first = 1 if len(cells) > 1 else 0
            cells[first].alignment = st.wrap
            width = sum(WIDTHS[first:]) - 1
            text = values[first]
            if isinstance(text, str):
                st.fit_row(ws, row, [text], [0], widths=[width],
                           font_size=getattr(cells[first].font, "sz", 10) or 10)
            ws.merged_cells.add(f"{_col(first + 1)}{row}:{_col(last_col)}{row}")
        ws.append(cells)
        return row

    put(cell(ws, _("Gap workbook: {platform}", platform=platform_name(a)), st.title))
    ws.row_dimensions[1].height = 22
    put()
    put(_("Platform"), a.platform.get("name", ""), bold=True)
    if a.platform.get("legal_name"):
        put(_("Legal name"), a.platform["legal_name"], bold=True)
    put(_("As of"), format_date(a.as_of, "d MMMM y"), bold=True)
    put(_("Generated (UTC)"), a.generated_at.replace(tzinfo=None), bold=True,
        fmt={1: "yyyy-mm-dd hh:mm"})
    put(_("Tool"), f"platform-audit {a.tool_version}", bold=True)
    # the verdict, styled as one: large, bold, coloured by outcome, framed
    colour = VERDICT_FILLS.get(a.verdict.value, "EDEDED")
    side = Side(style="medium", color="404040")
    v = cell(ws, verdict_words(a), Font(name=st.font.name, size=14, bold=True))
    v.fill = PatternFill("solid", fgColor=colour)
    v.border = Border(left=side, right=side, top=side, bottom=side)
    v.alignment = Alignment(horizontal="center", vertical="center")
    label = cell(ws, _("Verdict"), Font(name=st.font.name, size=12, bold=True))
    label.alignment = Alignment(vertical="center")
    row += 1
    ws.row_dimensions[row].height = 24
    ws.merged_cells.add(f"B{row}:D{row}")
    ws.append([label, v])
    reason = verdict_reason(a, named=False)  # the Gaps sheet, next, names them first
    if reason:
        put("", reason, span=True)
    put(_("Score"), score_written_out(a.score), bold=True, span=True)
    put(_("Verdict without waivers"), verdict_label(a.verdict_without_waivers), bold=True)
    put(_("Score without waivers"), score_written_out(a.score_without_waivers), bold=True,
        span=True)
    put(_("Scoring model"), scoring_model_label(a.scoring_model), bold=True)
    put(_("Formula"), formula_text(a.score), bold=True, span=True)
    put(_("Outside the denominator"), excluded_text(a.score) or _("nothing"), bold=True,
        span=True)
    for note in a.notes:
        put(_("Data note"), note.message, bold=True, span=True)
    translated = [c for c in a.checklists if c.translation]
    if translated:
        put(_("Translation"), _("Checklist texts are shown in translation ({kind}); the "
                                "original legal texts prevail.",
                                kind=_("unofficial") if all(c.translation == "unofficial"
                                                            for c in translated)
                                else _("official where stated")), bold=True, span=True)
    put()
    guide = how_to_read()
    put(cell(ws, guide[0], st.bold), span=True)
    for line in guide[1:]:
        put(line, span=True)
    put()

    put(cell(ws, _("Checklists"), st.bold))
    headers = [_("module"), _("version"), _("jurisdiction"), _("legal status"), _("language")]
    b.header_row(ws, row + 1, headers + [_("title")], WIDTHS)
    row += 1
    ws.merged_cells.add(f"F{row}:{_col(last_col)}{row}")
    for c in a.checklists:
        row += 1
        title_width = sum(WIDTHS[5:]) - 1
        st.fit_row(ws, row, [c.title], [0], widths=[title_width])
        ws.merged_cells.add(f"F{row}:{_col(last_col)}{row}")
        cells = st.row(ws, [c.id, c.version, c.jurisdiction, legal_status_label(c.status),
                            c.language, c.title], wrap=[5])
        ws.append(cells)
    put()

    # Scores: formulas over the Requirements sheet when the model is additive.
    score_headers = [_("scope"), _("score"), _("earned points"), _("counted weight"),
                     _("requirements counted"), _("score written out")]
    put(cell(ws, _("Scores"), st.bold))
    b.header_row(ws, row + 1, score_headers, WIDTHS)
    row += 1
    for label_text, res, suffix in ((_("overall, with waivers"), a.score, ""),
                                    (_("overall, without waivers"), a.score_without_waivers,
                                     " without waivers")):
        r = row + 1
        if b.additive:
            shares = _Shares(b, without_waivers=bool(suffix))
            values: list[object] = [
                Computed(f"=IF(D{r}=0,\"n/a\",C{r}/D{r})", shares.score()),
                Computed(f"=SUM({b.req_range('earned points' + suffix)})", shares.earned()),
                Computed(f"=SUM({b.req_range('counted weight' + suffix)})", shares.counted()),
                Computed(f"=COUNTIF({b.req_range('counted weight' + suffix)},\">0\")",
                         shares.n()),
            ]
        else:
            values = [res.score if res.score is not None else _("n/a"), res.numerator,
                      res.denominator, res.counted]
        put(label_text, *values, score_written_out(res),
            fmt={1: PCT, 2: "0.####", 3: "0.####"})
    put()
    put(cell(ws, _("Scores by area"), st.bold))
    b.header_row(ws, row + 1, [_("area"), *score_headers[1:]], WIDTHS)
    row += 1
    first_area = row + 1
    for area, res in a.by_area.items():
        _scope_row(b, ws, put, row + 1, area_label(area), "area", res)
    last_area = row
    put()
    put(cell(ws, _("Scores by jurisdiction"), st.bold))
    b.header_row(ws, row + 1, [_("jurisdiction"), *score_headers[1:]], WIDTHS)
    row += 1
    for jur, res in a.by_jurisdiction.items():
        _scope_row(b, ws, put, row + 1, jur, "jurisdiction", res)
    put()

    put(cell(ws, _("Requirements by status"), st.bold))
    b.header_row(ws, row + 1, [_("status"), _("with waivers"), _("without waivers")], WIDTHS)
    row += 1
    labels = [status_label(r.status).casefold() for r in a.results]
    underlying = [status_label(r.underlying.status).casefold() for r in a.results]
    for status in STATUS_ORDER:
        r = row + 1
        word = status_label(status).casefold()
        put(status_label(status),
            Computed(f"=COUNTIF({b.req_range('status')},A{r})", labels.count(word)),
            Computed(f"=COUNTIF({b.req_range('status without waivers')},A{r})",
                     underlying.count(word)))
    r = row + 1
    put(_("all"), Computed(f"=SUM(B{r - len(STATUS_ORDER)}:B{r - 1})", len(labels)),
        Computed(f"=SUM(C{r - len(STATUS_ORDER)}:C{r - 1})", len(underlying)), bold=True)
    put()
    put(cell(ws, _("Requirements by severity and status (with waivers)"), st.bold))
    b.header_row(ws, row + 1, [_("severity"), *[status_label(s) for s in STATUS_ORDER]],
                 WIDTHS)
    row += 1
    header_row = row
    sev_col = b.req_range("severity")
    status_col = b.req_range("status")
    for sev in SEVERITIES:
        r = row + 1
        put(severity_label(sev), *[Computed(f"=COUNTIFS({sev_col},$A{r},{status_col},"
                                            f"{_col(i + 2)}${header_row})",
                                            sum(1 for x in a.results
                                                if x.requirement.severity.value == sev
                                                and x.status.value == status))
                                   for i, status in enumerate(STATUS_ORDER)])
    b.summary_rows = row

    if a.by_area:
        _chart(b, ws, first_area, last_area, row + 2)


def _scope_row(b: _Builder, ws: Sheet, put: Callable[..., int], r: int, key: str, column: str,
               res: ScoreResult) -> None:
    written = score_written_out(res)
    if b.additive:
        crit = f"{b.req_range(column)},$A{r}"
        shares = _Shares(b, scope=(column, key))
        put(key,
            Computed(f"=IF(D{r}=0,\"n/a\",C{r}/D{r})", shares.score()),
            Computed(f"=SUMIFS({b.req_range('earned points')},{crit})", shares.earned()),
            Computed(f"=SUMIFS({b.req_range('counted weight')},{crit})", shares.counted()),
            Computed(f"=COUNTIFS({crit},{b.req_range('counted weight')},\">0\")",
                     shares.n()),
            written, fmt={1: PCT, 2: "0.####", 3: "0.####"})
    else:
        put(key, res.score if res.score is not None else _("n/a"), res.numerator,
            res.denominator, res.counted, written, fmt={1: PCT})


class _Shares:
    """What the Summary's score formulas compute over the Requirements sheet, computed from
    the same shares, so the workbook stores each formula's value (``xlsx_print``)."""

    def __init__(self, b: _Builder, without_waivers: bool = False,
                 scope: tuple[str, str] | None = None) -> None:
        first = 2 if without_waivers else 0
        self.rows = [(c[first], c[first + 1]) for r, c in zip(b.a.results, b.contrib,
                                                              strict=True)
                     if scope is None or _scope_key(r, scope[0]) == scope[1].casefold()]

    def counted(self) -> float:
        return sum(weight for weight, _earned in self.rows)

    def earned(self) -> float:
        return sum(earned for _weight, earned in self.rows)

    def n(self) -> int:
        return sum(1 for weight, _earned in self.rows if weight > 0)

    def score(self) -> float | str:
        return self.earned() / self.counted() if self.counted() else "n/a"


def _scope_key(r: RequirementResult, column: str) -> str:
    """The Requirements sheet's value in ``column`` ("area" or "jurisdiction"), as SUMIFS
    compares it (without regard to case)."""
    value = area_label(r.requirement.area) if column == "area" else r.requirement.jurisdiction
    return value.casefold()


def _chart(b: _Builder, ws: Sheet, first: int, last: int, anchor_row: int) -> None:
    """A bar chart of the area scores, anchored below every table so it covers no text."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Score by area (with waivers)")
    chart.y_axis.title = _("score")
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None
    data = Reference(ws, min_col=2, min_row=first, max_row=last)
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(cats)
    chart.height = max(6.0, 1.0 * (last - first + 1) + 4)
    chart.width = 22
    from openpyxl.worksheet.pagebreak import Break

    # on a page of its own when printed, so a page break never cuts it in two
    ws.row_breaks.append(Break(id=anchor_row - 1))
    ws.add_chart(chart, f"A{anchor_row}")


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

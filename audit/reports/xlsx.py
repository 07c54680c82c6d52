"""The gap workbook (``--format xlsx``): summary, gaps to track, every requirement, metrics,
offending events, evidence hashes and a jurisdiction matrix, in one styled, printable workbook.

The whole workbook is written in openpyxl's write-only mode: rows stream to disk, so a detail
sheet of thousands of events costs little memory. Totals on the Summary sheet are formulas over
the Requirements sheet (COUNTIF, SUMIFS), so an auditor can see how each figure is made; the
tests recompute them in LibreOffice and compare them with the JSON result. Each sheet has its
module (``xlsx_summary``, ``xlsx_gaps``, ``xlsx_tables``, ``xlsx_changes``); every word goes
through the report catalogue, so the workbook is written in the report language.
See docs/gap-workbook.md for every sheet and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Sequence

from audit.assessment import Assessment, Contribution
from audit.reports.diff_lines import change_rows, headline_lines
from audit.i18n import _, current_language, format_date, is_rtl, use_language
from audit.remediation import PROPERTY
from audit.reports.base import Render, WriterBase
from audit.reports.bidi import isolating
from audit.reports.summary import platform_name
from audit.reports.xlsx_changes import changes_sheet
from audit.reports.xlsx_columns import (  # noqa: F401  (re-exported for callers)
    BASELINE_ALERTS,
    GAP_HEADERS,
    METRIC_HEADERS,
    PCT,
    REQ_COLUMNS,
    REQ_HEADERS,
    SEVERITIES,
    SEVERITY_POINTS,
    SINCE_BASELINE,
    STATUS_ORDER,
    TRACKING_COLUMNS,
    priority,
)
from audit.reports.xlsx_details import OFFENDING_CSV, detail_sheets, sidecars
from audit.reports.xlsx_gaps import gaps_sheet
from audit.reports.xlsx_print import saved, store_values
from audit.reports.xlsx_process import process_sheets, reproducible_xlsx
from audit.reports.xlsx_quality import write_quality_sheet
from audit.reports.xlsx_style import Style, clean_text, safe_sheet_title
from audit.reports.xlsx_summary import summary_sheet
from audit.reports.xlsx_tables import evidence_sheet, matrix_sheet, metrics_sheet, requirements_sheet

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook

    from audit.reports.xlsx_style import Sheet

_COL = REQ_COLUMNS
DETAIL_CAP = 5000  # offending events per detail sheet; the sheet states the cap and the total


def _contributions(a: Assessment) -> tuple[list[Contribution], bool]:
    """Each requirement's (denominator, numerator) share with and without waivers, and whether
    the scoring model is additive (then Summary totals can be SUM formulas over them)."""
    out = list(a.contributions)
    if len(out) != len(a.results):  # a result built by hand, without its shares
        return [(0.0, 0.0, 0.0, 0.0)] * len(a.results), False
    additive = True
    for idx, total in ((0, a.score.denominator), (1, a.score.numerator),
                       (2, a.score_without_waivers.denominator),
                       (3, a.score_without_waivers.numerator)):
        if abs(sum(c[idx] for c in out) - total) > 1e-6:
            additive = False
    return out, additive


class XlsxWriter(WriterBase):
    id = "xlsx"
    description = "gap workbook for auditors (Excel/LibreOffice), with tracking columns"
    extensions = (".xlsx",)
    binary = True
    sibling_suffix = OFFENDING_CSV

    def siblings(self, assessment: Assessment, output: Path) -> list[tuple[Path, Render]]:
        """The full offending list of each rule with more events than its sheet shows."""
        return sidecars(assessment, output, DETAIL_CAP)

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        from openpyxl import Workbook

        with use_language(assessment.language), isolating(is_rtl(assessment.language)):
            wb = Workbook(write_only=True)
            builder = _Builder(assessment, wb, output)
            builder.build()
            _stamp(wb, assessment)
            data = store_values(saved(wb), builder.summary_title, builder.cached)
            stream.write(reproducible_xlsx(data))


class _Builder:
    def __init__(self, a: Assessment, wb: Workbook, output: Path | None = None) -> None:
        self.a = a
        self.output = output  # where the workbook goes: detail files are named beside it
        self.wb = wb
        self.style = Style(rtl=is_rtl(current_language()))
        self.titles: set[str] = set()
        self.contrib, self.additive = _contributions(a)
        self.n = len(a.results)
        self.sheet_names: dict[str, str] = {}
        self.summary_rows = 0  # last row of the Summary tables (set by the Summary sheet)
        self.summary_title = ""  # the Summary sheet's name (set by the Summary sheet)
        # the Summary formulas' computed values by cell, stored with them (xlsx_print)
        self.cached: dict[str, float | int | str] = {}

    # -- helpers ---------------------------------------------------------------------------

    def sheet(self, name: str) -> Sheet:
        """A new sheet, set up for printing (landscape, one page wide, header and footer)."""
        ws = self.wb.create_sheet(safe_sheet_title(name, self.titles))
        self.print_setup(ws, None)
        return ws

    def print_setup(self, ws: Sheet, header_rows: str | None) -> None:
        self.style.print_setup(ws, header_rows, right=_("As of {date}", date=format_date(
            self.a.as_of)), left=platform_name(self.a))

    def header_row(self, ws: Sheet, row_index: int, names: Sequence[str],
                   widths: Sequence[float]) -> None:
        """Append a header row, tall enough for its wrapped names (never clipped)."""
        self.style.fit_row(ws, row_index, list(names), range(len(names)), widths=widths)
        ws.append(self.style.header(ws, names))

    def req_range(self, column: str) -> str:
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(_COL[column] + 1)
        return f"{self.sheet_names['requirements']}!${letter}$2:${letter}${max(self.n + 1, 2)}"

    def build(self) -> None:
        # the Requirements sheet's name is needed by the Summary formulas written first
        self.sheet_names["requirements"] = _quote_sheet(
            safe_sheet_title(_("Requirements"), set(self.titles) | {_("Summary"), _("Gaps")}))
        summary_sheet(self)
        gaps_sheet(self)
        requirements_sheet(self)
        metrics_sheet(self)
        self.details()
        evidence_sheet(self)
        if len(self.a.by_jurisdiction) > 1:
            matrix_sheet(self)
        base = self.a.baseline
        if base is not None:
            ws = self.sheet(_("Changes"))
            changes_sheet(ws, base.diff, self.style, headline_lines(base.diff),
                          change_rows(base.diff, figure_limit=None))
        write_quality_sheet(self.a, self.sheet, self.style)

        process_sheets(self)

    # -- Detail sheets ---------------------------------------------------------------------

    def details(self) -> None:
        self.detail_sheets = detail_sheets(self.a, self.sheet, self.style, _letter,
                                           cap=DETAIL_CAP, output=self.output)


def _quote_sheet(title: str) -> str:
    """A sheet name as a formula reference (quoted when it is not a plain word)."""
    if title.isascii() and title.replace("_", "").isalnum():
        return title
    return "'" + title.replace("'", "''") + "'"


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _stamp(wb: Workbook, a: Assessment) -> None:
    """Custom document properties that let the next run check whose workbook it reads
    (``audit.remediation_read.read_workbook``)."""
    from openpyxl.packaging.custom import StringProperty

    for name, value in (("platform", str(a.platform.get("name") or "")),
                        ("checklists", " ".join(f"{c.id}@{c.version}" for c in a.checklists)),
                        ("as_of", a.as_of.isoformat())):
        # clean_text: openpyxl writes a property as it is, and a BEL in a platform's name
        # would make docProps/custom.xml unreadable (the workbook is then "repaired" or refused)
        wb.custom_doc_props.append(StringProperty(name=PROPERTY + name, value=clean_text(value)))

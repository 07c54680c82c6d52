"""``audit diff -o changes.xlsx``: the comparison as a workbook of one Changes sheet, drawn by
:mod:`audit.reports.xlsx_changes` (which the gap workbook shares for ``--baseline``)."""

from __future__ import annotations

from typing import IO

from audit.comparison import Diff
from audit.reports.diff_lines import change_rows, headline_lines
from audit.reports.xlsx_changes import write_changes_workbook


def render_xlsx(d: Diff, stream: IO[bytes]) -> None:
    write_changes_workbook(d, headline_lines(d), change_rows(d, figure_limit=None), stream)

"""``audit history RESULT... | FOLDER``: scores by area and jurisdiction, verdicts and key
figures over successive submissions (:mod:`audit.history`), as a table, JSON, a workbook with
a line chart, or a self-contained HTML page with the chart in SVG (``audit/reports/
history_*.py``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import click

from audit.commands.options import language_option, output_option, file_for_workbook
from audit.history import HistoryRow, collect
from audit.i18n import _, available_languages, base_language, use_language
from audit.reports.base import refuse_overwriting_inputs, write_atomically, write_output
from audit.reports.history_html import write_html
from audit.reports.history_table import write_json, write_table


@click.command("history")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path,
                                                                     exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx", "html"]),
              help="Default from the -o extension (.json, .xlsx, .html/.htm), else table.")
@output_option("Write to this file (atomically); xlsx needs it.")
@language_option("the newest result's language")
def history(results: tuple[Path, ...], fmt: str | None, output: Path | None,
            lang: str | None) -> None:
    """Scores by area and jurisdiction, verdicts and key figures over successive results.

    RESULTS are JSON results of `audit assess` for one platform, or folders of them; they are
    ordered by their as-of date.
    """
    refuse_overwriting_inputs(output, list(results))
    rows = collect(list(results))
    suffix = output.suffix.lower() if output is not None else ""
    fmt = fmt or {".xlsx": "xlsx", ".json": "json", ".html": "html", ".htm": "html"}.get(
        suffix, "table")
    newest = rows[-1]["language"] or "en"
    if base_language(newest) not in available_languages():
        newest = "en"  # no catalogue: the page would say lang="xx" over English text
    with use_language(lang or newest) as language:
        _write(rows, fmt, output, language)


def _write(rows: list[HistoryRow], fmt: str, output: Path | None, language: str) -> None:
    if fmt == "xlsx":
        from audit.reports.history_xlsx import write_workbook  # deferred: openpyxl

        write_atomically(file_for_workbook("xlsx", output), lambda fh: write_workbook(rows, fh), True)
        # status on stderr: stdout carries only reports
        click.echo(_("wrote {output}: {n} result(s)", output=output, n=len(rows)), err=True)
        return

    def render(fh: IO[str]) -> None:
        if fmt == "html":
            write_html(rows, fh, language)
        elif fmt == "json":
            write_json(rows, fh)
        else:
            write_table(rows, fh)

    if output is not None:
        write_output(output, render, False, sys.stdout)
    else:
        render(sys.stdout)

"""``audit history RESULT... | FOLDER``: scores by area and jurisdiction, verdicts and key
figures over successive submissions, as a table, JSON, a workbook with a line chart, or a
self-contained HTML page with the chart in SVG (audit/history_html.py)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import click

from audit.commands.options import checked_language
from audit.i18n import _


def collect(paths: list[Path]) -> list[dict[str, Any]]:
    """One row per result, oldest as-of first (results from a folder: every ``*.json``)."""
    from audit.diff import load_result
    from audit.errors import UsageError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.glob("*.json") if p.is_file())
        else:
            files.append(path)
    if not files:
        raise UsageError(f"no JSON results in {', '.join(map(str, paths))}")
    rows = []
    for file in files:
        data = load_result(file)
        counts = data.get("counts", {})
        score = data["scoring"]["with_waivers"]["score"]
        rows.append({
            "file": str(file), "as_of": data["as_of"], "language": data.get("language"),
            "platform": (data.get("platform") or {}).get("name"),
            "checklists": " ".join(f"{c['id']} v{c['version']}" for c in data["checklists"]),
            "verdict": data["verdict"],
            "score": None if score is None else round(score * 100, 1),
            "gaps": sum(counts.get(s, 0) for s in ("partial", "not_met", "no_evidence",
                                                      "manual_review")),
            "critical_gaps": sum(1 for r in data.get("requirements", [])
                                 if r.get("severity") == "critical"
                                 and r.get("status") in ("partial", "not_met", "no_evidence",
                                                         "manual_review")),
            "waived": counts.get("waived", 0),
            "stale": sum(1 for i in data.get("freshness") or [] if i.get("state") == "stale"),
            "by_area": {k: _pct(v) for k, v in data.get("by_area", {}).items()},
            "by_jurisdiction": {k: _pct(v) for k, v in data.get("by_jurisdiction", {}).items()},
        })
    rows.sort(key=lambda r: (r["as_of"], r["file"]))
    platforms = {r["platform"] for r in rows}
    if len(platforms) > 1:
        raise UsageError("results of several platforms: " + ", ".join(sorted(map(str, platforms)))
                         + "; give one platform's results")
    return rows


def _pct(score: dict[str, Any]) -> float | None:
    return None if score.get("score") is None else round(score["score"] * 100, 1)


def table(rows: list[dict[str, Any]], label_verdict: bool = True
          ) -> tuple[list[str], list[list[Any]]]:
    """Key figures, then one column per area and per jurisdiction (percent); the verdict as a
    label (the HTML page labels the token itself, in its own sentence case)."""
    from audit.labels import verdict_label

    areas = sorted({a for r in rows for a in r["by_area"]})
    jurs = sorted({j for r in rows for j in r["by_jurisdiction"]})
    headers = [_("as of"), _("verdict"), _("score %"), _("gaps"), _("critical gaps"),
               _("waived"), _("stale"), *[a.replace("_", " ") for a in areas], *jurs]
    body = [[r["as_of"], verdict_label(r["verdict"]) if label_verdict else r["verdict"],
             r["score"], r["gaps"], r["critical_gaps"], r["waived"],
             r["stale"], *[r["by_area"].get(a) for a in areas],
             *[r["by_jurisdiction"].get(j) for j in jurs]] for r in rows]
    return headers, body


def write_workbook(rows: list[dict[str, Any]], stream: IO[bytes]) -> None:
    """A History sheet (the table) and a line chart of the score by area over time."""
    import io

    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference

    from audit.reports.xlsx_process import reproducible_xlsx
    from audit.i18n import format_date
    from audit.reports.xlsx_style import Style, fit_widths

    headers, body = table(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = _("History")
    st = Style()
    st.setup(ws, fit_widths([headers, *body]), freeze="B2", headers=headers)
    left = str(rows[-1]["platform"] or "")
    right = _("As of {date}", date=format_date(rows[-1]["as_of"]))
    st.print_setup(ws, "1:1", right=right, left=left)  # as the gap workbook's sheets print
    ws.append(st.header(ws, headers))
    for values in body:
        ws.append(values)
    chart = LineChart()
    chart.title = _("Score by area and overall (%)")
    chart.y_axis.title = "%"
    chart.x_axis.title = _("as of")
    first_area = headers.index(_("stale")) + 1
    data = Reference(ws, min_col=3, max_col=3, min_row=1, max_row=len(body) + 1)
    chart.add_data(data, titles_from_data=True)
    if len(headers) > first_area:
        chart.add_data(Reference(ws, min_col=first_area + 1, max_col=len(headers), min_row=1,
                                 max_row=len(body) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(body) + 1))
    chart.width, chart.height = 24, 12  # cm: fits one landscape A4 page
    # the chart on its own sheet, printed on one page: below the table it was cut across pages
    cs = wb.create_sheet(_("Chart"))
    st.setup(cs, freeze=None)
    st.print_setup(cs, None, right=right, left=left)
    cs.page_setup.fitToHeight = 1
    cs.add_chart(chart, "A1")
    buffer = io.BytesIO()
    wb.save(buffer)
    stream.write(reproducible_xlsx(buffer.getvalue()))


@click.command("history")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path,
                                                                     exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx", "html"]),
              help="Default from the -o extension (.json, .xlsx, .html/.htm), else table.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file (atomically); xlsx needs it.")
@click.option("--lang", "lang", callback=lambda c, p, v: checked_language(v),
              help="Report language (en, ar, tr); default: the newest result's language.")
def history_cmd(results: tuple[Path, ...], fmt: str | None, output: Path | None,
                lang: str | None) -> None:
    """Scores by area and jurisdiction, verdicts and key figures over successive results.

    RESULTS are JSON results of `audit assess` for one platform, or folders of them; they are
    ordered by their as-of date.
    """
    from audit.i18n import available_languages, base_language, use_language
    from audit.reports.base import refuse_overwriting_inputs

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


def _write(rows: list[dict[str, Any]], fmt: str, output: Path | None, language: str) -> None:
    import json

    import sys

    from audit.reports.base import is_stdout, write_atomically, write_output

    if fmt == "xlsx":
        if output is None or is_stdout(output):
            raise click.UsageError("the xlsx format is a binary workbook: it needs an output "
                                   "file (-o FILE), not standard output")
        write_atomically(output, lambda fh: write_workbook(rows, fh), True)
        # status on stderr: stdout carries only reports
        click.echo(_("wrote {output}: {n} result(s)", output=output, n=len(rows)), err=True)
        return

    def render(fh: IO[str]) -> None:
        if fmt == "html":
            from audit.history_html import write_html

            write_html(rows, fh, language)
        elif fmt == "json":
            json.dump({"schema": "platform-audit/history", "results": rows}, fh, indent=2,
                      ensure_ascii=False)
            fh.write("\n")
        else:
            from tabulate import tabulate

            headers, body = table(rows)
            fh.write(tabulate(body, headers=headers) + "\n")

    if output is not None:
        write_output(output, render, False, sys.stdout)
    else:
        render(sys.stdout)

"""``audit diff`` as text: a console table, Markdown, or the ``platform-audit/diff`` JSON
document (docs/diff.md). The sentences and rows are :mod:`audit.reports.diff_lines`'."""

from __future__ import annotations

import json
from typing import IO

from tabulate import tabulate

from audit.comparison import Diff, pct
from audit.i18n import _
from audit.labels import status_label
from audit.reports.diff_lines import (
    AREA_HEADERS,
    CHANGE_HEADERS,
    ONLY_HEADERS,
    change_rows,
    headers,
    headline_lines,
)
from audit.reports.wrap import fill


def render_console(d: Diff, stream: IO[str]) -> None:
    out = headline_lines(d)
    for note in d.notes:
        out.append(_("Note: {note}", note=note))
    rows = change_rows(d)
    if rows:
        rows = [[*r[:5], fill(r[5], 50), r[6]] for r in rows]
        out += ["", _("Changed requirements ({n}):", n=len(rows)),
                tabulate(rows, headers=headers(CHANGE_HEADERS))]
    else:
        out += ["", _("No requirement changed.")]
    areas = d.by_area()
    if areas:
        out += ["", _("Scores by area:"), tabulate(
            [[a["area"].replace("_", " "), pct(a["old"]), pct(a["new"])] for a in areas],
            headers=headers(AREA_HEADERS))]
    for title, items in ((_("Only in old ({n}):", n=len(d.only_old)), d.only_old),
                         (_("Only in new ({n}):", n=len(d.only_new)), d.only_new)):
        if items:
            out += ["", title, tabulate(
                [[r["id"], status_label(r["status"]), str(r["reason"])] for r in items],
                headers=headers(ONLY_HEADERS))]
    stream.write("\n".join(out) + "\n")


def _md(text: object) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\[").replace("\n", " "))


def render_markdown(d: Diff, stream: IO[str]) -> None:
    head = headline_lines(d)
    out = [f"# {_md(head[0])}", ""] + [f"- {_md(line)}" for line in head[1:]]
    out += ["- " + _md(_("Note: {note}", note=n)) for n in d.notes] + [""]
    rows = change_rows(d, figure_limit=None)
    out += ["## " + _("Changed requirements ({n})", n=len(rows)), ""]
    if rows:
        out += [tabulate([[_md(c) for c in r] for r in rows],
                         headers=headers(CHANGE_HEADERS), tablefmt="github"), ""]
    else:
        out += [_("No requirement changed."), ""]
    areas = d.by_area()
    if areas:
        out += ["## " + _("Scores by area"), "", tabulate(
            [[a["area"], pct(a["old"]), pct(a["new"])] for a in areas],
            headers=headers(AREA_HEADERS), tablefmt="github"), ""]
    for title, items in ((_("Only in old ({n})", n=len(d.only_old)), d.only_old),
                         (_("Only in new ({n})", n=len(d.only_new)), d.only_new)):
        if items:
            out += ["## " + title, "", tabulate(
                [[_md(r["id"]), status_label(r["status"]), _md(r["reason"])] for r in items],
                headers=headers(ONLY_HEADERS), tablefmt="github"), ""]
    stream.write("\n".join(out))


def render_json(d: Diff, stream: IO[str]) -> None:
    json.dump(d.to_dict(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")

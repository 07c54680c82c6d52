"""Gap-workbook parts of the audit as a process: tracking cells carried from the last run, and
the Closed gaps, Auditor decisions, Freshness and Scope sheets (docs/over-time.md).

The Gaps sheet's builder asks :func:`tracking_values` for each row; :func:`process_sheets`
adds the sheets after the others. The Closed gaps sheet is read back by the next run.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from typing import TYPE_CHECKING, Any

from audit.freshness import HORIZON_DAYS
from audit.i18n import _
from audit.labels import verdict_label
from audit.reports.process_text import scope_rows, waiver_rows
from audit.reports.xlsx_style import cell, fit_widths
from audit.reviews import computed_label, status_label

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment
    from audit.reports.xlsx import _Builder  # the workbook being built; imports this module


def tracking_values(a: Assessment, full_id: str) -> list[Any]:
    """Owner, due date, tracking status and comments carried for one gap (blank if none)."""
    entry = a.remediation.get(full_id)
    if entry is None:
        return [None, None, None, None]
    return [entry.owner, entry.due, _(entry.tracking) if entry.tracking else None,
            entry.comments]


def process_sheets(builder: _Builder) -> None:
    """Add the sheets that exist only when there is something to show."""
    a = builder.a
    closed = [e for e in a.remediation.values() if e.state == "closed"]
    if closed or a.remediation_dropped:
        _closed_sheet(builder, closed)
    decided = [r for r in a.results if r.review is not None]
    if decided:
        _reviews_sheet(builder, decided)
    if a.freshness:
        _freshness_sheet(builder)
    if any(c.extends or c.unselected for c in a.checklists) or a.waivers:
        _scope_sheet(builder)


def _table(builder: _Builder, title: str, note: str, headers: list[str], rows: list[list[Any]],
           wrap: list[int], dates: list[int] = ()) -> None:  # type: ignore[assignment]

    st = builder.style
    ws = builder.sheet(title)
    st.setup(ws, fit_widths([headers, *rows], maximum=60), freeze="A3")
    builder.print_setup(ws, "2:2")  # landscape, one page wide, like every other sheet
    ws.append([cell(ws, note, st.bold)])
    ws.append(st.header(ws, headers))
    for n, values in enumerate(rows, start=3):
        st.fit_row(ws, n, values, wrap)  # wrapped text gets the height it needs
        ws.append(st.row(ws, values, wrap=wrap, number_formats={i: "yyyy-mm-dd" for i in dates}))
    ws.auto_filter.ref = f"A2:{_letter(len(headers))}{len(rows) + 2}"


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _closed_sheet(builder: _Builder, closed: list[Any]) -> None:
    a = builder.a
    rows = [[e.requirement, e.owner, e.due, e.tracking, e.comments, e.closed_on,
             _("closed")] for e in sorted(closed, key=lambda e: e.requirement)]
    rows += [[d.entry.requirement, d.entry.owner, d.entry.due, d.entry.tracking,
              d.entry.comments, None, _("dropped: {reason}", reason=d.reason)]
             for d in a.remediation_dropped]
    _table(builder, _("Closed gaps"),
           _("Gaps of an earlier run that are closed now, with the as-of date they were first "
             "found closed; the next run reads this sheet back."),
           ["id", "owner", "due date", "tracking status", "comments", "closed on", "state"],
           rows, wrap=[4, 6], dates=[2, 5])


def _reviews_sheet(builder: _Builder, decided: list[Any]) -> None:
    rows = [[r.requirement.full_id, status_label(r), computed_label(r), rv.reviewer, rv.date,
             rv.reasoning, "; ".join(rv.evidence), rv.location]
            for r in decided if (rv := r.review) is not None]
    a = builder.a
    note = _("Auditor decisions replace computed findings; score without them: {score}, "
             "verdict {verdict}", score=a.score_without_reviews.percent
             if a.score_without_reviews else "n/a",
             verdict=verdict_label(a.verdict_without_reviews) if a.verdict_without_reviews
             else "n/a")
    _table(builder, _("Auditor decisions"), note,
           [_("id"), _("status"), _("computed"), _("reviewer"), _("date"), _("reasoning"),
            _("evidence consulted"), _("recorded at")], rows, wrap=[5, 6], dates=[4])


def _freshness_sheet(builder: _Builder) -> None:
    a = builder.a
    rows = [[i.requirement, i.state, i.evidence, i.dated, i.max_age, i.stale_from]
            for i in sorted(a.freshness, key=lambda i: (i.state, i.requirement))]

    _table(builder, _("Freshness"),
           _("Evidence that is stale, or goes stale within {days} days of {as_of}",
             days=HORIZON_DAYS, as_of=a.as_of),
           [_("id"), _("state"), _("evidence"), _("dated"), _("allowed age"), _("stale from")],
           rows,
           wrap=[2], dates=[3, 5])


def _scope_sheet(builder: _Builder) -> None:
    a = builder.a
    rows = [[*row, ""] for row in scope_rows(a)]
    rows += [[w[0], _("waiver"), w[1], w[2]] for w in waiver_rows(a)]
    _table(builder, _("Scope and waivers"),
           _("Overlays and their parent modules, requirements left out and why, waivers in "
             "force and expired"),
           [_("item"), _("kind"), _("detail"), _("waiver state")], rows, wrap=[2])


def reproducible_xlsx(data: bytes) -> bytes:
    """With ``SOURCE_DATE_EPOCH`` set, fix the zip entry dates and docProps/core.xml times so
    the same assessment gives the same bytes; otherwise return ``data`` unchanged."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return data
    seconds = max(int(epoch), 315532800)  # zip dates start in 1980
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
    date_time = time.gmtime(seconds)[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp.encode() + m.group(3), body)
            entry = zipfile.ZipInfo(info.filename, date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()

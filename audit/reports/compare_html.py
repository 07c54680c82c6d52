"""``audit compare -o matrix.html``: the platform matrix as one self-contained page (no script,
no request), the status cells coloured as in the gap workbook, every identifier and platform
name isolated (``<bdi>``) so a right-to-left report does not reorder them."""

from __future__ import annotations

from html import escape
from typing import IO

from audit.i18n import _, current_language, is_rtl
from audit.labels import severity_label
from audit.platform_matrix import PlatformMatrix
from audit.reports.compare_text import cell_text, headers, score_rows, title
from audit.reports.xlsx_style import STATUS_FILLS

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #bfbfbf;padding:.3rem .5rem;
vertical-align:top;text-align:start}th{background:#1f4e78;color:#fff}
td.cell{white-space:pre-line}@media print{th{background:#fff;color:#000}}"""


def _bdi(text: object) -> str:
    return f"<bdi>{escape(str(text))}</bdi>"


def render_html(m: PlatformMatrix, stream: IO[str]) -> None:
    lang = current_language()
    out = ["<!DOCTYPE html>",
           f'<html lang="{escape(lang)}" dir="{"rtl" if is_rtl(lang) else "ltr"}">',
           '<head><meta charset="utf-8">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">",
           f"<title>{escape(title(m))}</title><style>{STYLE}</style></head><body>",
           f"<h1>{escape(title(m))}</h1>", "<ul>"]
    out += [f"<li>{escape(_('Note: {note}', note=n))}</li>" for n in m.notes]
    out += ["</ul>", "<table>", "<thead><tr><th></th>"]
    out += [f'<th scope="col">{_bdi(p.label)}</th>' for p in m.platforms]
    out.append("</tr></thead><tbody>")
    for row in score_rows(m):
        out.append(f'<tr><th scope="row">{escape(row[0])}</th>'
                   + "".join(f"<td>{_bdi(v)}</td>" for v in row[1:]) + "</tr>")
    out += ["</tbody></table>", f"<h2>{escape(_('Requirements ({n})', n=len(m.rows)))}</h2>",
            "<table>", "<thead><tr>"]
    out += [f'<th scope="col">{_bdi(h)}</th>' for h in headers(m)]
    out.append("</tr></thead><tbody>")
    for r in m.rows:
        cells = []
        for c in r.cells:
            fill = STATUS_FILLS.get(c.status) if c is not None else None
            colour = f' style="background:#{fill}"' if fill else ""
            cells.append(f'<td class="cell"{colour}>{escape(cell_text(c))}</td>')
        out.append(f'<tr><th scope="row" title="{escape(r.title)}">{_bdi(r.id)}</th>'
                   f"<td>{escape(severity_label(r.severity))}</td>{''.join(cells)}</tr>")
    out += ["</tbody></table>", "</body></html>"]
    stream.write("\n".join(out) + "\n")

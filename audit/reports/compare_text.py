"""``audit compare`` as text: a console table, Markdown, or the ``platform-audit/comparison``
JSON document (docs/compare.md). The words of each cell, and the score lines every rendering
shares, are here too (the workbook and HTML renderings use them)."""

from __future__ import annotations

import json
from typing import IO

from tabulate import tabulate

from audit.i18n import N_, _, format_number, format_percent
from audit.labels import severity_label, status_label, verdict_label
from audit.platform_matrix import SHARE_FIGURES, Cell, PlatformMatrix

# the figure a cell shows, named in the report language (others: underscores as spaces)
FIGURE_WORDS = {"share_on_time": N_("on time"), "share": N_("share"), "count": N_("count"),
                "events": N_("events"), "newest": N_("newest"), "value": N_("value")}
SCORE_LINES = (N_("verdict"), N_("score"), N_("score without waivers"), N_("as of"))


def figure_text(c: Cell) -> str:
    """The headline figure in words: ``98.4% on time``, ``count 3``, ``yes``."""
    if c.figure_name is None or c.figure is None:
        return ""
    value = c.figure
    if c.figure_name in SHARE_FIGURES and isinstance(value, (int, float)):
        shown = format_percent(float(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = format_number(value)
    else:
        shown = str(value)
    if c.figure_name in ("answer", "name"):
        return shown
    word = FIGURE_WORDS.get(c.figure_name)
    if word and c.figure_name in SHARE_FIGURES:
        return f"{shown} {_(word)}"
    return f"{_(word) if word else c.figure_name.replace('_', ' ')}: {shown}"


def cell_text(c: Cell | None, separator: str = "\n") -> str:
    """Status and figure of one cell; a requirement a result did not assess says so."""
    if c is None:
        return _("not assessed")
    figure = figure_text(c)
    return status_label(c.status) + (separator + figure if figure else "")


def score_rows(m: PlatformMatrix) -> list[list[str]]:
    """The lines above the requirements: verdict, scores and as-of date per platform."""
    return [
        [_(SCORE_LINES[0]), *(verdict_label(p.verdict) if p.verdict else "-"
                              for p in m.platforms)],
        [_(SCORE_LINES[1]), *(format_percent(p.score) for p in m.platforms)],
        [_(SCORE_LINES[2]), *(format_percent(p.score_without_waivers) for p in m.platforms)],
        [_(SCORE_LINES[3]), *(str(p.as_of or "-") for p in m.platforms)],
    ]


def title(m: PlatformMatrix) -> str:
    return _("Platforms compared: {platforms}",
             platforms=_(", ").join(p.label for p in m.platforms))


def headers(m: PlatformMatrix) -> list[str]:
    return [_("requirement"), _("severity"), *(p.label for p in m.platforms)]


def requirement_rows(m: PlatformMatrix, separator: str = "\n") -> list[list[str]]:
    return [[r.id, severity_label(r.severity), *(cell_text(c, separator) for c in r.cells)]
            for r in m.rows]


def render_console(m: PlatformMatrix, stream: IO[str]) -> None:
    out = [title(m), ""] + [_("Note: {note}", note=n) for n in m.notes] + [""]
    out.append(tabulate(score_rows(m), headers=["", *(p.label for p in m.platforms)]))
    out += ["", tabulate(requirement_rows(m), headers=headers(m))]
    stream.write("\n".join(out) + "\n")


def _md(text: object) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\[").replace("\n", "<br>"))


def render_markdown(m: PlatformMatrix, stream: IO[str]) -> None:
    out = [f"# {_md(title(m))}", ""] + ["- " + _md(_("Note: {note}", note=n))
                                        for n in m.notes] + [""]
    out += [tabulate([[_md(c) for c in row] for row in score_rows(m)],
                     headers=["", *(_md(p.label) for p in m.platforms)], tablefmt="github"), ""]
    out += ["## " + _("Requirements ({n})", n=len(m.rows)), ""]
    out += [tabulate([[_md(c) for c in row] for row in requirement_rows(m)],
                     headers=[_md(h) for h in headers(m)], tablefmt="github"), ""]
    stream.write("\n".join(out))


def render_json(m: PlatformMatrix, stream: IO[str]) -> None:
    json.dump(m.to_dict(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")

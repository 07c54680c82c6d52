"""Inline SVG charts for the HTML report, drawn in Python: no script, no library, no network.

Each chart is a ``role="img"`` SVG with a ``<title>`` that says in words what it shows; the
same figures are in a table beside it, so the report reads without the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

from audit.i18n import _
from audit.reports.html_text import neutralise


def _e(text: object) -> Markup:
    return escape(neutralise(str(text)))


PALETTE = ("#1f5f99", "#b35900", "#2e7d32", "#7b1fa2", "#00838f", "#6d4c41")
# score colour by threshold; also the colour of the score's text, so each meets WCAG AA
# (4.5:1) on every background of the page (tests/test_contrast.py)
BAND = ((0.0, "#c62828"), (0.5, "#a14a00"), (0.8, "#1b5e20"))


def score_colour(score: float | None) -> str:
    """Red under 50 %, orange under 80 %, green above (grey when nothing was scored)."""
    if score is None:
        return "#616161"
    colour = BAND[0][1]
    for threshold, c in BAND:
        if score >= threshold:
            colour = c
    return colour


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def area_bars(rows: Sequence[tuple[str, float | None]]) -> Markup:
    """Horizontal bars, one per area: the area's score (0..100 %)."""
    height, bar, gap, label_w, plot_w = 0, 18, 8, 150, 300
    height = len(rows) * (bar + gap) + gap
    title = _("Score by area")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'viewBox="0 0 {label_w + plot_w + 70} {height}" width="{label_w + plot_w + 70}" '
             f'height="{height}" direction="ltr" font-size="12"><title>{_e(title)}</title>']
    for i, (name, score) in enumerate(rows):
        y = gap + i * (bar + gap)
        w = 0 if score is None else max(1, round(plot_w * score))
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 4}" text-anchor="end">'
                     f'{_e(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar}" '
                     f'fill="#eeeeee"/>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" '
                     f'fill="{score_colour(score)}"><title>{_e(name)}: {_pct(score)}'
                     f'</title></rect>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + bar - 4}">{_pct(score)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _percent_frame(width: int, height: int, left: int, right: int, top: int, plot_h: int,
                   title: str) -> list[str]:
    """The opening ``<svg>`` with its title and the 0-100 % grid lines, labelled at the left."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'direction="ltr" font-size="12"><title>{_e(title)}</title>']
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#dddddd"/><text x="{left - 4}" y="{y + 4:.1f}" '
                     f'text-anchor="end" class="tick" font-size="10">{tick} %</text>')
    return parts


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    version: int  # index of the rule version in force at the event's start
    total: int
    on_time: int

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0


def monthly_share(points: Sequence[MonthPoint], versions: Sequence[tuple[str, float]],
                  title: str) -> Markup:
    """Share within the clock per month, one colour per rule version, its target dashed.

    ``versions`` gives each version's label and target share (0..1), in version order."""
    months = sorted({p.month for p in points})
    per_month = {m: sorted((p for p in points if p.month == m and p.total),
                           key=lambda p: p.version) for m in months}
    left, top, plot_h, slot = 44, 12, 160, max(14, min(48, 640 // max(1, len(months))))
    step = -(-46 // slot)  # label every step-th month: a label needs about 46 px
    legend = [_("{rule}; target {target} (dashed line)", rule=label, target=_pct(target))
              for label, target in versions]
    width = max(left + slot * len(months) + 16,
                left + 24 + 7 * max((len(t) for t in legend), default=0))
    height = top + plot_h + 46 + 18 * len(versions)
    parts = _percent_frame(width, height, left, 16, top, plot_h, title)
    for i, month in enumerate(months):
        x0 = left + i * slot
        bars = per_month[month]
        bw = max(3, (slot - 4) // max(1, len(bars)))
        for j, p in enumerate(bars):
            h = plot_h * p.share
            colour = PALETTE[p.version % len(PALETTE)]
            label = _("{month}: {on_time} of {total} within the clock ({share})",
                      month=p.month, on_time="{:,}".format(p.on_time),
                      total="{:,}".format(p.total),
                      share=_pct(p.share))
            parts.append(f'<rect x="{x0 + 2 + j * bw}" y="{top + plot_h - h:.1f}" '
                         f'width="{bw - 1}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{_e(label)}</title></rect>')
            target = versions[p.version][1] if p.version < len(versions) else None
            if target is not None:
                ty = top + plot_h - plot_h * target
                parts.append(f'<line x1="{x0 + 1}" x2="{x0 + slot - 1}" y1="{ty:.1f}" '
                             f'y2="{ty:.1f}" stroke="#000000" stroke-dasharray="3 2"/>')
        if i % step == 0:
            parts.append(f'<text x="{x0 + slot / 2:.1f}" y="{top + plot_h + 14}" '
                         f'text-anchor="middle" class="tick" font-size="10">{_e(month)}</text>')
    y = top + plot_h + 34
    for k, text in enumerate(legend):
        colour = PALETTE[k % len(PALETTE)]
        parts.append(f'<rect x="{left}" y="{y - 10}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 16}" y="{y}">{_e(text)}</text>')
        y += 18
    parts.append("</svg>")
    return Markup("".join(parts))


def score_lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                title: str) -> Markup:
    """A line per series over the ``labels`` (x, in order): scores as shares (0..1).

    The first series is drawn thicker (the overall score). Each series is one ``<path>``; a
    missing value (None: nothing scored) breaks its line rather than bridging the gap, and
    every point is a dot whose tooltip gives the figure, so a single submission still shows."""
    left, top, plot_h, right = 44, 12, 220, 24
    slot = max(40, min(160, 720 // max(1, len(labels))))
    step = -(-80 // slot)  # label every step-th submission: a date needs about 80 px
    width = max(left + slot * max(1, len(labels)) + right,
                left + 40 + 7 * max((len(name) for name, _v in series), default=0))
    height = top + plot_h + 40 + 18 * len(series)
    parts = _percent_frame(width, height, left, right, top, plot_h, title)

    def x_of(i: int) -> float:
        return left + slot * i + slot / 2

    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text x="{x_of(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                         f'class="tick" font-size="10">{_e(label)}</text>')
    legend_y = top + plot_h + 40
    for k, (name, values) in enumerate(series):
        colour = "#1b1b1b" if k == 0 else PALETTE[(k - 1) % len(PALETTE)]
        stroke = 3 if k == 0 else 1.5
        path, dots, pen_down = [], [], False
        for i, value in enumerate(values):
            if value is None:
                pen_down = False
                continue
            x, y = x_of(i), top + plot_h - plot_h * value
            path.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            pen_down = True
            tip = _("{series}, {date}: {score}", series=name, date=labels[i], score=_pct(value))
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{stroke + 1.5}" fill="{colour}">'
                        f'<title>{_e(tip)}</title></circle>')
        parts.append(f'<path class="series" d="{" ".join(path)}" fill="none" '
                     f'stroke="{colour}" stroke-width="{stroke}"><title>{_e(name)}</title>'
                     f'</path>')
        parts.extend(dots)
        parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="14" height="{stroke + 1}" '
                     f'fill="{colour}"/><text x="{left + 20}" y="{legend_y}">{_e(name)}</text>')
        legend_y += 18
    parts.append("</svg>")
    return Markup("".join(parts))

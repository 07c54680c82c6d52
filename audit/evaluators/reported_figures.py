"""The figures a ``reported`` rule reads, and what they mean as aggregates.

A reported figure summarises events over a period. Three readings keep it honest:

- a median or share over no events (a ``count`` of 0, or none given where the table has a
  ``count`` column) says nothing of speed: it is set aside, and the finding says how many;
- a total beside its parts (a 9-month figure beside the quarters, for one measure and one
  breakdown) would be judged twice: overlapping periods are refused with the figures named,
  unless the rule picks one period length (``period: quarter``);
- a ``sum`` adds a count's figures per key (``sum: [country]``) over the periods judged, so a
  yearly total needs no script; text or a time cannot be summed, and is refused at its row.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from audit.durations import parse_duration
from audit.errors import EvidenceError, Problem
from audit.evaluators.base import EvaluationContext
from audit.logs.filters import where_sql
from audit.logs.sql import literal, quote

LOG = "reported"
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
KEY = ("country", "category")


@dataclass(frozen=True)
class Figure:
    figure_id: str
    start: dt.date | None
    end: dt.date | None
    value: float | None
    text: str | None  # the value as published, for a message
    unit: str | None
    country: str | None
    category: str | None
    count: float | None  # events behind the figure, when the table says
    rows: int = 1  # rows of the table behind it (a sum's figure stands for several)

    @property
    def key(self) -> tuple[str | None, str | None]:
        return self.country, self.category


@dataclass(frozen=True)
class Scanned:
    """What one scan of the ``reported`` table found for a rule: its matching figures whose
    period ended by the as-of date (within ``lookback``), and the row ledger's counts of the
    same scan (every row of the table, those the rule's measure and where leave out, those
    whose period ended after the as-of date or before the lookback)."""

    figures: list[Figure]
    has_count: bool  # the table has a ``count`` column
    rows: int
    out_of_scope: int
    outside_period: int


def fetch(context: EvaluationContext, p: Mapping[str, Any]) -> Scanned:
    """The rule's figures and the row ledger's counts, from one scan of the table: every row
    comes back flagged (in the rule's scope, in its period), so no row leaves uncounted."""
    store = context.evidence.logs
    cols = set(store.columns(LOG))
    opt = {c: (f"CAST({quote(c)} AS VARCHAR)" if c in cols else "NULL")
           for c in ("unit", "country", "category", "count", "figure_id")}
    filt = where_sql(store, LOG, {"measure": p["measure"], **(p.get("where") or {})})
    end = "TRY_CAST(CAST(period_end AS VARCHAR) AS DATE)"
    cond = f"({end} IS NULL OR {end} <= {literal(context.as_of.isoformat())})"
    if p.get("lookback"):
        since: dt.date = parse_duration(p["lookback"]).subtract_from(context.as_of)
        cond += f" AND ({end} IS NULL OR {end} > {literal(since.isoformat())})"
    sql = (f"SELECT TRY_CAST(CAST(period_start AS VARCHAR) AS DATE), {end}, "
           f"TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE), CAST(value AS VARCHAR), "
           f"{opt['unit']}, {opt['country']}, {opt['category']}, "
           f"TRY_CAST({opt['count']} AS DOUBLE), {opt['figure_id']}, "
           f"CASE WHEN {filt} THEN 1 ELSE 0 END, CASE WHEN {cond} THEN 1 ELSE 0 END "
           f"FROM {store.table(LOG)} ORDER BY 2, 6, 7, 9")
    found = store.query(sql)
    figures = [Figure(str(r[8]), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
               for r in found if r[9] and r[10]]
    in_scope = sum(1 for r in found if r[9])
    return Scanned(figures, "count" in cols, len(found), len(found) - in_scope,
                   in_scope - len(figures))


def months(figure: Figure) -> int | None:
    """Whole calendar months the period covers (1, 3, 6, 12 ...); None for another span."""
    start, end = figure.start, figure.end
    if start is None or end is None or start.day != 1:
        return None
    if end.day != calendar.monthrange(end.year, end.month)[1]:
        return None
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    return span if span > 0 else None


def overlap(figures: Sequence[Figure]) -> tuple[Figure, Figure] | None:
    """Two figures of one breakdown whose periods share a day (the first pair found)."""
    by_key: dict[tuple[str | None, str | None], list[Figure]] = {}
    for f in figures:
        if f.start is not None and f.end is not None:
            by_key.setdefault(f.key, []).append(f)
    for group in by_key.values():
        group.sort(key=lambda f: (f.start, f.end))
        for first, second in zip(group, group[1:], strict=False):
            if second.start is not None and first.end is not None and second.start <= first.end:
                return first, second
    return None


def refuse_overlap(path: str, pair: tuple[Figure, Figure], measure: str) -> EvidenceError:
    first, second = pair
    return EvidenceError(problems=[Problem(
        path, f"figures {first.figure_id} and {second.figure_id}",
        f"periods overlap for measure {measure} and the same breakdown ({first.start} to "
        f"{first.end}, {second.start} to {second.end}): a total beside its parts would be "
        "judged twice; give the rule `period: quarter` (month, half-year or year) to judge "
        "one period length, or leave the total out of the table")])


def summed(path: str, figures: Sequence[Figure], by: Sequence[str]) -> list[Figure]:
    """One figure per key (``by``: country and/or category): the sum of its counts over the
    periods judged. A value that is no number or not a count is refused at its figure."""
    groups: dict[tuple[str | None, ...], list[Figure]] = {}
    for f in figures:
        unit = (f.unit or "").strip().lower()
        if f.value is None:
            raise EvidenceError(problems=[Problem(
                path, f"figure {f.figure_id}",
                f"value {f.text!r} is not a number; a sum cannot leave it out")])
        if unit not in ("", "count"):
            raise EvidenceError(problems=[Problem(
                path, f"figure {f.figure_id}",
                f"unit {f.unit!r}: a sum adds counts, not times or shares")])
        groups.setdefault(tuple(getattr(f, c) for c in by), []).append(f)
    out = []
    for key, group in groups.items():
        starts = [f.start for f in group if f.start is not None]
        ends = [f.end for f in group if f.end is not None]
        values = dict(zip(by, key, strict=True))
        out.append(replace(group[0], figure_id="+".join(f.figure_id for f in group),
                           start=min(starts) if starts else None,
                           end=max(ends) if ends else None,
                           value=sum(f.value or 0.0 for f in group), text=None, unit="count",
                           country=values.get("country"), category=values.get("category"),
                           count=None, rows=sum(f.rows for f in group)))
    return out

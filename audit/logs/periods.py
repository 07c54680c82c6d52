"""Counting a log's rows per date period (``count`` rules), with the row ledger of the same
scan: rows the rule's filter leaves out, rows without a usable date, rows dated outside every
period (``audit.ledger``). The counts are filtered aggregates of the log's one pass
(``audit.logs.plan``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.engine.base import LogEngine
from audit.logs.filters import MissingColumn, where_sql
from audit.logs.plan import Measurement, Namer, Pieces, measure
from audit.logs.sql import literal, quote


def local_date(expr: str, tz: str) -> str:
    """SQL: the calendar date of a TIMESTAMPTZ in the IANA zone ``tz``."""
    return f"CAST(timezone({literal(tz)}, {expr}) AS DATE)"


@dataclass(frozen=True)
class PeriodCounts:
    """Rows per period, and the row ledger of the same scan (``audit.ledger``)."""

    counts: list[int]
    rows: int  # every row of the log
    out_of_scope: int  # not selected by the rule's where
    outside: int  # selected, dated outside every period
    no_date: int  # selected, without a usable date (blank, or text that is not a date)
    first_undated: tuple[int, ...] = ()  # the first data rows among them


def count_by_period(store: LogEngine, log: str, date_col: str, where: Mapping[str, Any],
                    bounds: Sequence[tuple[dt.date, dt.date]], tz: str = "UTC") -> list[int]:
    """Rows per (start, end] date period, in one query."""
    return count_periods(store, log, date_col, where, bounds, tz).counts


def period_measurement(store: LogEngine, log: str, date_col: str, where: Mapping[str, Any],
                       bounds: Sequence[tuple[dt.date, dt.date]], tz: str = "UTC") -> Measurement:
    """What a count rule asks of its log's pass (``audit.logs.plan``): rows per (start, end]
    period, and where the other rows went, as one tallied period code per row."""
    if date_col not in store.columns(log):
        raise MissingColumn(log, date_col)

    def build(n: Namer) -> Pieces:
        d = quote(date_col)
        filt = where_sql(store, log, where)
        day = local_date(d, tz) if date_col.endswith("_at") else f"TRY_CAST({d} AS DATE)"
        cases = " ".join(f"WHEN {day} > DATE '{a}' AND {day} <= DATE '{b}' THEN {i}"
                         for i, (a, b) in enumerate(bounds))
        # -2 marks the rows the filter leaves out, -3 selected rows without a usable date,
        # -1 those dated outside the periods
        period = (f"CASE WHEN ({filt}) IS NOT TRUE THEN -2 WHEN {day} IS NULL THEN -3 "
                  f"ELSE CASE {cases} ELSE -1 END END" if bounds else
                  f"CASE WHEN ({filt}) IS NOT TRUE THEN -2 WHEN {day} IS NULL THEN -3 "
                  f"ELSE -1 END")
        return Pieces(((n("p"), period),), (), tallies=(n("p"),),
                      codes=((-3, -2, -1, *range(len(bounds))),))

    return Measurement(log, build)


def count_periods(store: LogEngine, log: str, date_col: str, where: Mapping[str, Any],
                  bounds: Sequence[tuple[dt.date, dt.date]], tz: str = "UTC") -> PeriodCounts:
    """Rows per (start, end] date period and where the other rows went: from the log's pass
    when the rule was planned, else one scan of its own (the log's checks folded in)."""
    got = measure(store, period_measurement(store, log, date_col, where, bounds, tz))
    store.settle(log, got.checks, None, got.whole_log_duplicates)
    tally = got.tallies[0]
    outside, out_of_scope, undated = tally.get(-1, 0), tally.get(-2, 0), tally.get(-3, 0)
    total = sum(tally.values())
    d = quote(date_col)
    # in the raw rows: a blank value, or (a date column read as text) one that is not a date
    missing = (f"NULLIF(trim(CAST({d} AS VARCHAR)), '') IS NULL" if date_col.endswith("_at")
               else f"TRY_CAST({d} AS DATE) IS NULL")
    filt = where_sql(store, log, where)
    return PeriodCounts([tally.get(i, 0) for i in range(len(bounds))], total, out_of_scope, outside, undated,
                        first_without(store, log, missing, filt) if undated else ())


def first_without(store: LogEngine, log: str, missing: str, filt: str) -> tuple[int, ...]:
    """The first data rows a rule selects (``filt``) where ``missing`` holds: a second,
    targeted scan of the raw rows, made only when the rule's own scan counted some, so a
    note can name them."""
    try:  # the filter over the raw rows (its values are compared as text)
        found = store.first_rows(log, f"({missing}) AND ({filt}) IS TRUE")
    except store.query_errors():  # a filter that needs the typed view: every such row
        found = store.first_rows(log, missing)
    return tuple(int(r) for r in found.split(", ") if r)

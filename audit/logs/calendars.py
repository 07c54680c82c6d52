"""Business-day calendars as small date tables a deadline rule joins on the start date.

A table maps each start date to the end of the N-th business day after it (the
jurisdiction's public holidays and weekend days excluded). It has one row per calendar day,
never per event, and covers the days the rule can judge: from the first day its version or
lookback admits to the as-of date, which the rule knows without reading the log, so the
calendar costs no scan of its own (``audit.logs.plan``: one pass per log).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Container

from audit.engine.base import LogEngine
from audit.logs.sql import quote


@functools.lru_cache(maxsize=64)
def _holidays(calendar: str, first_year: int, last_year: int
              ) -> tuple[Container[dt.date], frozenset[int], str]:
    """The holidays of ``calendar`` over the years, its weekend days and the note saying so;
    computed once per run and calendar (a rule's SQL is written more than once)."""
    import holidays  # its calendars load in ~60 ms: only when a rule counts business days

    try:
        cal = holidays.country_holidays(calendar, years=range(first_year, last_year + 1))
        weekend = frozenset(getattr(cal, "weekend", {5, 6}))
        return cal, weekend, f"business days: {calendar} public holidays and weekend days excluded"
    except (NotImplementedError, KeyError, AttributeError):
        return (frozenset(), frozenset({5, 6}),
                f"business days: no holiday calendar for {calendar}; Saturdays and Sundays "
                "excluded")


def business_table(store: LogEngine, calendar: str, days: int, first: dt.date,
                   last: dt.date) -> tuple[str, str]:
    """A table mapping each start date from ``first`` to ``last`` to the end of the N-th
    business day after it, and the note the finding carries."""
    name = f"_bd_{calendar}_{days}_{first:%Y%m%d}_{last:%Y%m%d}"
    cal, weekend, note = _holidays(calendar, first.year, last.year + 1)
    if store.has_table(name):
        return quote(name), note
    span = (last - first).days + days * 3 + 60
    dates = [first + dt.timedelta(d) for d in range(span)]
    business = [d.weekday() not in weekend and d not in cal for d in dates]
    # cumulative business-day index; due date = first business day whose index is idx+N
    index, count = [], 0
    for b in business:
        count += b
        index.append(count)
    by_index: dict[int, dt.date] = {}
    for d, b, i in zip(dates, business, index, strict=False):
        if b:
            by_index.setdefault(i, d)
    starts, dues = [], []
    for d, i in zip(dates, index, strict=False):
        due = by_index.get(i + days)
        if due is None:
            break
        starts.append(d)
        dues.append(due)
    store.create_table(name, {"d": starts, "due": dues}, {"d": "DATE", "due": "DATE"})
    return quote(name), note

"""Property tests of how reported periods are read (audit/evaluators/reported_figures.py):
the length in calendar months, overlaps within one breakdown, and sums per key, each
compared with its plain-Python meaning."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from audit.evaluators.reported_figures import Figure, months, overlap, summed


def _figure(start: dt.date, end: dt.date, fid: str = "f", country: str | None = "FR",
            value: float | None = 1.0) -> Figure:
    return Figure(fid, start, end, value, str(value), "count", country, None, None)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(1, 36))
def test_a_period_of_whole_months_has_that_many(year: int, month: int, span: int) -> None:
    last = (year * 12 + month - 1) + span - 1
    end = _month_end(last // 12, last % 12 + 1)
    assert months(_figure(dt.date(year, month, 1), end)) == span


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 400))
def test_a_period_not_in_whole_months_has_none(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    assert (months(_figure(start, end)) is not None) == whole


periods = st.tuples(st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                    st.integers(0, 120)).map(lambda p: (p[0], p[0] + dt.timedelta(days=p[1])))


@given(st.lists(st.tuples(periods, st.sampled_from(["FR", "DE"])), max_size=6))
def test_an_overlap_is_found_exactly_when_two_periods_of_one_key_share_a_day(
        entries: list) -> None:
    figures = [_figure(s, e, f"f{i}", c) for i, ((s, e), c) in enumerate(entries)]
    expected = any(a.country == b.country and a.start <= b.end and b.start <= a.end
                   for a, b in itertools.combinations(figures, 2))
    found = overlap(figures)
    assert (found is not None) == expected
    if found is not None:
        first, second = found
        assert first.country == second.country and second.start <= first.end


@given(st.lists(st.tuples(st.sampled_from(["FR", "DE", "IT"]), st.integers(0, 10**6)),
                min_size=1, max_size=8))
def test_a_sum_per_country_is_the_sum_of_its_figures(entries: list) -> None:
    figures = [_figure(dt.date(2024, 1, 1), dt.date(2024, 3, 31), f"f{i}", c, float(v))
               for i, (c, v) in enumerate(entries)]
    sums = {f.country: f.value for f in summed("reported.csv", figures, ["country"])}
    assert sums == {c: float(sum(v for k, v in entries if k == c)) for c, _v in entries}

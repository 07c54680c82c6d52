"""One parser for every legal clock: ``24h``, ``72 hours``, ``3 business days``, ``1 month``.

Laws count time in different units, and the unit matters: a month is not 30 days and business
days skip the jurisdiction's public holidays. A ``Duration`` keeps the unit the law used.

Months and years are calendar months (docs/reference/calendar-months.md): a period of N months
from a day ends on the same day-number N months later, and where that month is too short, on
its last day (the "corresponding date" rule of Regulation (EEC, Euratom) No 1182/71, Art.
3(2)(c), also applied by English courts since Dodds v Walker [1981] 1 WLR 1441). So 1 July + 6
months is 1 January, and 31 August + 6 months is 28 February (29 in a leap year).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass

from audit.limits import MAX_DURATION_YEARS


class Unit(str, enum.Enum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


_UNIT_WORDS = {
    "m": Unit.MINUTES, "min": Unit.MINUTES, "mins": Unit.MINUTES, "minute": Unit.MINUTES,
    "minutes": Unit.MINUTES,
    "h": Unit.HOURS, "hr": Unit.HOURS, "hrs": Unit.HOURS, "hour": Unit.HOURS, "hours": Unit.HOURS,
    "d": Unit.DAYS, "day": Unit.DAYS, "days": Unit.DAYS,
    "business day": Unit.BUSINESS_DAYS, "business days": Unit.BUSINESS_DAYS,
    "bd": Unit.BUSINESS_DAYS, "working day": Unit.BUSINESS_DAYS,
    "working days": Unit.BUSINESS_DAYS,
    "w": Unit.WEEKS, "week": Unit.WEEKS, "weeks": Unit.WEEKS,
    "month": Unit.MONTHS, "months": Unit.MONTHS,
    "y": Unit.YEARS, "year": Unit.YEARS, "years": Unit.YEARS,
}

_PATTERN = re.compile(r"^\s*(\d+)\s*([a-z][a-z ]*?)\s*$")

_SHORT = {
    Unit.MINUTES: "min", Unit.HOURS: "h", Unit.DAYS: "days", Unit.BUSINESS_DAYS: "business days",
    Unit.WEEKS: "weeks", Unit.MONTHS: "months", Unit.YEARS: "years",
}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        if self.unit is Unit.HOURS:
            return f"{self.amount} h"
        word = _SHORT[self.unit]
        if self.amount == 1 and word.endswith("s"):
            word = word[:-1]
        return f"{self.amount} {word}"

    @property
    def is_business(self) -> bool:
        return self.unit is Unit.BUSINESS_DAYS

    def sql_interval(self) -> str:
        """A DuckDB interval literal; business days have none (see ``audit.logs``)."""
        if self.is_business:
            raise ValueError("business days have no fixed interval")
        unit = {Unit.MINUTES: "MINUTE", Unit.HOURS: "HOUR", Unit.DAYS: "DAY", Unit.WEEKS: "WEEK",
                Unit.MONTHS: "MONTH", Unit.YEARS: "YEAR"}[self.unit]
        return f"INTERVAL {self.amount} {unit}"

    def approx_hours(self) -> float:
        """For ordering and display only; deadlines are always checked in the law's own unit."""
        return self.amount * {Unit.MINUTES: 1 / 60, Unit.HOURS: 1, Unit.DAYS: 24,
                              Unit.BUSINESS_DAYS: 24 * 7 / 5, Unit.WEEKS: 168,
                              Unit.MONTHS: 730.5, Unit.YEARS: 8766}[self.unit]

    def add_to(self, when: dt.date) -> dt.date:
        """Calendar arithmetic on dates (for expiry and ``max_age`` checks)."""
        if self.unit in (Unit.MONTHS, Unit.YEARS):
            months = self.amount * (12 if self.unit is Unit.YEARS else 1)
            y, m = divmod(when.month - 1 + months, 12)
            year, month = when.year + y, m + 1
            day = min(when.day, calendar.monthrange(year, month)[1])
            return when.replace(year=year, month=month, day=day)
        if self.is_business:
            raise ValueError("business days need a holiday calendar")
        return when + dt.timedelta(hours=self.approx_hours())

    @property
    def is_calendar(self) -> bool:
        """True for months and years, whose length in days depends on the start date."""
        return self.unit in (Unit.MONTHS, Unit.YEARS)

    def longest_days(self) -> int:
        """The most days this duration can span from any start date (a retention of that many
        days covers the period whatever day it starts on: 6 months -> 184, 1 year -> 366)."""
        return max(self._spans()) if self.is_calendar else self._fixed_days()

    def shortest_days(self) -> int:
        """The fewest days this duration can span from any start date (6 months -> 181)."""
        return min(self._spans()) if self.is_calendar else self._fixed_days()

    def _fixed_days(self) -> int:
        if self.is_business:
            raise ValueError("business days have no fixed length in days")
        return int(-(-self.approx_hours() // 24))

    def _spans(self) -> list[int]:
        # every start day of a 400-year Gregorian cycle would be exact; four years (one leap
        # day, every month end) already give the extremes
        start = dt.date(2023, 1, 1)
        days = (dt.date(2027, 1, 1) - start).days
        return [(self.add_to(d) - d).days
                for d in (start + dt.timedelta(i) for i in range(days))]

    def subtract_from(self, when: dt.date) -> dt.date:
        return Duration(-self.amount, self.unit).add_to(when) if self.unit in (
            Unit.MONTHS, Unit.YEARS) else when - dt.timedelta(hours=self.approx_hours())


def parse_duration(text: object) -> Duration:
    """Parse a duration; raise ``ValueError`` with a message fit to show the checklist author."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise ValueError(f"expected a duration such as '24h' or '3 business days', got {text!r}")
    if isinstance(text, int):
        raise ValueError(f"a duration needs a unit, e.g. '{text}h' or '{text} days'")
    match = _PATTERN.match(text.lower())
    unit = _UNIT_WORDS.get(" ".join(match.group(2).split())) if match else None
    if not match or unit is None:
        raise ValueError(f"cannot read duration {text!r}: expected a number and a unit "
                         "(minutes, h/hours, days, business days, weeks, months, years)")
    if len(match.group(1)) > 9:  # before int(): a 5,000-digit amount is refused, not converted
        raise ValueError(f"duration {text!r} is longer than {MAX_DURATION_YEARS} years")
    amount = int(match.group(1))
    if amount <= 0:
        raise ValueError(f"duration {text!r} must be positive")
    duration = Duration(amount, unit)
    if duration.approx_hours() > MAX_DURATION_YEARS * 8766:  # date arithmetic stays in range
        raise ValueError(f"duration {text!r} is longer than {MAX_DURATION_YEARS} years")
    return duration

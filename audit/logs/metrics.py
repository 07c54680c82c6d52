"""Rule measurements as single aggregate queries over loaded logs, on either engine.

``measure_deadline`` answers "what share of these events was handled within the clock in force
when each started", with percentiles, as one global aggregate (per-version and overall figures
together) that shares its log's single pass with every other rule reading the log
(``audit.logs.plan``). Business-day clocks join a small date table built from the
jurisdiction's holiday calendar (``audit.logs.calendars``); that table has one row per
calendar day, never per event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.durations import Duration
from audit.engine.base import LogEngine
from audit.limits import MAX_DATE, MIN_DATE
from audit.logs.calendars import business_table as _business_table
from audit.logs.filters import MissingColumn, where_sql
# counting per period lives beside (audit.logs.periods); its names stay importable from here
from audit.logs.periods import PeriodCounts as PeriodCounts
from audit.logs.periods import count_by_period as count_by_period
from audit.logs.periods import count_periods as count_periods
from audit.logs.periods import first_without
from audit.logs.periods import local_date as _local_date
from audit.logs.plan import Measurement, Namer, Pieces, measure
from audit.logs.sql import literal, quote

PERCENTILES = (0.5, 0.9, 0.99)


# The law's clock runs in its jurisdiction: a rule dated from 13 August starts at midnight in
# Baghdad, and "3 business days" ends at midnight in Brasilia. Rules may override the zone.
JURISDICTION_TIMEZONES = {
    "AE": "Asia/Dubai", "AU": "Australia/Sydney", "BR": "America/Sao_Paulo",
    "DE": "Europe/Berlin", "EU": "Europe/Brussels", "ID": "Asia/Jakarta", "IN": "Asia/Kolkata",
    "IQ": "Asia/Baghdad", "KE": "Africa/Nairobi", "NG": "Africa/Lagos", "PK": "Asia/Karachi",
    "RU": "Europe/Moscow", "SA": "Asia/Riyadh", "TR": "Europe/Istanbul",
    "VN": "Asia/Ho_Chi_Minh", "FR": "Europe/Paris", "GB": "Europe/London", "EG": "Africa/Cairo",
    "JO": "Asia/Amman", "CN": "Asia/Shanghai", "KR": "Asia/Seoul", "JP": "Asia/Tokyo",
    "MY": "Asia/Kuala_Lumpur", "SG": "Asia/Singapore", "ZA": "Africa/Johannesburg",
    "NP": "Asia/Kathmandu", "KZ": "Asia/Almaty", "UZ": "Asia/Tashkent",
    "ET": "Africa/Addis_Ababa", "BD": "Asia/Dhaka",
    # a state's own zone (the United States has several): Texas and Florida count mostly
    # in Central and Eastern time; a rule's timezone overrides
    "US-TX": "America/Chicago", "US-FL": "America/New_York",
}


def legal_timezone(jurisdiction: str, override: str | None = None) -> str:
    """The IANA zone whose calendar days a rule counts (UTC where none is known)."""
    return (override or JURISDICTION_TIMEZONES.get(jurisdiction)
            or JURISDICTION_TIMEZONES.get(jurisdiction.split("-")[0], "UTC"))


def _ts(day: dt.date, tz: str = "UTC") -> str:
    """Midnight at the start of ``day`` in ``tz``, as a TIMESTAMPTZ literal expression."""
    return f"timezone({literal(tz)}, TIMESTAMP '{day.isoformat()} 00:00:00')"




@dataclass(frozen=True)
class DeadlineSpec:
    log: str
    where: Mapping[str, Any]
    start: str
    end: str
    versions: Sequence[tuple[dt.date | None, dt.date | None, Duration, float]]
    calendar: str
    lookback: Duration | None
    as_of: dt.date
    key: str
    timezone: str = "UTC"
    # per version, a column the clock starts from instead of ``start`` (None: ``start``); the
    # version itself is still chosen by ``start`` (e.g. Vietnam: the law in force on detection,
    # counted from the violation under Decree 13, from detection under Law 91)
    version_starts: Sequence[str | None] = ()
    # the clock runs from the start of the local day after the start event (Singapore: 3
    # calendar days after the day of the assessment); business days already count so
    from_next_day: bool = False


@dataclass(frozen=True)
class VersionFigures:
    valid_from: dt.date | None
    valid_until: dt.date | None
    within: Duration
    target: float
    total: int
    on_time: int
    late: int
    missing: int

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0


@dataclass
class DeadlineResult:
    total: int
    on_time: int
    late: int
    missing: int
    pending: int
    outside: int  # matching events before the rule took effect or outside the lookback
    # the row ledger (audit.ledger), counted in the same scan: every row of the log, those
    # the rule's where leaves out, and matching rows without a usable start
    rows: int
    out_of_scope: int
    no_start: int
    first_without_start: tuple[int, ...]
    p50_hours: float | None
    p90_hours: float | None
    p99_hours: float | None
    versions: list[VersionFigures]
    where_text: str
    calendar_note: str | None = None
    detail_sql: str = ""
    detail_columns: list[str] = field(default_factory=list)
    # every judged event's id, rule version and deadline (ISO 8601, UTC): what the notice
    # planner reads for one incident, from the same clock the figures use
    due_sql: str = ""
    monthly_sql: str = ""  # month (local time), version, total, on_time: for the HTML chart

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "events": self.total, "on_time": self.on_time, "late": self.late,
            "missing": self.missing, "pending": self.pending,
            "share_on_time": round(self.share, 6),
            "p50_hours": _r(self.p50_hours), "p90_hours": _r(self.p90_hours),
            "p99_hours": _r(self.p99_hours),
            "versions": [{"from": v.valid_from.isoformat() if v.valid_from else None,
                          "until": v.valid_until.isoformat() if v.valid_until else None,
                          "within": str(v.within), "target": v.target, "events": v.total,
                          "on_time": v.on_time, "late": v.late, "missing": v.missing,
                          "share_on_time": round(v.share, 6)} for v in self.versions],
        }
        out["outside_period"] = self.outside
        if self.no_start:
            out["without_start"] = self.no_start
        if self.calendar_note:
            out["calendar"] = self.calendar_note
        return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def deadline_measurement(store: LogEngine, spec: DeadlineSpec) -> Measurement:
    """What a deadline rule asks of its log's pass (``audit.logs.plan``): per rule version
    on time, late, missing, pending; events outside the judged period; exact percentiles;
    the judged ids' duplicates; and the row ledger's counts, in one global aggregate."""
    return _measurement(store, spec, _calendars(store, spec))


Calendars = dict[int, tuple[str, str]]  # version -> (its business-day table, the note)


def _calendars(store: LogEngine, spec: DeadlineSpec) -> Calendars:
    """The business-day table of each version counting business days (made once)."""
    for col in (spec.start, spec.end, *_own_starts(spec).values()):
        if col not in store.columns(spec.log):
            raise MissingColumn(spec.log, col)
    cals = {}
    for i, (_vfrom, _vuntil, within, _target) in enumerate(spec.versions):
        if within.is_business:
            first, last = _calendar_span(spec, i)
            cals[i] = _business_table(store, spec.calendar, within.amount, first, last)
    return cals


def _measurement(store: LogEngine, spec: DeadlineSpec, cals: Calendars) -> Measurement:
    return Measurement(spec.log, lambda n: _deadline_pieces(store, spec, cals, n))


def _own_starts(spec: DeadlineSpec) -> dict[int, str]:
    return {i: c for i, c in enumerate(spec.version_starts) if c and c != spec.start}


def _window(spec: DeadlineSpec, s: str) -> str:
    window = f"{s} < {_ts(spec.as_of + dt.timedelta(days=1), spec.timezone)}"
    if spec.lookback is not None:
        window += f" AND {s} >= {_ts(spec.lookback.subtract_from(spec.as_of), spec.timezone)}"
    return window


def _version_conditions(spec: DeadlineSpec, s: str) -> list[str]:
    conds = []
    for vfrom, vuntil, _within, _target in spec.versions:
        cond = []
        if vfrom:
            cond.append(f"{s} >= {_ts(vfrom, spec.timezone)}")
        if vuntil:
            cond.append(f"{s} < {_ts(vuntil, spec.timezone)}")
        conds.append(" AND ".join(cond) or "TRUE")
    return conds


def _calendar_span(spec: DeadlineSpec, i: int) -> tuple[dt.date, dt.date]:
    """The start dates version ``i`` can judge, known without reading the log: from its
    first day (or the lookback's) to the as-of date; a version counting from a start column
    of its own may start on any accepted day. Two days' margin either way: a legal zone's
    date of an instant at the limits of the accepted years."""
    margin = dt.timedelta(days=2)
    if i in _own_starts(spec):
        return MIN_DATE - margin, MAX_DATE + margin
    vfrom, vuntil = spec.versions[i][0], spec.versions[i][1]
    bounds = [MIN_DATE - margin]
    if vfrom:
        bounds.append(vfrom)
    if spec.lookback is not None:
        bounds.append(spec.lookback.subtract_from(spec.as_of))
    last = min(spec.as_of, vuntil) if vuntil else spec.as_of
    return max(bounds), last


def _due_case(spec: DeadlineSpec, cals: Calendars, col: Callable[[str], str],
              alias: Callable[[int], str], v: str) -> tuple[list[tuple[str, str, str]], str,
                                                            str | None]:
    """The joins of the business-day calendars, the SQL of each event's deadline (by the
    version ``v`` in force), and the calendar note. ``col`` names a per-row column in the
    joining query, ``alias`` a version's calendar."""
    tz = spec.timezone
    own_starts = _own_starts(spec)
    due_case = [f"CASE {v}"]
    joins = []
    note = None
    for i, (_vfrom, _vuntil, within, _target) in enumerate(spec.versions):
        clock = col(f"s{i}") if i in own_starts else col("s")
        day = _local_date(clock, tz)
        if spec.from_next_day and not within.is_business:
            day = f"({day} + INTERVAL 1 DAY)"
            clock = f"timezone({literal(tz)}, CAST({day} AS TIMESTAMP))"
        if within.is_business:
            cal, note = cals[i]
            # the deadline is the end of the N-th business day, local time
            joins.append((cal, alias(i), f"{alias(i)}.d = {_local_date(clock, tz)}"))
            due_case.append(f"WHEN {i} THEN timezone({literal(tz)}, "
                            f"CAST({alias(i)}.due + INTERVAL 1 DAY AS TIMESTAMP))")
        elif within.is_calendar:
            # calendar months end with the corresponding local day (same day-number, or the
            # month's last day when it is shorter): DuckDB's date + INTERVAL n MONTH clamps to
            # the month end, as docs/reference/calendar-months.md requires
            due_case.append(f"WHEN {i} THEN timezone({literal(tz)}, CAST("
                            f"{day} + {within.sql_interval()} "
                            f"+ INTERVAL 1 DAY AS TIMESTAMP))")
        else:
            due_case.append(f"WHEN {i} THEN {clock} + {within.sql_interval()}")
    due_case.append("END")
    return joins, " ".join(due_case), note


def _version_case(spec: DeadlineSpec, s: str, filt: str) -> str:
    """v per row: the version in force when the event started, -1 outside the judged
    period (before the rule, beyond the as-of date or the lookback), -2 rows the rule's
    filter does not select, -3 matching rows without a usable start (the row ledger)."""
    cases = [f"WHEN {s} IS NULL THEN -3", f"WHEN NOT ({_window(spec, s)}) THEN -1"]
    cases += [f"WHEN {c} THEN {i}" for i, c in enumerate(_version_conditions(spec, s))]
    return f"CASE WHEN ({filt}) IS NOT TRUE THEN -2 {' '.join(cases)} ELSE -1 END"


def _deadline_pieces(store: LogEngine, spec: DeadlineSpec, cals: Calendars,
                     n: Namer) -> Pieces:
    s, e = quote(spec.start), quote(spec.end)
    filt = where_sql(store, spec.log, spec.where)
    idcol = store.id_column(spec.log)
    columns = [(n("s"), s), (n("e"), e)]
    columns += [(n(f"s{i}"), quote(c)) for i, c in _own_starts(spec).items()]
    columns.append((n("v"), _version_case(spec, s, filt)))
    joins, due, _note = _due_case(spec, cals, lambda c: f"t.{n(c)}", lambda i: n(f"bd{i}"),
                                  f"t.{n('v')}")
    v, e_ = f"t.{n('v')}", f"t.{n('e')}"
    as_of_ts = _ts(spec.as_of + dt.timedelta(days=1), spec.timezone)
    # One outcome code per row, tallied by the pass: a GROUP BY over small integers costs a
    # fraction of a filtered count per version and outcome. The deadline is computed inside
    # it (for the events judged only), not as a column of its own: a CASE per rule and row.
    code = (f"CASE WHEN {v} < 0 THEN {v} ELSE {v} * {_CODES} + CASE WHEN {e_} IS NULL THEN "
            f"(CASE WHEN ({due}) < {as_of_ts} THEN {_MISSING} WHEN ({due}) >= {as_of_ts} THEN "
            f"{_PENDING} ELSE {_UNDUE} END) WHEN {e_} <= ({due}) THEN {_ON_TIME} "
            f"WHEN {e_} > ({due}) THEN {_LATE} ELSE {_ENDED} END END")
    v, e_ = n("v"), n("e")
    pct = ", ".join(str(p) for p in PERCENTILES)
    # Hours from s to e as integer microseconds: ``epoch(e - s)`` goes through ICU's calendar
    # subtraction, ~40x the cost of this on every row of a large log. The values are the same
    # (a TIMESTAMPTZ difference is days and microseconds, no months). A per-row column: the
    # rules reading the same start and end share it in the pass (``audit.logs.plan``); the
    # quantile reads it for the events judged (the others are NULL, which quantiles skip, as
    # are events not ended).
    columns.append((n("h"), f"(epoch_us({e}) - epoch_us({s})) / 1000000.0 / 3600.0"))
    hours = f"CASE WHEN {v} >= 0 THEN {n('h')} END"
    codes = (-3, -2, -1) + tuple(i * _CODES + outcome for i in range(len(spec.versions))
                                 for outcome in range(_UNDUE + 1))
    return Pieces(tuple(columns), (f"quantile_cont({hours}, [{pct}])",), tuple(joins),
                  ((n("k"), code),), (n("k"),),
                  (f"{v} >= 0", quote(idcol)) if idcol else None, codes=(codes,))


# A row's outcome code: its rule version times _CODES plus one of these (an event judged), or
# its version code when negative (-1 outside the judged period, -2 out of scope, -3 without
# a start). Ended without a deadline (no business-day calendar row) counts as an event only.
_CODES, _ENDED, _ON_TIME, _LATE, _MISSING, _PENDING, _UNDUE = 8, 0, 1, 2, 3, 4, 5


def due_and_offending(store: LogEngine, spec: DeadlineSpec, n: Namer
                      ) -> tuple[str, str]:
    """Over the pass's rows (``audit.logs.plan``, names by ``n``, joins as the figures make
    them): each event's deadline, and the condition of the events late or not handled."""
    due = _due_case(spec, _calendars(store, spec), lambda c: f"t.{n(c)}",
                    lambda i: n(f"bd{i}"), f"t.{n('v')}")[1]
    return due, f"{n('k')} >= 0 AND {n('k')} % {_CODES} IN ({_LATE}, {_MISSING})"


def _version_counts(tally: Mapping[int, int], i: int) -> tuple[int, int, int, int, int]:
    """Version ``i``'s events (those not pending), on time, late, missing and pending."""
    def c(outcome: int) -> int:
        return tally.get(i * _CODES + outcome, 0)
    return (c(_ENDED) + c(_ON_TIME) + c(_LATE) + c(_MISSING), c(_ON_TIME), c(_LATE),
            c(_MISSING), c(_PENDING))


def measure_deadline(store: LogEngine, spec: DeadlineSpec) -> DeadlineResult:
    """A deadline rule's figures: from its log's pass when the rule was planned, else from
    one scan of its own (``audit.logs.plan``)."""
    cals = _calendars(store, spec)
    got = measure(store, _measurement(store, spec, cals))
    tally = got.tallies[0]
    q, dup = got.values[0], got.duplicates
    outside, out_of_scope, no_start = tally.get(-1, 0), tally.get(-2, 0), tally.get(-3, 0)
    rows = sum(tally.values())
    # The events each query below reads (the figures' own clock), for the detail sheets, the
    # chart and the notice planner, and for the duplicate ids when there are some.
    s, e = quote(spec.start), quote(spec.end)
    filt = where_sql(store, spec.log, spec.where)
    idcol = store.id_column(spec.log)
    tz = spec.timezone
    as_of_ts = _ts(spec.as_of + dt.timedelta(days=1), tz)
    starts = "".join(f", {quote(col)} AS s{i}" for i, col in _own_starts(spec).items())
    cases = [f"WHEN {s} IS NULL THEN -3", f"WHEN NOT ({_window(spec, s)}) THEN -1"]
    cases += [f"WHEN {c} THEN {i}" for i, c in enumerate(_version_conditions(spec, s))]
    base = (f"SELECT {quote(idcol) if idcol else 'NULL'} AS id, {s} AS s, {e} AS e{starts}, "
            f"CASE {' '.join(cases)} ELSE -1 END AS v FROM {store.relation(spec.log)} "
            f"WHERE {filt}")
    joins, due_case, calendar_note = _due_case(spec, cals, lambda c: f"ev.{c}",
                                               lambda i: f"bd{i}", "v")
    joined = " ".join(f"LEFT JOIN {t} {a} ON {on}" for t, a, on in joins)
    timed = f"SELECT ev.id, ev.s, ev.e, ev.v, {due_case} AS due FROM ({base}) ev {joined}"
    # Ids must be unique among the events the rule judges (its figures count them); the
    # offending ids are looked up by a second query only when there are duplicates.
    judged = f"SELECT id FROM ({timed}) WHERE v >= 0"
    store.settle(spec.log, got.checks, (dup, judged), got.whole_log_duplicates)
    counts = [_version_counts(tally, i) for i in range(len(spec.versions))]
    versions = [VersionFigures(vfrom, vuntil, within, target, *counts[i][:4])
                for i, (vfrom, vuntil, within, target) in enumerate(spec.versions)]
    total = sum(v.total for v in versions)
    pending = sum(c[4] for c in counts)
    q = q or [None, None, None]
    open_ok = f"(e IS NULL AND due >= {as_of_ts})"
    # Events handled late or not at all, worst first: the detail sheets stream this query.
    # Timestamps leave DuckDB as ISO 8601 text in UTC: exact, spreadsheet-safe, and no
    # time-zone library is needed on the Python side.
    iso = "strftime({}, '%Y-%m-%dT%H:%M:%S+00:00')"
    # Hours to 2 decimals, half up, from integer microseconds: the same digits on every
    # engine (round() of a double differs between DuckDB and Spark on ties such as 71.975).
    shown = "floor((epoch_us(e) - epoch_us(s)) / 36000000.0 + 0.5) / 100.0"
    detail = (f"SELECT id AS {quote(idcol or 'id')}, {iso.format('s')} AS {quote(spec.start)}, "
              f"{iso.format('e')} AS {quote(spec.end)}, {iso.format('due')} AS deadline, "
              f"CASE WHEN e IS NULL THEN NULL ELSE {shown} END "
              f"AS hours_taken, CASE WHEN e IS NULL THEN 'not handled' ELSE 'late' END AS "
              f"problem FROM ({timed}) WHERE v >= 0 AND ((e IS NOT NULL AND e > due) OR "
              f"(e IS NULL AND due < {as_of_ts})) ORDER BY (e IS NULL) DESC, "
              f"(epoch(e) - epoch(due)) DESC, id")
    # Per calendar month of the event's start (legal time zone) and rule version: run only by
    # reports that chart the share within the clock over time, never by the evaluation itself.
    month = f"strftime({_local_date('s', tz)}, '%Y-%m')"
    monthly = (f"SELECT {month} AS month, v, count(*) FILTER (WHERE NOT {open_ok}) AS total, "
               f"count(*) FILTER (WHERE e IS NOT NULL AND e <= due) AS on_time "
               f"FROM ({timed}) WHERE v >= 0 GROUP BY 1, 2 ORDER BY 1, 2")
    due = f"SELECT id, v, {iso.format('due')} AS due FROM ({timed}) WHERE v >= 0 ORDER BY id"
    where_text = ", ".join(f"{k}={v}" for k, v in spec.where.items()) or "all rows"
    blank = f"NULLIF(trim(CAST({s} AS VARCHAR)), '') IS NULL"
    blank_rows = first_without(store, spec.log, blank, filt) if no_start else ()
    return DeadlineResult(total, sum(v.on_time for v in versions),
                          sum(v.late for v in versions), sum(v.missing for v in versions),
                          pending, outside, rows, out_of_scope, no_start, blank_rows,
                          q[0], q[1], q[2], versions=versions,
                          where_text=where_text, calendar_note=calendar_note,
                          detail_sql=detail, monthly_sql=monthly, due_sql=due,
                          detail_columns=[idcol or "id", spec.start, spec.end, "deadline",
                                          "hours_taken", "problem"])

"""Rule measurements as single aggregate queries over loaded logs, on either engine.

``measure_deadline`` answers "what share of these events was handled within the clock in force
when each started", with percentiles, in one query (GROUPING SETS give per-version and overall
figures together). Business-day clocks join a small date table built from the jurisdiction's
holiday calendar; that table has one row per calendar day, never per event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.durations import Duration
from audit.engine.base import LogEngine
from audit.logs.filters import MissingColumn, where_sql
# counting per period lives beside (audit.logs.periods); its names stay importable from here
from audit.logs.periods import PeriodCounts as PeriodCounts
from audit.logs.periods import count_by_period as count_by_period
from audit.logs.periods import count_periods as count_periods
from audit.logs.periods import first_without
from audit.logs.periods import local_date as _local_date
from audit.logs.sql import literal, quote

PERCENTILES = (0.5, 0.9, 0.99)
# Hours from s to e as integer microseconds: an aggregate's argument is computed for every
# row its scan reads (before the FILTER), and ``epoch(e - s)`` goes through ICU's calendar
# subtraction, ~40x the cost of this on every row of a large log. The values are the same
# (a TIMESTAMPTZ difference is days and microseconds, no months).
EXACT_HOURS = "(epoch_us(e) - epoch_us(s)) / 1000000.0 / 3600.0"


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


def _business_table(store: LogEngine, calendar: str, days: int, first: dt.date,
                    last: dt.date) -> tuple[str, str]:
    """A table mapping each start date to the end of the N-th business day after it."""
    import holidays  # its calendars load in ~60 ms: only when a rule counts business days

    name = f"_bd_{calendar}_{days}_{first:%Y%m%d}_{last:%Y%m%d}"
    years = range(first.year, last.year + 2)
    try:
        cal = holidays.country_holidays(calendar, years=years)
        weekend = set(getattr(cal, "weekend", {5, 6}))
        note = f"business days: {calendar} public holidays and weekend days excluded"
    except (NotImplementedError, KeyError, AttributeError):
        cal, weekend = {}, {5, 6}  # type: ignore[assignment]  # a dict answers `in` alike
        note = f"business days: no holiday calendar for {calendar}; Saturdays and Sundays excluded"
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


def measure_deadline(store: LogEngine, spec: DeadlineSpec) -> DeadlineResult:
    table = store.relation(spec.log)
    own_starts = {i: c for i, c in enumerate(spec.version_starts) if c and c != spec.start}
    for col in (spec.start, spec.end, *own_starts.values()):
        if col not in store.columns(spec.log):
            raise MissingColumn(spec.log, col)
    s, e = quote(spec.start), quote(spec.end)
    filt = where_sql(store, spec.log, spec.where)
    tz = spec.timezone
    as_of_ts = _ts(spec.as_of + dt.timedelta(days=1), tz)
    window = f"{s} < {as_of_ts}"
    if spec.lookback is not None:
        window += f" AND {s} >= {_ts(spec.lookback.subtract_from(spec.as_of), tz)}"
    # v is the index of the rule version in force when the event started, or -1 for events
    # outside the judged period (before the rule, beyond the as-of date or the lookback):
    # one scan then gives per-version figures, the overall percentiles and the -1 count.
    # v = -2 marks rows the rule's filter does not select and v = -3 matching rows without a
    # usable start (blank, or unreadable): the row ledger counts both, and the log's own checks
    # (owed once, see LogEngine.checks) ride along in the same scan instead of their own.
    version_case = [f"WHEN {s} IS NULL THEN -3", f"WHEN NOT ({window}) THEN -1"]
    due_case = ["CASE v"]
    joins = []
    calendar_note = None
    for i, (vfrom, vuntil, within, _target) in enumerate(spec.versions):
        clock = f"ev.s{i}" if i in own_starts else "ev.s"
        day = _local_date(clock, tz)
        if spec.from_next_day and not within.is_business:
            day = f"({day} + INTERVAL 1 DAY)"
            clock = f"timezone({literal(tz)}, CAST({day} AS TIMESTAMP))"
        cond = []
        if vfrom:
            cond.append(f"{s} >= {_ts(vfrom, tz)}")
        if vuntil:
            cond.append(f"{s} < {_ts(vuntil, tz)}")
        version_case.append(f"WHEN {' AND '.join(cond) or 'TRUE'} THEN {i}")
        if within.is_business:
            # the calendar covers the events this version judges (in force, before the as-of
            # date, within the lookback), not every matching event's date
            judged = f"({filt}) AND {window} AND {' AND '.join(cond) or 'TRUE'}"
            first, last = _date_range(store, spec.log, s, judged, tz)
            if i in own_starts:  # an earlier start column may reach before the range
                own_first, own_last = _date_range(store, spec.log, quote(own_starts[i]), judged,
                                                  tz)
                first, last = min(first, own_first), max(last, own_last)
            cal, calendar_note = _business_table(store, spec.calendar, within.amount, first, last)
            alias = f"bd{i}"
            # the deadline is the end of the N-th business day, local time
            joins.append(f"LEFT JOIN {cal} {alias} ON {alias}.d = {_local_date(clock, tz)}")
            due_case.append(f"WHEN {i} THEN timezone({literal(tz)}, "
                            f"CAST({alias}.due + INTERVAL 1 DAY AS TIMESTAMP))")
        elif within.is_calendar:
            # calendar months end with the corresponding local day (same day-number, or the
            # month's last day when it is shorter): DuckDB's date + INTERVAL n MONTH clamps to
            # the month end, as docs/reference/calendar-months.md requires
            due_case.append(f"WHEN {i} THEN timezone({literal(tz)}, CAST("
                            f"{day} + {within.sql_interval()} "
                            f"+ INTERVAL 1 DAY AS TIMESTAMP))")
        else:
            due_case.append(f"WHEN {i} THEN {clock} + {within.sql_interval()}")
    version_case.append("ELSE -1 END")
    due_case.append("END")
    checks = store.checks(spec.log)
    scope_case = [f"CASE WHEN ({filt}) IS NOT TRUE THEN -2", *version_case]
    version_case.insert(0, "CASE")
    idcol = store.id_column(spec.log)
    ident = quote(idcol) if idcol else "NULL"
    starts = "".join(f", {quote(col)} AS s{i}" for i, col in own_starts.items())
    base = (f"SELECT {ident} AS id, {s} AS s, {e} AS e{starts}, {' '.join(version_case)} AS v "
            f"FROM {table} WHERE {filt}")
    timed = (f"SELECT ev.id, ev.s, ev.e, ev.v, {' '.join(due_case)} AS due "
             f"FROM ({base}) ev {' '.join(joins)}")
    scanned = timed
    extra = ""
    if checks:
        # every row, for the checks (per-row 0/1 terms summed) and the ledger's count of the
        # rows the filter leaves out; the figures count v >= -1. Once the log is validated,
        # only the selected rows are read: its rows are known, so those left out are the rest.
        terms = "".join(f", {t} AS _chk{i}" for i, t in enumerate(checks))
        base_all = (f"SELECT {ident} AS id, {s} AS s, {e} AS e{starts}, "
                    f"{' '.join(scope_case)} AS v{terms} FROM {table}")
        carried = "".join(f", ev._chk{i}" for i in range(len(checks)))
        scanned = (f"SELECT ev.id, ev.s, ev.e, ev.v{carried}, {' '.join(due_case)} AS due "
                   f"FROM ({base_all}) ev {' '.join(joins)}")
        extra = "".join(f", sum(_chk{i})" for i in range(len(checks)))
    # DISTINCT over a CASE, not with a FILTER: DuckDB then hashes the judged ids only (the
    # others are one NULL group) instead of every (id, flag) pair of the log.
    unique = (", count(id) FILTER (WHERE v >= 0) - count(DISTINCT CASE WHEN v >= 0 THEN id END)"
              if idcol else ", 0")
    pct = ", ".join(str(p) for p in PERCENTILES)
    open_ok = f"(e IS NULL AND due >= {as_of_ts})"  # still open, deadline not yet passed
    # One global aggregate (no GROUP BY: no hash table on the scan's hot path): per version
    # total, on time, late, missing, pending; then outside, percentiles, the judged ids'
    # duplicates and the log's checks.
    per_version = []
    for i in range(len(spec.versions)):
        per_version += [f"count(*) FILTER (WHERE v = {i} AND NOT {open_ok})",
                        f"count(*) FILTER (WHERE v = {i} AND e <= due)",
                        f"count(*) FILTER (WHERE v = {i} AND e > due)",
                        f"count(*) FILTER (WHERE v = {i} AND e IS NULL AND due < {as_of_ts})",
                        f"count(*) FILTER (WHERE v = {i} AND {open_ok})"]
    sql = (f"SELECT {', '.join(per_version)}, count(*) FILTER (WHERE v = -1), "
           f"quantile_cont({EXACT_HOURS}, [{pct}]) FILTER (WHERE e IS NOT NULL AND v >= 0)"
           f"{unique}, count(*), count(*) FILTER (WHERE v = -2), "
           f"count(*) FILTER (WHERE v = -3){extra} FROM ({scanned})")
    row = store.scan(spec.log, sql)[0]
    n = 5 * len(spec.versions)
    outside, q, dup = row[n], row[n + 1], int(row[n + 2] or 0)
    rows, out_of_scope, no_start = (int(x or 0) for x in row[n + 3:n + 6])
    if not checks:  # the selected rows only: the others are the validated log's rest
        rows, out_of_scope = store.logs[spec.log].rows, store.logs[spec.log].rows - rows
    n += 3
    # Ids must be unique among the events the rule judges (its figures count them); the
    # offending ids are looked up by a second query only when there are duplicates.
    judged = f"SELECT id FROM ({timed}) WHERE v >= 0"
    store.settle(spec.log, [int(x or 0) for x in row[n + 3:]] if checks else None,
                 (dup, judged))
    by_v = {i: (i, *row[5 * i:5 * i + 5]) for i in range(len(spec.versions))}
    versions = []
    for i, (vfrom, vuntil, within, target) in enumerate(spec.versions):
        r = by_v.get(i)
        versions.append(VersionFigures(vfrom, vuntil, within, target,
                                       r[1] if r else 0, r[2] if r else 0, r[3] if r else 0,
                                       r[4] if r else 0))
    total = sum(v.total for v in versions)
    pending = sum(r[5] for r in by_v.values())
    q = q or [None, None, None]
    # Events handled late or not at all, worst first: the detail sheets stream this query.
    # Timestamps leave DuckDB as ISO 8601 text in UTC: exact, spreadsheet-safe, and no
    # time-zone library is needed on the Python side.
    iso = "strftime({}, '%Y-%m-%dT%H:%M:%S+00:00')"
    # Hours to 2 decimals, half up, from integer microseconds: the same digits on every
    # engine (round() of a double differs between DuckDB and Spark on ties such as 71.975).
    shown = "floor((epoch_us(e) - epoch_us(s)) / 36000000.0 + 0.5) / 100.0"
    detail = (f"SELECT id AS {quote(idcol or 'id')}, {iso.format('s')} AS {quote(spec.start)}, "
              f"{iso.format('e')} AS {quote(spec.end)}, {iso.format('due')} AS deadline, CASE WHEN e IS NULL THEN NULL ELSE {shown} END "
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


def _date_range(store: LogEngine, log: str, s: str, filt: str,
                tz: str) -> tuple[dt.date, dt.date]:
    """First and last start dates (unvalidated view: the checks ride in the rule's scan)."""
    lo, hi = store.scan(log, f"SELECT {_local_date(f'min({s})', tz)}, "
                             f"{_local_date(f'max({s})', tz)} FROM {store.relation(log)} "
                             f"WHERE {filt}", rule=False)[0]
    today = dt.date.today()
    return (lo or today), (hi or today)

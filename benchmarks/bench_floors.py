"""The hand-written contenders of the single-rule case (iq.telegram-2023:leak-takedown): a
DuckDB query (the floor), polars and a pure-Python loop. Each does every check the tool does
on the rows it reads: timestamps parse, carry an offset (``+03:00``, ``-05:00`` or ``Z``) and
lie in the accepted years (audit.limits), ids are present, no end before its start, ids unique
among the judged events; then Baghdad's day boundaries and the same figures."""

from __future__ import annotations

from pathlib import Path

from audit.limits import MAX_YEAR, MIN_YEAR

FIGURES = ("events", "on_time", "late", "missing", "pending", "p50_hours", "p90_hours",
           "p99_hours")
COLUMNS = ["request_id", "received_at", "actioned_at", "category", "requester", "action",
           "country"]

FLOOR_SQL = """
WITH t AS (
  SELECT request_id AS id, {s} AS s, {e} AS e, {bad_s} AS bad_s, {bad_e} AS bad_e,
         category = 'personal_data_leak' AND requester = 'authority' AND country = 'IQ' AS m
  FROM {reader}),
j AS (
  SELECT *, m AND s >= timezone('Asia/Baghdad', TIMESTAMP '2023-08-13 00:00:00')
            AND s < timezone('Asia/Baghdad', TIMESTAMP '2025-01-01 00:00:00') AS judged,
         s + INTERVAL 24 HOUR AS due,
         timezone('Asia/Baghdad', TIMESTAMP '2025-01-01 00:00:00') AS cut
  FROM t)
SELECT count(*) FILTER (WHERE bad_s OR bad_e) AS bad_timestamps,
       count(*) FILTER (WHERE id IS NULL) AS without_id,
       count(*) FILTER (WHERE e < s) AS end_before_start,
       count(id) FILTER (WHERE judged) - count(DISTINCT CASE WHEN judged THEN id END)
           AS duplicates,
       count(*) FILTER (WHERE judged AND NOT (e IS NULL AND due >= cut)) AS events,
       count(*) FILTER (WHERE judged AND e <= due) AS on_time,
       count(*) FILTER (WHERE judged AND e > due) AS late,
       count(*) FILTER (WHERE judged AND e IS NULL AND due < cut) AS missing,
       count(*) FILTER (WHERE judged AND e IS NULL AND due >= cut) AS pending,
       quantile_cont((epoch_us(e) - epoch_us(s)) / 1000000.0 / 3600.0, [0.5, 0.9, 0.99])
           FILTER (WHERE judged AND e IS NOT NULL) AS q
FROM j
"""

FLOOR_CODE = """
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
r = con.execute(sys.argv[1]).fetchone()
assert r[0] == r[1] == r[2] == r[3] == 0, r[:4]
q = r[9] or [None] * 3
print(json.dumps(dict(zip(FIGURES, [*r[4:9], *[None if x is None else round(x, 3) for x in q]]))))
""".replace("FIGURES", repr(FIGURES))


def in_years(value: str) -> str:
    """SQL: a TIMESTAMPTZ inside the accepted years."""
    return (f"({value} >= TIMESTAMPTZ '{MIN_YEAR}-01-01 00:00:00+00' AND {value} < "
            f"TIMESTAMPTZ '{MAX_YEAR + 1}-01-01 00:00:00+00')")


def csv_reader(log: Path, columns: list[str]) -> str:
    cols = ", ".join(f"'{n}': 'VARCHAR'" for n in columns)
    return (f"read_csv('{log}', header = true, auto_detect = false, columns = {{{cols}}}, "
            "delim = ',', quote = '\"', escape = '\"')")


def parsed(c: str) -> str:
    return f"TRY_CAST({c} AS TIMESTAMPTZ)"


def bad_text(c: str) -> str:
    """Present but unparseable, without an offset (+hh:mm, -hh:mm or Z) or out of years."""
    return (f"({c} IS NOT NULL AND ({parsed(c)} IS NULL OR NOT ({c} LIKE '%+__:__' OR "
            f"{c} LIKE '%-__:__' OR {c} LIKE '%Z') OR NOT {in_years(parsed(c))}))")


def bad_typed(c: str) -> str:
    return f"({c} IS NOT NULL AND NOT {in_years(c)})"


def floor_sql(log: Path, fmt: str) -> str:
    if fmt == "csv":
        return FLOOR_SQL.format(reader=csv_reader(log, COLUMNS), s=parsed("received_at"),
                                e=parsed("actioned_at"), bad_s=bad_text("received_at"),
                                bad_e=bad_text("actioned_at"))
    return FLOOR_SQL.format(reader=f"read_parquet('{log}')", s="received_at", e="actioned_at",
                            bad_s=bad_typed("received_at"), bad_e=bad_typed("actioned_at"))


POLARS_CODE = """
import json, sys
import polars as pl
path, fmt = sys.argv[1], sys.argv[2]
first_ok = pl.datetime(MIN_YEAR, 1, 1, time_zone="UTC")
after_ok = pl.datetime(MAX_YEAR + 1, 1, 1, time_zone="UTC")
def years(val):
    return (val >= first_ok) & (val < after_ok)
if fmt == "csv":
    lf = pl.scan_csv(path, infer_schema=False)
    def ts(c):
        raw = pl.col(c)
        val = pl.coalesce(
            raw.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False, time_zone="UTC"),
            pl.when(raw.str.ends_with("Z")).then(
                raw.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False, time_zone="UTC")))
        return val, raw.is_not_null() & (val.is_null() | ~years(val))
else:
    lf = pl.scan_parquet(path)
    def ts(c):
        val = pl.col(c).dt.convert_time_zone("UTC")
        return val, val.is_not_null() & ~years(val)
s, bad_s = ts("received_at")
e, bad_e = ts("actioned_at")
first = pl.datetime(2023, 8, 12, 21, time_zone="UTC")  # Baghdad midnight (UTC+3, no DST)
cut = pl.datetime(2024, 12, 31, 21, time_zone="UTC")
lf = lf.select(pl.col("request_id").alias("id"), s.alias("s"), e.alias("e"),
               (bad_s | bad_e).alias("bad"),
               ((pl.col("category") == "personal_data_leak") & (pl.col("requester") == "authority")
                & (pl.col("country") == "IQ")).alias("m"))
lf = lf.with_columns((pl.col("m") & (pl.col("s") >= first) & (pl.col("s") < cut)).alias("j"),
                     (pl.col("s") + pl.duration(hours=24)).alias("due"))
j, e, due = pl.col("j"), pl.col("e"), pl.col("due")
hours = (pl.col("e") - pl.col("s")).dt.total_milliseconds() / 3_600_000
done = j & e.is_not_null()
r = lf.select(
    pl.col("bad").sum(), pl.col("id").is_null().sum().alias("noid"),
    (pl.col("e") < pl.col("s")).sum().alias("order"),
    (pl.col("id").filter(j).count() - pl.col("id").filter(j).n_unique()).alias("dup"),
    (j & ~(e.is_null() & (due >= cut))).sum().alias("events"),
    (done & (e <= due)).sum().alias("on_time"), (done & (e > due)).sum().alias("late"),
    (j & e.is_null() & (due < cut)).sum().alias("missing"),
    (j & e.is_null() & (due >= cut)).sum().alias("pending"),
    *[hours.filter(done).quantile(p, interpolation="linear").alias(f"q{p}")
      for p in (0.5, 0.9, 0.99)],
).collect().row(0)
assert r[0] == r[1] == r[2] == r[3] == 0, r[:4]
print(json.dumps(dict(zip(FIGURES, [*r[4:9], *[round(x, 3) for x in r[9:]]]))))
""".replace("FIGURES", repr(FIGURES)).replace("MIN_YEAR", str(MIN_YEAR)).replace(
    "MAX_YEAR", str(MAX_YEAR))

PYTHON_CODE = r'''
import csv, json, sys
from datetime import datetime, timedelta, timezone
day = timedelta(hours=24)
baghdad = timezone(timedelta(hours=3))
first = datetime(2023, 8, 13, tzinfo=baghdad)
cut = datetime(2025, 1, 1, tzinfo=baghdad)
lowest = datetime(MIN_YEAR, 1, 1, tzinfo=timezone.utc)
beyond = datetime(MAX_YEAR + 1, 1, 1, tzinfo=timezone.utc)
def parse(text):
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)  # raises on a bad value: a validation failure
    if value.tzinfo is None:
        raise ValueError(f"no offset: {text}")
    if not lowest <= value < beyond:
        raise ValueError(f"outside the accepted years: {text}")
    return value
events = on_time = late = missing = pending = 0
hours, seen = [], set()
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    head = next(rows)
    i_id, i_r, i_a, i_c, i_q, i_k = (head.index(c) for c in (
        "request_id", "received_at", "actioned_at", "category", "requester", "country"))
    for row in rows:
        r, a = parse(row[i_r]), parse(row[i_a])
        if not row[i_id]:
            raise SystemExit("row without an id")
        if r is not None and a is not None and a < r:
            raise SystemExit("end before start")
        if (row[i_c] != "personal_data_leak" or row[i_q] != "authority" or row[i_k] != "IQ"
                or r is None or not first <= r < cut):
            continue
        if row[i_id] in seen:
            raise SystemExit("duplicate id")
        seen.add(row[i_id])
        due = r + day
        if a is None:
            if due >= cut:
                pending += 1
                continue
            missing += 1
        else:
            hours.append((a - r).total_seconds() / 3600)
            if a <= due:
                on_time += 1
            else:
                late += 1
        events += 1
hours.sort()
def q(p):
    k = (len(hours) - 1) * p
    f = int(k); c = min(f + 1, len(hours) - 1)
    return round(hours[f] + (hours[c] - hours[f]) * (k - f), 3)
print(json.dumps({"events": events, "on_time": on_time, "late": late, "missing": missing,
                  "pending": pending, "p50_hours": q(0.5), "p90_hours": q(0.9),
                  "p99_hours": q(0.99)}))
'''.replace("MIN_YEAR", str(MIN_YEAR)).replace("MAX_YEAR", str(MAX_YEAR))

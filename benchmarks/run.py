"""Benchmark ``audit assess`` against a fair DuckDB floor, polars and pure Python, same run.

    python benchmarks/run.py                       # 1M, 10M, 30M rows; CSV and Parquet; workbook
    python benchmarks/run.py --sizes 1000000 --formats csv --repeat 1     # quick

For each size and format a seeded moderation log is generated (cached in benchmarks/.data/).
Contenders, each in a fresh process (so peak RSS is that run's alone), run interleaved
(assess, floor, polars, python; then again), three rounds by default; best and median kept:

- ``assess``: ``audit assess PACK -c iq.telegram-2023 --format json`` (one deadline rule);
- ``floor``: one hand-written DuckDB query over the same file: every timestamp parsed as
  TIMESTAMPTZ (CSV) with its offset checked, the same validations (timestamps parse, ids
  present, end not before start, ids unique among the judged events), Baghdad's day
  boundaries, and the same figures (events, on time, late, missing, pending, p50/p90/p99);
- ``polars``: the same figures and validations with polars (a benchmark-only dependency);
- ``python``: a ``csv``-module loop parsing every row (CSV only).

Every contender prints its figures; the benchmark stops if any disagrees with ``assess``.
The gap workbook is timed with 100k offending rows against raw openpyxl write-only of the
same cells. Writes benchmarks/results.md with the machine and its load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
RULE = "iq.telegram-2023:leak-takedown"
FIGURES = ("events", "on_time", "late", "missing", "pending", "p50_hours", "p90_hours",
           "p99_hours")

PROFILE = """\
name: Benchmark Messenger
users: {IQ: 9000000}
representatives:
  - {name: Bench Contact, role: authority_contact_iq, country: IQ, contact: b@example.org}
"""

# The hand-written floor: one query, every check and figure, Baghdad's midnights.
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

POLARS_CODE = """
import json, sys
import polars as pl
path, fmt = sys.argv[1], sys.argv[2]
if fmt == "csv":
    lf = pl.scan_csv(path, infer_schema=False)
    def ts(c):
        raw = pl.col(c)
        val = raw.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False, time_zone="UTC")
        return val, raw.is_not_null() & val.is_null()
else:
    lf = pl.scan_parquet(path)
    def ts(c):
        return pl.col(c).dt.convert_time_zone("UTC"), pl.lit(False)
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
""".replace("FIGURES", repr(FIGURES))

PYTHON_CODE = r'''
import csv, json, sys
from datetime import datetime, timedelta, timezone
day = timedelta(hours=24)
baghdad = timezone(timedelta(hours=3))
first = datetime(2023, 8, 13, tzinfo=baghdad)
cut = datetime(2025, 1, 1, tzinfo=baghdad)
def parse(text):
    if not text:
        return None
    value = datetime.fromisoformat(text)  # raises on a bad value: a validation failure
    if value.tzinfo is None:
        raise ValueError(f"no offset: {text}")
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
'''


def generate(rows: int, fmt: str) -> Path:
    """A seeded moderation log; values depend only on the row number (hash-based)."""
    import duckdb

    pack = DATA / f"pack-{rows}-{fmt}"
    target = pack / "logs" / f"moderation.{fmt}"
    if target.exists():
        return pack
    (pack / "logs").mkdir(parents=True, exist_ok=True)
    (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    span = 500 * 24 * 3600  # 500 days from 2023-08-20, so every event is under the 24 h rule
    select = f"""
        SELECT 'R' || lpad(CAST(i AS VARCHAR), 10, '0') AS request_id,
               strftime(ts, '%Y-%m-%dT%H:%M:%S') || '+03:00' AS received_at,
               CASE WHEN h % 100 < 3 THEN NULL
                    ELSE strftime(ts + to_seconds(CAST((h // 100) % 172800 AS BIGINT)), '%Y-%m-%dT%H:%M:%S')
                         || '+03:00' END AS actioned_at,
               ['personal_data_leak', 'illegal_content', 'spam', 'terrorist_content'][1 + CAST(h % 4 AS BIGINT)]
                   AS category,
               ['authority', 'user', 'trusted_flagger'][1 + CAST((h // 7) % 3 AS BIGINT)] AS requester,
               'channel_closed' AS action,
               ['IQ', 'DE', 'IN', 'TR', 'BR'][1 + CAST((h // 11) % 5 AS BIGINT)] AS country
        FROM (SELECT i, hash(i) AS h,
                     TIMESTAMP '2023-08-20 00:00:00' + to_seconds(CAST(i * {span} / {rows} AS BIGINT)) AS ts
              FROM range({rows}) t(i))
        ORDER BY i"""
    option = "(HEADER, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet)"
    if fmt == "parquet":  # Parquet exports carry typed timestamps, as real ones do
        select = (f"SELECT * REPLACE (CAST(received_at AS TIMESTAMPTZ) AS received_at, "
                  f"CAST(actioned_at AS TIMESTAMPTZ) AS actioned_at) FROM ({select})")
    con = duckdb.connect()
    tmp = target.with_suffix(".tmp")
    con.execute(f"COPY ({select}) TO '{tmp}' {option}")
    tmp.rename(target)
    return pack


def lake_pack(pack: Path) -> Path:
    """A pack whose moderation log is the Parquet folder of ``pack`` named as a ``file://``
    location (what ``s3a://`` or ``hdfs://`` would be on a cluster), mapped with keep: true."""
    lake = pack.with_name(pack.name + "-lake")
    (lake / "logs").mkdir(parents=True, exist_ok=True)
    (lake / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    (lake / "logs" / "moderation.mapping.yaml").write_text(
        "schema_version: 1\ntable: moderation\nformat: parquet\nkeep: true\n"
        f"files: {(pack / 'logs').resolve().as_uri()}\n", encoding="utf-8")
    return lake


def floor_sql(log: Path, fmt: str) -> str:
    if fmt == "csv":
        names = ["request_id", "received_at", "actioned_at", "category", "requester", "action",
                 "country"]
        cols = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
        reader = (f"read_csv('{log}', header = true, auto_detect = false, columns = {{{cols}}}, "
                  "delim = ',', quote = '\"', escape = '\"')")

        def parsed(c: str) -> str:
            return f"TRY_CAST({c} AS TIMESTAMPTZ)"

        def bad(c: str) -> str:  # present but unparseable, or without an offset
            return (f"({c} IS NOT NULL AND ({parsed(c)} IS NULL OR "
                    f"substr({c}, -6, 1) NOT IN ('+', '-')))")
        return FLOOR_SQL.format(reader=reader, s=parsed("received_at"),
                                e=parsed("actioned_at"), bad_s=bad("received_at"),
                                bad_e=bad("actioned_at"))
    return FLOOR_SQL.format(reader=f"read_parquet('{log}')", s="received_at", e="actioned_at",
                            bad_s="FALSE", bad_e="FALSE")


_last_cpu: list[float] = [0.0]
_last_stderr: list[bytes] = []

# Children run as an installed tool would: with compiled bytecode (some shells set
# PYTHONDONTWRITEBYTECODE, which would recompile the package on every start).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _last_line(stderr: bytes) -> str:
    """The last non-blank line of a child's stderr: the error, without its traceback."""
    lines = [ln for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output on stderr)"


def _run(cmd: list[str], name: str = "assess") -> tuple[float, float, str]:
    """Run one contender; exit 1 is a normal outcome only for assess (gaps found)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV)
    stdout = proc.stdout.read() if proc.stdout else b""  # type: ignore[union-attr]
    stderr = proc.stderr.read() if proc.stderr else b""  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    _last_cpu[:] = [usage.ru_utime + usage.ru_stime]
    code = os.waitstatus_to_exitcode(status)
    if code not in ((0, 1) if name in ("assess", "spark", "lake") else (0,)):
        raise SystemExit(f"{name} contender failed (exit {code}): {_last_line(stderr)}")
    _last_stderr[:] = [stderr]
    return wall, usage.ru_maxrss / 1024, stdout.decode()


def _figures(name: str, out: str) -> dict[str, object]:
    """A contender's figures from its stdout; a child that printed no JSON is named, not traced."""
    try:
        return assess_figures(out) if name in ("assess", "spark", "lake") else json.loads(out)
    except (ValueError, StopIteration, KeyError):
        raise SystemExit(f"{name} contender printed no figures: "
                         f"{_last_line(_last_stderr[0] if _last_stderr else b'')}") from None


def polars_available() -> bool:
    """polars is a benchmark-only dependency (the bench extra); without it that contender skips."""
    return importlib.util.find_spec("polars") is not None


def audit_cmd() -> list[str]:
    exe = shutil.which("audit", path=str(Path(sys.executable).parent)) or shutil.which("audit")
    return [exe] if exe else [sys.executable, "-m", "audit"]


def assess_figures(out: str) -> dict[str, object]:
    doc = json.loads(out)
    req = next(r for r in doc["requirements"] if r["id"] == RULE)
    return {k: req["figures"][k] for k in FIGURES}


def contenders(pack: Path, fmt: str, python: bool, polars: bool,
               spark: str | None = None) -> dict[str, list[str]]:
    log = pack / "logs" / f"moderation.{fmt}"
    assess = audit_cmd() + ["assess", str(pack), "-c", "iq.telegram-2023", "--as-of",
                            "2024-12-31", "--format", "json"]
    runs = {"assess": assess, "floor": [sys.executable, "-c", FLOOR_CODE, floor_sql(log, fmt)]}
    if spark:  # --engine spark: the same assess on Spark (docs/spark.md)
        runs["spark"] = assess + ["-q", "--engine", "spark", "--spark-master", spark]
        if fmt == "parquet":  # the same file named as a lake location, through a mapping
            lake = lake_pack(pack)
            runs["lake"] = [*assess[:assess.index(str(pack))], str(lake),
                            *assess[assess.index(str(pack)) + 1:],
                            "-q", "--engine", "spark", "--spark-master", spark]
    if polars:
        runs["polars"] = [sys.executable, "-c", POLARS_CODE, str(log), fmt]
    if python and fmt == "csv":
        runs["python"] = [sys.executable, "-c", PYTHON_CODE, str(log)]
    return runs


def bench_logs(args: argparse.Namespace) -> list[dict[str, object]]:
    results = []
    polars_ok = args.no_polars or polars_available()
    if not polars_ok:
        print("polars not installed (pip install -e '.[bench]'): skipped", flush=True)
    for size in args.sizes:
        for fmt in args.formats:
            # Generated in a child process: a forked child starts with its parent's peak RSS.
            subprocess.run([sys.executable, __file__, "--generate", str(size), fmt], check=True)
            pack = DATA / f"pack-{size}-{fmt}"
            python = not args.no_python and size <= args.python_max
            polars = not args.no_polars and size <= args.polars_max and polars_ok
            runs = contenders(pack, fmt, python, polars, args.spark_master
                              if args.engine == "spark" else None)
            times: dict[str, list[float]] = {n: [] for n in runs}
            cpu: dict[str, list[float]] = {n: [] for n in runs}
            rss: dict[str, list[float]] = {n: [] for n in runs}
            figures: dict[str, object] = {}
            for rnd in range(args.repeat):
                for name, cmd in runs.items():  # interleaved: one of each per round
                    if name == "python" and rnd >= args.python_repeat:
                        continue
                    wall, peak, out = _run(cmd, name)
                    times[name].append(wall)
                    cpu[name].append(_last_cpu[0])
                    rss[name].append(peak)
                    got = _figures(name, out)
                    if "assess" in figures and got != figures["assess"]:
                        raise SystemExit(f"{fmt} {size}: {name} figures {got} differ from "
                                         f"assess {figures['assess']}")
                    figures.setdefault(name, got)
                    print(f"{fmt:8} {size:>11,} {name:7} {wall:7.2f} s {_last_cpu[0]:7.2f} "
                          f"CPU s {peak:6.0f} MiB",
                          file=sys.stderr, flush=True)
            results.append({"format": fmt, "rows": size, "times": times, "cpu": cpu, "rss": rss,
                            "figures": figures["assess"]})
    return results


WORKBOOK_CODE = r'''
import csv, datetime as dt, sys, time
from pathlib import Path
pack, rows, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
mode = sys.argv[4]
if mode == "raw":
    from openpyxl import Workbook
    import duckdb
    con = duckdb.connect()
    data = con.execute("SELECT * FROM read_csv(?, all_varchar = true)",
                       [str(pack / "expected.csv")]).fetchall()
    t = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("D leak-takedown")
    ws.append(["request_id", "received_at", "actioned_at", "deadline", "hours_taken", "problem"])
    for r in data:
        ws.append([r[0], r[1], r[2], r[3], float(r[4]) if r[4] else None, r[5]])
    wb.save(out)
    print(time.perf_counter() - t)
else:
    from audit.reports import xlsx
    from audit.testing import run_assessment
    a = run_assessment(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    xlsx.DETAIL_CAP = rows
    t = time.perf_counter()
    with out.open("wb") as fh:
        xlsx.XlsxWriter().write(a, fh)
    print(time.perf_counter() - t)
'''


def workbook_pack(rows: int) -> Path:
    """A pack whose every event is late: ``rows`` offending rows for the detail sheet."""
    import datetime as dt

    pack = DATA / f"workbook-{rows}"
    log = pack / "logs" / "moderation.csv"
    if log.exists():
        return pack
    (pack / "logs").mkdir(parents=True, exist_ok=True)
    (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    import csv

    with log.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["request_id", "received_at", "actioned_at", "category", "requester",
                    "action", "country"])
        for i in range(rows):
            r = t0 + dt.timedelta(seconds=i * 60)
            w.writerow([f"R{i:08d}", r.isoformat(), (r + dt.timedelta(hours=30 + i % 50)
                                                     ).isoformat(), "personal_data_leak",
                        "authority", "channel_closed", "IQ"])
    # the cells the detail sheet holds, for the raw openpyxl contender
    import duckdb

    from audit.testing import run_assessment

    a = run_assessment(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    q = a.details[RULE]  # type: ignore[union-attr]
    con = a.evidence.logs.con  # type: ignore[union-attr]
    con.execute(f"COPY ({q.sql}) TO '{pack / 'expected.csv'}' (HEADER)")
    del duckdb
    return pack


def bench_workbook(rows: int, repeat: int) -> dict[str, list[float]]:
    subprocess.run([sys.executable, __file__, "--workbook-pack", str(rows)], check=True)
    pack = DATA / f"workbook-{rows}"
    out = DATA / "workbook.xlsx"
    times: dict[str, list[float]] = {"workbook": [], "raw": []}
    for _ in range(repeat):
        for mode in ("workbook", "raw"):
            _w, _r, stdout = _run([sys.executable, "-c", WORKBOOK_CODE, str(pack), str(rows),
                                   str(out), mode])
            times[mode].append(float(stdout.strip().splitlines()[-1]))
            print(f"workbook {rows:>11,} {mode:8} {times[mode][-1]:7.2f} s", file=sys.stderr,
                  flush=True)
    return times


def startup(repeat: int) -> dict[str, list[float]]:
    """Wall seconds of each start, and CPU seconds (``name cpu``): on a busy machine the
    CPU time of a single-threaded start is what its wall time would be on an idle one."""
    cmds = {"audit --help": audit_cmd() + ["--help"],
            "audit checklists list": audit_cmd() + ["checklists", "list"],
            "audit assess (1,000 rows, JSON)": audit_cmd() + [
                "assess", str(tiny_pack()), "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                "--format", "json"]}
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            wall, _rss, _out = _run(cmd)
            out.setdefault(name, []).append(wall)
            out.setdefault(f"{name} cpu", []).append(_last_cpu[0])
    return out


def tiny_pack() -> Path:
    pack = DATA / "pack-1000-csv"
    log = pack / "logs" / "moderation.csv"
    if not log.exists():
        (pack / "logs").mkdir(parents=True, exist_ok=True)
        (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
        big = generate(1_000_000, "csv") / "logs" / "moderation.csv"
        with big.open(encoding="utf-8") as src:
            log.write_text("".join(next(src) for _ in range(1001)), encoding="utf-8")
    return pack


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) when the run ended"


def report(results: list[dict[str, object]], workbook: dict[str, list[float]] | None,
           starts: dict[str, list[float]], args: argparse.Namespace, started: float) -> str:
    from tabulate import tabulate

    def best(x: list[float]) -> str:
        return f"{min(x):.2f}" if x else "-"

    def med(x: list[float]) -> str:
        return f"{statistics.median(x):.2f}" if x else "-"

    rows = []
    for r in results:
        t: dict[str, list[float]] = r["times"]  # type: ignore[assignment]
        m: dict[str, list[float]] = r["rss"]  # type: ignore[assignment]
        c: dict[str, list[float]] = r["cpu"]  # type: ignore[assignment]
        a, f = min(t["assess"]), min(t["floor"])
        am, fm = statistics.median(t["assess"]), statistics.median(t["floor"])
        rows.append([r["format"], f"{r['rows']:,}", best(t["assess"]), med(t["assess"]),
                     f"{max(m['assess']):.0f}", best(t["floor"]), med(t["floor"]),
                     f"{max(m['floor']):.0f}", f"{a / f:.2f}", f"{am / fm:.2f}",
                     f"{min(c['assess']) / min(c['floor']):.2f}",
                     best(t.get("polars", [])), best(t.get("python", [])),
                     f"{min(t['python']) / a:.1f}" if t.get("python") else "-",
                     f"{min(c['python']) / min(c['assess']):.1f}" if c.get("python") else "-",
                     best(t.get("spark", [])), f"{max(m['spark']):.0f}" if m.get("spark")
                     else "-", f"{min(c['spark']):.1f}" if c.get("spark") else "-",
                     best(t.get("lake", []))])
    headers = ["format", "rows", "assess best s", "assess median s", "assess peak MiB",
               "floor best s", "floor median s", "floor peak MiB", "assess/floor best",
               "assess/floor median", "assess/floor CPU", "polars best s", "python best s",
               "python/assess", "python/assess CPU", "spark best s", "spark Python peak MiB (JVM not counted)",
               "spark Python CPU s (JVM not counted)",
               "spark, same Parquet as a file:// location through a mapping, best s"]
    parts = [tabulate(rows, headers=headers, tablefmt="github")] if rows else []
    lin = []
    for fmt in args.formats:
        mine = [(r["rows"], min(r["times"]["assess"])) for r in results  # type: ignore[index]
                if r["format"] == fmt]
        if len(mine) >= 2:
            (n0, t0), (n1, t1) = mine[0], mine[-1]
            lin.append(f"- {fmt}: assess time {n1:,} / {n0:,} rows = {t1 / t0:.1f}x "  # type: ignore[str-format]
                       f"for {n1 / n0:.0f}x the rows")  # type: ignore[operator]
    if lin:
        parts.append("\n".join(lin))
    if workbook:
        w, raw = min(workbook["workbook"]), min(workbook["raw"])
        parts.append(tabulate([[f"{args.workbook_rows:,}", f"{w:.2f}",
                                f"{statistics.median(workbook['workbook']):.2f}",
                                f"{raw:.2f}", f"{statistics.median(workbook['raw']):.2f}",
                                f"{w / raw:.2f}"]],
                              headers=["detail rows", "gap workbook best s", "median s",
                                       "raw openpyxl write-only best s", "median s",
                                       "workbook/raw"], tablefmt="github"))
    parts.append(tabulate([[k, best(v), med(v), best(starts[f"{k} cpu"]),
                            med(starts[f"{k} cpu"])]
                           for k, v in starts.items() if not k.endswith(" cpu")],
                          headers=["start-up", "wall best s", "wall median s", "CPU best s",
                                   "CPU median s"], tablefmt="github"))
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, "
               f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
               f"Python {platform.python_version()}, DuckDB {__import__('duckdb').__version__}")
    return ("# Benchmark results\n\n"
            f"`python benchmarks/run.py {' '.join(sys.argv[1:])}` on {machine}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {load_note()}; "
            f"the run took {(time.time() - started) / 60:.0f} min. Contenders ran interleaved "
            f"in fresh processes, {args.repeat} round(s); wall time best and median; peak RSS "
            "is the largest of the rounds (wait4 of the child). Every contender's figures "
            "were checked equal to assess's.\n\n" + "\n\n".join(parts) + "\n")


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        generate(int(sys.argv[2]), sys.argv[3])
        return
    if sys.argv[1:2] == ["--workbook-pack"]:
        workbook_pack(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*",
                        default=[1_000_000, 10_000_000, 30_000_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"],
                        choices=["csv", "parquet"])
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--no-python", action="store_true", help="skip the pure-Python loop")
    parser.add_argument("--python-max", type=int, default=10_000_000,
                        help="largest log the pure-Python loop runs on")
    parser.add_argument("--python-repeat", type=int, default=1,
                        help="rounds of the pure-Python loop (it is slow)")
    parser.add_argument("--no-polars", action="store_true")
    parser.add_argument("--polars-max", type=int, default=30_000_000)
    parser.add_argument("--workbook-rows", type=int, default=100_000,
                        help="offending rows for the gap-workbook timing (0 skips it)")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="spark: also time assess --engine spark (the spark extra and Java)")
    parser.add_argument("--spark-master", default="local[2]",
                        help="Spark master for --engine spark")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    started = time.time()
    import compileall

    import audit

    compileall.compile_dir(str(Path(audit.__file__).parent), quiet=1)
    results = bench_logs(args) if args.sizes else []
    workbook = bench_workbook(args.workbook_rows, args.repeat) if args.workbook_rows else None
    text = report(results, workbook, startup(max(args.repeat, 3)), args, started)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""``audit assess --engine spark`` on a lake table against a hand-written PySpark job.

    python benchmarks/spark_lake.py                       # 2M rows, 500 partitions, 3 rounds
    python benchmarks/spark_lake.py --rows 200000 --partitions 50 --repeat 1     # quick

The table is what a platform's lake holds (issue 26): typed Parquet (``created_at`` and
``decided_at`` are TIMESTAMP columns, never text), one ``dt=YYYY-MM-DD`` folder per day. The
pack names it as a ``file://`` location through a mapping written as docs/spark.md writes it
(``received_at: {from: created_at}``), so the renames and typed columns are exercised.

Contenders, each a fresh process on ``local[2]``, run interleaved (assess, hand; then again):

- ``assess``: ``audit assess PACK -c iq.telegram-2023 --engine spark`` (one deadline rule,
  the row ledger and every validation the tool does);
- ``hand``: about thirty lines of PySpark computing the same figures with the same checks
  (ids present and unique among the judged events, end not before start, years in range) in
  one aggregate.

CPU is the process tree's: the benchmark makes itself the "child subreaper" (Linux
``PR_SET_CHILD_SUBREAPER``) so the JVM that PySpark starts is reaped here and its CPU counted,
not lost to init. Ratios are CPU seconds within the same round, median over rounds. Writes
benchmarks/results-spark-lake.md.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
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
PR_SET_CHILD_SUBREAPER = 36

PROFILE = """\
name: Benchmark Messenger
users: {IQ: 9000000}
representatives:
  - {name: Bench Contact, role: authority_contact_iq, country: IQ, contact: b@example.org}
"""

# As docs/spark.md writes a mapping over a lake table: renames, no `keep: true`.
MAPPING = """\
schema_version: 1
table: moderation
files: {location}
format: parquet
columns:
  request_id: statement_id
  received_at: {{from: created_at}}
  actioned_at: {{from: decided_at}}
  category: category
  requester: requester
  action: decision
  country: country
"""

HAND_CODE = r'''
import json, sys
from pyspark.sql import SparkSession, functions as F
spark = (SparkSession.builder.master(sys.argv[2]).appName("hand")
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
spark.sparkContext.setLogLevel("OFF")
t = spark.read.parquet(sys.argv[1])
s, e = F.col("created_at"), F.col("decided_at")
first = F.to_utc_timestamp(F.lit("2023-08-13 00:00:00"), "Asia/Baghdad")
cut = F.to_utc_timestamp(F.lit("2025-01-01 00:00:00"), "Asia/Baghdad")
m = ((F.col("category") == "personal_data_leak") & (F.col("requester") == "authority")
     & (F.col("country") == "IQ"))
judged = m & s.isNotNull() & (s >= first) & (s < cut)
due = s + F.expr("INTERVAL 24 HOURS")
hours = (F.unix_micros(e) - F.unix_micros(s)) / 3.6e9
def n(cond):
    return F.count(F.when(cond, 1))
def out_of_years(c):
    return c.isNotNull() & ((F.year(c) < 1900) | (F.year(c) > 2200))
r = t.select(
    n(out_of_years(s) | out_of_years(e)), n(F.col("statement_id").isNull()), n(e < s),
    F.count(F.when(judged, F.col("statement_id")))
    - F.countDistinct(F.when(judged, F.col("statement_id"))),
    n(judged & ~(e.isNull() & (due >= cut))), n(judged & (e <= due)), n(judged & (e > due)),
    n(judged & e.isNull() & (due < cut)), n(judged & e.isNull() & (due >= cut)),
    F.percentile(F.when(judged & e.isNotNull(), hours), [0.5, 0.9, 0.99]),
    F.count(F.lit(1)), n(~m), n(m & ~judged),
).first()
assert r[0] == r[1] == r[2] == r[3] == 0, r[:4]
q = r[9] or [None] * 3
print(json.dumps(dict(zip(FIGURES, [*r[4:9], *[None if x is None else round(x, 3) for x in q]]))))
'''.replace("FIGURES", repr(FIGURES))


def generate(rows: int, partitions: int) -> Path:
    """The lake table and a pack over it; values depend only on the row number."""
    import duckdb

    pack = DATA / f"lake-{rows}-{partitions}"
    table = pack.with_name(pack.name + "-table")
    if (pack / "logs" / "moderation.mapping.yaml").exists():
        return pack
    table.mkdir(parents=True, exist_ok=True)
    span = partitions * 24 * 3600
    select = f"""
        SELECT 'S' || lpad(CAST(i AS VARCHAR), 10, '0') AS statement_id,
               ts AS created_at,
               CASE WHEN h % 100 < 3 THEN NULL
                    ELSE ts + to_seconds(CAST((h // 100) % 172800 AS BIGINT)) END AS decided_at,
               ['personal_data_leak', 'illegal_content', 'spam', 'terrorist_content'][1 + CAST(h % 4 AS BIGINT)]
                   AS category,
               ['authority', 'user', 'trusted_flagger'][1 + CAST((h // 7) % 3 AS BIGINT)] AS requester,
               'channel_closed' AS decision,
               ['IQ', 'DE', 'IN', 'TR', 'BR'][1 + CAST((h // 11) % 5 AS BIGINT)] AS country,
               strftime(ts, '%Y-%m-%d') AS dt
        FROM (SELECT i, hash(i) AS h,
                     TIMESTAMPTZ '2023-08-20 00:00:00+00'
                     + to_seconds(CAST(i * {span} / {rows} AS BIGINT)) AS ts
              FROM range({rows}) t(i))"""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"COPY ({select}) TO '{table}' (FORMAT parquet, PARTITION_BY (dt), "
                "OVERWRITE_OR_IGNORE true)")
    (pack / "logs").mkdir(parents=True, exist_ok=True)
    (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        MAPPING.format(location=table.resolve().as_uri() + "/"), encoding="utf-8")
    return pack


def _reap_all() -> None:
    """Wait for every orphaned descendant (the JVM) reparented to this process."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``cmd`` and every process it started; its stdout."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    _reap_all()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        tail = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or ["(no stderr)"]
        raise SystemExit(f"{cmd[0]} failed (exit {proc.returncode}): {tail[0]}")
    return wall, cpu, proc.stdout


def assess_figures(out: str) -> dict[str, object]:
    doc = json.loads(out)
    req = next(r for r in doc["requirements"] if r["id"] == RULE)
    return {k: req["figures"][k] for k in FIGURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--partitions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", type=Path, default=HERE / "results-spark-lake.md")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot count the JVM's CPU: prctl(PR_SET_CHILD_SUBREAPER) failed")
    pack = generate(args.rows, args.partitions)
    table = pack.with_name(pack.name + "-table")
    audit = [str(Path(sys.executable).parent / "audit")]
    runs = {
        "assess": audit + ["assess", str(pack), "-c", "iq.telegram-2023", "--as-of",
                           "2024-12-31", "--format", "json", "-q", "--engine", "spark",
                           "--spark-master", args.master,
                           "--allow-location", table.resolve().as_uri() + "/"],
        "hand": [sys.executable, "-c", HAND_CODE, str(table), args.master],
    }
    walls: dict[str, list[float]] = {n: [] for n in runs}
    cpus: dict[str, list[float]] = {n: [] for n in runs}
    ratios: list[float] = []
    figures: dict[str, dict[str, object]] = {}
    for _round in range(args.repeat):
        for name, cmd in runs.items():  # interleaved: one of each per round
            wall, cpu, out = run(cmd)
            got = assess_figures(out) if name == "assess" else json.loads(out)
            if figures and got != next(iter(figures.values())):
                raise SystemExit(f"{name} figures {got} differ from {figures}")
            figures.setdefault(name, got)
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"{name:7} {wall:7.2f} s wall {cpu:7.2f} CPU s", file=sys.stderr, flush=True)
        ratios.append(cpus["assess"][-1] / cpus["hand"][-1])
    write(args, walls, cpus, ratios, figures["assess"])


def write(args: argparse.Namespace, walls: dict[str, list[float]],
          cpus: dict[str, list[float]], ratios: list[float],
          figures: dict[str, object]) -> None:
    import duckdb
    import pyspark

    load = os.getloadavg()
    lines = [
        "# Spark on a lake table: assess against a hand-written PySpark job",
        "",
        f"`python benchmarks/spark_lake.py --rows {args.rows} --partitions {args.partitions} "
        f"--repeat {args.repeat} --master {args.master}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PySpark "
        f"{pyspark.__version__}, DuckDB {duckdb.__version__} (generator), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
        f"{load[0]:.1f} / {load[1]:.1f} (1 / 5 min) when the run ended.",
        "",
        f"{args.rows:,} rows of typed Parquet in {args.partitions} `dt=` partition folders, "
        "read as a `file://` location through the mapping docs/spark.md shows (renames, "
        "`from:`). CPU counts the JVM (the benchmark reaps it). Ratio: assess CPU / hand CPU "
        "within the same round; median over rounds.",
        "",
        "| contender | wall median s | wall best s | CPU median s | CPU best s |",
        "|---|---|---|---|---|",
    ]
    for name in walls:
        lines.append(f"| {name} | {statistics.median(walls[name]):.2f} | {min(walls[name]):.2f} | "
                     f"{statistics.median(cpus[name]):.2f} | {min(cpus[name]):.2f} |")
    lines += ["", f"CPU ratio assess/hand per round: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; median **{statistics.median(ratios):.2f}**.",
              "", "Figures (equal for both): `" + json.dumps(figures) + "`", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

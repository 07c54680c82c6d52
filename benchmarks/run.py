"""Benchmark ``audit assess`` on large moderation logs against two baselines in the same run.

    python benchmarks/run.py [--sizes 1000000 10000000] [--formats csv parquet] [--no-python]

For each size it generates a seeded moderation log (cached under benchmarks/.data/), then runs,
each in a fresh process so peak RSS is that run's alone:

- ``assess``: ``audit assess`` on a pack holding the log, with the iq.telegram-2023 module;
- ``floor``: one bare DuckDB aggregate query computing the same figures from the same file
  (count, on time within 24 h, exact median and p90) — the practical floor;
- ``python``: a straightforward csv-module loop computing the same figures.

It prints a table (rows, wall seconds, peak RSS, ratios assess/floor and python/assess) and
writes it to benchmarks/results.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"

PROFILE = """\
name: Benchmark Messenger
users: {IQ: 9000000}
representatives:
  - {name: Bench Contact, role: authority_contact_iq, country: IQ, contact: b@example.org}
"""

# The same figures the deadline rule reports, computed in one query straight off the file.
FLOOR_SQL = """
SELECT count(*) FILTER (WHERE NOT (a IS NULL AND r + INTERVAL 24 HOUR >= TIMESTAMPTZ '{cut}')),
       count(*) FILTER (WHERE a IS NOT NULL AND a <= r + INTERVAL 24 HOUR),
       quantile_cont(epoch(a - r) / 3600.0, [0.5, 0.9, 0.99]) FILTER (WHERE a IS NOT NULL)
FROM (SELECT CAST(received_at AS TIMESTAMPTZ) r, CAST(actioned_at AS TIMESTAMPTZ) a
      FROM {reader}
      WHERE category = 'personal_data_leak' AND requester = 'authority' AND country = 'IQ')
WHERE r >= TIMESTAMPTZ '2023-08-13 00:00:00+00' AND r < TIMESTAMPTZ '{cut}'
"""

PYTHON_LOOP = r'''
import csv, sys
from datetime import datetime, timedelta
day = timedelta(hours=24)
start, cut = datetime.fromisoformat("2023-08-13T00:00:00+00:00"), datetime.fromisoformat("{cut}")
total = on_time = 0
hours = []
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    for row in csv.DictReader(fh):
        if (row["category"] != "personal_data_leak" or row["requester"] != "authority"
                or row["country"] != "IQ"):
            continue
        r = datetime.fromisoformat(row["received_at"])
        if not (start <= r < cut):
            continue
        a = datetime.fromisoformat(row["actioned_at"]) if row["actioned_at"] else None
        if a is None and r + day >= cut:
            continue
        total += 1
        if a is not None:
            h = (a - r).total_seconds() / 3600
            hours.append(h)
            on_time += h <= 24
hours.sort()
def q(p):
    k = (len(hours) - 1) * p
    f = int(k); c = min(f + 1, len(hours) - 1)
    return hours[f] + (hours[c] - hours[f]) * (k - f)
print(total, on_time, q(0.5), q(0.9), q(0.99))
'''

CUT = "2025-01-01 00:00:00+00"


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
    con.execute(f"COPY ({select}) TO '{target}' {option}")
    return pack


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_maxrss / 1024, out


def audit_cmd() -> list[str]:
    exe = shutil.which("audit", path=str(Path(sys.executable).parent)) or shutil.which("audit")
    return [exe] if exe else [sys.executable, "-m", "audit"]


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        generate(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"],
                        choices=["csv", "parquet"])
    parser.add_argument("--no-python", action="store_true", help="skip the pure-Python loop")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()

    rows_out = []
    for fmt in args.formats:
        for size in args.sizes:
            # Generated in a child process: a forked child starts with its parent's peak RSS,
            # so the parent must stay small for the children's figures to mean anything.
            subprocess.run([sys.executable, __file__, "--generate", str(size), fmt], check=True)
            pack = DATA / f"pack-{size}-{fmt}"
            log = pack / "logs" / f"moderation.{fmt}"
            reader = (f"read_csv('{log}', header = true, all_varchar = true)" if fmt == "csv"
                      else f"read_parquet('{log}')")
            floor_code = ("import duckdb, sys; c = duckdb.connect(); c.execute(\"SET TimeZone='UTC'\");"
                          f"print(c.execute({FLOOR_SQL.format(reader=reader, cut=CUT)!r}).fetchall())")
            runs = {
                "assess": audit_cmd() + ["assess", str(pack), "-c", "iq.telegram-2023",
                                         "--as-of", "2024-12-31", "--format", "json"],
                "floor": [sys.executable, "-c", floor_code],
            }
            if fmt == "csv" and not args.no_python:
                script = DATA / "python_loop.py"
                script.write_text(PYTHON_LOOP.replace("{cut}", CUT.replace(" ", "T")),
                                  encoding="utf-8")
                runs["python"] = [sys.executable, str(script), str(log)]
            best: dict[str, tuple[float, float]] = {}
            for name, cmd in runs.items():
                for _ in range(args.repeat):
                    wall, rss, out = measure(cmd)
                    if name not in best or wall < best[name][0]:
                        best[name] = (wall, rss)
                print(f"{fmt} {size:>11,} {name:<7} {best[name][0]:8.2f} s "
                      f"{best[name][1]:8.0f} MiB", file=sys.stderr)
            assess_t, floor_t = best["assess"][0], best["floor"][0]
            rows_out.append([fmt, f"{size:,}", f"{assess_t:.2f}", f"{best['assess'][1]:.0f}",
                             f"{floor_t:.2f}", f"{best['floor'][1]:.0f}",
                             f"{best['python'][0]:.2f}" if "python" in best else "-",
                             f"{assess_t / floor_t:.2f}",
                             f"{best['python'][0] / assess_t:.1f}" if "python" in best else "-"])
    from tabulate import tabulate

    headers = ["format", "rows", "assess s", "assess MiB", "floor s", "floor MiB", "python s",
               "assess/floor", "python/assess"]
    table = tabulate(rows_out, headers=headers, tablefmt="github")
    print(table)
    by = {(r[0], r[1]): float(r[2]) for r in rows_out}
    notes = []
    for fmt in args.formats:
        sizes = [f"{s:,}" for s in args.sizes]
        if len(sizes) >= 2 and (fmt, sizes[0]) in by and (fmt, sizes[-1]) in by:
            notes.append(f"- {fmt}: time {sizes[-1]} / {sizes[0]} rows = "
                         f"{by[(fmt, sizes[-1])] / by[(fmt, sizes[0])]:.1f}x")
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, DuckDB {__import__('duckdb').__version__}")
    args.out.write_text(
        "# Benchmark results\n\n"
        f"Measured with `python benchmarks/run.py` on {machine}, "
        f"{time.strftime('%Y-%m-%d')}. Wall time and peak RSS of each run in its own "
        "process; best of " f"{args.repeat}.\n\n" + table + "\n\n" + "\n".join(notes) + "\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()

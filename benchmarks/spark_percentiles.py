"""Exact against approximate percentiles on Spark (``--spark-percentiles``), same process.

    python benchmarks/spark_percentiles.py --rows 2000000 --repeat 3

One local Spark session (``--spark-master``, default local[2]) over the benchmark's seeded
Parquet log (benchmarks/run.py's generator, cached in benchmarks/.data/). After a warm-up,
rounds interleave exact and approximate:

- ``assess``: the whole ``iq.telegram-2023`` assessment through the Python API (one deadline
  rule: its judged events are about 1/60 of the rows);
- ``aggregate``: the rules' percentile expression alone over every row's duration (DuckDB
  SQL, translated as the engine does), so the percentile's own cost shows.

Wall time, and CPU as the driver's own plus the JVM's (its /proc utime + stime), per run;
best and median of the rounds. Prints a Markdown table and the figures of both methods.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import generate  # the benchmark's seeded log

AGGREGATE = ("SELECT quantile_cont(epoch(actioned_at - received_at) / 3600.0, "
             "[0.5, 0.9, 0.99]) FROM {view}")


def jvm_cpu(pid: int) -> float:
    """The JVM's CPU seconds so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args()

    import audit
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_session import start_session

    pack = generate(args.rows, "parquet")
    session = start_session(args.spark_master, conf={"spark.ui.enabled": "false"})
    jvm = session.sparkContext._gateway.proc.pid
    log = str((pack / "logs" / "moderation.parquet").resolve())
    session.read.parquet(log).createOrReplaceTempView("bench_log")

    def assess(method: str) -> object:
        result = audit.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31", engine="spark",
                              spark=session, spark_percentiles=method)
        req = next(r for r in result.results if r.requirement.full_id.endswith(
            "leak-takedown"))
        audit.close(result)
        return {k: req.finding.figures.get(k) for k in ("events", "p50_hours", "p90_hours",
                                                          "p99_hours")}

    def aggregate(method: str) -> object:
        engine = SparkEngine(session=session, percentiles=method)
        return engine.query(AGGREGATE.format(view="bench_log"))[0][0]

    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    figures: dict[tuple[str, str], object] = {}
    for what, call in (("assess", assess), ("aggregate", aggregate)):
        call("exact")  # warm-up: the JVM's compilation, the file's pages
        for _ in range(args.repeat):
            for method in ("exact", "approximate"):
                wall0, cpu0, jvm0 = time.perf_counter(), own_cpu(), jvm_cpu(jvm)
                figures[(what, method)] = call(method)
                wall = time.perf_counter() - wall0
                cpu = own_cpu() - cpu0 + jvm_cpu(jvm) - jvm0
                times.setdefault((what, method), []).append((wall, cpu))

    print(f"{args.rows:,} rows, Parquet, {args.spark_master}, {args.repeat} interleaved "
          f"rounds, load average {os.getloadavg()[0]:.1f}\n")
    print("| run | percentiles | wall best | wall median | CPU best | CPU median |")
    print("|---|---|---|---|---|---|")
    for (what, method), runs in times.items():
        walls, cpus = [w for w, _c in runs], [c for _w, c in runs]
        print(f"| {what} | {method} | {min(walls):.2f} s | {statistics.median(walls):.2f} s "
              f"| {min(cpus):.2f} s | {statistics.median(cpus):.2f} s |")
    print()
    for key, value in figures.items():
        print(f"{key[0]} {key[1]}: {value}")


if __name__ == "__main__":
    main()

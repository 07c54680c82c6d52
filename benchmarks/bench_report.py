"""benchmarks/results.md from the rounds: per contender the median CPU and wall seconds and the
peak RSS; per pair the ratio taken within each round (CPU to CPU, wall to wall), median over
the rounds. Pairs are (the tool, a contender): above 1 the tool costs more."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from typing import Any

from tabulate import tabulate

HEAD = ["case", "contender", "CPU s (median)", "wall s (median)", "peak RSS MiB",
        "ratio", "CPU ratio (median of rounds)", "wall ratio (median of rounds)", "rounds"]


def _med(x: list[float]) -> str:
    return f"{statistics.median(x):.2f}" if x else "-"


def within_rounds(a: list[float], b: list[float]) -> str:
    """Median of a[i] / b[i] over the rounds both ran (a contender may skip later rounds)."""
    pairs = [x / y for x, y in zip(a, b, strict=False) if y > 0]
    return f"{statistics.median(pairs):.2f}" if pairs else "-"


def table(results: list[dict[str, Any]], tool: str, names: dict[str, str]) -> str:
    """One row per contender of each case; ``names`` maps a contender to how its ratio is
    read (``assess / floor``); the tool's own row carries no ratio."""
    rows = []
    for r in results:
        cpu, wall, rss = r["cpu"], r["wall"], r["rss"]
        for name in cpu:
            if not cpu[name]:
                continue
            ratio = names.get(name, f"{tool} / {name}") if name != tool else ""
            rows.append([r["label"], name, _med(cpu[name]), _med(wall[name]),
                         f"{max(rss[name]):.0f}", ratio,
                         within_rounds(cpu[tool], cpu[name]) if ratio else "",
                         within_rounds(wall[tool], wall[name]) if ratio else "",
                         len(cpu[name])])
    return tabulate(rows, headers=HEAD, tablefmt="github")


def starts_table(starts: dict[str, Any]) -> str:
    rows = [[n, _med(starts["cpu"][n]), f"{min(starts['cpu'][n]):.2f}", _med(starts["wall"][n]),
             f"{min(starts['wall'][n]):.2f}", f"{max(starts['rss'][n]):.0f}",
             len(starts["cpu"][n])] for n in starts["cpu"]]
    return tabulate(rows, headers=["start-up", "CPU s (median)", "CPU s (best)",
                                   "wall s (median)", "wall s (best)", "peak RSS MiB",
                                   "runs"], tablefmt="github")


def machine() -> str:
    import duckdb

    return (f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def render(one: list[dict[str, Any]], many: list[dict[str, Any]], book: dict[str, Any] | None,
           starts: dict[str, Any], args: argparse.Namespace, started: float) -> str:
    one_min, five_min, _ = os.getloadavg()
    parts = [
        "# Benchmark results",
        f"`python benchmarks/run.py {' '.join(sys.argv[1:])}` on {machine()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {one_min:.1f} "
        f"(1 min) / {five_min:.1f} (5 min) when the run ended; {(time.time() - started) / 60:.0f} "
        f"min. {args.repeat} interleaved round(s), each contender in a fresh process; a ratio "
        "is taken within each round and the median over the rounds is shown; peak RSS is the "
        "largest of the rounds (wait4). Every contender's figures were checked equal to the "
        "tool's.",
    ]
    if one:
        parts += ["## One rule (iq.telegram-2023:leak-takedown)",
                  table(one, "assess", {})]
    if many:
        parts += ["## All bundled modules, a platform active in every jurisdiction",
                  table(many, "all modules", {})]
    if book:
        parts += ["## Gap workbook: the timed part only (the write, not the assessment)",
                  table([book], "gap workbook", {})]
    parts += ["## Start-up", starts_table(starts)]
    return "\n\n".join(parts) + "\n"

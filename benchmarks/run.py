"""Benchmark ``audit assess`` against hand-written contenders, interleaved in the same rounds.

    pip install -e ".[bench]"
    python benchmarks/run.py          # every case at its full size (30M rows: long)
    python benchmarks/run.py --quick  # 1M rows everywhere, 3 rounds: checks the table works

Every contender runs in a fresh process (so its peak RSS, from ``wait4``, is its own), one of
each per round, rounds repeated (3 by default). A ratio is taken within each round, CPU
seconds (user + system of the child) to CPU seconds, and the table gives the median of those
per-round ratios, with the wall-time ratio beside it: on a shared machine the CPU ratio is the
steady one. Cases (inputs generated once into benchmarks/.data/ by bench_data.py):

- ``one rule``: ``audit assess -c iq.telegram-2023`` against the floor, one hand-written DuckDB
  query with the same checks and figures (bench_floors.py), polars and a pure-Python loop;
- ``all modules``: ``audit assess`` with every bundled module on a platform active in every
  bundled jurisdiction, against one hand-written scan computing every moderation rule's
  figures (bench_multi.py), and against one module on the same log (what a single rule costs);
- ``workbook``: the gap workbook's detail rows from a large Parquet log against raw openpyxl
  write-only of the same cells (bench_workbook.py);
- start-up: ``audit --help``, ``audit checklists list``, a 1,000-row assess.

Every contender's figures are checked equal to the tool's; the run stops at the first
difference. The tables go to benchmarks/results.md (``--out``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark's own modules

import bench_data as data
import bench_multi as multi
import bench_report as report
import bench_workbook as workbook
from bench_floors import FIGURES, FLOOR_CODE, POLARS_CODE, PYTHON_CODE, floor_sql

HERE = data.HERE

RULE = workbook.RULE
AS_OF = multi.AS_OF

_last_cpu: list[float] = [0.0]
_last_stderr: list[bytes] = []

# Children run as an installed tool would: with compiled bytecode (some shells set
# PYTHONDONTWRITEBYTECODE, which would recompile the package on every start).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOOL = ("assess", "spark", "lake", "all modules", "one module")


def _last_line(stderr: bytes) -> str:
    """The last non-blank line of a child's stderr: the error, without its traceback."""
    lines = [ln for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output on stderr)"


def _run(cmd: list[str], name: str = "assess") -> tuple[float, float, str]:
    """Run one contender: wall seconds, peak RSS (MiB), stdout; its CPU seconds in _last_cpu.
    Exit 1 is a normal outcome only for the tool (gaps found)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV)
    stdout = proc.stdout.read() if proc.stdout else b""  # type: ignore[union-attr]
    stderr = proc.stderr.read() if proc.stderr else b""  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    _last_cpu[:] = [usage.ru_utime + usage.ru_stime]
    code = os.waitstatus_to_exitcode(status)
    if code not in ((0, 1) if name in TOOL else (0,)):
        raise SystemExit(f"{name} contender failed (exit {code}): {_last_line(stderr)}")
    _last_stderr[:] = [stderr]
    return wall, usage.ru_maxrss / 1024, stdout.decode()


def assess_figures(out: str) -> dict[str, object]:
    doc = json.loads(out)
    req = next(r for r in doc["requirements"] if r["id"] == RULE)
    return {k: req["figures"][k] for k in FIGURES}


def _figures(name: str, out: str) -> object:
    """A contender's figures from its stdout; a child that printed no JSON is named, not traced."""
    try:
        if name == "all modules":
            return multi.assess_all_figures(json.loads(out))
        return assess_figures(out) if name in TOOL else json.loads(out)
    except (ValueError, StopIteration, KeyError):
        raise SystemExit(f"{name} contender printed no figures: "
                         f"{_last_line(_last_stderr[0] if _last_stderr else b'')}") from None


def polars_available() -> bool:
    """polars is a benchmark-only dependency (the bench extra); without it that contender skips."""
    return importlib.util.find_spec("polars") is not None


def audit_cmd() -> list[str]:
    exe = shutil.which("audit", path=str(Path(sys.executable).parent)) or shutil.which("audit")
    return [exe] if exe else [sys.executable, "-m", "audit"]


def _assess(pack: Path, modules: list[str]) -> list[str]:
    return audit_cmd() + ["assess", str(pack), *[a for m in modules for a in ("-c", m)],
                          "--as-of", AS_OF, "--format", "json"]


def contenders(pack: Path, fmt: str, python: bool, polars: bool,
               spark: str | None = None) -> dict[str, list[str]]:
    log = pack / "logs" / f"moderation.{fmt}"
    assess = _assess(pack, ["iq.telegram-2023"])
    runs = {"assess": assess, "floor": [sys.executable, "-c", FLOOR_CODE, floor_sql(log, fmt)]}
    if spark:  # --engine spark: the same assess on Spark (docs/spark.md)
        runs["spark"] = assess + ["-q", "--engine", "spark", "--spark-master", spark]
        if fmt == "parquet":  # the same file named as a lake location, through a mapping
            lake = data.lake_pack(pack)
            runs["lake"] = [*assess[:assess.index(str(pack))], str(lake),
                            *assess[assess.index(str(pack)) + 1:],
                            "-q", "--engine", "spark", "--spark-master", spark]
    if polars:
        runs["polars"] = [sys.executable, "-c", POLARS_CODE, str(log), fmt]
    if python and fmt == "csv":
        runs["python"] = [sys.executable, "-c", PYTHON_CODE, str(log)]
    return runs


def multi_contenders(pack: Path, fmt: str) -> dict[str, list[str]]:
    log = pack / "logs" / f"moderation.{fmt}"
    return {"all modules": _assess(pack, data.bundled_modules()),
            "one module": _assess(pack, ["iq.telegram-2023"]),
            "all-figures scan": [sys.executable, "-c", multi.MULTI_CODE,
                                 multi.multi_sql(log, fmt)]}


def rounds(runs: dict[str, list[str]], repeat: int, label: str, check: str,
           skip: dict[str, int] | None = None) -> dict[str, object]:
    """Run the contenders interleaved, ``repeat`` rounds; every contender's figures must equal
    those of ``check`` (the one-module run's figures are the whole audit's subset)."""
    wall: dict[str, list[float]] = {n: [] for n in runs}
    cpu: dict[str, list[float]] = {n: [] for n in runs}
    rss: dict[str, list[float]] = {n: [] for n in runs}
    figures: dict[str, object] = {}
    for rnd in range(repeat):
        for name, cmd in runs.items():  # interleaved: one of each per round
            if skip and rnd >= skip.get(name, repeat):
                continue
            w, peak, out = _run(cmd, name)
            wall[name].append(w)
            cpu[name].append(_last_cpu[0])
            rss[name].append(peak)
            got = _figures(name, out)
            want = figures.setdefault(check, got)  # the reference runs first in each round
            if name == "one module":  # its one rule, among the whole audit's
                want = want.get(RULE) if isinstance(want, dict) else want
            if got != want:
                raise SystemExit(f"{label}: {name} figures {got} differ from {check} {want}")
            print(f"{label} {name:16} {w:7.2f} s {_last_cpu[0]:7.2f} CPU s {peak:6.0f} MiB",
                  file=sys.stderr, flush=True)
    return {"label": label, "wall": wall, "cpu": cpu, "rss": rss}


def bench_logs(args: argparse.Namespace) -> list[dict[str, object]]:
    results = []
    polars_ok = args.no_polars or polars_available()
    if not polars_ok:
        print("polars not installed (pip install -e '.[bench]'): skipped", flush=True)
    for size in args.sizes:
        for fmt in args.formats:
            # Generated in a child process: a forked child starts with its parent's peak RSS.
            subprocess.run([sys.executable, __file__, "--generate", str(size), fmt, "one"],
                           check=True)
            pack = data.DATA / f"pack-{size}-{fmt}"
            python = not args.no_python and size <= args.python_max
            polars = not args.no_polars and size <= args.polars_max and polars_ok
            runs = contenders(pack, fmt, python, polars, args.spark_master
                              if args.engine == "spark" else None)
            results.append(rounds(runs, args.repeat, f"{fmt} {size:,}", "assess",
                                  {"python": args.python_repeat}))
    return results


def bench_multi(args: argparse.Namespace) -> list[dict[str, object]]:
    results = []
    for size in args.multi_sizes:
        for fmt in args.formats:
            subprocess.run([sys.executable, __file__, "--generate", str(size), fmt, "all"],
                           check=True)
            pack = data.DATA / f"pack-all-{size}-{fmt}"
            results.append(rounds(multi_contenders(pack, fmt), args.repeat,
                                  f"{fmt} {size:,}", "all modules"))
    return results


def bench_workbook(detail: int, rows: int, repeat: int) -> dict[str, object]:
    subprocess.run([sys.executable, __file__, "--workbook-pack", str(detail), str(rows)],
                   check=True)
    pack = data.DATA / f"workbook-{detail}-of-{rows}"
    out = data.DATA / "workbook.xlsx"
    timed: dict[str, list[float]] = {"gap workbook": [], "raw openpyxl": []}
    cpu: dict[str, list[float]] = {"gap workbook": [], "raw openpyxl": []}
    rss: dict[str, list[float]] = {"gap workbook": [], "raw openpyxl": []}
    for _ in range(repeat):
        for name, mode in (("gap workbook", "workbook"), ("raw openpyxl", "raw")):
            _w, peak, stdout = _run([sys.executable, "-c", workbook.WORKBOOK_CODE, str(pack),
                                     str(detail), str(out), mode], name)
            w, c = json.loads(stdout.strip().splitlines()[-1])
            timed[name].append(w)
            cpu[name].append(c)
            rss[name].append(peak)
            print(f"workbook {detail:,} of {rows:,} {name:14} {w:7.2f} s {c:7.2f} CPU s "
                  f"{peak:6.0f} MiB", file=sys.stderr, flush=True)
    return {"label": f"{detail:,} detail rows of {rows:,} (Parquet)", "wall": timed, "cpu": cpu,
            "rss": rss}


def startup(repeat: int) -> dict[str, object]:
    """Each start's wall and CPU seconds, interleaved, in fresh processes."""
    # generated in a child: a child forked from a parent that ran DuckDB would report the
    # parent's peak RSS as its own
    subprocess.run([sys.executable, __file__, "--generate", "1000", "csv", "one"], check=True)
    cmds = {"audit --help": audit_cmd() + ["--help"],
            "audit checklists list": audit_cmd() + ["checklists", "list"],
            "audit assess (1,000 rows, JSON)": _assess(data.DATA / "pack-1000-csv",
                                                       ["iq.telegram-2023"])}
    wall: dict[str, list[float]] = {n: [] for n in cmds}
    cpu: dict[str, list[float]] = {n: [] for n in cmds}
    rss: dict[str, list[float]] = {n: [] for n in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            w, peak, _out = _run(cmd)
            wall[name].append(w)
            cpu[name].append(_last_cpu[0])
            rss[name].append(peak)
    return {"label": "start-up", "wall": wall, "cpu": cpu, "rss": rss}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="1M rows for every case (sizes options then ignored)")
    p.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000, 30_000_000],
                   help="rows of the one-rule case's logs")
    p.add_argument("--multi-sizes", type=int, nargs="*", default=[10_000_000, 30_000_000],
                   help="rows of the all-modules case's logs")
    p.add_argument("--formats", nargs="+", default=["csv", "parquet"],
                   choices=["csv", "parquet"])
    p.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    p.add_argument("--no-python", action="store_true", help="skip the pure-Python loop")
    p.add_argument("--python-max", type=int, default=10_000_000,
                   help="largest log the pure-Python loop runs on")
    p.add_argument("--python-repeat", type=int, default=1,
                   help="rounds of the pure-Python loop (it is slow)")
    p.add_argument("--no-polars", action="store_true")
    p.add_argument("--polars-max", type=int, default=30_000_000)
    p.add_argument("--workbook-rows", type=int, default=100_000,
                   help="detail rows of the gap-workbook case (0 skips it)")
    p.add_argument("--workbook-log-rows", type=int, default=30_000_000,
                   help="rows of the Parquet log the detail rows are drawn from")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help="spark: also time assess --engine spark (the spark extra and Java)")
    p.add_argument("--spark-master", default="local[2]", help="Spark master for --engine spark")
    p.add_argument("--out", type=Path, default=HERE / "results.md")
    return p


def main() -> None:
    if sys.argv[1:2] == ["--generate"]:
        data.generate(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    if sys.argv[1:2] == ["--workbook-pack"]:
        pack = data.workbook_pack(int(sys.argv[2]), int(sys.argv[3]))
        if not (pack / "expected.json").exists():
            workbook.expected_cells(pack, int(sys.argv[2]))
        return
    args = parser().parse_args()
    if args.quick:
        args.sizes, args.multi_sizes, args.workbook_log_rows = [1_000_000], [1_000_000], 1_000_000
    started = time.time()
    import compileall

    import audit

    compileall.compile_dir(str(Path(audit.__file__).parent), quiet=1)
    one = bench_logs(args) if args.sizes else []
    many = bench_multi(args) if args.multi_sizes else []
    book = (bench_workbook(args.workbook_rows, args.workbook_log_rows, args.repeat)
            if args.workbook_rows else None)
    text = report.render(one, many, book, startup(max(args.repeat, 3)), args, started)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""benchmarks/run.py: a missing polars is skipped and a failing contender is named in one line."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

RUN = Path(__file__).parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failing_contender_prints_its_last_stderr_line(bench: ModuleType) -> None:
    code = "import sys; print('noise', file=sys.stderr); import no_such_module_here"
    with pytest.raises(SystemExit) as exc:
        bench._run([sys.executable, "-c", code], "polars")
    message = str(exc.value)
    assert message == ("polars contender failed (exit 1): ModuleNotFoundError: "
                       "No module named 'no_such_module_here'")
    assert "Traceback" not in message and "\n" not in message


def test_exit_1_is_normal_only_for_assess(bench: ModuleType) -> None:
    wall, _rss, out = bench._run([sys.executable, "-c", "print('{}'); raise SystemExit(1)"],
                                 "assess")
    assert out.strip() == "{}" and wall > 0


def test_a_contender_without_json_is_named_not_traced(bench: ModuleType) -> None:
    bench._run([sys.executable, "-c", "import sys; print('oops', file=sys.stderr)"], "floor")
    with pytest.raises(SystemExit, match=r"^floor contender printed no figures: oops$"):
        bench._figures("floor", "")


def test_polars_skipped_when_not_importable(bench: ModuleType, monkeypatch, capsys) -> None:
    monkeypatch.setattr(bench, "polars_available", lambda: False)
    seen: list[bool] = []

    def contenders(pack, fmt, python, polars, spark=None):  # type: ignore[no-untyped-def]
        seen.append(polars)
        raise SystemExit("stop")

    monkeypatch.setattr(bench, "contenders", contenders)
    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: None)
    args = bench.argparse.Namespace(sizes=[1000], formats=["csv"], no_python=True,
                                    python_max=0, no_polars=False, polars_max=10**9,
                                    engine="duckdb", spark_master=None, repeat=1)
    with pytest.raises(SystemExit):
        bench.bench_logs(args)
    assert seen == [False]
    assert capsys.readouterr().out == (
        "polars not installed (pip install -e '.[bench]'): skipped\n")


@pytest.fixture(scope="module")
def small(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The benchmark writing its inputs to a temporary folder, not benchmarks/.data."""
    bench.data.DATA = tmp_path_factory.mktemp("bench-data")
    return bench


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_one_rule_contenders_agree_on_a_small_log(small: ModuleType, fmt: str) -> None:
    pack = small.data.generate(3000, fmt)
    runs = small.contenders(pack, fmt, python=True, polars=small.polars_available())
    result = small.rounds(runs, 1, f"{fmt} 3,000", "assess")  # stops on any difference
    assert set(result["cpu"]) == set(runs) and all(len(v) == 1 for v in result["cpu"].values())
    _w, _rss, out = small._run(runs["assess"])
    figures = small.assess_figures(out)
    assert figures["events"] > 0 and figures["late"] > 0 and figures["missing"] > 0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_all_modules_agree_with_the_one_hand_written_scan(small: ModuleType, fmt: str) -> None:
    pack = small.data.generate(3000, fmt, "all")
    runs = small.multi_contenders(pack, fmt)
    small.rounds(runs, 1, f"{fmt} 3,000 all", "all modules")  # stops on any difference
    _w, _rss, out = small._run(runs["all modules"], "all modules")
    figures = small.multi.assess_all_figures(__import__("json").loads(out))
    assert set(figures) == {r[0] for r in small.multi.ACTIVE}
    assert sum(1 for f in figures.values() if f["events"]) >= 20  # the log reaches most rules


def test_a_figure_that_differs_stops_the_run(small: ModuleType) -> None:
    wrong = "import json; print(json.dumps({'events': -1}))"
    runs = {"assess": small.contenders(small.data.generate(3000, "csv"), "csv", False,
                                       False)["assess"],
            "floor": [sys.executable, "-c", wrong]}
    with pytest.raises(SystemExit, match=r"floor figures \{'events': -1\} differ from assess"):
        small.rounds(runs, 1, "csv 3,000", "assess")

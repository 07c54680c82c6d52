"""The 30-digit check of a compared log column (audit/logs/numbers.py) on Spark: the same
values refused, and the same located line, as on DuckDB (tests/test_compared_numbers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_compared_numbers import _pack

# Each engine's own cast reads some of these differently (DuckDB: "1_000" is 1000; Spark:
# "12d" is 12.0): the check refuses them on both.
VALUES = ["9" * 30, "1" + "0" * 30, "1e42", "1e400", "inf", "Infinity", "NaN", "-5", "-0", "x",
          "", None, "007", "+12.5", " 5 ", ".5", "5.", "1.E5", "12.5e3", "+", ".", "12d", "1f",
          "5\n", "1_000", "0x10", "1,5", "+-5", "٣", "0" * 40 + "1", "9" * 31 + ".0"]


def test_the_sql_refuses_the_same_values(spark: Any) -> None:
    import duckdb

    from audit.engine.spark_sql import to_spark
    from audit.logs.numbers import bad_number_sql

    def sql(table: str) -> str:
        return f"SELECT v, {bad_number_sql('v', 30, count=True)} FROM {table}"

    duck = duckdb.execute(sql("(SELECT unnest(?::VARCHAR[]) AS v)"), [VALUES]).fetchall()
    spark.createDataFrame([(v,) for v in VALUES], "v string").createOrReplaceTempView("numbers")
    on_spark = [tuple(r) for r in spark.sql(to_spark(sql("numbers"))).collect()]
    assert on_spark == duck
    assert [v for v, bad in duck if not bad] == ["9" * 30, "-0", "", None, "007", "+12.5", " 5 ",
                                                ".5", "5.", "1.E5", "12.5e3", "0" * 40 + "1"]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_too_many_digits_is_the_same_line(spark: Any, run: Any, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    """tests/test_compared_numbers.py's 43-digit count, on each engine."""
    _pack(tmp_path, {2: "1" * 43, 5: "many", 6: "-5", 7: "12.5"})
    monkeypatch.chdir(tmp_path)
    extra = ["--spark-master", "local[2]"] if engine == "spark" else []
    code, _out, err = run("assess", "pack", "-c", "module.yaml", "--as-of", "2024-12-31", "-q",
                          "--engine", engine, *extra)
    assert (code, err.strip()) == (
        2, "pack/logs/breaches.csv: column records_affected: 3 value(s) are not a count (0 or "
        "more) of at most 30 digits, as 'records_affected' is compared as a number by a rule; "
        "first at data row(s) 2, 5, 6")

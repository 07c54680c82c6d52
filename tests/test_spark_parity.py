"""Parity: the Spark engine gives the DuckDB engine's figures (docs/spark.md).

One local Spark session (local[2], two shuffle partitions, no UI) serves every test here; the
CLI's ``--engine spark --spark-master local[2]`` reuses it. Counts must be equal; percentiles
are compared as reported (hours rounded to 3 decimals), which is the documented tolerance.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from packs import MODERATION, moderation_rows, write_pack
from parity import (
    EXAMPLES,
    README_CHECKLISTS,
    ROOT,
    RULE_TYPES_CHECKLISTS,
    assert_deadline_and_rows_same,
    assert_measured,
    assert_rule_types_measured,
    assert_same,
    one_line,
    rule_types_pack,
    seeded_log,
)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark,spark-connect]")')


@pytest.mark.parametrize("pack", ["before-negotiation", "after-remediation"])
def test_example_packs_same_figures(spark: Any, run: Any, tmp_path: Path, pack: str) -> None:
    assert_measured(assert_same(run, tmp_path, EXAMPLES / pack, README_CHECKLISTS))


def test_plugin_rule_same_figures(spark: Any, run: Any, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A third-party rule type (iq-leaks) querying the store runs on Spark unchanged."""
    pytest.importorskip("audit_iq_leaks", reason="pip install -e plugins/iq-leaks")
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "iq_leaks")
    duck = assert_same(run, tmp_path, ROOT / "plugins" / "iq-leaks" / "example-pack",
                       ("iq.leak-channels",))
    assert any((r.get("figures") or {}) for r in duck["requirements"])


def test_rule_types_same_figures(spark: Any, run: Any, tmp_path: Path) -> None:
    """Business days (BR holidays), timestamps without offset read in the pack's zone, rule
    versions in force per event, calendar months, percentiles and share rules."""
    duck = assert_same(run, tmp_path, rule_types_pack(tmp_path / "pack"), RULE_TYPES_CHECKLISTS)
    assert_rule_types_measured(duck)


def test_count_by_period_same(spark: Any, tmp_path: Path) -> None:
    """Count rules: rows per calendar period, days counted in the law's zone."""
    import datetime as dt

    from audit.engine import create_engine
    from audit.engine.spark import SparkEngine
    from audit.logs.metrics import count_periods

    rows = moderation_rows([1.0] * 500, start="2024-01-30T20:30:00+00:00", step_hours=5)
    path = tmp_path / "moderation.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([MODERATION, *rows])
    bounds = [(dt.date(2024, 1, 31), dt.date(2024, 2, 29)), (dt.date(2024, 2, 29),
                                                              dt.date(2024, 3, 31))]
    figures = []
    for engine in (create_engine("duckdb"), SparkEngine(session=spark)):
        engine.load("moderation", path, "moderation.csv", None)
        # the counts and the row ledger of the same scan (audit.logs.periods)
        figures.append([count_periods(engine, "moderation", "received_at",
                                      {"country": "IQ"}, bounds, tz) for tz in
                        ("UTC", "Asia/Baghdad", "America/Sao_Paulo")])
    assert figures[0] == figures[1]
    assert figures[0][0].counts != figures[0][1].counts  # the zone moves events across month ends
    assert figures[0][0].rows == 500 and figures[0][0].outside > 0


def test_seeded_log_same_figures(spark: Any, tmp_path: Path) -> None:
    """A seeded 100k-row log (docs/spark.md: why not 1M in the suite)."""
    from audit.engine import create_engine
    from audit.engine.spark import SparkEngine

    path = seeded_log(tmp_path / "moderation.csv", 100_000)
    figures = assert_deadline_and_rows_same([create_engine("duckdb"),
                                             SparkEngine(session=spark)], path)
    assert figures["events"] > 5000


# -- bad input: one line, exit 2, no JVM trace ------------------------------------------------

EXAMPLE = EXAMPLES / "before-negotiation"


def test_no_pyspark_says_how_to_install(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--engine", "spark")
    assert code == 2
    assert 'pip install "platform-audit[spark]"' in one_line(err)


def test_no_java_says_which_package(spark: Any, run: Any, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--engine", "spark")
    assert code == 2
    assert "openjdk-17-jre-headless" in one_line(err)


def test_spark_options_need_the_spark_engine(run: Any) -> None:
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--spark-master", "local[2]")
    assert code == 2 and "--engine spark" in err


def test_unreadable_log_is_one_line(spark: Any, run: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", logs={"moderation": (MODERATION, [
        ["R1", "2024-01-01T00:00:00+03:00", "2024-01-01T01:00:00+03:00", "personal_data_leak",
         "authority", "removed", "IQ"]])})
    with (pack / "logs" / "moderation.csv").open("a", encoding="utf-8") as fh:
        fh.write('R2,"2024-01-01T00:00:00+03:00,unterminated\n')
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    assert "logs/moderation.csv" in one_line(err)


def test_schema_mismatch_names_the_column(spark: Any, run: Any, tmp_path: Path) -> None:
    header = [c if c != "actioned_at" else "actioned" for c in MODERATION]
    pack = write_pack(tmp_path / "pack", logs={"moderation": (header, [
        ["R1", "2024-01-01T00:00:00+03:00", "", "spam", "user", "removed", "IQ"]])})
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    line = one_line(err)
    assert "column actioned_at" in line and "missing" in line


def test_corrupt_parquet_names_the_reason(spark: Any, run: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.parquet").write_text("not parquet at all\n", "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    line = one_line(err)
    assert "logs/moderation.parquet" in line and "not a Parquet file" in line
    assert "java.lang" not in line  # the reason, not the JVM class


def test_unreachable_standalone_master_is_one_line(run: Any) -> None:
    """Spark would retry for about a minute and name no reason; the run says it at once."""
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _out, err = run("assess", EXAMPLES / "before-negotiation", "-c", "iq.law",
                          "--engine", "spark", "--spark-master", f"spark://127.0.0.1:{port}")
    assert code == 2
    line = one_line(err)
    assert f"cannot reach the Spark master at spark://127.0.0.1:{port}" in line


def test_connect_token_is_not_printed(run: Any) -> None:
    """A Spark Connect URL may carry a token (sc://host:15002/;token=...): messages name the
    server without it."""
    pytest.importorskip("pyspark.sql.connect.session", reason="needs the spark-connect extra")
    code, _out, err = run("assess", EXAMPLES / "before-negotiation", "-c", "iq.law",
                          "--engine", "spark", "--spark-remote",
                          "sc://127.0.0.1:1/;token=s3cr3t-token")
    assert code == 2
    line = one_line(err)
    assert "sc://127.0.0.1:1" in line and "s3cr3t" not in line

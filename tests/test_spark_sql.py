"""The DuckDB-to-Spark rewrites SQLGlot alone gets wrong (audit/engine/spark_sql.py).

Each case is a construct the rules write; tests/test_spark_parity.py runs them on Spark.
"""

from __future__ import annotations

import pytest

pytest.importorskip("sqlglot", reason='the spark extra is not installed (pip install -e ".[spark]")')

from audit.engine.spark_sql import UntranslatableSQL, to_spark


@pytest.mark.parametrize("duck, spark", [
    # a naive timestamp read as wall-clock time in the law's zone
    ("SELECT timezone('Asia/Baghdad', TIMESTAMP '2023-09-01 00:00:00')",
     "TO_UTC_TIMESTAMP(CAST('2023-09-01 00:00:00' AS TIMESTAMP), 'Asia/Baghdad')"),
    ("SELECT timezone('America/Sao_Paulo', TRY_CAST(x AS TIMESTAMP))",
     "TO_UTC_TIMESTAMP(TRY_CAST(x AS TIMESTAMP), 'America/Sao_Paulo')"),
    # an instant's local date in the law's zone
    ("SELECT CAST(timezone('Asia/Baghdad', min(s)) AS DATE)",
     "CAST(FROM_UTC_TIMESTAMP(MIN(s), 'Asia/Baghdad') AS DATE)"),
    ("SELECT epoch_us(e) - epoch_us(s)", "UNIX_MICROS(e) - UNIX_MICROS(s)"),
    ("SELECT epoch(e - s)", "(UNIX_MICROS(e) - UNIX_MICROS(s)) / CAST(1000000.0 AS DOUBLE)"),
    ("SELECT quantile_cont(x, [0.5, 0.99]) FILTER (WHERE v >= 0)",
     "PERCENTILE(x, ARRAY(CAST(0.5 AS DOUBLE), CAST(0.99 AS DOUBLE))) FILTER(WHERE v >= 0)"),
    ("SELECT strftime(s, '%Y-%m-%dT%H:%M:%S+00:00')",
     "DATE_FORMAT(s, 'yyyy''-''MM''-''dd''T''HH'':''mm'':''ss''+00:00''')"),
    ("SELECT x / 3600.0", "x / CAST(3600.0 AS DOUBLE)"),
    # a rewrite inside another (the HTML report's months in the law's zone)
    ("SELECT strftime(timezone('Asia/Baghdad', s), '%Y-%m')",
     "DATE_FORMAT(FROM_UTC_TIMESTAMP(s, 'Asia/Baghdad'), 'yyyy''-''MM')"),
    ("SELECT row_number() OVER () FROM t",
     "ROW_NUMBER() OVER (ORDER BY INPUT_FILE_NAME() NULLS LAST, MONOTONICALLY_INCREASING_ID()"),
    ("CREATE VIEW \"log_m\" AS SELECT 1", "CREATE OR REPLACE TEMPORARY VIEW `log_m`"),
    ("SELECT TRY_CAST(x AS TIMESTAMPTZ)", "TRY_CAST(x AS TIMESTAMP)"),
    ("SELECT count(*) FILTER (WHERE a) FROM t", "COUNT(*) FILTER(WHERE a)"),
    ("SELECT regexp_matches(x, '(^|[^A-Z])(EU)($|[^A-Z])')", "x RLIKE '(^|[^A-Z])(EU)($|[^A-Z])'"),
    # log mappings: the error path's rows per file, dates in local formats, full matches
    ("SELECT row_number() OVER (PARTITION BY filename) FROM t",
     "ROW_NUMBER() OVER (PARTITION BY filename ORDER BY INPUT_FILE_NAME()"),
    ("SELECT try_strptime(x, ['%m/%d/%Y', '%Y%m%d'])",
     "COALESCE(TO_TIMESTAMP(x, 'M''/''d''/''yyyy'), TO_TIMESTAMP(x, 'yyyyMMdd'))"),
    ("SELECT try_strptime(x, '%d.%m.%Y %H:%M')", "TO_TIMESTAMP(x, 'd''.''M''.''yyyy'' ''H'':''m')"),
    ("SELECT strptime(x, '%Y-%m-%dT%H:%M:%S%z')",
     "COALESCE(TO_TIMESTAMP(x, 'yyyy''-''M''-''d''T''H'':''m'':''sxxx'), "
     "TO_TIMESTAMP(x, 'yyyy''-''M''-''d''T''H'':''m'':''sxx'), "
     "TO_TIMESTAMP(x, 'yyyy''-''M''-''d''T''H'':''m'':''sx'))"),
    ("SELECT regexp_full_match(x, '[0-9]+')", "x RLIKE '^(?:[0-9]+)\\\\z'"),
])
def test_rewrites(duck: str, spark: str) -> None:
    got = to_spark(duck)
    assert spark.replace("''", "\\'") in got or spark in got, got


def test_no_percentile_approx() -> None:
    assert "APPROX" not in to_spark("SELECT quantile_cont(x, [0.5]) FROM t").upper()


def test_two_digit_years_are_refused() -> None:
    """Spark reads %y as 2000-2099, DuckDB as 1969-2068: a figure could move a century."""
    with pytest.raises(UntranslatableSQL, match="two-digit years"):
        to_spark("SELECT try_strptime(x, '%d/%m/%y')")


def test_unknown_strftime_field_is_refused() -> None:
    with pytest.raises(UntranslatableSQL):
        to_spark("SELECT strftime(s, '%j')")


@pytest.mark.parametrize("duck, kind, spark, setting", [
    ("SELECT count(*) FROM t", "query", "SELECT COUNT(*) FROM t", ("", "")),
    ("DESCRIBE SELECT * FROM t", "describe", "SELECT * FROM t", ("", "")),
    ('CREATE VIEW "v" AS SELECT 1', "define",
     "CREATE OR REPLACE TEMPORARY VIEW `v` AS SELECT 1", ("v", "")),
    ("SET preserve_insertion_order = true", "setting", "", ("preserve_insertion_order", "true")),
    ("SET threads = 4", "setting", "", ("threads", "4")),
])
def test_a_plugins_statement_is_known_by_its_parsed_tree(duck: str, kind: str, spark: str,
                                                         setting: tuple[str, str]) -> None:
    """What a loader runs on ``pack.logs.con`` is told apart by SQLGlot, not by its text (a
    view's name kept, so the run can drop it from a lent session)."""
    from audit.engine.spark_sql import statement

    found = statement(duck)
    assert (found.kind, found.spark, (found.name, found.value)) == (kind, spark, setting)


def test_duckdb_readers_are_refused_wherever_they_are() -> None:
    """A loader naming DuckDB's own reader, in a query or a column listing, is refused."""
    from audit.engine.spark_sql import DuckDBReader, statement

    for sql in ("SELECT * FROM read_csv('a.csv', header = true)",
                "DESCRIBE SELECT * FROM (SELECT * FROM read_json('a.json'))",
                "SELECT x FROM t JOIN read_parquet(['a', 'b']) p ON TRUE"):
        with pytest.raises(DuckDBReader, match="pack.logs.read_source"):
            statement(sql)

"""A mapping with nothing to check row by row (renames, typed columns; no ``where``, no
de-duplication, no text to parse) costs no scan of its own: the row ledger's rows per data
file are counted by the log's one pass on DuckDB and Spark, or by the validation scan of a
log no rule reads, and a part that cannot be read is still named (issue 26)."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audit import api
from audit.engine.duckdb_engine import DuckDBEngine
from audit.errors import EvidenceError
from audit.logs import details

PROFILE = ("name: Lake Messenger\nusers: {IQ: 9000000}\nrepresentatives:\n"
           "  - {name: C, role: authority_contact_iq, country: IQ, contact: c@example.org}\n")
# As docs/spark.md writes a mapping over a lake table: renames and ``from:``, nothing else.
MAPPING = """\
schema_version: 1
table: {table}
files: {files}
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
DAYS = {"2024-03-01": 7, "2024-03-02": 0, "2024-03-03": 11}  # rows per dt= folder


def lake_pack(root: Path, table: str = "moderation", where: str = "") -> Path:
    """Typed Parquet in one ``dt=`` folder per day (one of them an empty part), mapped."""
    data = root / "logs" / "lake"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for day, rows in DAYS.items():
        folder = data / f"dt={day}"
        folder.mkdir(parents=True)
        con.execute(f"""COPY (SELECT 'S{day}-' || i AS statement_id,
            TIMESTAMPTZ '{day} 08:00:00+00' + to_seconds(i * 600) AS created_at,
            CASE WHEN i % 4 = 0 THEN NULL
                 ELSE TIMESTAMPTZ '{day} 08:00:00+00' + to_seconds(i * 9000) END AS decided_at,
            'personal_data_leak' AS category, 'authority' AS requester,
            'channel_closed' AS decision, 'IQ' AS country
            FROM range({rows}) t(i)) TO '{folder / "part-0.parquet"}' (FORMAT parquet)""")
    (root / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    (root / "logs" / f"{table}.mapping.yaml").write_text(
        MAPPING.format(table=table, files="lake/") + where, encoding="utf-8")
    return root


def expected_file_rows() -> list[dict[str, Any]]:
    return [{"file": f"pack/logs/lake/dt={day}/part-0.parquet", "rows": rows}
            for day, rows in DAYS.items()]


def _recorded(monkeypatch: pytest.MonkeyPatch, owner: object,
              name: str) -> list[tuple[Any, ...]]:
    """The arguments of every call of ``owner.name`` (a module's function or a class's
    method, still called) while the test runs."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recording(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every DuckDB query that reads the data (the raw Parquet, or the log's view over it)."""
    counted: collections.Counter[str] = collections.Counter()
    real = DuckDBEngine.query

    def query(self: DuckDBEngine, sql: str) -> list[Any]:
        if "read_parquet(" in sql or '"log_' in sql:
            counted["reads"] += 1
        return real(self, sql)

    monkeypatch.setattr(DuckDBEngine, "query", query)
    return counted


def test_rows_per_file_come_from_the_pass_on_duckdb(tmp_path: Path, monkeypatch: Any,
                                                   reads: collections.Counter[str]) -> None:
    monkeypatch.chdir(tmp_path)
    lake_pack(tmp_path / "pack")
    result = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31")
    (table,) = json.loads(api.render(result, "json"))["ledger"]["tables"]
    assert table["file_rows"] == expected_file_rows()  # the empty part listed with 0
    assert table["read"] == sum(DAYS.values()) == table["rows"]
    assert reads == {"reads": 1}  # figures, checks and rows per file: one read of the data


def test_a_mapping_with_a_where_still_counts_in_its_own_scan(
        tmp_path: Path, monkeypatch: Any, reads: collections.Counter[str]) -> None:
    monkeypatch.chdir(tmp_path)
    lake_pack(tmp_path / "pack", where="where: {country: IQ}\n")
    result = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31")
    (table,) = json.loads(api.render(result, "json"))["ledger"]["tables"]
    assert table["file_rows"] == expected_file_rows()
    assert reads == {"reads": 2}  # the where's count of rows set aside, then the pass


def test_a_log_no_rule_reads_counts_its_files_while_validated(tmp_path: Path,
                                                             monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    lake_pack(tmp_path / "pack", table="things")
    result = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31")
    tables = {t["log"]: t for t in json.loads(api.render(result, "json"))["ledger"]["tables"]}
    assert tables["things"]["file_rows"] == expected_file_rows()
    assert tables["things"]["read"] == sum(DAYS.values())


@pytest.mark.parametrize("table", ["moderation", "things"])  # read by the pass; only validated
def test_a_part_that_cannot_be_read_is_named(tmp_path: Path, run: Any, monkeypatch: Any,
                                             table: str) -> None:
    monkeypatch.chdir(tmp_path)
    pack = lake_pack(tmp_path / "pack", table=table)
    bad = pack / "logs" / "lake" / "dt=2024-03-03" / "part-0.parquet"
    bad.write_bytes(bad.read_bytes()[:40] + b"PAR1")  # a truncated part
    code, out, err = run("assess", "pack", "-c", "iq.telegram-2023", "--as-of", "2024-12-31")
    assert code == 2 and "Traceback" not in err, err
    (line,) = [ln for ln in err.splitlines() if ln.strip()]
    # the folder the mapping names, and the part in DuckDB's reason, as the mapping's own
    # scan said it before the count moved into the pass
    assert line.startswith("pack/logs/lake/: cannot read: "), line
    assert "'pack/logs/lake/dt=2024-03-03/part-0.parquet'" in line, line


def test_on_spark_one_file_scan_gives_the_figures_and_rows_per_file(
        tmp_path: Path, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Spark query of the run that reads a file: one, the pass, whose ledger and
    figures are DuckDB's."""
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_connection import translated

    monkeypatch.chdir(tmp_path)
    lake_pack(tmp_path / "pack")
    scans: list[int] = []

    def counting(real: Any) -> Any:  # a query's rows at once, or streamed (offending rows)
        def run(self: SparkEngine, sql: str, *args: Any) -> Any:
            frame = self.session.sql(translated(sql).spark)
            found = len(re.findall(r"FileScan", frame._jdf.queryExecution().executedPlan()
                                   .toString()))
            if found:
                scans.append(found)
            return real(self, sql, *args)
        return run

    monkeypatch.setattr(SparkEngine, "query", counting(SparkEngine.query))
    monkeypatch.setattr(SparkEngine, "stream", counting(SparkEngine.stream))
    on_spark = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31", engine="spark",
                          spark=spark)
    duck = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31")
    try:
        spark_json, duck_json = (json.loads(api.render(r, "json")) for r in (on_spark, duck))
        assert scans == [1]
        assert spark_json["ledger"]["tables"] == duck_json["ledger"]["tables"]
        figures = [r["figures"] for r in spark_json["requirements"]]
        assert figures == [r["figures"] for r in duck_json["requirements"]]
        assert {"events": 18, "on_time": 13, "missing": 5}.items() <= figures[0].items()
    finally:
        api.close(on_spark)


@pytest.mark.parametrize("checked", [False, True])
def test_a_csv_location_is_listed_once(tmp_path: Path, spark: Any, run: Any,
                                       checked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """CSV names each file's rows while its files are read, so the read with file names (the
    mapping's own scan when it checks values, else the view the pass counts per file) is
    the first read's: Spark lists the location once either way, and the files' sizes and
    checksums are asked for once (the record of the first read). Whether its parts have
    Parquet footers to count rows from is asked once, and not at all when the mapping's own
    scan counted them."""
    from audit.engine import spark as spark_engine
    from audit.engine import spark_read

    recorded = _recorded(monkeypatch, spark_read, "listing")
    footers = _recorded(monkeypatch, spark_engine, "footer_rows")  # as spark.py calls it
    lake = tmp_path / "lake"
    for day, rows in DAYS.items():
        (lake / f"dt={day}").mkdir(parents=True)
        lines = [f"S{day}-{i},2024-03-01 08:00:00" for i in range(rows)]
        (lake / f"dt={day}" / "part-0.csv").write_text(
            "\n".join(["statement_id,created_at", *lines]) + "\n", "utf-8")
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    column = "{from: created_at, type: timestamp, timezone: UTC}" if checked else "created_at"
    (pack / "logs" / "things.mapping.yaml").write_text(
        f"schema_version: 1\ntable: things\nfiles: {lake.as_uri()}/\nformat: csv\n"
        f"columns:\n  id: statement_id\n  opened: {column}\n", encoding="utf-8")
    metrics = spark._jvm.org.apache.spark.metrics.source.HiveCatalogMetrics
    discovered = metrics.METRIC_FILES_DISCOVERED().getCount()
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--engine", "spark", "--spark-master", "local[2]",
                         "--allow-location", lake.as_uri(), "--format", "json")
    assert code in (0, 1), err
    assert metrics.METRIC_FILES_DISCOVERED().getCount() - discovered == len(DAYS)
    assert len(recorded) == 1, recorded
    assert len(footers) == (0 if checked else 1)
    (table,) = [t for t in json.loads(out)["ledger"]["tables"] if t["log"] == "things"]
    assert [f["rows"] for f in table["file_rows"]] == list(DAYS.values())
    assert table["read"] == sum(DAYS.values())


def test_on_spark_parquet_rows_per_file_come_from_footers_with_no_pairing(
        tmp_path: Path, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet parts on Spark: each part's rows from its footer (URI-encoded names, as
    ``_metadata.file_path`` gives them, matched to the mapping's: a folder with a space), so
    the pass is one global aggregate, no row paired with a counting part; the ledger and
    figures are DuckDB's, the empty part with 0."""
    from audit.engine.spark import SparkEngine

    monkeypatch.chdir(tmp_path)
    pack = lake_pack(tmp_path / "pack")
    (pack / "logs" / "lake").rename(pack / "logs" / "my lake")
    mapping = pack / "logs" / "moderation.mapping.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("files: lake/",
                                                                   "files: my lake/"),
                       encoding="utf-8")
    queries = _recorded(monkeypatch, SparkEngine, "query")
    with details.listing(False):  # what a JSON run of the command line asks
        on_spark = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31",
                              engine="spark", spark=spark)
    duck = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31")
    try:
        spark_json, duck_json = (json.loads(api.render(r, "json")) for r in (on_spark, duck))
        (passed,) = [sql for _engine, sql in queries if "quantile_cont" in sql]
        assert "CROSS JOIN" not in passed and "GROUP BY" not in passed
        assert spark_json["ledger"]["tables"] == duck_json["ledger"]["tables"]
        (table,) = spark_json["ledger"]["tables"]
        assert table["file_rows"] == [{"file": f"pack/logs/my lake/dt={day}/part-0.parquet",
                                       "rows": rows} for day, rows in DAYS.items()]
        assert [r["figures"] for r in spark_json["requirements"]] == \
            [r["figures"] for r in duck_json["requirements"]]
    finally:
        api.close(on_spark)


def test_on_spark_a_parquet_location_lists_each_part_once(tmp_path: Path, spark: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``file://`` location of Parquet parts: each part once in the ledger, with its rows
    from its footer, named as the listing names it (the empty part with 0, not a second entry
    for a part under another spelling of its URI)."""
    monkeypatch.chdir(tmp_path)
    pack = lake_pack(tmp_path / "pack")
    lake = (pack / "logs" / "lake").resolve()
    mapping = pack / "logs" / "moderation.mapping.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "files: lake/", f"files: {lake.as_uri()}/"), encoding="utf-8")
    with details.listing(False):
        got = api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31", engine="spark",
                         spark=spark, allow_locations=[lake.as_uri() + "/"])
    try:
        (table,) = json.loads(api.render(got, "json"))["ledger"]["tables"]
        assert [(f["file"].rsplit("/lake/", 1)[1], f["rows"]) for f in table["file_rows"]] == \
            [(f"dt={day}/part-0.parquet", rows) for day, rows in DAYS.items()]
        assert table["read"] == sum(DAYS.values())
    finally:
        api.close(got)


@pytest.mark.parametrize("location", [False, True], ids=["folder", "location"])
def test_on_spark_a_truncated_part_is_named(tmp_path: Path, spark: Any,
                                            monkeypatch: pytest.MonkeyPatch,
                                            location: bool) -> None:
    """A truncated part: Spark's own error names no file; the part at fault, found by
    reading each footer alone, is named beside the folder or location the mapping gives."""
    monkeypatch.chdir(tmp_path)
    pack = lake_pack(tmp_path / "pack")
    lake = pack / "logs" / "lake"
    bad = lake / "dt=2024-03-03" / "part-0.parquet"
    bad.write_bytes(bad.read_bytes()[:40] + b"PAR1")
    allowed: list[str] = []
    if location:
        allowed = [lake.resolve().as_uri() + "/"]
        mapping = pack / "logs" / "moderation.mapping.yaml"
        mapping.write_text(mapping.read_text(encoding="utf-8").replace(
            "files: lake/", f"files: {allowed[0]}"), encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        api.assess("pack", ["iq.telegram-2023"], as_of="2024-12-31", engine="spark",
                   spark=spark, allow_locations=allowed)
    (line,) = caught.value.lines
    part = (allowed[0] if location else "pack/logs/lake/") + "dt=2024-03-03/part-0.parquet"
    assert line.startswith(allowed[0] if location else "pack/logs/lake/"), line
    assert f"(part {part!r})" in line, line

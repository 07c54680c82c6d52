"""Mapped logs and data-lake paths on Spark: the DuckDB engine's figures (docs/spark.md).

The walk-throughs of docs/bringing-your-own-data.md run on both engines; a seeded 1M-row log
lies in a Hive-partitioned Parquet folder, read by DuckDB as a folder and by Spark both as a
folder and as a ``file://`` location (the code path of ``s3a://`` and ``hdfs://``: Spark's
own file systems, nothing local about it in the audit).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from packs import write_pack
from parity import assert_mapped_pack_same
from parity import figures as _figures
from parity import one_line as _one_line

pytest.importorskip("pyspark", reason='the spark extra is not installed (pip install -e ".[test,spark,spark-connect]")')

ROOT = Path(__file__).resolve().parent.parent
BYOD = ROOT / "tests" / "data" / "byod"
ROWS = 1_000_000


def _assess(run: Any, out: Path, *args: Any, engine: str = "duckdb") -> dict[str, Any]:
    extra = ["--engine", engine] + (["--spark-master", "local[2]"] if engine == "spark" else [])
    code, _o, err = run("assess", *args, "--format", "json", "-o", out, "-q", *extra)
    assert code in (0, 1), err
    return json.loads(out.read_text("utf-8"))


@pytest.mark.parametrize("name", ["us-breaches", "snap-orders", "dsa-template"])
def test_walk_throughs_same_on_spark(spark: Any, run: Any, tmp_path: Path, name: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A mapping's readers, filters, dates in local formats, value maps, templates and several
    mappings stacked into one table give DuckDB's figures on Spark (the page's commands)."""
    from test_byod_docs import _audit_args

    monkeypatch.chdir(BYOD)
    args = _audit_args(name)[:-2]  # without the page's --format json
    duck = _assess(run, tmp_path / "d.json", *args)
    sparks = _assess(run, tmp_path / "s.json", *args, engine="spark")
    assert _figures(sparks) == _figures(duck)
    assert sparks["logs"] == duck["logs"] and sparks["notes"] == duck["notes"]
    assert any(r["figures"] for r in duck["requirements"])  # measured, not vacuous


def _lake_pack(root: Path, files: str, fmt: str | None = None) -> Path:
    pack = write_pack(root, platform={"name": "Test Messenger", "users": {"IQ": 1_000_000},
                                      "timezone": "Asia/Baghdad"})
    (pack / "logs").mkdir(exist_ok=True)
    mapping = {"schema_version": 1, "table": "moderation", "files": files, "keep": True}
    if fmt:
        mapping["format"] = fmt
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    return pack


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded 1M-row moderation log as Parquet parts under country=.. folders, plus the
    files a Spark job leaves beside its output (not data: both engines must ignore them)."""
    import duckdb

    folder = tmp_path_factory.mktemp("lake") / "statements"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""
        COPY (
          SELECT printf('R%08d', i) AS request_id, received_at,
                 CASE WHEN hash(i, 'open') % 100 < 3 THEN NULL
                      ELSE received_at + to_seconds((hash(i, 'took') % (72 * 3600))::BIGINT)
                 END AS actioned_at,
                 ['spam', 'csam', 'personal_data_leak'][(hash(i, 'cat') % 3)::INT + 1]
                   AS category,
                 CASE WHEN hash(i, 'who') % 2 = 0 THEN 'authority' ELSE 'user' END AS requester,
                 'removed' AS action,
                 CASE WHEN hash(i, 'where') % 4 = 0 THEN 'DE' ELSE 'IQ' END AS country
          FROM (SELECT i, TIMESTAMPTZ '2023-06-01 00:00:00+00'
                          + to_seconds((hash(i, 'at') % (200 * 86400))::BIGINT) AS received_at
                FROM range({ROWS}) t(i))
        ) TO '{folder}' (FORMAT parquet, PARTITION_BY (country), ROW_GROUP_SIZE 100000,
                         FILE_SIZE_BYTES '4MB')""")
    (folder / "_SUCCESS").write_text("", "utf-8")
    (folder / "country=IQ" / ".part.parquet.crc").write_bytes(b"\x00crc")
    return folder


def _published(pack: Path, outs: list[Path], engine: str = "duckdb",
               allow: tuple[str, ...] = (), checklists: tuple[str, ...] = ("iq.telegram-2023",),
               as_of: str | None = "2023-12-31") -> None:
    """One assessment, written to each of ``outs`` as ``audit assess -o`` writes it (the
    command's own ``publish``: the report and the files beside it), so a costly run is read
    once for several reports."""
    import audit
    from audit.pipeline.render import publish
    from audit.plugins import get_registry
    from audit.reports.base import writer_for

    result = audit.assess(pack, list(checklists), as_of=as_of, engine=engine,
                          spark_master="local[2]" if engine == "spark" else None,
                          allow_locations=allow)
    for out in outs:
        out.parent.mkdir(parents=True, exist_ok=True)
        publish(writer_for(get_registry(), None, out), result, out, [pack])


@pytest.fixture(scope="module")
def lake_runs(spark: Any, lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 1M-row lake assessed three times, each once: DuckDB reading the folder inside a
    pack, Spark reading the same folder, Spark reading it as a ``file://`` location; DuckDB's
    and the location's runs also write the gap workbook (its full offending list beside it)."""
    root = tmp_path_factory.mktemp("lake-runs")
    inside = _lake_pack(root / "local", "statements")
    shutil.copytree(lake, inside / "logs" / "statements")
    # a note beside the parts does not make the folder CSV (.txt is CSV for a named file)
    (inside / "logs" / "statements" / "README.txt").write_text("exported 2024-01-02\n", "utf-8")
    located = _lake_pack(root / "remote", lake.as_uri(), "parquet")
    _published(inside, [root / "d.json", root / "duckdb" / "gaps.xlsx"])
    _published(inside, [root / "f.json"], "spark")
    _published(located, [root / "r.json", root / "spark" / "gaps.xlsx"], "spark",
               (lake.as_uri(),))
    return root


def test_seeded_1m_row_lake_same_figures(lake_runs: Path, lake: Path) -> None:
    """1M rows: DuckDB (folder) = Spark (folder) = Spark (file:// location)."""
    duck, folder, remote = (json.loads((lake_runs / f"{name}.json").read_text("utf-8"))
                            for name in ("d", "f", "r"))
    assert _figures(folder) == _figures(duck) == _figures(remote)
    assert duck["logs"]["moderation"]["rows"] == ROWS == remote["logs"]["moderation"]["rows"]
    leak = next(r for r in duck["requirements"] if (r["figures"] or {}).get("events", 0) > 10_000)
    assert leak["figures"]["late"] > 0 and leak["figures"]["missing"] > 0
    # a local folder is hashed file by file; a location is identified by Spark's listing
    parts = sorted(p for p in lake.rglob("*.parquet"))
    hashed = [f for f in duck["evidence"] if f["role"] == "log"]
    assert len(hashed) == len(parts) > 2
    record = remote["logs"]["moderation"]["mappings"][0]["locations"]
    assert record["paths"] == [lake.as_uri()] and record["files_listed"] == len(parts)
    assert len(record["listing_sha256"]) == 64
    assert not [f for f in remote["evidence"] if f["role"] == "log"]
    (note,) = [n for n in remote["notes"] if n["code"] == "log-read-in-place"]
    assert lake.as_uri() in note["message"] and f"{len(parts)} files" in note["message"]  # several parts: plural
    assert not [n for n in duck["notes"] if n["code"] == "log-read-in-place"]


def test_location_on_duckdb_is_one_line(run: Any, tmp_path: Path) -> None:
    pack = _lake_pack(tmp_path / "p", "s3a://platform-lake/statements/", "parquet")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023")
    assert code == 2
    line = _one_line(err)
    assert "s3a://platform-lake/statements/" in line and "--engine spark" in line
    assert line.startswith("p/logs/moderation.mapping.yaml:") and ": files: s3a://" in line


def test_unreadable_location_is_one_line(spark: Any, run: Any, tmp_path: Path) -> None:
    missing = (tmp_path / "nowhere").as_uri()
    pack = _lake_pack(tmp_path / "p", missing, "parquet")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]", "--allow-location", missing)
    assert code == 2
    line = _one_line(err)
    assert "moderation.mapping.yaml" in line or missing in line
    assert "PATH_NOT_FOUND" in line or "does not exist" in line


def test_delta_without_a_delta_reader_says_so(spark: Any, run: Any, tmp_path: Path) -> None:
    """Delta tables are read by the cluster's Delta Lake reader; a Spark without it (this
    one: delta-spark's jars come from Maven) gets one line saying what to install."""
    pack = _lake_pack(tmp_path / "p", "table")
    table = pack / "logs" / "table"
    (table / "_delta_log").mkdir(parents=True)
    (table / "_delta_log" / "00000000000000000000.json").write_text("{}\n", "utf-8")
    (table / "part-0.parquet").write_bytes(b"PAR1")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    assert "Delta Lake reader" in _one_line(err)
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023")
    assert code == 2
    assert "Delta" in _one_line(err) and "--engine spark" in err


def test_csv_skip_json_records_and_bad_dates_on_spark(spark: Any, run: Any,
                                                        tmp_path: Path) -> None:
    """Lines before a CSV header, records nested in a JSON document, and a date that fits no
    format (reported with its file and row, as DuckDB reports it)."""
    assert_mapped_pack_same(run, tmp_path, ("--spark-master", "local[2]"))


def test_mapping_that_does_not_match_the_lake_is_one_line(spark: Any, run: Any, tmp_path: Path,
                                                          lake: Path) -> None:
    """A mapped column the data does not have: the mapping key, the location, the columns."""
    pack = _lake_pack(tmp_path / "p", lake.as_uri(), "parquet")
    mapping = pack / "logs" / "moderation.mapping.yaml"
    spec = yaml.safe_load(mapping.read_text("utf-8"))
    spec["columns"] = {"request_id": {"from": "statement_id"}}
    mapping.write_text(yaml.safe_dump(spec), "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]", "--allow-location", lake.as_uri())
    assert code == 2
    line = _one_line(err)
    assert "moderation.mapping.yaml" in line and "columns.request_id.from" in line
    assert "no column 'statement_id'" in line and "request_id" in line


def test_mappings_check_reads_the_lake(spark: Any, run: Any, tmp_path: Path, lake: Path) -> None:
    """`audit mappings check --engine spark`: a lake mapping checked before any assessment."""
    pack = _lake_pack(tmp_path / "p", lake.as_uri(), "parquet")
    code, out, err = run("mappings", "check", pack, "--engine", "spark", "--spark-master",
                         "local[2]", "--allow-location", lake.parent.as_uri())
    assert code == 0, err
    assert f"moderation: {ROWS:,} row(s)" in out
    parts = len(list(lake.rglob("*.parquet")))
    assert f"read in place: {lake.as_uri()} ({parts:,} file(s) listed" in out
    code, _out, err = run("mappings", "check", pack)
    assert code == 2 and "--engine spark" in _one_line(err)


def test_python_api_with_a_running_session(spark: Any, tmp_path: Path) -> None:
    """A notebook's own session (``audit.assess(..., engine="spark", spark=spark)``)."""
    import audit

    example = ROOT / "examples" / "before-negotiation"
    duck = audit.assess(example, ["iq.telegram-2023"], as_of="2024-06-30")
    on_spark = audit.assess(example, ["iq.telegram-2023"], as_of="2024-06-30", engine="spark",
                            spark=spark)
    assert [(r.requirement.full_id, r.finding.status, r.finding.figures)
            for r in on_spark.results] == [(r.requirement.full_id, r.finding.status,
                                            r.finding.figures) for r in duck.results]
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    with pytest.raises(audit.AuditError):
        audit.assess(example, ["iq.telegram-2023"], spark=spark)  # engine="spark" missing


def test_csv_folder_with_partitions_same_figures(spark: Any, run: Any, tmp_path: Path) -> None:
    """A folder of gzipped CSV parts under ``country=`` folders (a Spark or Hive export): the
    partition value becomes the country column, on DuckDB and on Spark, folder or location."""
    import csv
    import gzip

    from packs import MODERATION, moderation_rows

    def export(folder: Path) -> None:
        rows = moderation_rows([5, 30, None, 12, 80, 2, 20, 26] * 5, country="IQ")
        for country, part in (("IQ", rows[:20]), ("IQ", rows[20:]), ("DE", rows[:7])):
            target = folder / f"country={country}"
            target.mkdir(parents=True, exist_ok=True)
            with gzip.open(target / f"part-{len(list(target.iterdir()))}.csv.gz", "wt",
                           newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                out.writerow(MODERATION[:-1])  # the country is the folder's
                out.writerows([r[:-1] for r in part])

    local = _lake_pack(tmp_path / "local", "export", "csv")
    export(local / "logs" / "export")
    args = ["-c", "iq.telegram-2023", "--as-of", "2024-06-30"]
    duck = _assess(run, tmp_path / "d.json", local, *args)
    folder = _assess(run, tmp_path / "f.json", local, *args, engine="spark")
    remote = _lake_pack(tmp_path / "remote", (local / "logs" / "export").as_uri(), "csv")
    located = _assess(run, tmp_path / "r.json", remote, *args, "--allow-location",
                      (local / "logs" / "export").as_uri(), engine="spark")
    assert _figures(duck) == _figures(folder) == _figures(located)
    assert duck["logs"]["moderation"]["rows"] == 47
    takedown = next(r for r in duck["requirements"] if (r["figures"] or {}).get("events"))
    assert takedown["figures"]["events"] == 40  # the IQ rows only: the DE part is filtered


@pytest.mark.parametrize("fmt, values", [
    ("%m/%d/%Y", ["01/05/2024", "1/5/2024", "12/31/2024", "13/01/2024", "2024-01-05", ""]),
    ("%Y%m%d", ["20240105", "20241301", "2024-01-05"]),
    ("%d.%m.%Y %H:%M", ["05.01.2024 09:30", "5.1.2024 9:05", "05.01.2024"]),
    ("%Y-%m-%dT%H:%M:%S", ["2024-01-05T09:30:00", "2024-01-05 09:30:00", "2024-02-30T00:00:00"]),
    ("%Y-%m-%d %H:%M:%S%z", ["2024-01-05 09:30:00+03:00", "2024-01-05 09:30:00+0300",
                             "2024-01-05 09:30:00+03", "2024-01-05 09:30:00-0530",
                             "2024-01-05 09:30:00Z", "2024-01-05 09:30:00"]),
    ("%b %d, %Y", ["Jan 05, 2024", "Dec 31, 2024", "Foo 01, 2024"]),
])
def test_date_formats_parse_alike(spark: Any, fmt: str, values: list[str]) -> None:
    """A mapping's date format gives the same instant, or the same refusal, on both engines."""
    import duckdb

    from audit.engine.spark_connection import SparkConnection
    from audit.logs.sql import literal

    rows = " UNION ALL ".join(f"SELECT {i} AS i, {literal(v)} AS v" for i, v in enumerate(values))
    sql = (f"SELECT i, CAST(epoch_us(try_strptime(v, [{literal(fmt)}])) AS BIGINT) FROM "
           f"({rows}) ORDER BY i")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    duck = con.execute(sql).fetchall()
    on_spark = SparkConnection(spark).execute(sql).fetchall()
    assert on_spark == duck
    assert any(v is not None for _i, v in duck) and any(v is None for _i, v in duck)


def test_gap_workbook_full_offending_list_is_the_same(lake_runs: Path) -> None:
    """Over the cap, the workbook's full offending list beside it: DuckDB's COPY and Spark's
    stream write the same bytes (hours rounded half up from integer microseconds)."""
    lists = []
    for engine in ("duckdb", "spark"):
        (full,) = (lake_runs / engine).glob("gaps.*.offending.csv")
        lists.append(full.read_bytes())
    assert lists[0] == lists[1]
    rows = lists[0].decode("utf-8").splitlines()
    assert rows[0] == "request_id,received_at,actioned_at,deadline,hours_taken,problem"
    assert len(rows) > 5001  # more than the sheet's cap


def test_every_report_is_byte_identical(spark: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """With SOURCE_DATE_EPOCH, the workbook, HTML (with its monthly charts and event lists),
    Markdown and JSON written from Spark are the bytes written from DuckDB (the JSON but for
    ``provenance.engine``, which says which engine computed them). Each engine assesses once
    and writes the four reports as ``audit assess -o`` does: the writing reads the offending
    rows from the engine, the assessment itself is the same whichever report follows."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    example = ROOT / "examples" / "before-negotiation"
    checklists = ("iq.telegram-2023", "iq.law", "eu.gdpr", "br.lgpd")
    written: dict[str, dict[str, bytes]] = {}
    for engine in ("duckdb", "spark"):
        folder = tmp_path / engine
        _published(example, [folder / name for name in ("gaps.xlsx", "report.html",
                                                         "report.md", "result.json")],
                   engine, checklists=checklists, as_of=None)
        written[engine] = {f.name: f.read_bytes() for f in sorted(folder.iterdir())}
    # the JSON's provenance names the engine that computed the figures; the rest is the same
    engines = {}
    for engine, files in written.items():
        result = json.loads(files.pop("result.json"))
        engines[engine] = result["provenance"].pop("engine")
        written[engine]["result.json"] = json.dumps(result, indent=2).encode()
    assert (engines["duckdb"]["name"], engines["spark"]["name"]) == ("duckdb", "spark")
    assert engines["spark"]["master"] == "local[2]"
    assert written["spark"] == written["duckdb"]
    assert len([n for n in written["duckdb"] if n.endswith(".events.csv")]) >= 4
    assert written["duckdb"]["report.html"].count(b"<svg") >= 2  # monthly charts drawn


def test_two_assessments_on_one_session_keep_their_own_rows(spark: Any, tmp_path: Path) -> None:
    """A notebook assesses two packs on its one session: the first result's offending rows
    (read again when its workbook is written) are still its own."""
    import csv

    import audit

    example = ROOT / "examples" / "before-negotiation"
    other = tmp_path / "other"
    shutil.copytree(example, other)
    log = other / "logs" / "moderation.csv"
    rows = list(csv.reader(log.open(encoding="utf-8")))
    with log.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows[:1] + rows[1::2])
    rule = "iq.telegram-2023:leak-takedown"
    first = audit.assess(example, ["iq.telegram-2023"], engine="spark", spark=spark)
    before = list(first.detail_rows(rule))
    second = audit.assess(other, ["iq.telegram-2023"], engine="spark", spark=spark)
    assert list(second.detail_rows(rule)) != before  # a different log, other rows
    assert list(first.detail_rows(rule)) == before and len(before) > 10


def test_bad_value_in_a_folder_names_the_part(spark: Any, run: Any, tmp_path: Path) -> None:
    """A bad date in the second part of a folder: both engines name that part and its row."""
    pack = write_pack(tmp_path / "p", platform={"name": "Test Messenger",
                                                "users": {"IQ": 1_000_000},
                                                "timezone": "Asia/Baghdad"})
    parts = pack / "logs" / "export"
    parts.mkdir(parents=True)
    head = "Case,Opened,Closed\n"
    (parts / "part-0.csv").write_text(head + "C1,05.01.2024 10:00,06.01.2024 09:00\n", "utf-8")
    (parts / "part-1.csv").write_text(head + "C2,07.01.2024 08:30,08.01.2024 08:30\n"
                                      "C3,2024-01-09,09.01.2024 12:00\n", "utf-8")
    local = "%d.%m.%Y %H:%M"
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump({
        "schema_version": 1, "table": "moderation", "files": "export",
        "columns": {"request_id": "Case", "received_at": {"from": "Opened", "format": local},
                    "actioned_at": {"from": "Closed", "format": local},
                    "category": {"value": "personal_data_leak"},
                    "requester": {"value": "authority"}, "action": {"value": "removed"},
                    "country": {"value": "IQ"}}}), "utf-8")
    lines = []
    for engine in ("duckdb", "spark"):
        extra = ["--spark-master", "local[2]"] if engine == "spark" else []
        code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", engine,
                              *extra)
        assert code == 2
        lines.append(_one_line(err))
    assert lines[0] == lines[1]
    assert lines[0].startswith("p/logs/export/part-1.csv: column 'Opened'")
    assert "'2024-01-09'" in lines[0] and "row(s) 2" in lines[0]


def test_two_digit_year_format_names_the_mapping_key(spark: Any, run: Any,
                                                      tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", platform={"name": "Test Messenger",
                                                "users": {"IQ": 1_000_000},
                                                "timezone": "Asia/Baghdad"})
    (pack / "logs").mkdir()
    (pack / "logs" / "export.csv").write_text("Case,Opened\nC1,05/01/24 10:00\n", "utf-8")
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        "schema_version: 1\ntable: moderation\nfiles: export.csv\ncolumns:\n"
        "  request_id: Case\n  received_at: {from: Opened, format: '%d/%m/%y %H:%M'}\n"
        "  actioned_at: {value: ''}\n", "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    line = _one_line(err)
    assert line.startswith("p/logs/moderation.mapping.yaml:6: columns.received_at.format: ")
    assert "two-digit years" in line


def test_json_records_problems_on_spark(spark: Any, run: Any, tmp_path: Path) -> None:
    """A ``records`` path the documents do not have names the mapping key; a document that is
    not JSON names the file (Spark reads it as a corrupt record)."""
    pack = write_pack(tmp_path / "p", platform={"name": "Test Messenger",
                                                "users": {"IQ": 1_000_000},
                                                "timezone": "Asia/Baghdad"})
    (pack / "logs").mkdir()
    (pack / "logs" / "more.json").write_text(json.dumps({"data": {"items": [
        {"Case": "J1", "Opened": "2024-01-08 10:00:00"}]}}), "utf-8")
    mapping = pack / "logs" / "moderation.mapping.yaml"
    mapping.write_text("schema_version: 1\ntable: moderation\nfiles: more.json\n"
                       "records: data.itemz\ncolumns:\n  request_id: Case\n"
                       "  received_at: Opened\n  actioned_at: {value: ''}\n", "utf-8")
    args = ["assess", pack, "-c", "iq.telegram-2023", "--engine", "spark", "--spark-master",
            "local[2]"]
    code, _out, err = run(*args)
    assert code == 2
    # located by key, not the engine's message (issue 23: was "records: cannot read: ...")
    assert _one_line(err).startswith("p/logs/moderation.mapping.yaml:4: records: no key "
                                     "'itemz' in 'data' in p/logs/more.json")
    mapping.write_text(mapping.read_text("utf-8").replace("itemz", "items"), "utf-8")
    (pack / "logs" / "more.json").write_text('{"data": {"items": [{"Case": "J1", ', "utf-8")
    code, _out, err = run(*args)
    assert code == 2
    assert _one_line(err).startswith("p/logs/more.json: cannot read: not valid JSON")


def test_a_stopped_session_is_said_before_writing() -> None:
    """A notebook stops its session, then writes the workbook: one AuditError, before any
    file is opened (the detail rows would be read from the stopped session)."""
    import audit
    from audit.engine.spark import SparkEngine

    class Stopped:
        is_stopped = True

    with pytest.raises(audit.AuditError, match="Spark session of this assessment has stopped"):
        SparkEngine(session=Stopped()).check_ready()


def test_csv_parts_with_different_headers(spark: Any, run: Any, tmp_path: Path) -> None:
    """Two parts whose columns come in another order: matched by name in a local folder on
    both engines (Spark's folder read would match them by position, silently); in a lake
    location, where the parts cannot be listed first, an error instead of swapped columns."""
    pack = write_pack(tmp_path / "p", platform={"name": "Test Messenger",
                                                "users": {"IQ": 1_000_000},
                                                "timezone": "Asia/Baghdad"})
    parts = pack / "logs" / "export"
    parts.mkdir(parents=True)
    (parts / "part-0.csv").write_text("Case,Opened,Closed\nC1,05.01.2024 10:00,"
                                      "06.01.2024 09:00\n", "utf-8")
    (parts / "part-1.csv").write_text("Case,Closed,Opened\nC2,08.01.2024 08:30,"
                                      "07.01.2024 08:30\n", "utf-8")
    local = "%d.%m.%Y %H:%M"
    spec = {"schema_version": 1, "table": "moderation", "files": "export",
            "columns": {"request_id": "Case", "received_at": {"from": "Opened", "format": local},
                        "actioned_at": {"from": "Closed", "format": local},
                        "category": {"value": "personal_data_leak"},
                        "requester": {"value": "authority"}, "action": {"value": "removed"},
                        "country": {"value": "IQ"}}}
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(spec), "utf-8")
    args = ["-c", "iq.telegram-2023", "--as-of", "2024-03-31"]
    duck = _assess(run, tmp_path / "d.json", pack, *args)
    on_spark = _assess(run, tmp_path / "s.json", pack, *args, engine="spark")
    assert _figures(on_spark) == _figures(duck)
    # each part's rows, named alike by both engines (the file stays with its rows in the stack)
    files = [t["file_rows"] for t in duck["ledger"]["tables"]]
    assert files == [[{"file": f"p/logs/export/part-{i}.csv", "rows": 1} for i in range(2)]]
    assert [t["file_rows"] for t in on_spark["ledger"]["tables"]] == files
    takedown = next(r for r in duck["requirements"] if r["id"].endswith("leak-takedown"))
    assert takedown["figures"]["events"] == 2 and takedown["figures"]["on_time"] == 2
    remote = write_pack(tmp_path / "r", platform={"name": "Test Messenger",
                                                  "users": {"IQ": 1_000_000},
                                                  "timezone": "Asia/Baghdad"})
    (remote / "logs").mkdir()
    (remote / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(
        dict(spec, files=parts.as_uri(), format="csv")), "utf-8")
    code, _out, err = run("assess", remote, *args, "--engine", "spark", "--spark-master",
                          "local[2]", "--allow-location", parts.as_uri())
    assert code == 2
    assert "different headers" in _one_line(err)


def test_both_engines_keep_the_written_boundary(spark: Any) -> None:
    """``audit/engine/base.py`` names every call rules, mappings and loaders make."""
    from audit.engine import LogEngine, create_engine
    from audit.engine.spark import SparkEngine

    assert isinstance(create_engine("duckdb"), LogEngine)
    assert isinstance(SparkEngine(session=spark), LogEngine)

"""Tables by name and Delta pins (docs/spark-platforms.md): a mapping's ``catalog_table`` is read
with ``spark.table`` from the cluster's catalog, only where the person running the audit
allowed it, and identified in the result like a lake location (its files, their sizes, times
and checksums); ``version`` / ``timestamp`` pin a Delta table and are recorded.

Delta Lake's jars cannot be fetched here (no Maven), so the catalog path is tested with a
Parquet table saved in the session's catalog, and the Delta version logic with the plain
files of a ``_delta_log``; reading a pinned Delta table through Delta's reader is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from test_verify_lake import CHECKLIST, SPARK, _mapped_pack, _parts

from audit.logs.locations import prefix_problem, table_problem
from audit.logs.sources import Source
from audit.provenance import _delta_moved, _rewritten

TABLE = "default.audit_catalog_moderation"
ALLOW = ["--allow-location", "table:default"]


def _catalog_pack(root: Path, **extra: Any) -> Path:
    """A pack whose moderation log is the catalog table ``TABLE``."""
    pack = _mapped_pack(root, "unused")
    mapping = {"schema_version": 1, "table": "moderation", "catalog_table": TABLE,
               "keep": True, **extra}
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    return pack


def _save(spark: Any, source: Path, where: Path) -> None:
    """The Parquet parts at ``source`` as the catalog table ``TABLE``, stored at ``where``."""
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")
    (spark.read.parquet(str(source)).coalesce(2).write.mode("overwrite")
     .option("path", str(where)).saveAsTable(TABLE))


def test_a_catalog_table_is_read_by_name_recorded_and_verified(
        spark: Any, run: Any, tmp_path: Path) -> None:
    _parts(tmp_path / "parts", parts=2)
    _save(spark, tmp_path / "parts", tmp_path / "warehouse" / "moderation")
    pack = _catalog_pack(tmp_path / "pack")
    out_file = tmp_path / "r.json"
    code, _out, err = run("assess", pack, *CHECKLIST, "-o", out_file, "-q", *SPARK, *ALLOW)
    assert code in (0, 1), err
    result = json.loads(out_file.read_text("utf-8"))
    assert result["logs"]["moderation"]["rows"] == 40
    (mapping,) = result["logs"]["moderation"]["mappings"]
    assert mapping["files"] == [f"table {TABLE}"]
    record = mapping["locations"]
    assert record["paths"] == [f"table:{TABLE}"] and record["table"] == TABLE
    assert "pin" not in record and "delta_version" not in record  # Parquet: no versions
    parts = sorted((tmp_path / "warehouse" / "moderation").glob("part-*.parquet"))
    assert [f["path"] for f in record["listed"]] == [f"file:{p}" for p in parts]
    assert [f["size"] for f in record["listed"]] == [p.stat().st_size for p in parts]
    # nothing local is hashed for it: the evidence is the profile and the mapping
    assert [f["role"] for f in result["evidence"]] == ["profile", "mapping"]

    code, out, err = run("verify", out_file, pack, *SPARK, *ALLOW)
    assert code == 0, out + err
    # the table written again, fewer rows: new parts, a different listing
    _parts(tmp_path / "fewer", parts=1, rows=30)
    _save(spark, tmp_path / "fewer", tmp_path / "warehouse" / "moderation")
    code, out, err = run("verify", out_file, pack, *SPARK, *ALLOW)
    assert code == 1, out + err
    assert out.startswith(f"location table:{TABLE}: ")
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")


def test_a_catalog_table_is_refused_on_duckdb_and_where_not_allowed(
        run: Any, tmp_path: Path) -> None:
    pack = _catalog_pack(tmp_path / "pack")
    code, out, err = run("assess", pack, *CHECKLIST, "-q")
    assert code == 2 and not out
    (line,) = err.strip().splitlines()
    assert line == (f"pack/logs/moderation.mapping.yaml:1: catalog_table: {TABLE} is a table of "
                    "a Spark cluster's catalog, read with --engine spark only "
                    "(docs/spark-platforms.md)")


def test_a_catalog_table_needs_the_runners_allowance(spark: Any, run: Any,
                                                     tmp_path: Path) -> None:
    pack = _catalog_pack(tmp_path / "pack")
    code, _out, err = run("assess", pack, *CHECKLIST, "-q", *SPARK, "--allow-location",
                          "table:default.audit_catalog")  # a prefix of a name, not a part
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(f"pack/logs/moderation.mapping.yaml:1: catalog_table: {TABLE} is "
                           "not under a table the person running the audit allowed")
    assert "--allow-location table:default" in line


def test_a_pin_is_for_delta_and_the_catalog(run: Any, tmp_path: Path) -> None:
    pack = _mapped_pack(tmp_path / "pack", "lake_mod")
    _parts(pack / "logs" / "lake_mod", parts=1)
    mapping_file = pack / "logs" / "moderation.mapping.yaml"
    mapping = yaml.safe_load(mapping_file.read_text("utf-8"))
    mapping_file.write_text(yaml.safe_dump({**mapping, "version": 3}), "utf-8")
    code, _out, err = run("assess", pack, *CHECKLIST, "-q")
    assert code == 2
    assert err.strip().endswith("version: a version or time pin is for a Delta table "
                                "(format: delta) or a catalog_table")
    mapping_file.write_text(yaml.safe_dump({**mapping, "version": 3, "timestamp": "2024"}),
                            "utf-8")
    code, _out, err = run("assess", pack, *CHECKLIST, "-q")
    assert code == 2 and "cannot be given together with" in err


def test_a_pinned_parquet_table_is_spark_s_one_line(spark: Any, run: Any,
                                                     tmp_path: Path) -> None:
    """Time travel on a table that has none (Parquet): Spark's reason, one line, exit 2."""
    _parts(tmp_path / "parts", parts=1)
    _save(spark, tmp_path / "parts", tmp_path / "warehouse" / "moderation")
    pack = _catalog_pack(tmp_path / "pack", version=1)
    code, out, err = run("assess", pack, *CHECKLIST, "-q", *SPARK, *ALLOW)
    assert code == 2 and not out
    (line,) = err.strip().splitlines()
    assert line.startswith(f"table {TABLE}: Spark cannot read this log: ")
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")


def test_the_delta_version_read_comes_from_its_log(spark: Any, tmp_path: Path) -> None:
    """A Delta table's version read without a pin is its newest commit file; with a pin,
    the pin. The ``_delta_log`` here is plain files (no Delta reader is installed)."""
    from audit.engine.spark_read import delta_version, latest_commit

    log = tmp_path / "table" / "_delta_log"
    log.mkdir(parents=True)
    for name in ["00000000000000000000.json", "00000000000000000011.json",
                 "00000000000000000010.checkpoint.parquet", "00000000000000000012.json",
                 "_last_checkpoint", "00000000000000000013.json.tmp"]:
        (log / name).write_text("{}", "utf-8")
    table = str(tmp_path / "table")
    assert delta_version(spark, Source((table,), "delta")) == 12
    assert delta_version(spark, Source((table,), "delta", pin=("version", "3"))) == 3
    assert delta_version(spark, Source((table,), "delta", pin=("timestamp", "2024-06-30"))) \
        is None  # which version a time resolves to is Delta's to say: not guessed
    assert delta_version(spark, Source((tmp_path.as_uri() + "/table",), "delta")) == 12
    assert latest_commit([]) is None


def test_table_prefixes() -> None:
    assert prefix_problem("table:lake.moderation") is None
    assert prefix_problem("table:lake.mod eration") is not None
    assert prefix_problem("table:") is not None
    assert table_problem("Lake.Moderation.events", ["table:lake.moderation"]) is None
    assert table_problem("lake.moderation_old.events", ["table:lake.moderation"]) is not None
    assert table_problem("lake.moderation.events", ["s3a://lake/"]) is not None


def test_rewritten_parts_and_moved_versions() -> None:
    """Equal checksums are the same content whatever the time; a size or checksum that
    differs is a rewrite; a record without sizes (Spark Connect) is compared by names."""
    def entry(size: int | None, modified: str, checksum: str | None) -> dict[str, Any]:
        return {"path": "s3a://l/p-0.parquet", "size": size, "modified": modified,
                "checksum": checksum}

    def lines(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
        return _rewritten("s3a://l/", {"listed": [then]}, {"listed": [now]})

    assert lines(entry(10, "t1", "abc"), entry(10, "t2", "abc")) == []
    assert lines(entry(10, "t1", "abc"), entry(10, "t1", "abd")) == [
        "location s3a://l/: s3a://l/p-0.parquet rewritten under the same name (size 10, "
        "modified t1, checksum abd here; size 10, modified t1, checksum abc in the result)"]
    assert len(lines(entry(10, "t1", None), entry(10, "t2", None))) == 1
    assert len(lines(entry(10, "t1", None), entry(11, "t1", None))) == 1
    assert lines(entry(None, "", None), entry(11, "t1", None)) == []
    many = [dict(entry(10, "t", None), path=f"p{i}") for i in range(12)]
    found = _rewritten("x", {"listed": many},
                       {"listed": [dict(e, size=11) for e in many]})
    assert len(found) == 11 and found[-1] == ("location x: 2 more file(s) rewritten under "
                                              "the same name")
    assert _delta_moved("t", {"delta_version": 3}, {"delta_version": 4}) == [
        "location t: Delta version 4 here, 3 in the result (give version: 3 in the mapping "
        "to read the version the result read)"]
    assert _delta_moved("t", {"delta_version": 3}, {"delta_version": 3}) == []
    assert _delta_moved("t", {}, {"delta_version": 3}) == []


def test_a_listing_over_spark_connect_says_it_has_names_only() -> None:
    """No JVM in the client: names alone, and the record says why."""
    from audit.engine.spark_read import CONNECT_NAMES_ONLY, listing

    class Remote:  # what a Spark Connect DataFrame offers for this: inputFiles, no _jdf
        def inputFiles(self) -> list[str]:
            return ["s3a://l/b.parquet", "s3a://l/a.parquet"]

    found = listing(None, Remote(), Source(("s3a://l/",), "parquet"))
    assert [f.path for f in found.files] == ["s3a://l/a.parquet", "s3a://l/b.parquet"]
    assert {f.size for f in found.files} == {None} and found.checksums == CONNECT_NAMES_ONLY

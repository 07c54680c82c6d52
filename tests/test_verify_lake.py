"""`audit verify` on packs whose logs are mapped folders or data-lake locations, and the engine
recorded in the result's provenance (docs/over-time.md, docs/spark.md).

A mapped folder holds what a Spark job leaves beside its parts (``_SUCCESS``, ``.crc``
checksums, ``_temporary/``): assess neither reads nor hashes them, and verify must not ask
for them in the result. A location is identified by Spark's listing, which only Spark can
list again: without ``--engine spark`` verify says it did not check it (exit 1).
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
import yaml
from packs import MODERATION, moderation_rows, write_pack

from audit.engine.settings import EngineSettings

CHECKLIST = ["-c", "iq.telegram-2023", "--as-of", "2024-06-30"]
SPARK = ["--engine", "spark", "--spark-master", "local[2]"]


def _parts(folder: Path, parts: int = 2, rows: int = 40) -> None:
    """``rows`` moderation events (IQ, takedown deadlines) as ``parts`` Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f"{c} VARCHAR" for c in MODERATION) + ")")
    delays: list[float | None] = [5, 30, None, 12, 80, 2, 20, 26]
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(MODERATION))})",
                    moderation_rows((delays * rows)[:rows]))
    size = -(-rows // parts)
    for i in range(parts):
        con.execute(f"COPY (SELECT * FROM t ORDER BY request_id LIMIT {size} OFFSET {i * size}) "
                    f"TO '{folder / f'part-{i}.parquet'}' (FORMAT parquet)")


def _iso(mtime: float) -> str:
    """A file's modification time as the listing records it (milliseconds, UTC)."""
    stamp = datetime.fromtimestamp(int(mtime * 1000) / 1000, timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _mapped_pack(root: Path, files: str, fmt: str | None = None) -> Path:
    """A pack whose moderation log is a mapping of ``files`` (a folder in the pack's logs/,
    or a location), as tests/test_spark_lake.py builds its lake packs."""
    pack = write_pack(root, platform={"name": "Test Messenger", "users": {"IQ": 1_000_000},
                                      "timezone": "Asia/Baghdad"})
    (pack / "logs").mkdir(exist_ok=True)
    mapping: dict[str, Any] = {"schema_version": 1, "table": "moderation", "files": files,
                               "keep": True}
    if fmt:
        mapping["format"] = fmt
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    return pack


def _assess(run: Any, pack: Path, out: Path, *extra: str) -> dict[str, Any]:
    code, _o, err = run("assess", pack, *CHECKLIST, "-o", out, "-q", *extra)
    assert code in (0, 1), err
    return json.loads(out.read_text("utf-8"))


def test_marker_files_in_a_mapped_folder_are_not_evidence(run: Any, tmp_path: Path) -> None:
    """The reported defect: "evidence pack/logs/lake_mod/_SUCCESS: in the pack but not in the
    result" (exit 1) for a pack assess had read without a word."""
    pack = _mapped_pack(tmp_path / "pack", "lake_mod")
    folder = pack / "logs" / "lake_mod"
    _parts(folder, parts=3)
    (folder / "_SUCCESS").write_text("", "utf-8")
    (folder / ".part-0.parquet.crc").write_bytes(b"\x00crc")
    (folder / "_committed_1234").write_text("{}", "utf-8")
    _parts(folder / "_temporary" / "0", parts=1)  # a job's unfinished output: not data
    result = _assess(run, pack, tmp_path / "r.json")
    logs = [f["path"] for f in result["evidence"] if f["role"] == "log"]
    assert logs == [f"pack/logs/lake_mod/part-{i}.parquet" for i in range(3)]
    assert result["logs"]["moderation"]["rows"] == 40  # 14 + 14 + 12: the _temporary part not
    code, out, err = run("verify", tmp_path / "r.json", pack)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith("same: 6 item(s)")  # profile, mapping, 3 parts, the checklist
    assert lines[1] == f"figures computed by duckdb {duckdb.__version__}"
    # what is not data may change; data may not
    (folder / "_SUCCESS").write_text("written again", "utf-8")
    shutil.rmtree(folder / "_temporary")
    assert run("verify", tmp_path / "r.json", pack)[0] == 0
    shutil.copy(folder / "part-0.parquet", folder / "part-9.parquet")
    (pack / "_notes.txt").write_text("outside the mapped folder: still reported", "utf-8")
    code, out, _err = run("verify", tmp_path / "r.json", pack)
    assert code == 1
    assert out.splitlines()[:2] == [
        "evidence pack/_notes.txt: in the pack but not in the result",
        "evidence pack/logs/lake_mod/part-9.parquet: in the pack but not in the result"]


def test_the_engine_is_recorded_without_secrets(run: Any, tmp_path: Path) -> None:
    """DuckDB's version in every result; Spark's master or Connect server, never a token."""
    from audit.engine.spark_session import connect_url as _connect_url
    from audit.provenance import engine_record, public_url

    pack = write_pack(tmp_path / "p")
    result = _assess(run, pack, tmp_path / "r.json")
    assert result["provenance"]["engine"] == {"name": "duckdb", "version": duckdb.__version__}
    assert result["schema_version"] == "1.3"  # the current minor version
    assert public_url("sc://lake.example.org:15002/;token=s3cret;user_id=auditor") == \
        "sc://lake.example.org:15002"
    assert public_url("spark://ops:hunter2@10.0.0.5:7077") == "spark://10.0.0.5:7077"
    assert public_url("local[2]") == "local[2]" and public_url("yarn") == "yarn"
    asked = SimpleNamespace(started_engine=None, engine_settings=EngineSettings(
        "spark", spark_remote="sc://h:15002/;token=s3cret", spark_master=None))
    record = engine_record(asked)  # type: ignore[arg-type]
    assert record["name"] == "spark" and record["remote"] == "sc://h:15002"
    assert "s3cret" not in json.dumps(record) and "master" not in record
    core = pytest.importorskip("pyspark.sql.connect.client.core",
                               reason="the spark-connect extra is not installed")
    # PySpark 4's DefaultChannelBuilder; 3.5 has the ChannelBuilder alone
    channel = getattr(core, "DefaultChannelBuilder", None) or core.ChannelBuilder
    builder = channel("sc://h:15002/;token=s3cret;use_ssl=true")
    session = SimpleNamespace(client=SimpleNamespace(_builder=builder))
    assert _connect_url(session) == "sc://h:15002"


def test_location_is_not_verified_without_spark_and_listed_again_with_it(
        spark: Any, run: Any, tmp_path: Path) -> None:
    """A ``file://`` location (the code path of ``s3a://``): verify says it did not check it
    (exit 1), and with --engine spark lists it again, as assess did, and compares."""
    lake = tmp_path / "lake" / "statements"
    _parts(lake, parts=2)
    (lake / "_SUCCESS").write_text("", "utf-8")
    pack = _mapped_pack(tmp_path / "pack", lake.as_uri(), "parquet")
    allow = ["--allow-location", lake.as_uri()]  # the runner's say, for assess and verify
    metrics = spark._jvm.org.apache.spark.metrics.source.HiveCatalogMetrics
    discovered = metrics.METRIC_FILES_DISCOVERED().getCount()
    result = _assess(run, pack, tmp_path / "r.json", *SPARK, *allow)
    # the folder listed once per run (its 2 parts found once), sizes and times included: the
    # mapping's per-file scan reuses the first read rather than listing it again
    assert metrics.METRIC_FILES_DISCOVERED().getCount() - discovered == 2
    assert result["logs"]["moderation"]["rows"] == 40
    assert result["provenance"]["engine"] == {"name": "spark", "version": spark.version,
                                              "master": "local[2]", "percentiles": "exact",
                                              "shuffle_partitions": "2"}
    (record,) = [m["locations"] for m in result["logs"]["moderation"]["mappings"]]
    assert record["files_listed"] == 2
    digest = record["listing_sha256"][:16]
    # each part as the filesystem listed it: size and time from Spark's own listing; a local
    # disk has no checksum, and the record says so rather than leaving it out silently
    assert record["listed"] == [
        {"path": f"file:{part}", "size": part.stat().st_size,
         "modified": _iso(part.stat().st_mtime), "checksum": None}
        for part in sorted(lake.glob("part-*.parquet"))]
    assert record["checksums"].startswith("none: ") and \
        record["checksums"].endswith("FileSystem offers no checksum")

    code, out, err = run("verify", tmp_path / "r.json", pack)
    assert code == 1, out + err
    assert out.splitlines() == [
        f"not verified here: {lake.as_uri()} was read in place by Spark (2 file(s) listed, "
        f"listing SHA-256 {digest}); add --engine spark to list it again and compare",
        "0 difference(s), 1 not verified here; 3 item(s) the same",
        f"figures computed by spark {spark.version} (master local[2])"]

    code, out, err = run("verify", tmp_path / "r.json", pack, *SPARK, *allow)
    assert code == 0, out + err
    assert out.startswith("same: 4 item(s)")  # profile, mapping, checklist, the listing

    # the reported defect: a part rewritten under its own name, other figures, said "same"
    first = lake / "part-0.parquet"
    before = first.stat()
    _parts(tmp_path / "other", parts=2, rows=38)
    shutil.copy(tmp_path / "other" / "part-0.parquet", first)
    assert first.stat().st_size != before.st_size
    code, out, err = run("verify", tmp_path / "r.json", pack, *SPARK, *allow)
    assert code == 1, out + err
    (line,) = [x for x in out.splitlines() if x.startswith("location ")]
    now = first.stat()
    assert line == (
        f"location {lake.as_uri()}: file:{first} rewritten under the same name (size "
        f"{now.st_size}, modified {_iso(now.st_mtime)}, checksum - here; size "
        f"{before.st_size}, modified {_iso(before.st_mtime)}, checksum - in the result)")
    assert out.splitlines()[1] == "1 difference(s); 3 item(s) the same"
    # the same bytes written again: a new modification time, and no checksum to say the
    # content is the same (a local disk offers none), so still a rewrite
    _parts(lake, parts=2)  # back to the rows the result read, with new times
    assert run("verify", tmp_path / "r.json", pack, *SPARK, *allow)[0] == 1
    result = _assess(run, pack, tmp_path / "r.json", *SPARK, *allow)
    assert run("verify", tmp_path / "r.json", pack, *SPARK, *allow)[0] == 0
    (record,) = [m["locations"] for m in result["logs"]["moderation"]["mappings"]]
    digest = record["listing_sha256"][:16]

    shutil.copy(lake / "part-1.parquet", lake / "part-2.parquet")
    code, out, err = run("verify", tmp_path / "r.json", pack, *SPARK, *allow)
    assert code == 1, out + err
    (line,) = [x for x in out.splitlines() if x.startswith("location ")]
    assert line.startswith(f"location {lake.as_uri()}: 3 file(s) listed here (listing "
                           f"SHA-256 ")
    assert line.endswith(f"), 2 in the result ({digest})")

    shutil.rmtree(lake)
    code, out, err = run("verify", tmp_path / "r.json", pack, *SPARK, *allow)
    assert code == 1, out + err
    assert out.startswith("data-lake locations cannot be listed here: ")
    assert lake.as_uri() in out.splitlines()[0]

    code, _out, err = run("verify", tmp_path / "r.json", pack, "--spark-master", "local[2]")
    assert code == 2 and "--engine spark" in err  # as assess says it

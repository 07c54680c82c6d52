"""Typed lake tables through mappings as the docs write them: the same figures on both engines.

A moderation log lies as typed Parquet in ``dt=`` partition folders (what a Spark job or a
lake's ingestion writes): instants (TIMESTAMPTZ, Spark's TimestampType), local times without a
zone (TIMESTAMP, Spark's TimestampNTZ), a DATE partition column, a DOUBLE and a DECIMAL, and
the same instants once more as text with offsets. Each mapping below is one the docs show
(docs/spark.md, docs/bringing-your-own-data.md): renames with ``from``, ``type`` with a
``timezone``, a ``where`` on the partition and on a number. Every one must give DuckDB's
figures and row ledger on Spark, and the figures a hand count of the generated rows gives:
a typed column keeps its type through the mapping; only text is parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from packs import write_pack
from parity import figures

pytest.importorskip("pyspark", reason='the spark extra is not installed (pip install -e ".[test,spark,spark-connect]")')

ROWS = 3_000
DAYS = 20
START = dt.datetime(2023, 9, 1, tzinfo=dt.timezone.utc)
CUTOFF = dt.date(2023, 9, 3)  # the mappings' where: {dt: {gte: 2023-09-03}}
MIN_SCORE = 0.25  # and {score: {gte: 0.25}}
BAGHDAD = dt.timezone(dt.timedelta(hours=3))  # Asia/Baghdad: +03:00 all year since 2008


def _row(i: int) -> dict[str, Any]:
    """Row ``i`` of the log, from its number alone (the hand count rebuilds it)."""
    created = START + dt.timedelta(days=i % DAYS, seconds=(i * 7919) % 86_400)
    took = None if i % 10 == 0 else dt.timedelta(seconds=(i * 104_729) % (60 * 3600))
    return {
        "statement_id": f"S{i:05d}",
        "created_at": created,
        "decided_at": None if took is None else created + took,
        "category": "personal_data_leak" if i % 3 else "spam",
        "decision": "removed",
        "country": "DE" if i % 7 == 0 else "IQ",
        "score": (i * 37 % 1000) / 1000,
        "priority": i % 5 + 1,
    }


def _text(at: dt.datetime | None, i: int) -> str | None:
    """ISO 8601 text with its offset: ``Z`` for even rows, ``+03:00`` (Baghdad) for odd."""
    if at is None:
        return None
    if i % 2:
        return at.astimezone(BAGHDAD).strftime("%Y-%m-%dT%H:%M:%S+03:00")
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The typed, ``dt=``-partitioned Parquet table (written by DuckDB)."""
    folder = tmp_path_factory.mktemp("lake") / "statements"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (statement_id VARCHAR, created_at TIMESTAMPTZ, "
                "decided_at TIMESTAMPTZ, created_text VARCHAR, decided_text VARCHAR, "
                "category VARCHAR, decision VARCHAR, country VARCHAR, score DOUBLE, "
                "priority DECIMAL(4, 1))")
    rows = [_row(i) for i in range(ROWS)]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (r["statement_id"], r["created_at"], r["decided_at"], _text(r["created_at"], i),
         _text(r["decided_at"], i), r["category"], r["decision"], r["country"], r["score"],
         r["priority"]) for i, r in enumerate(rows)])
    con.execute(f"""
        COPY (SELECT * EXCLUDE (created_at, decided_at), created_at, decided_at,
                     CAST(timezone('Asia/Baghdad', created_at) AS TIMESTAMP) AS created_local,
                     CAST(timezone('Asia/Baghdad', decided_at) AS TIMESTAMP) AS decided_local,
                     strftime(timezone('Asia/Baghdad', decided_at), '%Y-%m-%d %H:%M:%S')
                       AS decided_plain,
                     CAST(created_at AS DATE) AS dt
              FROM t)
        TO '{folder}' (FORMAT parquet, PARTITION_BY (dt))""")
    assert len(list(folder.glob("dt=*"))) == DAYS
    return folder


@pytest.fixture(scope="module")
def spark_written(spark: Any, lake: Path) -> Path:
    """The same table as a Spark job writes it: instants as INT96 (Spark's default Parquet
    timestamp, which DuckDB's reader alone gives as a TIMESTAMP without a zone), ``part-*`` files, ``_SUCCESS``
    and ``.crc`` files beside them."""
    folder = lake.parent / "spark-written"
    spark.read.parquet(str(lake)).write.partitionBy("dt").parquet(str(folder))
    assert spark.conf.get("spark.sql.parquet.outputTimestampType") == "INT96"
    found = duckdb.sql(f"SELECT DISTINCT type FROM parquet_schema('{folder}/*/*.parquet') "
                       "WHERE name = 'created_at'").fetchall()
    assert found == [("INT96",)]
    return folder


def _mapping(received: Any, actioned: Any, day: str = "dt", **extra: Any) -> dict[str, Any]:
    """docs/spark.md's mapping (its ``where`` with a partition, or ``day``, and a number)."""
    return {"schema_version": 1, "table": "moderation", "files": "statements",
            "format": "parquet", **extra,
            "where": {"country": "IQ", day: {"gte": CUTOFF.isoformat()},
                      "score": {"gte": MIN_SCORE}},
            "columns": {"request_id": "statement_id", "received_at": received,
                        "actioned_at": actioned, "category": "category",
                        "requester": {"value": "authority"}, "action": "decision",
                        "country": "country", "urgency": {"from": "priority", "type": "integer"}}}


MAPPINGS = {
    # docs/spark.md as written: the typed instants renamed
    "renamed": _mapping({"from": "created_at"}, {"from": "decided_at"}),
    # the same, declared: an instant is one whatever the zone
    "declared": _mapping({"from": "created_at", "type": "timestamp", "timezone": "UTC"},
                         {"from": "decided_at", "type": "timestamp", "timezone": "UTC"}),
    # local times without a zone (TIMESTAMP, Spark's TimestampNTZ), read in the mapping's
    "local": _mapping({"from": "created_local", "type": "timestamp"},
                      {"from": "decided_local"}, timezone="Asia/Baghdad"),
    # text with offsets is still parsed
    "text": _mapping({"from": "created_text"}, {"from": "decided_text"}),
    # an instant and local text: the text's local times are in the mapping's zone
    "text-local": _mapping({"from": "created_at"}, {"from": "decided_plain"},
                           timezone="Asia/Baghdad"),
    # the where compares an instant's day (in the mapping's zone) instead of the partition
    "where-instant": _mapping({"from": "created_at"}, {"from": "decided_at"}, "created_at",
                              timezone="UTC"),
    # a table Spark wrote (INT96 instants, in UTC on both engines): the docs' mapping as written
    "spark-written": _mapping({"from": "created_at"}, {"from": "decided_at"}),
}


def _hand_count() -> tuple[int, int, int, int]:
    """(rows read, left out by each condition of the where in turn, events): as written."""
    rows = [_row(i) for i in range(ROWS)]
    not_iq = [r for r in rows if r["country"] != "IQ"]
    rest = [r for r in rows if r["country"] == "IQ"]
    early = [r for r in rest if r["created_at"].date() < CUTOFF]
    rest = [r for r in rest if r["created_at"].date() >= CUTOFF]
    low = [r for r in rest if r["score"] < MIN_SCORE]
    kept = [r for r in rest if r["score"] >= MIN_SCORE]
    return len(not_iq), len(early), len(low), len(kept)


def _kept() -> list[dict[str, Any]]:
    return [r for r in (_row(i) for i in range(ROWS))
            if r["country"] == "IQ" and r["created_at"].date() >= CUTOFF
            and r["score"] >= MIN_SCORE]


def _assess(run: Any, pack: Path, out: Path, engine: str) -> dict[str, Any]:
    args = ["assess", pack, "-c", "iq.telegram-2023", "--as-of", "2023-12-31", "--format",
            "json", "-o", out, "-q", "--engine", engine]
    if engine == "spark":
        args += ["--spark-master", "local[2]"]
    code, _out, err = run(*args)
    assert code in (0, 1), err
    result: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return result


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_docs_mapping_on_a_typed_lake_same_on_both_engines(
        spark: Any, run: Any, tmp_path: Path, lake: Path, spark_written: Path,
        name: str) -> None:
    """DuckDB and Spark give the same figures and ledger, and those of a hand count."""
    # the pack's time zone is not UTC: only the mapping's may count
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                  "users": {"IQ": 1_000_000},
                                                  "timezone": "America/New_York"})
    shutil.copytree(spark_written if name == "spark-written" else lake,
                    pack / "logs" / "statements")
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(MAPPINGS[name]),
                                                          "utf-8")
    duck = _assess(run, pack, tmp_path / "duck.json", "duckdb")
    on_spark = _assess(run, pack, tmp_path / "spark.json", "spark")
    assert figures(on_spark) == figures(duck)
    assert on_spark["logs"] == duck["logs"] and on_spark["ledger"] == duck["ledger"]
    # the row ledger, counted by hand: each row left out once, under its first reason
    not_iq, early, low, kept = _hand_count()
    assert not_iq + early + low + kept == ROWS
    day = list(MAPPINGS[name]["where"])[1]
    (table,) = duck["ledger"]["tables"]
    assert table["read"] == ROWS and table["rows"] == kept == duck["logs"]["moderation"]["rows"]
    assert [(s["stage"], s["detail"], s["rows"]) for s in table["set_aside"]] == [
        ("where", "country: IQ", not_iq), ("where", f"{day}: {{gte: {CUTOFF}}}", early),
        ("where", f"score: {{gte: {MIN_SCORE}}}", low)]
    assert len(table["file_rows"]) >= DAYS and "statements/dt=2023-09-01/" in \
        table["file_rows"][0]["file"]
    assert duck["ledger"]["balanced"]
    # the deadline, counted by hand: 24 h from the instant received to the instant actioned
    events = [r for r in _kept() if r["category"] == "personal_data_leak"]
    took = [r["decided_at"] - r["created_at"] for r in events if r["decided_at"] is not None]
    leak = next(r for r in duck["requirements"] if r["id"].endswith("leak-takedown"))
    assert (leak["figures"]["events"], leak["figures"]["on_time"], leak["figures"]["late"],
            leak["figures"]["missing"]) == (
        len(events), sum(t <= dt.timedelta(hours=24) for t in took),
        sum(t > dt.timedelta(hours=24) for t in took), len(events) - len(took))
    assert 0 < leak["figures"]["late"] < len(events)


TYPED = {  # target: (its spec, the type it has on both engines)
    "opened_at": ({"from": "created_at"}, "TIMESTAMP WITH TIME ZONE"),
    "local_at": ({"from": "created_local", "timezone": "Asia/Baghdad"},
                 "TIMESTAMP WITH TIME ZONE"),
    "day_at": ({"from": "dt", "timezone": "Asia/Baghdad"}, "TIMESTAMP WITH TIME ZONE"),
    "text_at": ({"from": "created_text"}, "VARCHAR"),  # the log's view parses it
    "day": ({"from": "dt"}, "DATE"),
    "local_day": ({"from": "created_local", "type": "date"}, "DATE"),
    "utc_day": ({"from": "created_at", "type": "date", "timezone": "UTC"}, "DATE"),
    "score": ({"from": "score"}, "DOUBLE"),
    "priority": ({"from": "priority"}, "DECIMAL(4,1)"),
    "urgency": ({"from": "priority", "type": "integer"}, "BIGINT"),
    "weight": ({"from": "priority", "type": "number"}, "DOUBLE"),
    "label": ({"from": "priority", "type": "text"}, "VARCHAR"),
}


def _typed_rows(engine: Any, pack: Path) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """The mapped log's types, and its rows with instants as microseconds since 1970."""
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    store = load_evidence([pack], get_registry(), engine=engine).logs
    types = dict(store.describe(f"SELECT * FROM {store.logs['typed'].reader}"))
    cols = [f"epoch_us({c})" if c.endswith("_at") else
            f"CAST({c} AS VARCHAR)" if types[c] == "DATE" else c for c in TYPED]
    rows = store.query(f"SELECT {', '.join(cols)} FROM {store.table('typed')} ORDER BY 1, 4")
    return {c: types[c] for c in TYPED}, [tuple(r) for r in rows]


def test_typed_columns_keep_their_types_on_both_engines(spark: Any, tmp_path: Path,
                                                        lake: Path) -> None:
    """Instants, local times, dates and numbers through ``from``, ``type`` and ``timezone``:
    the same types and values on DuckDB and Spark, and the values the rows were made of."""
    from audit.engine.settings import EngineSettings

    pack = write_pack(tmp_path / "pack")
    shutil.copytree(lake, pack / "logs" / "statements")
    mapping = {"schema_version": 1, "table": "typed", "files": "statements",
               "columns": {t: spec for t, (spec, _) in TYPED.items()}}  # parquet: a folder of it
    (pack / "logs" / "typed.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    duck_types, duck = _typed_rows(EngineSettings(), pack)
    spark_types, on_spark = _typed_rows(EngineSettings("spark", spark_session=spark), pack)
    assert duck_types == spark_types == {t: kind for t, (_spec, kind) in TYPED.items()}
    assert on_spark == duck and len(duck) == ROWS
    epoch, micros = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc), dt.timedelta(microseconds=1)
    made_at = {(r["created_at"] - epoch) // micros: r for r in (_row(i) for i in range(ROWS))}
    for row in duck:
        opened, local, day_at, text, day, local_day, utc_day, score, priority, urgency, \
            weight, label = row
        assert opened == local == text  # Baghdad's local time, text with offsets: one instant
        made = made_at[opened]
        assert day == utc_day == made["created_at"].date().isoformat()
        assert day_at == (dt.datetime.combine(made["created_at"].date(), dt.time(), BAGHDAD)
                          - epoch) // micros  # a DATE is the start of its day in the zone
        assert local_day == made["created_at"].astimezone(BAGHDAD).date().isoformat()
        assert (score, urgency, weight) == (made["score"], made["priority"], made["priority"])
        assert float(priority) == made["priority"] and float(label) == made["priority"]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_local_times_without_a_zone_are_refused_at_the_mapping(spark: Any, run: Any,
                                                               tmp_path: Path, lake: Path,
                                                               engine: str) -> None:
    """A TIMESTAMP without a zone, and no ``timezone`` anywhere: one line naming the key."""
    pack = write_pack(tmp_path / "pack")
    shutil.copytree(lake, pack / "logs" / "statements")
    mapping = _mapping({"from": "created_local"}, {"from": "decided_at"})
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", engine,
                          *(["--spark-master", "local[2]"] if engine == "spark" else []))
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith("pack/logs/moderation.mapping.yaml:") and line.endswith(
        ": columns.received_at: 'created_local' holds local times without a time zone: give "
        "'timezone' here or in the mapping, or in platform.yaml")

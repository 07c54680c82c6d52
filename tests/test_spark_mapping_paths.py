"""Issue 23's mapping features on Spark: the DuckDB engine's rows and counts. One pack
exercises a ``where`` comparing numbers with a thousands separator (and an unreadable one),
dotted paths into nested JSON records and list items, and a ``members`` glob into a zip."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("pyspark", reason='the spark extra is not installed (pip install -e ".[test,spark,spark-connect]")')

RECORDS = [{"id": "a", "orders": "3,367", "req": {"received": "2024-05-01"},
            "items": [{"id": "x1"}, {"id": "x2"}]},
           {"id": "b", "orders": "0", "req": {"received": "2024-05-02"}, "items": []},
           {"id": "c", "orders": "n/a", "req": {"received": None}, "items": [{"id": "y1"}]},
           {"id": "d", "orders": "12", "req": {"received": "2024-05-04"},
            "items": [{"id": "z1"}, {"id": "z2"}]}]


def _pack(root: Path) -> Path:
    logs = root / "pack" / "logs"
    logs.mkdir(parents=True)
    (logs.parent / "platform.yaml").write_text("name: P\ntimezone: UTC\n", "utf-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("part-1.json", json.dumps({"data": RECORDS[:2]}))
        z.writestr("part-2.json", json.dumps({"data": RECORDS[2:]}))
        z.writestr("README.txt", "not data")
    (logs / "dump.zip").write_bytes(archive.getvalue())
    mapping = {"table": "events", "files": "dump.zip", "members": "*.json", "format": "json",
               "records": "data", "thousands": ",", "where": {"orders": {"gt": 0}},
               "columns": {"event_id": "id", "received": "req.received",
                           "second": "items.1.id", "orders": {"from": "orders",
                                                              "type": "integer"}}}
    (logs / "events.mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False), "utf-8")
    return logs.parent


def _read(pack: Path, engine: Any) -> tuple[list[tuple], list[dict], list[list]]:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    store = load_evidence([pack], get_registry(), engine=engine).logs
    rows = store.query(f"SELECT event_id, received, second, CAST(orders AS BIGINT) FROM "
                       f"{store.table('events')} ORDER BY 1")
    extra = store.logs["events"].extra
    return [tuple(r) for r in rows], extra["set_aside"], extra["file_rows"]


def test_where_numbers_json_paths_and_zip_members_same_on_spark(spark: Any,
                                                                tmp_path: Path) -> None:
    from audit.engine.settings import settings_for

    pack = _pack(tmp_path)
    duck = _read(pack, settings_for("duckdb"))
    assert duck[0] == [("a", "2024-05-01", "x2", 3367), ("d", "2024-05-04", "z2", 12)]
    assert [(e["stage"], e["rows"]) for e in duck[1]] == [("unreadable", 1), ("where", 1)]
    assert duck[1][0]["detail"] == "orders" and duck[1][0]["first_rows"] == [1]
    # rows read per zip member, from the same scan (the engine's filename column)
    assert duck[2] == [["pack/logs/dump.zip/part-1.json", 2], ["pack/logs/dump.zip/part-2.json", 2]]
    assert _read(pack, settings_for("spark", spark_session=spark)) == duck

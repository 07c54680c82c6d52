"""Dotted paths into nested JSON records (``req.received``, ``territorial_scope.0``), and a
key the records lack named at the mapping's key, with the data file and the keys there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from audit.errors import EvidenceError
from audit.evidence.loaders import load_evidence
from audit.plugins import get_registry

MULTI = Path(__file__).parent / "data" / "dsa" / "statements-multi.json"


def _pack(tmp_path: Path, mapping: dict, data: dict[str, str | Path]) -> Path:
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text("name: P\ntimezone: UTC\n", "utf-8")
    (pack / "logs" / "t.mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False),
                                                   "utf-8")
    for name, content in data.items():
        if isinstance(content, Path):
            shutil.copy(content, pack / "logs" / name)
        else:
            (pack / "logs" / name).write_text(content, "utf-8")
    return pack


def _rows(pack: Path, table: str) -> list[tuple]:
    store = load_evidence([pack], get_registry()).logs
    cols = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in store.columns(table))
    return store.query(f"SELECT {cols} FROM {store.table(table)} ORDER BY 1")


def _error(pack: Path) -> str:
    with pytest.raises(EvidenceError) as exc:
        load_evidence([pack], get_registry())
    (line,) = exc.value.lines
    return line


STATEMENTS = {"table": "statements", "files": "multi.json", "records": "statements",
              "columns": {"id": "puid", "scope": "territorial_scope.0",
                          "applied": "application_date"}}


def test_an_array_item_by_index_in_the_dsa_api_layout(tmp_path: Path) -> None:
    rows = _rows(_pack(tmp_path, STATEMENTS, {"multi.json": MULTI}), "statements")
    assert rows == [("8ca7c7ed-d9bc-4509-9fe2-72046a1cTES2", "SK", "2025-12-10"),
                    ("8ca7c7ed-d9bc-4509-9fe2-72046a1cTEST", "NL", "2025-12-08")]


def test_a_field_of_a_nested_object_and_of_an_object_in_a_list(tmp_path: Path) -> None:
    records = [{"id": "a", "req": {"received": "2024-05-01 10:00:00", "by": {"country": "FR"}},
                "items": [{"id": "x1"}, {"id": "x2"}]},
               {"id": "b", "req": {"received": "2024-05-02 11:30:00", "by": {"country": None}},
                "items": []}]
    mapping = {"table": "events", "files": "r.json", "records": "data", "timezone": "UTC",
               "columns": {"event_id": "id",
                           "received_at": {"from": "req.received",
                                           "format": "%Y-%m-%d %H:%M:%S"},
                           "country": "req.by.country", "second_item": "items.1.id"}}
    rows = _rows(_pack(tmp_path, mapping, {"r.json": json.dumps({"data": records})}), "events")
    # a country or list item a record does not have is empty, not an error
    assert rows == [("a", "2024-05-01 10:00:00+00", "FR", "x2"),
                    ("b", "2024-05-02 11:30:00+00", None, None)]


def test_a_key_no_record_has_is_named_with_the_keys_there(tmp_path: Path) -> None:
    doc = {"data": [{"id": "a", "req": {"received": "2024-05-01", "channel": "web"}}]}
    mapping = {"table": "events", "files": "r.json", "records": "data",
               "columns": {"event_id": "id", "when": "req.receivd"}}
    line = _error(_pack(tmp_path, mapping, {"r.json": json.dumps(doc)}))
    assert line.startswith("pack/logs/t.mapping.yaml:")
    assert ("columns.when.from: no key 'receivd' in 'req' in pack/logs/r.json "
            "(its keys: received, channel)") in line
    assert "Binder" not in line


def test_a_record_path_the_documents_lack_is_located(tmp_path: Path) -> None:
    # a published report keyed by country code: Slovakia's key is missing
    doc = {"orders": {"FRA": [{"n": "3"}], "DEU": [{"n": "4"}]}}
    mapping = {"table": "orders", "files": "r.json", "records": "orders.SVK",
               "columns": {"n": "n"}}
    line = _error(_pack(tmp_path, mapping, {"r.json": json.dumps(doc)}))
    assert "records: no key 'SVK' in 'orders' in pack/logs/r.json (its keys: FRA, DEU)" in line
    assert "Binder" not in line and "Referenced column" not in line
    mapping["records"] = "SVK"
    shutil.rmtree(tmp_path / "pack")
    line = _error(_pack(tmp_path, mapping, {"r.json": json.dumps(doc)}))
    assert "records: no key 'SVK' in pack/logs/r.json (its keys: orders)" in line


def test_an_index_into_something_that_is_no_list(tmp_path: Path) -> None:
    mapping = dict(STATEMENTS, columns={"id": "puid", "scope": "platform_name.0"})
    line = _error(_pack(tmp_path, mapping, {"multi.json": MULTI}))
    assert "columns.scope.from: 'platform_name' in pack/logs/multi.json is not a list" in line

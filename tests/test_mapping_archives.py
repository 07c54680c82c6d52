"""Zips holding a dump in parts (``members:``), and a mapped dump beside a plain log of the
same table: stacked through a second mapping, or refused naming both files and the fix."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
import yaml

from audit.errors import EvidenceError
from audit.evidence.loaders import load_evidence
from audit.plugins import get_registry

PARTS = sorted((Path(__file__).parent / "data" / "byod" / "dsa-parts" / "logs")
               .glob("*.csv.gz"))
DAY = "sor-global-2024-03-14-full"
FMT = "%Y-%m-%d %H:%M:%S"
COLUMNS = {"request_id": "uuid",
           "received_at": {"from": "content_date", "format": FMT},
           "actioned_at": {"from": "application_date", "format": FMT},
           "submitted_at": {"from": "created_at", "format": FMT},
           "category": "category", "requester": "source_type",
           "action": {"value": "restricted"}, "country": {"value": "EU"},
           "platform": "platform_name"}


def _dump_zip() -> bytes:
    """The published layout: one zip of zips, each holding CSV parts (here: the two real
    parts of tests/data/byod/dsa-parts, as parts of one inner zip)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        for i, part in enumerate(PARTS):
            z.writestr(f"{DAY}-00000-{i:05d}.csv", gzip.decompress(part.read_bytes()))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{DAY}-00000.csv.zip", inner.getvalue())
    return outer.getvalue()


def _pack(tmp_path: Path, mappings: dict[str, dict], files: dict[str, bytes | str]) -> Path:
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text("name: P\ntimezone: UTC\n", "utf-8")
    for name, mapping in mappings.items():
        (pack / "logs" / name).write_text(yaml.safe_dump(mapping, sort_keys=False), "utf-8")
    for name, content in files.items():
        target = pack / "logs" / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")
    return pack


MAPPING = {"table": "moderation", "files": f"{DAY}.zip", "members": "*.csv",
           "where": {"platform_name": "TikTok"}, "columns": COLUMNS,
           "deduplicate": {"key": "request_id", "latest": "submitted_at"}}


def test_every_part_inside_a_zip_of_zips_is_one_table(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"moderation.mapping.yaml": MAPPING}, {f"{DAY}.zip": _dump_zip()})
    store = load_evidence([pack], get_registry()).logs
    found = store.query(f"SELECT platform FROM {store.table('moderation')}")
    assert found == [("TikTok",)] * 4  # as from the two gzipped parts: 5 rows, one uuid twice
    info = store.logs["moderation"]
    assert info.extra["set_aside"] == [
        {"stage": "where", "detail": "platform_name: TikTok", "rows": 7, "first_rows": []},
        {"stage": "duplicate", "detail": "request_id", "rows": 1, "first_rows": []}]
    (record,) = info.extra["mappings"]
    assert record["files"] == [f"pack/logs/{DAY}.zip/{DAY}-00000.csv.zip/{DAY}-00000-0000{i}.csv"
                               for i in range(2)]


def test_a_members_glob_that_matches_nothing_lists_what_is_there(tmp_path: Path) -> None:
    mapping = dict(MAPPING, members="*.parquet")
    pack = _pack(tmp_path, {"moderation.mapping.yaml": mapping}, {f"{DAY}.zip": _dump_zip()})
    with pytest.raises(EvidenceError) as exc:
        load_evidence([pack], get_registry())
    (line,) = exc.value.lines
    assert line.startswith("pack/logs/moderation.mapping.yaml:")
    assert (f"members: no member of pack/logs/{DAY}.zip matches *.parquet (it holds: "
            f"{DAY}-00000.csv.zip/{DAY}-00000-00000.csv") in line


OWN = ("request_id,received_at,actioned_at,category,requester,action,country,platform,platform_name\n"
       "own-1,2024-03-14T08:00:00Z,2024-03-14T09:00:00Z,spam,user,removed,IQ,Own,Own\n")


def test_a_plain_log_beside_a_mapped_dump_is_refused_naming_both_and_the_fix(
        tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"dump.mapping.yaml": MAPPING},
                 {f"{DAY}.zip": _dump_zip(), "moderation.csv": OWN})
    with pytest.raises(EvidenceError) as exc:
        load_evidence([pack], get_registry())
    (line,) = exc.value.lines
    assert line == ("pack/logs/moderation.csv: a second source for the moderation table, "
                    "beside pack/logs/dump.mapping.yaml; to read both as one table give this "
                    "file a mapping too (files: moderation.csv, table: moderation, keep: true): "
                    "mappings of one table are stacked by column name")


def test_the_fix_stacks_the_plain_log_with_the_dump(tmp_path: Path) -> None:
    own = {"table": "moderation", "files": "moderation.csv", "keep": True,
           "columns": {"request_id": "request_id"}}
    pack = _pack(tmp_path, {"dump.mapping.yaml": MAPPING, "own.mapping.yaml": own},
                 {f"{DAY}.zip": _dump_zip(), "moderation.csv": OWN})
    store = load_evidence([pack], get_registry()).logs
    found = store.query(f"SELECT platform, count(*) FROM {store.table('moderation')} "
                        "GROUP BY 1 ORDER BY 1")
    assert found == [("Own", 1), ("TikTok", 4)]


def test_a_dump_mapped_by_the_dsa_loader_stacks_with_the_platforms_own_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import plugins

    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency")
    plugins.reset()
    dump = {"table": "moderation", "files": f"{DAY}.zip", "members": "*.csv",
            "where": {"platform_name": "TikTok"}, "via": "dsa-statements-of-reasons"}
    own = {"table": "moderation", "files": "moderation.csv", "keep": True,
           "columns": {"request_id": "request_id"}}
    pack = _pack(tmp_path, {"dump.mapping.yaml": dump, "own.mapping.yaml": own},
                 {f"{DAY}.zip": _dump_zip(), "moderation.csv": OWN})
    store = load_evidence([pack], plugins.get_registry()).logs
    found = store.query(f"SELECT platform_name, count(*) FROM {store.table('moderation')} "
                        "GROUP BY 1 ORDER BY 1")
    assert found == [("Own", 1), ("TikTok", 4)]
    assert store.logs["moderation"].extra["set_aside"] == [
        {"stage": "where", "detail": "platform_name: TikTok", "rows": 7, "first_rows": []},
        {"stage": "duplicate", "detail": "uuid", "rows": 1, "first_rows": []}]

"""The row ledger's rows per file: a table read from several files (a mapping's glob, the
members of a zip) says how many rows each file gave, counted in the mapping's own validation
scan, and they add up to the rows read (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_mapping_archives import DAY, MAPPING, _dump_zip, _pack

from audit.evidence.loaders import load_evidence
from audit.ledger import TableLedger, ledger_dict, table_words, Ledger
from audit.plugins import get_registry

DATA = Path(__file__).resolve().parent / "data" / "byod"
PART = "dsa-parts/logs/sor-global-2024-03-14-full-0000{}.csv.gz"


def test_a_glob_of_dump_parts_counts_the_rows_of_each_part(
        run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency")
    monkeypatch.chdir(DATA)
    code, out, err = run("assess", "dsa-parts", "--checklist", "eu.dsa-sor", "--as-of",
                         "2024-03-14", "--format", "json")
    assert code in (0, 1), err
    (table,) = json.loads(out)["ledger"]["tables"]
    # six rows in each gzipped part; 7 of other platforms and one duplicate set aside
    assert table["file_rows"] == [{"file": PART.format(i), "rows": 6} for i in range(2)]
    assert table["read"] == 12 == sum(f["rows"] for f in table["file_rows"])
    code, out, err = run("assess", "dsa-parts", "--checklist", "eu.dsa-sor", "--as-of",
                         "2024-03-14")
    assert (f"moderation log: 12 rows read from 2 files ({PART.format(0)}: 6, "
            f"{PART.format(1)}: 6); 7 removed by the mapping's where") in out, out


def test_the_members_of_a_zip_of_zips_each_have_their_rows(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"moderation.mapping.yaml": MAPPING}, {f"{DAY}.zip": _dump_zip()})
    info = load_evidence([pack], get_registry()).logs.logs["moderation"]
    members = [f"pack/logs/{DAY}.zip/{DAY}-00000.csv.zip/{DAY}-00000-0000{i}.csv"
               for i in range(2)]
    assert info.extra["file_rows"] == [[m, 6] for m in members]
    read = info.rows + sum(e["rows"] for e in info.extra["set_aside"])
    assert read == 12


def test_a_file_the_engine_read_no_row_from_is_listed_with_zero(tmp_path: Path) -> None:
    header = "uuid,platform_name,content_date,application_date,created_at,category,source_type"
    row = "a,TikTok,2024-03-01 10:00:00,2024-03-01 11:00:00,2024-03-01 12:00:00,SCAMS,NOTICE"
    mapping = {**MAPPING, "files": "part-*.csv"}
    del mapping["members"]
    pack = _pack(tmp_path, {"moderation.mapping.yaml": mapping},
                 {"part-1.csv": f"{header}\n{row}\n", "part-2.csv": f"{header}\n"})
    info = load_evidence([pack], get_registry()).logs.logs["moderation"]
    assert info.extra["file_rows"] == [["pack/logs/part-1.csv", 1], ["pack/logs/part-2.csv", 0]]


def test_rows_per_file_must_add_up_to_the_rows_read() -> None:
    good = TableLedger("t", ("a.csv", "b.csv"), 5, file_rows=(("a.csv", 2), ("b.csv", 3)))
    assert good.balanced and Ledger((good,)).balanced
    assert not TableLedger("t", ("a.csv", "b.csv"), 5, file_rows=(("a.csv", 2),)).balanced
    assert TableLedger("t", ("a.csv",), 5).balanced  # not counted: nothing to add up
    assert table_words(good) == ("5 rows read from 2 files (a.csv: 2, b.csv: 3); 5 rows in "
                                 "the table")
    (table,) = ledger_dict(Ledger((good,)))["tables"]
    assert table["file_rows"] == [{"file": "a.csv", "rows": 2}, {"file": "b.csv", "rows": 3}]


def test_data_with_its_own_filename_column_loads_without_rows_per_file(tmp_path: Path) -> None:
    header = "uuid,platform_name,content_date,application_date,created_at,category,source_type"
    row = "a,TikTok,2024-03-01 10:00:00,2024-03-01 11:00:00,2024-03-01 12:00:00,SCAMS,NOTICE"
    mapping = {**MAPPING, "files": "part-*.csv"}
    del mapping["members"]
    pack = _pack(tmp_path, {"moderation.mapping.yaml": mapping},
                 {"part-1.csv": f"{header},Filename\n{row},upload.png\n",
                  "part-2.csv": f"{header},Filename\n{row},other.png\n"})
    info = load_evidence([pack], get_registry()).logs.logs["moderation"]
    assert info.rows == 1  # the second part's row is the first's duplicate
    assert info.extra["file_rows"] is None  # the engine's filename column would clash

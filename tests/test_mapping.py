"""Log mappings (audit/logs/mapping.py): each feature on a small pack, and every bad input
stopping the run with exit 2, one located line and nothing written."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from audit.errors import EvidenceError

DATA = Path(__file__).parent / "data" / "byod"
BREACHES = DATA / "us-breaches"


def pack_with(tmp_path: Path, mapping: dict | str, files: dict[str, str | bytes],
              name: str = "test.mapping.yaml", profile: dict | None = None) -> Path:
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text(yaml.safe_dump(profile or {"name": "P"}), "utf-8")
    text = mapping if isinstance(mapping, str) else yaml.safe_dump(mapping, sort_keys=False)
    (pack / "logs" / name).write_text(text, "utf-8")
    for rel, content in files.items():
        target = pack / "logs" / rel
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")
    return pack


def rows(pack: Path, table: str) -> list[dict]:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    store = load_evidence([pack], get_registry()).logs
    cols = store.columns(table)
    select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in cols)
    found = store.query(f"SELECT {select} FROM {store.table(table)} ORDER BY 1")
    return [dict(zip(cols, r, strict=True)) for r in found]


def load_error(pack: Path) -> list[str]:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    with pytest.raises(EvidenceError) as exc:
        load_evidence([pack], get_registry())
    return exc.value.lines


def copy_breaches(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(BREACHES, target)
    return target


# -- features -----------------------------------------------------------------------------


def test_us_register_dates_numbers_value_maps_and_templates(tmp_path: Path) -> None:
    found = rows(copy_breaches(tmp_path), "breaches")
    first = found[0]
    assert first["incident_id"] == "Example Messenger Inc. (INC-2024-01)"
    # 1/22/2024 is a date alone: the start of that day in Denver (UTC-7 in winter)
    assert first["detected_at"] == "2024-01-22 07:00:00+00"
    assert first["occurred_at"] == "2024-01-10 07:00:00+00"  # YYYYMMDD
    assert first["records_affected"] == "12480"  # "12,480" with a thousands separator
    assert first["data_categories"] == "cyber"  # Hacking/IT Incident, mapped
    assert first["countries"] == "US-CO"  # template "US-{State}"
    # 5/23/2024 is in summer time (UTC-6)
    assert found[1]["authority_notified_at"] == "2024-05-23 06:00:00+00"


def test_gzipped_parts_form_one_table_filtered_to_one_platform(tmp_path: Path) -> None:
    parts = sorted((DATA / "dsa-parts" / "logs").glob("*.csv.gz"))
    mapping = {"table": "moderation", "files": "sor-*-full-*.csv.gz", "timezone": "UTC",
               "where": {"platform_name": "TikTok"},
               "columns": {"request_id": "uuid",
                           "received_at": {"from": "content_date", "format": "%Y-%m-%d %H:%M:%S"},
                           "actioned_at": {"from": "application_date",
                                           "format": "%Y-%m-%d %H:%M:%S"},
                           "submitted_at": {"from": "created_at", "format": "%Y-%m-%d %H:%M:%S"},
                           "category": {"from": "category", "unmapped": "keep",
                                        "map": {"STATEMENT_CATEGORY_PROTECTION_OF_MINORS":
                                                "minor_protection"}},
                           "requester": {"from": "source_type",
                                         "map": {"SOURCE_VOLUNTARY": "own_initiative"}},
                           "action": {"value": "restricted"}, "country": {"value": "EU"},
                           "platform": "platform_name"},
               "deduplicate": {"key": "request_id", "latest": "submitted_at"}}
    pack = pack_with(tmp_path, mapping, {p.name: p.read_bytes() for p in parts})
    found = rows(pack, "moderation")
    assert len(found) == 4  # 5 TikTok rows in the two parts, one uuid twice
    assert {r["platform"] for r in found} == {"TikTok"}
    assert {r["requester"] for r in found} == {"own_initiative"}


def test_zip_single_member_and_named_member(tmp_path: Path) -> None:
    csv_text = "id,when\na,2024-05-01\n"
    single = tmp_path / "one.zip"
    with zipfile.ZipFile(single, "w") as z:
        z.writestr("export/data.csv", csv_text)
    several = tmp_path / "two.zip"
    with zipfile.ZipFile(several, "w") as z:
        z.writestr("readme.txt", "not data")
        z.writestr("data.csv", "id,when\nb,2024-05-02\n")
    mapping = {"table": "events", "files": "one.zip", "timezone": "UTC",
               "columns": {"event_id": "id", "seen_at": {"from": "when", "format": "%Y-%m-%d"}}}
    pack = pack_with(tmp_path, mapping, {"one.zip": single.read_bytes()})
    assert rows(pack, "events") == [{"event_id": "a", "seen_at": "2024-05-01 00:00:00+00"}]
    mapping.update(files="two.zip", member="data.csv")
    shutil.rmtree(tmp_path / "pack")
    pack = pack_with(tmp_path, mapping, {"two.zip": several.read_bytes()})
    assert rows(pack, "events")[0]["event_id"] == "b"


def test_nested_json_with_a_record_path(tmp_path: Path) -> None:
    doc = {"meta": {"period": "2024-H1"},
           "data": {"items": [{"country": "FR", "orders": "1.204", "median": "2,5"},
                              {"country": "DE", "orders": "87", "median": "31"}]}}
    mapping = {"table": "reported", "files": "report.json", "records": "data.items",
               "decimal": ",", "thousands": ".",
               "columns": {"figure_id": {"template": "orders/{country}"},
                           "period_start": {"value": "2024-01-01"},
                           "period_end": {"value": "2024-06-30"},
                           "measure": {"value": "orders_received"},
                           "value": {"from": "orders", "type": "number"},
                           "median_hours": {"from": "median", "type": "number"},
                           "country": "country"}}
    pack = pack_with(tmp_path, mapping, {"report.json": json.dumps(doc)})
    found = rows(pack, "reported")
    assert [(r["figure_id"], r["value"], r["median_hours"]) for r in found] == \
        [("orders/DE", "87.0", "31.0"), ("orders/FR", "1204.0", "2.5")]


def test_unmapped_policies_keep_null_and_default(tmp_path: Path) -> None:
    data = {"r.csv": "id,kind\n1,a\n2,b\n3,\n"}
    base = {"table": "things", "files": "r.csv", "columns": {"id": "id"}}
    for policy, expected in ((({"unmapped": "keep"}), ["x", "b", None]),
                             (({"unmapped": "null"}), ["x", None, None]),
                             (({"default": "other"}), ["x", "other", None])):
        shutil.rmtree(tmp_path / "pack", ignore_errors=True)
        mapping = dict(base, columns={"id": "id", "kind": {"from": "kind", "map": {"a": "x"},
                                                           **policy}})
        assert [r["kind"] for r in rows(pack_with(tmp_path, mapping, data), "things")] == expected


def test_keep_passes_other_columns_through(tmp_path: Path) -> None:
    mapping = {"table": "things", "files": "r.csv", "keep": True, "columns": {"id": "ID"}}
    found = rows(pack_with(tmp_path, mapping, {"r.csv": "ID,colour\n1,red\n"}), "things")
    assert found == [{"id": "1", "colour": "red"}]


def test_mapped_files_are_hashed_and_recorded_in_the_result(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    code, out, err = run("assess", pack, "-c", "eu.gdpr", "--as-of", "2025-01-31",
                         "--format", "json")
    assert code in (0, 1), err
    result = json.loads(out)
    (mapping,) = result["logs"]["breaches"]["mappings"]
    import hashlib

    text = (pack / "logs" / "breaches.mapping.yaml").read_bytes()
    assert mapping == {"file": "pack/logs/breaches.mapping.yaml",
                       "sha256": hashlib.sha256(text).hexdigest(),
                       "files": ["pack/logs/breach_report.csv"]}
    roles = {e["path"]: e["role"] for e in result["evidence"]}
    assert roles["pack/logs/breaches.mapping.yaml"] == "mapping"
    assert roles["pack/logs/breach_report.csv"] == "log"


def test_log_object_keys_match_the_result_schema_doc(run, tmp_path: Path) -> None:
    import re

    doc = (Path(__file__).parent.parent / "docs" / "reference" / "result-schema.md")
    section = doc.read_text("utf-8").split("## Log object", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    code, out, err = run("assess", copy_breaches(tmp_path), "-c", "eu.gdpr", "--as-of",
                         "2025-01-31", "--format", "json")
    assert code in (0, 1), err
    assert set(json.loads(out)["logs"]["breaches"]) == documented


def test_mappings_check_command(run) -> None:
    code, out, err = run("mappings", "check", BREACHES)
    assert code == 0, err
    assert out.startswith("breaches: 5 row(s), columns incident_id, occurred_at,")
    assert out.rstrip().endswith("(us-breaches/logs/breaches.mapping.yaml)")


def test_json_schema_export_accepts_the_shipped_mappings(run) -> None:
    import jsonschema

    code, out, err = run("mappings", "schema")
    assert code == 0, err
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    for file in DATA.glob("*/logs/*.mapping.yaml"):
        jsonschema.validate(yaml.safe_load(file.read_text("utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"files": "x.csv", "colums": {}}, schema)


def test_mapping_reference_is_generated(run) -> None:
    code, out, err = run("mappings", "schema", "--format", "markdown")
    assert code == 0, err
    page = Path(__file__).parent.parent / "docs" / "reference" / "log-mapping.md"
    assert page.read_text(encoding="utf-8") == out, (
        "docs/reference/log-mapping.md is stale: regenerate it with "
        "'audit mappings schema --format markdown > docs/reference/log-mapping.md'")


# -- bad input: exit 2, one line naming the place, nothing written -------------------------


def _edit_breach_mapping(pack: Path, change) -> None:
    file = pack / "logs" / "breaches.mapping.yaml"
    data = yaml.safe_load(file.read_text("utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def assert_refused(run, pack: Path, tmp_path: Path) -> str:
    out_file = tmp_path / "result.json"
    code, out, err = run("assess", pack, "-c", "eu.gdpr", "--as-of", "2025-01-31",
                         "-o", out_file)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert not out_file.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_unknown_column(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d["columns"]["detected_at"].update(
        {"from": "Discovery Date"}))
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/breaches.mapping.yaml:")
    assert ": columns.detected_at.from: no column 'Discovery Date' in " \
           "pack/logs/breach_report.csv (columns: Name of Covered Entity," in line
    assert line.endswith("did you mean 'Date of Discovery'?")


def test_bad_format_string(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d["columns"]["detected_at"].update(
        {"format": "%m/%d/%Q"}))
    line = assert_refused(run, pack, tmp_path)
    assert ": columns.detected_at.format: not a usable date format" in line
    assert "%Q" in line


def test_dates_that_do_not_fit_the_format_name_file_and_row(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d["columns"]["detected_at"].update(
        {"format": "%Y-%m-%d"}))
    line = assert_refused(run, pack, tmp_path)
    assert line == ("pack/logs/breach_report.csv: column 'Date of Discovery': 5 value(s) "
                    "such as '1/22/2024', '4/9/2024', '6/12/2024', '9/20/2024', '11/12/2024' are "
                    "not a date/time in the format %Y-%m-%d (mapping "
                    "pack/logs/breaches.mapping.yaml: columns.detected_at); first at data row(s) "
                    "1, 2, 3, 4, 5")


def test_value_map_leaving_values_unmapped(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d["columns"]["data_categories"]["map"].pop("Theft"))
    line = assert_refused(run, pack, tmp_path)
    assert line == ("pack/logs/breach_report.csv: column 'Type of Breach': 1 value(s) "
                    "such as 'Theft' are not a value listed in its map (or set unmapped: keep, "
                    "null or a default) (mapping pack/logs/breaches.mapping.yaml: "
                    "columns.data_categories); first at data row(s) 3")


def test_glob_matching_nothing(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d.update(files="breach_report_*.csv"))
    line = assert_refused(run, pack, tmp_path)
    assert line.endswith(": files: no file matches 'breach_report_*.csv' in pack/logs/")


def test_unknown_key_is_located(run, tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d.update(timezon="UTC"))
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/breaches.mapping.yaml:")
    assert line.endswith(": timezon: unknown key; did you mean 'timezone'?")


def test_a_misspelt_mapping_key_gets_the_closest_known_key(run, tmp_path: Path) -> None:
    """The reported defect: `colums:` said only 'unknown key'."""
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d.update(colums=d.pop("columns")))
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/breaches.mapping.yaml:")
    assert line.endswith(": colums: unknown key; did you mean 'columns'?")
    _edit_breach_mapping(pack, lambda d: d.update(columns=d.pop("colums"), xyzzy=1))
    assert assert_refused(run, pack, tmp_path).endswith(": xyzzy: unknown key")  # nothing close


def test_corrupt_gz(run, tmp_path: Path) -> None:
    good = gzip.compress(b"id\n1\n", mtime=0)
    pack = pack_with(tmp_path, {"table": "things", "files": "part-*.csv.gz",
                                "columns": {"id": "id"}},
                     {"part-0.csv.gz": good, "part-1.csv.gz": good[:12] + b"\x00garbage"})
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/part-1.csv.gz: cannot read: ")


def test_corrupt_zip(run, tmp_path: Path) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "dump.zip", "columns": {"id": "id"}},
                     {"dump.zip": b"PK\x03\x04 this is not a zip archive"})
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/dump.zip: not a readable zip archive")


def test_zip_with_several_members_and_none_named(run, tmp_path: Path) -> None:
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "id\n1\n")
        z.writestr("b.csv", "id\n2\n")
    pack = pack_with(tmp_path, {"table": "things", "files": "dump.zip", "columns": {"id": "id"}},
                     {"dump.zip": archive.read_bytes()})
    line = assert_refused(run, pack, tmp_path)
    assert line == ("pack/logs/test.mapping.yaml:1: member: pack/logs/dump.zip holds "
                    "2 files (a.csv, b.csv); name the one to read, or give 'members' (a glob) "
                    "to read several as one table")


def test_local_times_without_a_time_zone(tmp_path: Path) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "r.csv",
                                "columns": {"id": "id", "seen_at": {"from": "d",
                                                                    "format": "%m/%d/%Y"}}},
                     {"r.csv": "id,d\n1,5/23/2024\n"})
    (line,) = load_error(pack)
    assert line.endswith("columns.seen_at.format: local times need a time zone: give "
                         "'timezone' here or in the mapping, or in platform.yaml")


def test_unknown_via_loader(tmp_path: Path) -> None:
    pack = pack_with(tmp_path, {"table": "moderation", "files": "r.csv", "via": "nope"},
                     {"r.csv": "id\n1\n"})
    (line,) = load_error(pack)
    assert ": via: no installed loader 'nope' maps rows" in line


def test_a_month_of_daily_parquet_files_is_one_table(tmp_path: Path) -> None:
    import duckdb

    daily = tmp_path / "daily"
    daily.mkdir()
    con = duckdb.connect()
    for day in (1, 2, 3):
        con.execute(f"COPY (SELECT 'r{day}' AS id, '2024-05-0{day}T10:00:00+02:00' AS at) "
                    f"TO '{daily / f'requests-2024-05-0{day}.parquet'}' (FORMAT parquet)")
    mapping = {"table": "data_requests", "files": "requests-2024-05-*.parquet",
               "columns": {"request_id": "id", "received_at": "at",
                           "completed_at": {"value": ""}, "kind": {"value": "access"},
                           "outcome": {"value": "pending"}}}
    pack = pack_with(tmp_path, mapping, {p.name: p.read_bytes() for p in daily.iterdir()})
    found = rows(pack, "data_requests")
    assert [r["request_id"] for r in found] == ["r1", "r2", "r3"]
    assert found[0]["received_at"] == "2024-05-01 08:00:00+00"  # ISO text, parsed by the store


def test_a_standard_table_column_left_unmapped_is_named_in_the_mapping(tmp_path: Path) -> None:
    pack = copy_breaches(tmp_path)
    _edit_breach_mapping(pack, lambda d: d["columns"].pop("countries"))
    (line,) = load_error(pack)
    assert line.startswith("pack/logs/breaches.mapping.yaml:")
    assert (": columns: the breaches table needs column(s) countries; map them (a constant "
            "with 'value' will do when the data has none); the csv data read has: Name of "
            "Covered Entity, State,") in line


def test_filter_operators_are_checked_and_booleans_read_as_words(tmp_path: Path) -> None:
    data = {"r.csv": "id,flag,n\n1,yes,5\n2,no,50\n3,true,500\n"}
    mapping = {"table": "things", "files": "r.csv", "where": {"flag": True, "n": {"lt": 100}},
               "columns": {"id": "id"}}
    assert [r["id"] for r in rows(pack_with(tmp_path, mapping, data), "things")] == ["1"]
    shutil.rmtree(tmp_path / "pack")
    mapping["where"] = {"n": {"below": 100}}
    (line,) = load_error(pack_with(tmp_path, mapping, data))
    assert ": where.n.below: unknown operator; expected one of eq, ne, in," in line


def test_a_data_file_linked_from_outside_the_pack_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("id\n1\n", "utf-8")
    pack = pack_with(tmp_path, {"table": "things", "files": "*.csv", "columns": {"id": "id"}},
                     {})
    (pack / "logs" / "linked.csv").symlink_to(outside)
    (line,) = load_error(pack)
    assert line.endswith(": files: pack/logs/linked.csv is a link to a file outside the pack; "
                         "data files must be inside it")


def test_a_malformed_csv_row_is_named_by_file_and_line(run, tmp_path: Path) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "part-*.csv", "columns": {"id": "id"}},
                     {"part-0.csv": "id,v\n1,a\n", "part-1.csv": "id,v\n2,b\n3,c,extra\n"})
    line = assert_refused(run, pack, tmp_path)
    assert line == "pack/logs/part-1.csv: cannot read: line 3: expected 2 fields, found 3"


def test_parts_with_different_headers_are_matched_by_name(tmp_path: Path) -> None:
    mapping = {"table": "things", "files": "part-*.csv", "columns": {"id": "id", "v": "v"}}
    pack = pack_with(tmp_path, mapping, {"part-0.csv": "id,v\n1,a\n",
                                         "part-1.csv": "v,id,new\nb,2,x\n"})
    assert [(r["id"], r["v"]) for r in rows(pack, "things")] == [("1", "a"), ("2", "b")]


def test_a_zip_bomb_member_is_refused_before_it_is_unpacked(run, tmp_path: Path) -> None:
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("dump.csv", "id\n" + "0" * (8 << 20))  # 8 MiB of zeros, ~8 KiB deflated
    pack = pack_with(tmp_path, {"table": "things", "files": "dump.zip", "columns": {"id": "id"}},
                     {"dump.zip": archive.read_bytes()})
    line = assert_refused(run, pack, tmp_path)
    assert line.startswith("pack/logs/dump.zip: dump.csv: compressed ")
    assert line.endswith("more than 1,000:1; refused as a possible zip bomb (docs/limits.md)")
    assert not list(tmp_path.glob("**/0-dump.csv"))

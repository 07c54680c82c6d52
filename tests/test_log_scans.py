"""Logs read in place: no copy, checks folded into the rule's scan, located errors unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packs import MODERATION, moderation_rows, write_pack

CHECK = ["--checklist", "iq.telegram-2023", "--as-of", "2024-12-31"]


def _store(tmp_path: Path, rows: list[list[str]], name: str = "moderation",
           needed: set[str] | None = None, header: list[str] = MODERATION) -> Any:
    from audit.engine.duckdb_engine import DuckDBEngine

    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", "utf-8")
    store = DuckDBEngine()
    store.load(name, path, f"logs/{name}.csv", needed)
    return store


def test_a_log_is_a_view_and_nothing_is_read_on_load(tmp_path: Path) -> None:
    store = _store(tmp_path, moderation_rows([1, 2]))
    tables = store.query("SELECT table_name FROM duckdb_tables()")
    views = store.query("SELECT view_name FROM duckdb_views() WHERE NOT internal")
    assert tables == [] and views == [("log_moderation",)]
    assert not store.logs["moderation"].validated  # owed, not yet paid
    assert len(store.checks("moderation")) == 5  # rows, 2 timestamps, ids, end >= start


def test_table_validates_once_then_checks_are_free(tmp_path: Path) -> None:
    store = _store(tmp_path, moderation_rows([1, 2, None]))
    store.query(f"SELECT count(*) FROM {store.table('moderation')}")
    assert store.logs["moderation"].validated and store.logs["moderation"].rows == 3
    assert store.checks("moderation") == []


def test_checks_folded_into_a_rule_locate_the_rows(run: Any, tmp_path: Path) -> None:
    rows = moderation_rows([1, 2, 3, 4])
    rows[2][2] = "soon"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    code, _out, err = run("assess", pack, *CHECK)
    assert code == 2
    from audit.limits import year_range

    assert err.strip() == ("p/logs/moderation.csv: column actioned_at: 1 value(s) are not an "
                           "ISO 8601 timestamp with an offset, e.g. 2024-05-01T09:30:00+03:00, "
                           f"in the years {year_range()} (or declare 'timezone' in "
                           "platform.yaml); first at data row(s) 3")


def test_duplicates_outside_the_judged_events_do_not_count(run: Any, tmp_path: Path) -> None:
    """Ids must be unique among the events a rule judges; others may repeat (e.g. spam)."""
    rows = moderation_rows([1, 2, 3])
    spam = moderation_rows([5, 5], category="spam")
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows + spam)})
    code, out, err = run("assess", pack, *CHECK, "--format", "json")
    assert code == 0, err
    leak = next(r for r in json.loads(out)["requirements"]
                if r["requirement"] == "leak-takedown")
    assert leak["figures"]["events"] == 3
    judged_twice = moderation_rows([1, 2])
    judged_twice[1][0] = judged_twice[0][0]
    pack = write_pack(tmp_path / "q", logs={"moderation": (MODERATION, judged_twice)})
    code, _out, err = run("assess", pack, *CHECK)
    assert code == 2 and "column request_id: 1 duplicate id(s), e.g. R00000 (2 times)" in err


def test_a_log_no_rule_reads_is_validated_but_not_measured(run: Any, tmp_path: Path) -> None:
    header = ["request_id", "received_at", "completed_at", "kind", "outcome"]
    good = [["D1", "2024-01-01T00:00:00+03:00", "2024-01-02T00:00:00+03:00", "access", "done"]]
    pack = write_pack(tmp_path / "p", logs={"data_requests": (header, good)})
    code, out, err = run("assess", pack, *CHECK, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["logs"]["data_requests"]["rows"] == 1
    bad = [["D1", "2024-01-02T00:00:00+03:00", "2024-01-01T00:00:00+03:00", "access", "done"]]
    pack = write_pack(tmp_path / "q", logs={"data_requests": (header, bad)})
    code, _out, err = run("assess", pack, *CHECK)
    assert code == 2 and "column completed_at: 1 row(s) end before received_at" in err


def test_an_unknown_log_with_no_columns_needed_loads(tmp_path: Path) -> None:
    store = _store(tmp_path, [["1", "x"], ["2", "y"]], name="extra", needed=set(),
                   header=["a", "b"])
    store.validate_all()
    assert store.logs["extra"].rows == 2 and store.columns("extra") == []


@pytest.mark.parametrize("value,parses", [
    ("2024-01-02T10:00:00+03:00", True), ("2024-01-02T10:00:00-05:00", True),
    ("2024-01-02T10:00:00Z", True), ("2024-01-02T10:00:00z", False),  # DuckDB: upper Z only
    ("2024-01-02T10:00:00+0300", True), ("2024-01-02T10:00:00+03", True),
    (" 2024-01-02T10:00:00+03:00  ", True), ("2024-01-02T10:00:00.250+03:00", True),
    ("2024-01-02T10:00:00", False), ("yesterday", False), ("2024-01-02T10:00:00+ab:cd", False),
])
def test_offset_test_matches_the_regular_expression(tmp_path: Path, value: str,
                                                    parses: bool) -> None:
    """The LIKE fast path accepts exactly what OFFSET_RE (on the trimmed value) accepts."""
    from audit.engine.duckdb_engine import DuckDBEngine
    from audit.logs.views import OFFSET_RE, timestamp_sql

    store = DuckDBEngine()
    expr, bad = timestamp_sql("v", "VARCHAR", "x", "received_at", store.timezone)
    got, flagged, by_regex = store.con.execute(
        f"SELECT ({expr}) IS NOT NULL, {bad}, CASE WHEN regexp_matches(trim(v), ?) THEN "
        f"TRY_CAST(trim(v) AS TIMESTAMPTZ) END IS NOT NULL FROM (SELECT ? AS v)",
        [OFFSET_RE, value]).fetchall()[0]
    assert got is parses and by_regex is parses and flagged is (not parses)


def test_offending_list_beside_a_capped_workbook(run: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import csv

    import openpyxl

    from audit.reports import xlsx

    monkeypatch.setattr(xlsx, "DETAIL_CAP", 3)
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION,
                                                           moderation_rows([30, 40, 50, None, 1]))})
    out = tmp_path / "gaps.xlsx"
    code, _out, err = run("assess", pack, *CHECK, "-o", out)
    assert code == 0, err
    side = tmp_path / "gaps.leak-takedown.offending.csv"
    ws = openpyxl.load_workbook(out)["D leak-takedown"]
    assert ws["A2"].value == ("3 of 4 offending events shown; the sheet is capped at 3 rows; "
                              "the full list is in gaps.leak-takedown.offending.csv, beside "
                              "this workbook.")
    with side.open(encoding="utf-8") as fh:
        listed = list(csv.reader(fh))
    assert listed[0] == ["request_id", "received_at", "actioned_at", "deadline", "hours_taken",
                         "problem"]
    assert [r[0] for r in listed[1:]] == ["R00003", "R00002", "R00001", "R00000"]
    shown = [r[0].value for r in ws.iter_rows(min_row=4) if r[0].value]
    assert shown == ["R00003", "R00002", "R00001"]  # the sheet is the list's head


def test_formula_text_in_detail_rows_stays_text(run: Any, tmp_path: Path) -> None:
    import openpyxl

    rows = moderation_rows([30])
    rows[0][0] = "=HYPERLINK(\"http://x\")"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    out = tmp_path / "gaps.xlsx"
    code, _out, err = run("assess", pack, *CHECK, "-o", out)
    assert code == 0, err
    cell = openpyxl.load_workbook(out)["D leak-takedown"]["A4"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_a_csv_read_by_a_second_rule_is_copied_once(tmp_path: Path) -> None:
    """One rule: the file is scanned in place; from the second, a typed copy is read."""
    store = _store(tmp_path, moderation_rows([1, 2, None]))
    first = store.table("moderation")
    assert store.query("SELECT table_name FROM duckdb_tables()") == []
    assert store.query(f"SELECT count(*) FROM {first}") == [(3,)]
    second = store.table("moderation")
    assert store.query("SELECT table_name FROM duckdb_tables()") == [("_copy_moderation",)]
    assert store.query(f"SELECT count(*), count(actioned_at) FROM {second}") == [(3, 2)]
    store.table("moderation")
    assert len(store.query("SELECT table_name FROM duckdb_tables()")) == 1


def test_share_rules_also_need_unique_ids_among_their_events(run: Any, tmp_path: Path) -> None:
    header = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
              "legal_basis", "outcome"]
    row = ["A1", "court", "IQ", "2024-01-01T00:00:00+03:00", "2024-01-02T00:00:00+03:00",
           "user_data", "judicial_decision", "disclosed"]
    other = ["A1", "police", "DE", *row[3:]]  # same id, outside the rule's population
    pack = write_pack(tmp_path / "p", answers={"disclosure-policy-judicial": "yes"},
                      logs={"authority_requests": (header, [row, other])})
    code, _out, err = run("assess", pack, *CHECK, "--format", "json")
    assert code == 0, err
    pack = write_pack(tmp_path / "q", logs={"authority_requests": (header, [row, row])})
    code, _out, err = run("assess", pack, *CHECK)
    assert code == 2
    assert err.strip() == ("q/logs/authority_requests.csv: column request_id: 1 duplicate id(s), "
                           "e.g. A1 (2 times)")


def test_whole_log_uniqueness_is_an_option(run: Any, tmp_path: Path) -> None:
    rows = moderation_rows([1, 2]) + moderation_rows([5, 5], category="spam")
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    code, _out, err = run("assess", pack, *CHECK, "--format", "json")
    assert code == 0, err  # the spam rows repeat ids, but no rule judges them
    code, _out, err = run("assess", pack, *CHECK, "--unique-ids", "log")
    assert code == 2
    assert err.strip() == ("p/logs/moderation.csv: column request_id: 2 duplicate id(s), e.g. "
                           "R00000 (2 times), R00001 (2 times)")


def test_a_share_rule_pays_the_checks_in_its_own_scan(run: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from audit.engine.duckdb_engine import DuckDBEngine

    header = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
              "legal_basis", "outcome"]
    row = ["A1", "court", "IQ", "2024-01-01T00:00:00+03:00", "2024-01-02T00:00:00+03:00",
           "user_data", "judicial_decision", "disclosed"]
    scans: list[str] = []
    real = DuckDBEngine.scan

    def counting(self: DuckDBEngine, name: str, sql: str, rule: bool = True) -> Any:
        scans.append(name)
        return real(self, name, sql, rule)

    monkeypatch.setattr(DuckDBEngine, "scan", counting)
    pack = write_pack(tmp_path / "p", logs={"authority_requests": (header, [row])})
    code, _out, err = run("assess", pack, *CHECK, "--format", "json")
    assert code == 0, err
    assert scans == ["authority_requests"]  # figures and checks together
    bad = [row[:3] + ["2024-01-03T00:00:00+03:00"] + row[4:]]  # responded before received
    pack = write_pack(tmp_path / "q", logs={"authority_requests": (header, bad)})
    code, _out, err = run("assess", pack, *CHECK)
    assert code == 2 and "column responded_at: 1 row(s) end before received_at; first at " \
                         "data row(s) 1" in err


def test_a_count_rule_pays_the_checks_in_its_own_scan(tmp_path: Path) -> None:
    import datetime as dt

    from audit.errors import EvidenceError
    from audit.logs.metrics import count_by_period

    header = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
              "legal_basis", "outcome"]
    rows = [[f"A{i}", "court", "IQ", f"2024-0{i}-01T00:00:00+03:00", "", "user_data", "order",
             "complied"] for i in (1, 2, 8)] + [["B1", "police", "DE", "2024-03-01T00:00:00Z", "",
                                                "user_data", "order", "complied"]]
    bounds = [(dt.date(2023, 12, 31), dt.date(2024, 6, 30)),
              (dt.date(2024, 6, 30), dt.date(2024, 12, 31))]
    store = _store(tmp_path, rows, name="authority_requests", header=header)
    assert count_by_period(store, "authority_requests", "received_at", {"country": "IQ"},
                           bounds, "Asia/Baghdad") == [2, 1]
    assert store.logs["authority_requests"].validated
    assert store.logs["authority_requests"].rows == 4  # every row was checked
    rows[3][3] = "last march"
    (tmp_path / "q").mkdir()
    bad = _store(tmp_path / "q", rows, name="authority_requests", header=header)
    with pytest.raises(EvidenceError) as exc:
        count_by_period(bad, "authority_requests", "received_at", {"country": "IQ"}, bounds)
    assert "column received_at: 1 value(s) are not" in str(exc.value.problems[0])
    assert "first at data row(s) 4" in str(exc.value.problems[0])

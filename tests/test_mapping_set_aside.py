"""A mapping's ``where`` reads numbers with the mapping's settings, and every row it leaves
out is counted by reason in ``LogInfo.extra["set_aside"]`` (what the row ledger reads)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from audit.evidence.loaders import load_evidence
from audit.plugins import get_registry

TEMPLATE = Path(__file__).parent / "data" / "byod" / "dsa-template"
ORDERS = "Number of orders to act against illegal content received"
EFFECT = "Median time to give effect to the order to act against illegal content"


def _pack(tmp_path: Path, mapping: dict, csv_text: str | None = None) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(TEMPLATE, pack)
    for old in (pack / "logs").glob("*.mapping.yaml"):
        old.unlink()
    (pack / "logs" / "reported.mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False), "utf-8")
    if csv_text is not None:
        (pack / "logs" / "member_states_orders.csv").write_text(csv_text, "utf-8")
    return pack


def _mapping(**where: object) -> dict:
    return {"table": "reported", "files": "member_states_orders.csv", "thousands": ",",
            "where": where,
            "columns": {"figure_id": {"template": "effect/{Scope}/{Category of illegal content}"},
                        "period_start": {"value": "2025-07-01"},
                        "period_end": {"value": "2025-12-31"},
                        "measure": {"value": "orders_median_hours_to_effect"},
                        "value": {"from": EFFECT, "type": "number"},
                        "count": {"from": ORDERS, "type": "number"}, "country": "Scope"}}


def _load(pack: Path) -> tuple[list[tuple], list[dict]]:
    store = load_evidence([pack], get_registry()).logs
    rows = store.query(f"SELECT country, count FROM {store.table('reported')} ORDER BY 1, 2")
    return rows, store.logs["reported"].extra["set_aside"]


def test_a_count_with_a_thousands_separator_is_compared_as_a_number(tmp_path: Path) -> None:
    rows, set_aside = _load(_pack(tmp_path, _mapping(Scope={"ne": "TOTAL"},
                                                     **{ORDERS: {"gt": 0}})))
    # "3,367" with thousands: "," is 3367 > 0: the row is kept, not silently dropped
    assert rows == [("DE", 4.0), ("DE", 3367.0), ("FR", 12.0)]
    assert set_aside == [
        {"stage": "where", "detail": "Scope: {ne: TOTAL}", "rows": 1, "first_rows": []},
        {"stage": "where", "detail": f"{ORDERS}: {{gt: 0}}", "rows": 2, "first_rows": []}]


def test_set_aside_rows_and_kept_rows_add_up_to_the_rows_read(tmp_path: Path) -> None:
    text = (TEMPLATE / "logs" / "member_states_orders.csv").read_text("utf-8")
    read = len(text.splitlines()) - 1
    rows, set_aside = _load(_pack(tmp_path, _mapping(**{ORDERS: {"gte": 1}},
                                                     Scope={"ne": "TOTAL"})))
    # each row is counted once, at its first reason: the TOTAL row has orders, so it is
    # counted under the second condition; IT and ES under the first
    assert [e["rows"] for e in set_aside] == [2, 1]
    assert len(rows) + sum(e["rows"] for e in set_aside) == read


def test_a_value_that_is_no_number_is_counted_as_unreadable_with_its_rows(tmp_path: Path) -> None:
    lines = (TEMPLATE / "logs" / "member_states_orders.csv").read_text("utf-8").splitlines()
    # data row 2 (DE) publishes "n/a" for its number of orders
    lines[2] = lines[2].replace("DE,4,4,", "DE,n/a,4,")
    rows, set_aside = _load(_pack(tmp_path, _mapping(**{ORDERS: {"gt": 0}}),
                                  "\n".join(lines) + "\n"))
    assert ("DE", None) not in rows and len(rows) == 3  # FR, DE 3,367 and TOTAL
    unreadable = [e for e in set_aside if e["stage"] == "unreadable"]
    assert unreadable == [{"stage": "unreadable", "detail": ORDERS, "rows": 1,
                           "first_rows": [2], "file": "pack/logs/member_states_orders.csv"}]
    where = [e for e in set_aside if e["stage"] == "where"]
    assert where == [{"stage": "where", "detail": f"{ORDERS}: {{gt: 0}}", "rows": 2,
                      "first_rows": []}]


def test_duplicates_removed_are_counted(tmp_path: Path) -> None:
    mapping = _mapping()
    del mapping["where"]
    mapping["columns"]["figure_id"] = {"template": "effect/{Category of illegal content}"}
    mapping["deduplicate"] = {"key": "figure_id"}
    rows, set_aside = _load(_pack(tmp_path, mapping))
    # six rows, three categories: three rows removed as duplicates of a kept one
    assert len(rows) == 3
    assert set_aside == [{"stage": "duplicate", "detail": "figure_id", "rows": 3,
                          "first_rows": []}]


BREACHES = Path(__file__).parent / "data" / "byod" / "us-breaches"


def test_a_date_in_where_is_read_with_the_mapped_columns_format(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(BREACHES, pack)
    path = pack / "logs" / "breaches.mapping.yaml"
    mapping = yaml.safe_load(path.read_text("utf-8"))
    # "1/22/2024" is read with the detected_at format (%m/%d/%Y), as the column is
    mapping["where"] = {"Date of Discovery": {"gte": "2024-04-01"},
                        "Individuals Affected": {"gte": 500}}
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), "utf-8")
    lines = (pack / "logs" / "breach_report.csv").read_text("utf-8").splitlines()
    read = len(lines) - 1
    store = load_evidence([pack], get_registry()).logs
    kept = store.query(f"SELECT incident_id FROM {store.table('breaches')} ORDER BY 1")
    set_aside = store.logs["breaches"].extra["set_aside"]
    assert [e["detail"] for e in set_aside] == ["Date of Discovery: {gte: 2024-04-01}",
                                                "Individuals Affected: {gte: 500}"]
    assert set_aside[0]["rows"] == 1  # INC-2024-01, discovered on 1/22/2024
    assert ("Example Messenger Inc. (INC-2024-01)",) not in kept
    assert len(kept) + sum(e["rows"] for e in set_aside) == read


def test_a_date_in_where_that_is_no_date_is_refused_at_the_mapping_key(tmp_path: Path) -> None:
    from audit.errors import EvidenceError

    pack = tmp_path / "pack"
    shutil.copytree(BREACHES, pack)
    path = pack / "logs" / "breaches.mapping.yaml"
    mapping = yaml.safe_load(path.read_text("utf-8"))
    mapping["where"] = {"Date of Discovery": {"gte": "April 2024"}}
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), "utf-8")
    with pytest.raises(EvidenceError) as exc:
        load_evidence([pack], get_registry())
    (line,) = exc.value.lines
    assert line.endswith("where.Date of Discovery.gte: expected a number or a date "
                         "(YYYY-MM-DD), got 'April 2024'")


def test_mappings_check_prints_what_was_set_aside(run, tmp_path: Path) -> None:
    lines = (TEMPLATE / "logs" / "member_states_orders.csv").read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("DE,4,4,", "DE,n/a,4,")
    pack = _pack(tmp_path, _mapping(**{ORDERS: {"gt": 0}}), "\n".join(lines) + "\n")
    code, out, err = run("mappings", "check", pack)
    assert code == 0, err
    assert f"  set aside (unreadable: {ORDERS}): 1 row(s) (first at data row(s) 2)" in out
    assert f"  set aside (where: {ORDERS}: {{gt: 0}}): 2 row(s)" in out

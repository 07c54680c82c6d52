"""Parquet's legacy INT96 timestamps (what Spark and Hive write by default) are instants in
UTC on DuckDB too, as Spark reads them: the docs' mapping as written, or a plain Parquet log,
gives the figures of the same instants stored as TIMESTAMPTZ, whatever the pack's time zone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason='pyarrow comes with the spark extra '
                                           '(pip install -e ".[test,spark,spark-connect]")')
pq = pytest.importorskip("pyarrow.parquet")

from audit import api  # noqa: E402  (after the extra's check)

PROFILE = ("name: Lake Messenger\nusers: {IQ: 9000000}\ntimezone: Asia/Baghdad\n"
           "representatives:\n"
           "  - {name: C, role: authority_contact_iq, country: IQ, contact: c@example.org}\n")
MAPPING = ("schema_version: 1\ntable: moderation\nfiles: statements.parquet\nformat: parquet\n"
           "columns:\n  request_id: statement_id\n  received_at: {from: created_at}\n"
           "  actioned_at: {from: decided_at}\n  category: category\n  requester: requester\n"
           "  action: decision\n  country: country\n")
# 00:30 on 13 August 2023 in Baghdad, the day iq.telegram-2023's deadline applies from: read
# as a local time (21:30 on the 12th) the first two requests would fall before it
START = dt.datetime(2023, 8, 12, 21, 30, tzinfo=dt.timezone.utc)


def _table(names: tuple[str, ...]) -> Any:
    """Requests two hours apart, each decided 20-27 h later (around the 24 h deadline)."""
    rows = 30
    created = [START + dt.timedelta(hours=2 * i) for i in range(rows)]
    decided = [c + dt.timedelta(hours=20 + i % 8) for i, c in enumerate(created)]
    return pa.table({
        names[0]: [f"S{i}" for i in range(rows)],
        names[1]: pa.array(created, pa.timestamp("us", tz="UTC")),
        names[2]: pa.array(decided, pa.timestamp("us", tz="UTC")),
        names[3]: ["personal_data_leak"] * rows, names[4]: ["authority"] * rows,
        names[5]: ["channel_closed"] * rows, names[6]: ["IQ"] * rows})


def _pack(root: Path, int96: bool, mapped: bool) -> Path:
    (root / "logs").mkdir(parents=True)
    (root / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    if mapped:
        names = ("statement_id", "created_at", "decided_at", "category", "requester",
                 "decision", "country")
        target = root / "logs" / "statements.parquet"
        (root / "logs" / "moderation.mapping.yaml").write_text(MAPPING, encoding="utf-8")
    else:
        names = ("request_id", "received_at", "actioned_at", "category", "requester", "action",
                 "country")
        target = root / "logs" / "moderation.parquet"
    pq.write_table(_table(names), target, use_deprecated_int96_timestamps=int96)
    schema = pq.ParquetFile(target).schema
    assert (schema.column(1).physical_type == "INT96") is int96
    return root


def _figures(pack: Path) -> dict[str, Any]:
    result = api.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    found = json.loads(api.render(result, "json"))["requirements"]
    return next(r["figures"] for r in found if r["id"] == "iq.telegram-2023:leak-takedown")


@pytest.mark.parametrize("mapped", [True, False], ids=["docs-mapping", "plain-log"])
def test_int96_instants_give_the_figures_of_the_same_instants(tmp_path: Path,
                                                              mapped: bool) -> None:
    legacy = _figures(_pack(tmp_path / "int96", int96=True, mapped=mapped))
    zoned = _figures(_pack(tmp_path / "zoned", int96=False, mapped=mapped))
    assert legacy == zoned
    # 30 requests decided 20-27 h later, in turn: 20-24 h on time (20 of them), 25-27 late
    assert (legacy["events"], legacy["on_time"], legacy["late"]) == (30, 20, 10)

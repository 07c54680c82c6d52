"""Calendar months and years (docs/reference/calendar-months.md): the corresponding-date rule
with month-end clamping, the same in Python (``Duration.add_to``) and in DuckDB (deadlines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from packs import MODERATION, write_pack
from test_evaluators import requirement, run_rules

from audit.durations import parse_duration

D = dt.date


@pytest.mark.parametrize("start,period,end", [
    (D(2025, 7, 1), "6 months", D(2026, 1, 1)),     # the example: not 183 days
    (D(2025, 8, 31), "6 months", D(2026, 2, 28)),   # no 31 February: last day of the month
    (D(2023, 8, 31), "6 months", D(2024, 2, 29)),   # leap year: 29 February
    (D(2024, 1, 31), "1 month", D(2024, 2, 29)),
    (D(2025, 1, 31), "1 month", D(2025, 2, 28)),
    (D(2025, 3, 31), "1 month", D(2025, 4, 30)),
    (D(2024, 2, 29), "1 year", D(2025, 2, 28)),     # a year from a leap day
    (D(2024, 2, 29), "4 years", D(2028, 2, 29)),
    (D(2025, 12, 15), "24 months", D(2027, 12, 15)),
    (D(2025, 11, 30), "3 months", D(2026, 2, 28)),
])
def test_corresponding_date_rule(start: dt.date, period: str, end: dt.date) -> None:
    assert parse_duration(period).add_to(start) == end


@pytest.mark.parametrize("start,months", [
    ("2025-08-31", 6), ("2023-08-31", 6), ("2025-07-01", 6), ("2024-01-31", 1),
    ("2024-02-29", 12), ("2025-10-31", 4), ("2025-12-31", 2), ("2024-03-31", 11),
])
def test_duckdb_month_arithmetic_matches_python(start: str, months: int) -> None:
    """Deadlines run inside DuckDB: its DATE + INTERVAL n MONTH must follow the same rule."""
    got = duckdb.connect().execute(
        f"SELECT CAST(DATE '{start}' + INTERVAL {months} MONTH AS DATE)").fetchone()
    assert got is not None
    assert got[0] == parse_duration(f"{months} months").add_to(D.fromisoformat(start))


def test_longest_and_shortest_spans() -> None:
    assert parse_duration("6 months").longest_days() == 184   # 1 July -> 1 January
    assert parse_duration("6 months").shortest_days() == 181  # 31 Aug -> 28 Feb
    assert parse_duration("1 year").longest_days() == 366
    assert parse_duration("24 months").longest_days() == 731
    assert parse_duration("1 month").shortest_days() == 28
    assert parse_duration("180 days").longest_days() == 180


def test_month_deadline_ends_with_the_corresponding_local_day(tmp_path: Path) -> None:
    """6 months from 31 Aug 2025 (Brussels) ends at midnight after 28 Feb 2026, local time."""
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "within: 6 months, target: 1.0}")
    rows = [
        ["A", "2025-08-31T10:00:00+02:00", "2026-02-28T23:30:00+01:00"],  # last minutes: on time
        ["B", "2025-08-31T10:00:00+02:00", "2026-03-01T00:30:00+01:00"],  # next day: late
        ["C", "2025-07-01T09:00:00+02:00", "2026-01-01T20:00:00+01:00"],  # 1 Jan is the end day
        ["D", "2025-07-01T09:00:00+02:00", "2026-01-02T08:00:00+01:00"],  # 184 days later: late
        ["E", "2023-08-31T12:00:00+02:00", "2024-02-29T22:00:00+01:00"],  # leap year: on time
    ]
    full = [[r[0], r[1], r[2], "personal_data_leak", "authority", "removed", "BE"] for r in rows]
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, full)})
    results = run_rules(tmp_path, [requirement("m", rule)], pack, as_of="2026-06-30", jur="EU")
    figures = results["m"].finding.figures
    assert (figures["events"], figures["on_time"], figures["late"]) == (5, 3, 2)
    late = {row[0] for row in results["_assessment"].detail_rows("t.rules:m")}
    assert late == {"B", "D"}


@pytest.mark.parametrize("days,status", [(183, "partial"), (184, "met")])
def test_retention_in_days_against_calendar_months(tmp_path: Path, days: int, status: str) -> None:
    """183 days (the old encoding of '6 months') misses a log made on 1 July."""
    rule = ("{type: threshold, field: platform.retention.access_logs_days, op: gte, value: 6, "
            "unit: months, field_unit: days}")
    pack = write_pack(tmp_path / f"p{days}", platform={"name": "T", "users": {"BR": 1},
                                                       "retention": {"access_logs_days": days}})
    res = run_rules(tmp_path, [requirement("r", rule)], pack, jur="BR")["r"]
    assert res.status.value == status
    assert "6 months (184 days, the longest run of 6 months in the calendar)" in res.finding.summary


def test_field_unit_needs_a_period_unit(tmp_path: Path) -> None:
    from audit.checklists import validate_files
    from audit.plugins import get_registry

    mods = tmp_path / "bad"
    mods.mkdir()
    from test_evaluators import HEAD

    (mods / "t.yaml").write_text(HEAD.format(jur="BR") + requirement(
        "r", "{type: threshold, field: platform.retention.x, op: gte, value: 6, unit: TRY, "
             "field_unit: days}"), "utf-8")
    problems = [str(p) for p in validate_files([mods], get_registry())]
    assert len(problems) == 1 and "expected a period unit" in problems[0]

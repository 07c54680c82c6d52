"""Data-quality notes (audit/quality.py): each warning, in every report, and --strict."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from packs import MODERATION, moderation_rows, write_pack

import audit


def _codes(assessment: audit.Assessment) -> dict[str, audit.DataNote]:
    return {n.code: n for n in assessment.notes}


def _assess(pack: Path, *checklists: str, as_of: str = "2024-12-31") -> audit.Assessment:
    return audit.assess(pack, list(checklists or ["iq.telegram-2023"]), as_of=as_of)


def test_end_column_empty_in_every_judged_row(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION,
                                                           moderation_rows([None] * 5))})
    note = _codes(_assess(pack))["end-column-empty"]
    assert note.severity == "warning" and note.log == "moderation"
    assert note.requirement == "iq.telegram-2023:leak-takedown"
    assert note.message.startswith("The actioned_at column of the moderation log is empty in "
                                   "every row judged by iq.telegram-2023:leak-takedown")


def test_most_events_still_open(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION,
                                                           moderation_rows([1, None, None, None]))})
    a = _assess(pack)
    notes = _codes(a)
    assert "end-column-empty" not in notes
    assert notes["most-events-open"].message.startswith(
        "3 of 4 events judged by iq.telegram-2023:leak-takedown in the moderation log have no "
        "actioned_at (75.0 %, more than 50 %)")
    # at the limit (half open) there is no note: "most" means more than half
    pack = write_pack(tmp_path / "q", logs={"moderation": (MODERATION,
                                                           moderation_rows([1, 2, None, None]))})
    assert "most-events-open" not in _codes(_assess(pack))


def test_no_event_in_the_judged_period_while_events_exist_outside(tmp_path: Path) -> None:
    # every request predates the clock (in force from 2023-08-13)
    rows = moderation_rows([1, 2, 3], start="2023-01-05T00:00:00+03:00")
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    note = _codes(_assess(pack))["no-event-in-period"]
    assert "3 matching event(s) lie outside it" in note.message


def test_several_values_in_a_platform_column(tmp_path: Path) -> None:
    rows = [row + [platform] for row, platform in
            zip(moderation_rows([1, 2, 3, 4]), ["Test Messenger", "Other", "Other", "Third"],
                strict=True)]
    pack = write_pack(tmp_path / "p", logs={"moderation": ([*MODERATION, "platform_name"], rows)})
    note = _codes(_assess(pack))["several-platforms"]
    assert note.message.startswith("The platform_name column of the moderation log holds 3 "
                                   "different values (most rows: Other (2), Test Messenger (1), "
                                   "Third (1)) while the pack describes one platform, Test "
                                   "Messenger")
    one = [row + ["Test Messenger"] for row in moderation_rows([1, 2])]
    pack = write_pack(tmp_path / "q", logs={"moderation": ([*MODERATION, "platform_name"], one)})
    assert "several-platforms" not in _codes(_assess(pack))


def test_a_log_no_rule_reads_is_a_note_not_an_engine_error(tmp_path: Path, run) -> None:
    """Before: 'Parser Error: SELECT clause without selection list' from DuckDB."""
    pack = write_pack(tmp_path / "p", logs={
        "moderation": (MODERATION, moderation_rows([1, 2])),
        "moderation_2024": (MODERATION, moderation_rows([1])),  # misnamed: no rule reads it
        "breaches": (["incident_id", "occurred_at", "detected_at", "authority_notified_at",
                      "users_notified_at", "records_affected", "data_categories",
                      "countries"], [])})
    a = _assess(pack)
    unread = {n.log: n for n in a.notes if n.code == "log-not-read"}
    assert unread["moderation_2024"].severity == "warning"
    assert "not a standard table" in unread["moderation_2024"].message
    assert unread["breaches"].severity == "info"  # a standard table these rules do not judge
    assert a.logs["moderation_2024"]["rows"] == 1
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31")
    assert code == 0, err
    assert "[log-not-read]" in out and "Parser Error" not in err


def test_store_loads_a_log_without_needed_columns(tmp_path: Path) -> None:
    from audit.engine.duckdb_engine import DuckDBEngine

    path = tmp_path / "extra.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    store = DuckDBEngine()
    info = store.load("extra", path, "extra.csv", needed=set())
    assert info.rows == 2 and info.columns == []


def _day_clock_module(tmp_path: Path, jurisdiction: str, **rule: str) -> Path:
    module = {
        "schema_version": 1, "id": "own.days", "jurisdiction": jurisdiction, "title": "Days",
        "version": 1, "status": "in_force",
        "sources": [{"id": "src", "title": "A statute", "url": "https://example.org/s"}],
        "requirements": [{
            "id": "within-days", "area": "moderation", "title": "Within 2 days",
            "citation": {"source": "src", "article": "s. 1"}, "severity": "low",
            "rule": {"type": "deadline", "log": "moderation", "start": "received_at",
                     "end": "actioned_at", "within": "2 days", "target": 0.9, **rule},
            "remediation": "Be quicker."}]}
    path = tmp_path / f"{jurisdiction}.yaml"
    path.write_text(yaml.safe_dump(module), encoding="utf-8")
    return path


@pytest.mark.parametrize("jurisdiction, rule, expected", [
    ("US", {}, True),
    ("US", {"timezone": "America/New_York"}, False),
    ("IQ", {}, False),
    ("INTL", {}, False),
])
def test_day_clock_without_a_known_time_zone(tmp_path: Path, jurisdiction: str,
                                             rule: dict[str, str], expected: bool) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    module = _day_clock_module(tmp_path, jurisdiction, **rule)
    notes = _codes(_assess(pack, str(module)))
    assert ("clock-in-utc" in notes) is expected
    if expected:
        assert notes["clock-in-utc"].message.startswith(
            "No legal time zone is known for US, so the day-based clocks of own.days:within-days "
            "count days in UTC")


def test_hour_clocks_are_not_flagged(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    module = _day_clock_module(tmp_path, "US", within="24h")
    assert "clock-in-utc" not in _codes(_assess(pack, str(module)))


@pytest.fixture
def noted(tmp_path: Path) -> audit.Assessment:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION,
                                                           moderation_rows([None] * 3))})
    return _assess(pack)


def test_notes_show_in_console_markdown_and_json(noted: audit.Assessment) -> None:
    (note,) = noted.notes
    console = audit.render(noted, "console")
    assert "Data quality (1 note(s))" in console and f"warning [end-column-empty]: " \
        f"{note.message}" in console
    assert console.index("Data quality") < console.index("Gaps, worst first")
    markdown = audit.render(noted, "markdown")
    assert "## Data quality (1 note(s))" in markdown and "\\[end-column-empty]" in markdown
    result = json.loads(audit.render(noted, "json"))
    assert result["notes"] == [{"code": "end-column-empty", "message": note.message,
                                "severity": "warning", "log": "moderation",
                                "requirement": "iq.telegram-2023:leak-takedown"}]


def test_notes_get_a_data_quality_sheet(noted: audit.Assessment, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    audit.write(noted, tmp_path / "gaps.xlsx")
    wb = load_workbook(tmp_path / "gaps.xlsx")
    ws = wb["Data quality"]
    assert [c.value for c in ws[2]] == ["severity", "code", "log", "requirement", "note"]
    assert [c.value for c in ws[3]] == ["warning", "end-column-empty", "moderation",
                                        "iq.telegram-2023:leak-takedown", noted.notes[0].message]


def test_no_notes_no_section_and_the_sheet_holds_only_the_ledger(tmp_path: Path) -> None:
    """Issue 23 changed this: the Data quality sheet also carries the row ledger, so a run
    that read logs has the sheet even without a note (and a run without logs has none)."""
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    a = _assess(pack)
    assert a.notes == []
    assert "Data quality" not in audit.render(a, "console")
    buffer = io.BytesIO()
    audit.write(a, buffer, format="xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(buffer)["Data quality"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)]
    # no note (a note's code column holds its code; the ledger's says "row ledger")
    assert [r for r in rows if r[1] not in (None, "", "row ledger")] == []
    assert ("", "row ledger", "moderation", "", "2 rows read from 1 file; 2 rows in the table") \
        in [tuple(v if v is not None else "" for v in r) for r in rows]
    no_logs = write_pack(tmp_path / "q")
    buffer = io.BytesIO()
    audit.write(_assess(no_logs), buffer, format="xlsx")
    assert "Data quality" not in load_workbook(buffer).sheetnames


def test_strict_turns_a_warning_into_exit_1(run, tmp_path: Path) -> None:
    bad = write_pack(tmp_path / "bad", logs={"moderation": (MODERATION,
                                                            moderation_rows([None] * 3))})
    code, out, err = run("assess", bad, "-c", "iq.telegram-2023", "--as-of", "2024-12-31")
    assert code == 0, err  # without --strict a note changes nothing in the exit status
    code, out, err = run("assess", bad, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--strict")
    assert code == 1
    assert err.startswith("audit: gate failed: --strict and 1 data-quality warning(s), first: "
                          "The actioned_at column")
    # an info note (a standard log the checklist does not judge) does not fail --strict
    info = write_pack(tmp_path / "info", logs={
        "moderation": (MODERATION, moderation_rows([1, 2])),
        "breaches": (["incident_id", "occurred_at", "detected_at", "authority_notified_at",
                      "users_notified_at", "records_affected", "data_categories",
                      "countries"], [])})
    code, out, err = run("assess", info, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--strict")
    assert code == 0, err
    assert "info [log-not-read]" in out


def test_count_rules_take_a_time_zone_too(tmp_path: Path) -> None:
    """A count rule's periods are days: flagged in an unknown zone, quiet once it names one."""
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    module = _day_clock_module(tmp_path, "US")
    data = yaml.safe_load(module.read_text())
    rule = {"type": "count", "log": "moderation", "date": "received_at", "every": "1 year"}
    data["requirements"][0]["rule"] = rule
    module.write_text(yaml.safe_dump(data))
    assert "clock-in-utc" in _codes(_assess(pack, str(module)))
    data["requirements"][0]["rule"] = dict(rule, timezone="America/Chicago")
    module.write_text(yaml.safe_dump(data))
    assert "clock-in-utc" not in _codes(_assess(pack, str(module)))


def test_rules_filtered_to_one_platform_are_not_flagged(tmp_path: Path) -> None:
    rows = [row + [platform] for row, platform in
            zip(moderation_rows([1, 2, 3]), ["Test Messenger", "Other", "Other"], strict=True)]
    pack = write_pack(tmp_path / "p", logs={"moderation": ([*MODERATION, "platform_name"], rows)})
    overlay = {
        "schema_version": 1, "id": "own.one-platform", "extends": "iq.telegram-2023",
        "jurisdiction": "IQ", "title": "One platform", "version": 1, "status": "practice",
        "sources": [], "requirements": [],
        "overrides": [{"id": "leak-takedown", "rule": {
            "type": "deadline", "log": "moderation", "start": "received_at",
            "end": "actioned_at", "where": {"platform_name": "Test Messenger"},
            "versions": [{"from": "2023-08-13", "within": "24h", "target": 0.95}]}}]}
    module = tmp_path / "overlay.yaml"
    module.write_text(yaml.safe_dump(overlay), encoding="utf-8")
    a = _assess(pack, str(module))
    assert "several-platforms" not in _codes(a)
    leak = next(r for r in a.results if r.requirement.id == "leak-takedown")
    assert leak.finding.figures["events"] == 1

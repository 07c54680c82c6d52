"""The row ledger (audit/ledger.py): every row read is accounted for, per table and per rule,
the parts add up exactly, and every report says so in words (issue 23)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packs import MODERATION, moderation_rows, write_pack
from test_ledger_sums import EXAMPLE, assert_ledger_holds

import audit
from audit.i18n import use_language
from audit.ledger import (
    Ledger,
    RuleLedger,
    SetAside,
    ledger_dict,
    rule_words,
    scope_text,
    table_ledger,
    table_words,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "data-quality.md"
BREACHES = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
            "users_notified_at", "records_affected", "data_categories", "countries"]


def _breach(i: int, detected: str, notified: str, countries: str = "FR") -> list[str]:
    return [f"B-{i:02d}", "2024-01-01T00:00:00+01:00", detected, notified, "", "10",
            "contact", countries]


# -- the worked example of docs/data-quality.md --------------------------------------------

def _doc_block(kind: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- ledger:" + kind + r"[^>]*-->\n```[a-z]*\n(.*?)```", text, re.S)
    assert found, kind
    return found.group(1)


def test_the_worked_example_shows_the_fixture() -> None:
    assert _doc_block("file") == (EXAMPLE / "logs" / "breaches.csv").read_text("utf-8")


def test_the_worked_example_runs_as_the_page_says(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    words = _doc_block("run").split()
    assert words[:2] == ["audit", "assess"]
    code, out, err = run(*words[1:])
    assert code == 0, err
    printed = out.splitlines()
    for line in filter(None, _doc_block("output").splitlines()):
        assert line in printed, (line, printed)
    assert "Verdict: NON-COMPLIANT, 1 data warning (" in out
    code, out, err = run(*words[1:], "--format", "json")
    result = json.loads(out)
    assert_ledger_holds(result, EXAMPLE)
    (rule,) = [r for r in result["ledger"]["rules"]
               if r["requirement"] == "eu.gdpr:breach-notice-authority"]
    assert (rule["rows"], rule["out_of_scope"], rule["outside_period"], rule["no_start"],
            rule["pending"], rule["judged"]) == (9, 1, 1, 1, 1, 5)
    assert rule["first_without_start"] == [5] and rule["confidence"] == "reduced"
    code, _out, err = run(*words[1:], "--strict")
    assert code == 1
    assert err.startswith("audit: gate failed: --strict and 1 data-quality warning(s), first: "
                          "1 row of the breaches log selected by "
                          "eu.gdpr:breach-notice-authority has no usable detected_at")


# -- a blank start is counted, noted, and fails --strict -----------------------------------

def test_a_blank_start_is_no_longer_outside_the_period(tmp_path: Path) -> None:
    rows = [_breach(1, "2024-03-01T10:00:00+01:00", "2024-03-02T10:00:00+01:00"),
            _breach(2, "", "2024-03-05T10:00:00+01:00"),
            _breach(3, "", "")]
    pack = write_pack(tmp_path / "p", platform={"name": "X", "users": {"EU": 10}},
                      logs={"breaches": (BREACHES, rows)})
    a = audit.assess(pack, ["eu.gdpr"], as_of="2024-12-31")
    finding = next(r for r in a.results
                   if r.requirement.full_id == "eu.gdpr:breach-notice-authority").finding
    assert finding.figures["outside_period"] == 0 and finding.figures["without_start"] == 2
    assert "2 matching event(s) without a usable detected_at were not judged" in finding.summary
    (rule,) = a.ledger.for_requirement("eu.gdpr:breach-notice-authority")
    assert rule_words(rule) == ("3 rows read; 2 without a usable detected_at, not judged; "
                                "1 judged")
    (note,) = [n for n in a.notes if n.code == "rows-without-start"]
    assert note.severity == "warning" and note.log == "breaches"
    assert "2 rows of the breaches log" in note.message and "data row(s) 2, 3" in note.message


def test_a_count_rule_counts_rows_without_a_date(tmp_path: Path) -> None:
    """A count rule's date that is not a date left the count silently; now it is a part."""
    from audit.engine.duckdb_engine import DuckDBEngine
    from audit.logs.metrics import count_periods

    path = tmp_path / "reports.csv"
    path.write_text("report_id,published,kind\nA,2024-03-01,annual\nB,,annual\n"
                    "C,not a date,annual\nD,2023-01-01,annual\nE,2024-06-01,other\n", "utf-8")
    store = DuckDBEngine()
    store.load("reports", path, "logs/reports.csv")
    import datetime as dt

    found = count_periods(store, "reports", "published", {"kind": "annual"},
                          [(dt.date(2024, 1, 1), dt.date(2024, 12, 31))])
    assert (found.rows, found.out_of_scope, found.no_date, found.outside, found.counts) == (
        5, 1, 2, 1, [1])
    assert found.first_undated == (2, 3)
    # once the log is validated only the selected rows are read: the same ledger
    assert count_periods(store, "reports", "published", {"kind": "annual"},
                         [(dt.date(2024, 1, 1), dt.date(2024, 12, 31))]) == found


def test_a_count_rules_finding_names_the_undated_rows(tmp_path: Path) -> None:
    module = tmp_path / "reports.yaml"
    module.write_text("""\
schema_version: 1
id: xx.reports
jurisdiction: GB
title: "Test: one transparency report a year"
version: 1
status: in_force
language: en
sources:
  - {id: src, title: "A test source", url: "https://example.org/"}
requirements:
  - id: yearly-report
    area: transparency
    title: Publish a transparency report every year
    citation: {source: src, article: "s. 1"}
    severity: medium
    rule: {type: count, log: breaches, date: detected_at, every: 1 year, label: breaches}
    remediation: Publish one.
""", "utf-8")
    pack = write_pack(tmp_path / "p", logs={"breaches": (BREACHES, [
        _breach(1, "2024-03-01T10:00:00+00:00", ""), _breach(2, "", ""),
        _breach(3, "2025-02-01T10:00:00+00:00", "")])})
    a = audit.assess(pack, [str(module)], as_of="2024-12-31")
    (result,) = a.results
    assert result.finding.summary.endswith("; 1 row(s) without a usable detected_at were not "
                                           "counted")
    (rule,) = a.ledger.rules
    assert (rule.rows, rule.no_start, rule.outside_period, rule.judged) == (3, 1, 1, 1)
    (note,) = [n for n in a.notes if n.severity == "warning"]
    assert note.code == "rows-without-start" and "first at data row(s) 2)" in note.message


# -- the verdict line ----------------------------------------------------------------------

def test_nothing_applicable_is_not_assessed_never_compliant(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", platform={"name": "Local only", "users": {"BR": 5, "US-CO": 0}})
    module = ROOT / "tests" / "data" / "byod" / "checklists" / "us-co.breach-notice.yaml"
    code, out, err = run("assess", pack, "-c", module, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert {r["status"] for r in result["requirements"]} == {"not_applicable"}
    assert result["verdict"] == "not_assessed"
    code, out, _err = run("assess", pack, "-c", module)
    assert "Verdict: NOT ASSESSED (no requirement applies to this platform)" in out
    assert "COMPLIANT" not in out.replace("NOT ASSESSED", "")


def test_the_verdict_carries_the_warnings_and_names_the_blockers(tmp_path: Path) -> None:
    rows = [row + [p] for row, p in zip(moderation_rows([1, 2, 3]), ["Test Messenger", "B", "C"],
                                        strict=True)]
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION + ["platform_name"], rows)})
    a = audit.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    assert [n.code for n in a.notes if n.severity == "warning"] == ["several-platforms"]
    text = audit.render(a, "console")
    verdict = next(line for line in text.splitlines() if line.startswith("Verdict: "))
    assert verdict.startswith(f"Verdict: {a.verdict.value.upper().replace('_', ' ')}"
                              .replace("NON ", "NON-") + ", 1 data warning")
    blockers = [r.requirement.full_id for r in a.results
                if r.requirement.severity.value == "critical"
                and r.status.value in ("not_met", "no_evidence")]
    assert blockers and all(b in verdict for b in blockers)


# -- every report says it in words ---------------------------------------------------------

def test_every_report_words_the_ledger(tmp_path: Path) -> None:
    rows = moderation_rows([1, 2]) + moderation_rows([3], category="spam")
    rows[2][0] = "R09999"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    a = audit.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    (rule,) = a.ledger.for_requirement("iq.telegram-2023:leak-takedown")
    words = rule_words(rule)
    assert words.startswith("3 rows read; 1 outside the rule's scope (category=")
    assert words.endswith("; 2 judged")
    table = table_words(a.ledger.tables[0])
    assert table == "3 rows read from 1 file; 3 rows in the table"
    for fmt in ("console", "markdown", "html"):
        assert words in audit.render(a, fmt) or words.replace("'", "&#39;") in audit.render(
            a, fmt), fmt
    junit = ET.fromstring(audit.render(a, "junit"))
    outs = [c.findtext("system-out") or "" for c in junit.iter("testcase")
            if c.get("name") == "iq.telegram-2023:leak-takedown"]
    assert outs and words in outs[0]
    buffer = io.BytesIO()
    audit.write(a, buffer, format="xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(buffer)["Data quality"]
    assert words in [c.value for row in sheet.iter_rows() for c in row]
    result = json.loads(audit.render(a, "json"))
    assert_ledger_holds(result, pack)


def test_the_words_are_translated() -> None:
    rule = RuleLedger("m:r", "deadline", "breaches", 40, 0, 0, 1, 39, start="detected_at")
    with use_language("en"):
        english = rule_words(rule)
    assert english == "40 rows read; 1 without a usable detected_at, not judged; 39 judged"
    for language in ("ar", "tr"):
        with use_language(language):
            assert rule_words(rule) != english, language


# -- a mapping's set-aside rows (recorded by the mapping layer) ----------------------------

def test_a_tables_ledger_reads_what_the_mapping_set_aside(tmp_path: Path) -> None:
    from audit.engine.duckdb_engine import DuckDBEngine

    from audit.quality import ledger_notes

    path = tmp_path / "moderation.csv"
    path.write_text("\n".join(",".join(r) for r in [MODERATION, *moderation_rows([1, 2])]),
                    "utf-8")
    store = DuckDBEngine()
    info = store.load("moderation", path, "logs/moderation.csv")
    info.extra["set_aside"] = [
        {"stage": "where", "detail": "platform_name = TikTok", "rows": 7, "first_rows": [1]},
        {"stage": "duplicate", "detail": "uuid", "rows": 1, "first_rows": [9]},
        {"stage": "unreadable", "detail": "orders", "rows": 2, "first_rows": [4, 6]}]
    store.ensure_valid("moderation")
    t = table_ledger("moderation", ["a.csv", "b.csv"], info.rows, info.extra["set_aside"])
    assert (t.read, t.rows) == (12, 2)
    assert table_words(t) == ("12 rows read from 2 files; 7 removed by the mapping's where "
                              "(platform_name = TikTok); 1 duplicate(s) removed (uuid); 2 with "
                              "an unreadable orders, set aside; 2 rows in the table")
    (note,) = ledger_notes(Ledger((t,), ()))
    assert note.code == "rows-unreadable" and note.severity == "warning"
    assert "2 rows of the moderation log" in note.message and "4, 6" in note.message
    absent = table_ledger("moderation", ["a.csv"], 2, None)
    assert absent.set_aside == () and absent.read == 2


def test_an_unbalanced_ledger_is_a_warning() -> None:
    from audit.quality import ledger_notes

    wrong = RuleLedger("m:r", "share", "moderation", 10, 2, 0, 0, 7)
    assert not wrong.balanced
    (note,) = ledger_notes(Ledger((), (wrong,)))
    assert note.code == "ledger-unbalanced" and note.severity == "warning"


# -- properties ----------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**9)


@given(counts, counts, counts, counts, counts, counts)
def test_a_rule_ledger_balances_exactly_when_its_parts_sum_to_its_rows(
        scope: int, period: int, no_start: int, pending: int, judged: int, extra: int) -> None:
    rows = scope + period + no_start + pending + judged
    good = RuleLedger("m:r", "deadline", "x", rows, scope, period, no_start, judged, pending)
    assert good.balanced and Ledger((), (good,)).balanced
    assert RuleLedger("m:r", "deadline", "x", rows + extra + 1, scope, period, no_start,
                      judged, pending).balanced is False
    assert good.confidence == ("reduced" if no_start else "full")


records = st.fixed_dictionaries(
    {"stage": st.sampled_from(["where", "duplicate", "unreadable"]), "detail": st.text(),
     "rows": counts, "first_rows": st.lists(st.integers(min_value=1, max_value=10**6),
                                            max_size=5)})


@given(st.lists(records, max_size=6), counts)
def test_set_aside_records_read_back_as_the_json_carries_them(
        recorded: list[dict[str, Any]], rows: int) -> None:
    t = table_ledger("x", ["f"], rows, recorded)
    assert t.read == rows + sum(r["rows"] for r in recorded) and t.balanced
    assert [SetAside.from_record(r) for r in recorded] == list(t.set_aside)
    (table,) = ledger_dict(Ledger((t,), ()))["tables"]
    assert table["set_aside"] == recorded and table["read"] == t.read


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                       st.one_of(st.text("abc XYZ", max_size=8), st.lists(st.text("abc", max_size=4), max_size=9),
                                 st.fixed_dictionaries({"contains_any": st.lists(
                                     st.text("abc", max_size=4), max_size=9)})), max_size=3))
def test_scope_text_names_every_column_and_cuts_long_lists(where: dict[str, Any]) -> None:
    text = scope_text(where)
    assert all(column in text for column in where)
    assert text.count("values)") == sum(
        1 for v in where.values()
        if len(v if isinstance(v, list) else v.get("contains_any", []) if isinstance(v, dict)
               else []) > 5)


# a moderation row: category in or out of the rule's scope, start blank / before the rule /
# in the period / after the as-of date, end blank or some hours later
events = st.lists(st.tuples(st.booleans(), st.sampled_from(["", "before", "in", "after"]),
                            st.one_of(st.none(), st.integers(0, 100))), max_size=30)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events)
def test_the_deadline_scan_accounts_for_every_row(tmp_path_factory: pytest.TempPathFactory,
                                                  rows: list[tuple[bool, str, int | None]]
                                                  ) -> None:
    """Random logs: each part the scan counts is the rows Python counts for it, the parts sum
    to the log's rows, and a second scan of the validated log gives the same ledger."""
    import datetime as dt

    from audit.durations import parse_duration
    from audit.engine.duckdb_engine import DuckDBEngine
    from audit.logs.metrics import DeadlineSpec, measure_deadline

    starts = {"before": dt.datetime(2023, 1, 5, 12), "in": dt.datetime(2024, 3, 1, 12),
              "after": dt.datetime(2025, 6, 1, 12)}
    lines = [MODERATION]
    for i, (leak, when, hours) in enumerate(rows):
        start = starts.get(when)
        stamp = "" if start is None else (start + dt.timedelta(hours=i)).isoformat() + "+03:00"
        end = ("" if start is None or hours is None else
               (start + dt.timedelta(hours=i + hours)).isoformat() + "+03:00")
        lines.append([f"R{i:03d}", stamp, end, "personal_data_leak" if leak else "spam",
                      "authority", "closed", "IQ"])
    path = tmp_path_factory.mktemp("log") / "moderation.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(lines)
    store = DuckDBEngine()
    store.load("moderation", path, "logs/moderation.csv")
    spec = DeadlineSpec("moderation", {"category": "personal_data_leak"}, "received_at",
                        "actioned_at", [(dt.date(2023, 8, 13), None, parse_duration("24h"), 0.9)],
                        "IQ", None, dt.date(2024, 12, 31), "r", "Asia/Baghdad")
    first = measure_deadline(store, spec)
    leaks = [r for r in rows if r[0]]
    assert first.rows == len(rows)
    assert first.out_of_scope == len(rows) - len(leaks)
    assert first.no_start == sum(1 for r in leaks if r[1] == "")
    assert first.outside == sum(1 for r in leaks if r[1] in ("before", "after"))
    assert first.total + first.pending == sum(1 for r in leaks if r[1] == "in")
    assert (first.out_of_scope + first.outside + first.no_start + first.pending + first.total
            == first.rows)
    blank = [i + 1 for i, r in enumerate(rows) if r[0] and r[1] == ""][:5]
    assert list(first.first_without_start) == blank
    again = measure_deadline(store, spec)  # validated: only the selected rows are read
    assert (again.rows, again.out_of_scope, again.no_start, again.outside, again.total) == (
        first.rows, first.out_of_scope, first.no_start, first.outside, first.total)

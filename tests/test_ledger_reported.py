"""The row ledger of ``reported`` rules: every row of the ``reported`` table in one part
(outside the rule's scope, outside the period, set aside by a named reason, judged), adding
up exactly, in the JSON result and in words in every report (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_reported import COUNTED, NINE_MONTHS, module  # noqa: F401  (the fixture)

from audit.ledger import Ledger, RuleLedger, ledger_dict, rule_words

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "byod"
EFFECT = "orders_median_hours_to_effect"
RECEIPT = "orders_median_hours_to_confirm_receipt"


def _parts(rule: dict[str, Any]) -> dict[str, int]:
    """A JSON ledger rule's parts, its named set-asides by reason."""
    return {"out_of_scope": rule["out_of_scope"], "outside_period": rule["outside_period"],
            "no_start": rule["no_start"], "pending": rule["pending"],
            **{o["reason"]: o["rows"] for o in rule["other_set_aside"]},
            "judged": rule["judged"]}


def _reported_ledger(tmp_path: Path, rows: list[list], rule: dict, module,
                     as_of: str = "2024-12-31") -> tuple[Any, RuleLedger]:
    from packs import write_pack

    from audit.testing import run_assessment

    pack = write_pack(tmp_path / "p", platform={"name": "P"},
                      logs={"reported": (COUNTED, rows)})
    result = run_assessment([pack], [module(rule)], as_of, "weighted", False)
    (part,) = result.ledger.rules
    assert result.ledger.balanced
    return result.results[0].finding, part


# -- the DSA harmonised-template walk-through (docs/bringing-your-own-data.md) --------------

@pytest.fixture
def template_json(run, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(DATA)
    code, out, err = run("assess", "dsa-template", "--checklist",
                         "checklists/eu.dsa-orders-reported.yaml", "--as-of", "2026-02-28",
                         "--format", "json")
    assert code in (0, 1), err
    result: dict[str, Any] = json.loads(out)
    return result


def test_the_harmonised_template_rows_are_each_accounted_for(template_json) -> None:
    ledger = template_json["ledger"]
    assert ledger["balanced"] is True
    (table,) = ledger["tables"]
    # six rows per mapping, the TOTAL row removed by each mapping's where: 5 + 5 in the table
    assert (table["log"], table["read"], table["rows"]) == ("reported", 12, 10)
    rules = {r["scope"]: r for r in ledger["rules"]}
    for measure in (EFFECT, RECEIPT):
        r = rules[f"measure={measure}"]
        assert r["rule"] == "reported" and r["rows"] == 10
        # the other measure's five rows; Italy and Spain received no orders; three judged
        assert _parts(r) == {"out_of_scope": 5, "outside_period": 0, "no_start": 0,
                             "pending": 0, "no_events": 2, "other_periods": 0,
                             "unreadable": 0, "judged": 3}
        assert sum(_parts(r).values()) == r["rows"] == table["rows"]
    findings = {f["id"]: f["figures"] for f in template_json["requirements"]}
    for r in ledger["rules"]:
        figures = findings[r["requirement"]]
        assert figures["figures"] == r["judged"]
        assert figures["no_events"] == dict(_parts(r))["no_events"]


def test_the_harmonised_template_ledger_in_words_in_every_report(
        run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(DATA)
    words = (f"10 rows read; 5 outside the rule's scope (measure={EFFECT}); 2 over no events "
             "(count 0 or empty), not judged; 3 judged")
    args = ["assess", "dsa-template", "--checklist", "checklists/eu.dsa-orders-reported.yaml",
            "--as-of", "2026-02-28"]
    code, out, err = run(*args)
    assert code in (0, 1), err
    assert words in out
    for fmt in ("markdown", "junit"):
        target = tmp_path / f"report.{fmt}"
        code, _out, err = run(*args, "--format", fmt, "-o", str(target))
        assert code in (0, 1), err
        text = target.read_text("utf-8")
        assert words in text, fmt


# -- a zero-order table, periods, lookback, sums, unreadable figures ------------------------

ZERO = [["e/IT", "2024-01-01", "2024-06-30", "effect", "0", "hours", "IT", "0"],
        ["e/ES", "2024-01-01", "2024-06-30", "effect", "0", "hours", "ES", "0"],
        ["e/PT", "2024-07-01", "2024-12-31", "effect", "0", "hours", "PT", ""],
        ["r/IT", "2024-01-01", "2024-06-30", "receipt", "0", "hours", "IT", "0"]]


def test_a_table_of_zero_orders_judges_nothing_and_says_so(tmp_path: Path,
                                                           module) -> None:
    finding, part = _reported_ledger(tmp_path, ZERO, {"type": "reported", "measure": "effect",
                                                      "max": "24h"}, module)
    assert finding.status.value == "no_evidence"
    assert (part.rows, part.out_of_scope, part.outside_period, part.judged) == (4, 1, 0, 0)
    assert dict(part.other_set_aside)["no_events"] == 3 == finding.figures["no_events"]
    assert part.balanced and part.accounted == 4
    assert rule_words(part) == ("4 rows read; 1 outside the rule's scope (measure=effect); "
                                "3 over no events (count 0 or empty), not judged; 0 judged")


def test_periods_the_as_of_date_and_the_lookback_each_have_their_part(
        tmp_path: Path, module) -> None:
    rows = [*NINE_MONTHS,
            ["o/Q4", "2024-10-01", "2024-12-31", "orders", "11", "count", "FR", ""],
            ["o/Q1-25", "2025-01-01", "2025-03-31", "orders", "14", "count", "FR", ""],
            ["o/Q1-22", "2022-01-01", "2022-03-31", "orders", "3", "count", "FR", ""],
            ["o/bad", "2024-01-01", "2024-03-31", "orders", "many", "count", "DE", ""]]
    rule = {"type": "reported", "measure": "orders", "min": 10, "period": "quarter",
            "lookback": "1 year"}
    finding, part = _reported_ledger(tmp_path, rows, rule, module)
    # 2025 ends after the as-of date, 2022 before the lookback: outside the period
    assert (part.rows, part.out_of_scope, part.outside_period) == (8, 0, 2)
    assert dict(part.other_set_aside) == {"no_events": 0, "other_periods": 1, "unreadable": 1}
    assert part.judged == 4 == finding.figures["figures"]
    assert finding.figures["unreadable"] == 1 and finding.figures["other_periods"] == 1
    assert part.accounted == part.rows
    assert "1 of another period length, not judged" in rule_words(part)
    assert "1 without a readable number, unit or period, not judged" in rule_words(part)


def test_a_sum_counts_every_row_it_adds_up(tmp_path: Path, module) -> None:
    rows = [*NINE_MONTHS[:3],
            ["o/DE1", "2024-01-01", "2024-03-31", "orders", "2", "count", "DE", ""],
            ["o/DE2", "2024-04-01", "2024-06-30", "orders", "1", "", "DE", ""],
            ["x/DE", "2024-04-01", "2024-06-30", "other", "1", "", "DE", ""]]
    finding, part = _reported_ledger(tmp_path, rows, {"type": "reported", "measure": "orders",
                                                      "max": 30, "sum": ["country"]}, module)
    assert finding.figures["figures"] == 2  # two sums ...
    assert (part.rows, part.out_of_scope, part.judged) == (6, 1, 5)  # ... of five rows


# -- the ledger object ----------------------------------------------------------------------

def test_named_set_asides_count_in_the_sum_and_in_the_json() -> None:
    part = RuleLedger("t.r", "reported", "reported", 9, 2, 1, 0, 3,
                      other_set_aside=(("no_events", 2), ("other_periods", 1),
                                       ("unreadable", 0)))
    assert part.accounted == 9 and part.balanced
    assert not RuleLedger("t.r", "reported", "reported", 9, 2, 1, 0, 3).balanced
    (rule,) = ledger_dict(Ledger(rules=(part,)))["rules"]
    assert rule["other_set_aside"] == [{"reason": "no_events", "rows": 2},
                                       {"reason": "other_periods", "rows": 1},
                                       {"reason": "unreadable", "rows": 0}]
    # a reason with no rows is not worded; the judged rows always are
    assert rule_words(part).endswith("2 over no events (count 0 or empty), not judged; 1 of "
                                     "another period length, not judged; 3 judged")

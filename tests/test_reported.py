"""The ``reported`` rule: aggregate figures judged as reported by the platform."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPORTED = ["figure_id", "period_start", "period_end", "measure", "value", "unit", "country"]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a one-requirement module with the given rule and register it for the test."""
    import sys

    def _module(rule: dict) -> str:
        folder = tmp_path / "mods"
        folder.mkdir(exist_ok=True)
        doc = {"schema_version": 1, "id": "test.reported", "jurisdiction": "EU",
               "title": "Reported figures", "version": 1, "status": "practice",
               "sources": [{"id": "dsa", "title": "Regulation (EU) 2022/2065",
                            "url": "https://eur-lex.europa.eu/eli/reg/2022/2065/oj"}],
               "requirements": [{"id": "figure", "area": "law_enforcement", "title": "A figure",
                                 "citation": {"source": "dsa", "article": "Art. 15(1)(a)"},
                                 "severity": "medium", "rule": rule,
                                 "remediation": "Act faster."}]}
        (folder / "test.reported.yaml").write_text(yaml.safe_dump(doc), "utf-8")
        plugin = tmp_path / "reported_test_plugin.py"
        plugin.write_text("from pathlib import Path\nfrom audit import hookimpl\n\n@hookimpl\n"
                          "def audit_register_checklists(registry):\n"
                          f"    registry.add_checklists(Path({str(folder)!r}))\n", "utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        sys.modules.pop("reported_test_plugin", None)
        monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "reported_test_plugin")
        return "test.reported"

    return _module


def assess(tmp_path: Path, rows: list[list], rule: dict, module, as_of: str = "2024-12-31"):
    from packs import write_pack

    from audit.testing import run_assessment

    pack = write_pack(tmp_path / "p", platform={"name": "P"},
                      logs={"reported": (REPORTED, rows)})
    result = run_assessment([pack], [module(rule)], as_of, "weighted", False)
    return result.results[0].finding


def test_median_time_against_a_clock_says_as_reported(tmp_path: Path, module) -> None:
    rows = [["e/FR", "2024-01-01", "2024-06-30", "effect", "18", "hours", "FR"],
            ["e/DE", "2024-01-01", "2024-06-30", "effect", "1.5", "days", "DE"],
            ["other", "2024-01-01", "2024-06-30", "receipt", "90", "hours", "DE"]]
    finding = assess(tmp_path, rows, {"type": "reported", "measure": "effect", "max": "24h",
                                      "label": "median time to give effect"}, module)
    assert finding.status.value == "partial"
    assert finding.score == 0.5
    assert finding.summary == (
        "As reported by the platform (not measured from events): 1 of 2 reported figure(s) of "
        "median time to give effect within 24 h (DE 2024-01-01 to 2024-06-30: 36 h; FR "
        "2024-01-01 to 2024-06-30: 18 h)")
    assert finding.figures["source"] == "reported by the platform"
    assert finding.proof[0].detail == "as reported by the platform"


def test_share_within_against_a_target_in_percent(tmp_path: Path, module) -> None:
    rows = [["s/H1", "2024-01-01", "2024-06-30", "share_24h", "93", "percent", ""],
            ["s/H2", "2024-07-01", "2024-12-31", "share_24h", "97.5", "percent", ""]]
    finding = assess(tmp_path, rows, {"type": "reported", "measure": "share_24h", "min": 0.95,
                                      "unit": "share"}, module)
    assert finding.status.value == "partial"
    assert "1 of 2 reported figure(s) of share 24h at least 95.0% (2024-01-01 to 2024-06-30: " \
           "93.0%; 2024-07-01 to 2024-12-31: 97.5%)" in finding.summary


def test_count_per_period_with_lookback(tmp_path: Path, module) -> None:
    rows = [["c/2023", "2023-01-01", "2023-12-31", "orders", "2", "count", "FR"],
            ["c/2024", "2024-01-01", "2024-12-31", "orders", "5", "count", "FR"]]
    finding = assess(tmp_path, rows, {"type": "reported", "measure": "orders", "min": 3,
                                      "lookback": "1 year", "where": {"country": "FR"}}, module)
    assert finding.status.value == "met"
    assert finding.figures["figures"] == 1  # 2023 ended before the one-year lookback


def test_period_after_the_as_of_date_is_not_judged(tmp_path: Path, module) -> None:
    rows = [["c/2025", "2025-01-01", "2025-06-30", "orders", "5", "count", "FR"]]
    finding = assess(tmp_path, rows, {"type": "reported", "measure": "orders", "min": 1},
                     module)
    assert finding.status.value == "no_evidence"
    assert "reported no figure of orders" in finding.summary


def test_unreadable_figure_needs_review_not_a_guess(tmp_path: Path, module) -> None:
    rows = [["x", "2024-01-01", "2024-06-30", "effect", "n/a", "hours", "FR"],
            ["y", "2024-01-01", "2024-06-30", "effect", "3", "fortnights", "DE"]]
    finding = assess(tmp_path, rows, {"type": "reported", "measure": "effect", "max": "24h"},
                     module)
    assert finding.status.value == "manual_review"
    assert finding.summary.startswith("As reported by the platform: 2 figures of effect have "
                                      "no readable number, unit or period")


def test_rule_parameters_are_validated(run, tmp_path: Path) -> None:
    doc = {"schema_version": 1, "id": "bad.reported", "jurisdiction": "EU", "title": "x",
           "version": 1, "status": "practice",
           "sources": [{"id": "s", "title": "t", "url": "https://example.org/"}],
           "requirements": [{"id": "r", "area": "transparency", "title": "t",
                             "citation": {"source": "s", "article": "1"}, "severity": "low",
                             "remediation": "x",
                             "rule": {"type": "reported", "measure": "m", "max": "soon",
                                      "min": 2}}]}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    code, _out, err = run("checklists", "validate", path)
    assert code == 2
    assert "requirements[0].rule: give exactly one of 'max' or 'min'" in err


# -- aggregates read as what they mean (issue 23) -----------------------------------------

COUNTED = [*REPORTED, "count"]


def assess_counted(tmp_path: Path, rows: list[list], rule: dict, module,
                   as_of: str = "2024-12-31"):
    from packs import write_pack

    from audit.testing import run_assessment

    pack = write_pack(tmp_path / "p", platform={"name": "P"},
                      logs={"reported": (COUNTED, rows)})
    return run_assessment([pack], [module(rule)], as_of, "weighted", False).results[0].finding


def test_a_median_over_no_orders_is_not_evidence_of_speed(tmp_path: Path, module) -> None:
    rows = [["e/FR", "2024-01-01", "2024-06-30", "effect", "20", "hours", "FR", "12"],
            ["e/IT", "2024-01-01", "2024-06-30", "effect", "0", "hours", "IT", "0"],
            ["e/ES", "2024-01-01", "2024-06-30", "effect", "0", "hours", "ES", ""]]
    finding = assess_counted(tmp_path, rows, {"type": "reported", "measure": "effect",
                                              "max": "24h"}, module)
    assert finding.status.value == "met"
    assert finding.figures["figures"] == 1 and finding.figures["no_events"] == 2
    assert finding.summary.endswith("; 2 figures over no events (count 0 or empty) not "
                                    "judged: their values say nothing of speed")


def test_only_medians_over_no_orders_give_no_evidence_not_met(tmp_path: Path, module) -> None:
    rows = [["e/IT", "2024-01-01", "2024-06-30", "effect", "0", "hours", "IT", "0"],
            ["e/ES", "2024-01-01", "2024-06-30", "effect", "0", "hours", "ES", "0"]]
    finding = assess_counted(tmp_path, rows, {"type": "reported", "measure": "effect",
                                              "max": "24h"}, module)
    assert finding.status.value == "no_evidence"  # never "met, 2 of 2 within 24 h"
    assert "2 figures over no events" in finding.summary


def test_a_count_figure_of_zero_is_still_judged(tmp_path: Path, module) -> None:
    rows = [["o/IT", "2024-01-01", "2024-06-30", "orders", "0", "count", "IT", ""]]
    finding = assess_counted(tmp_path, rows, {"type": "reported", "measure": "orders",
                                              "max": 10}, module)
    assert finding.status.value == "met" and finding.figures["no_events"] == 0


NINE_MONTHS = [["o/Q1", "2024-01-01", "2024-03-31", "orders", "10", "count", "FR", ""],
               ["o/Q2", "2024-04-01", "2024-06-30", "orders", "12", "count", "FR", ""],
               ["o/Q3", "2024-07-01", "2024-09-30", "orders", "9", "count", "FR", ""],
               ["o/9M", "2024-01-01", "2024-09-30", "orders", "31", "count", "FR", ""]]


def test_a_nine_month_total_beside_its_quarters_is_refused(tmp_path: Path, module) -> None:
    from audit.errors import EvidenceError

    with pytest.raises(EvidenceError) as exc:
        assess_counted(tmp_path, NINE_MONTHS, {"type": "reported", "measure": "orders",
                                               "min": 5}, module)
    (line,) = exc.value.lines
    assert "figures o/9M and o/Q1" in line or "figures o/Q1 and o/9M" in line
    assert "periods overlap for measure orders" in line and "period: quarter" in line


def test_period_picks_the_quarters_and_says_what_it_left(tmp_path: Path, module) -> None:
    finding = assess_counted(tmp_path, NINE_MONTHS, {"type": "reported", "measure": "orders",
                                                     "min": 10, "period": "quarter"}, module)
    assert finding.figures["figures"] == 3 and finding.figures["other_periods"] == 1
    assert finding.figures["figures_met"] == 2  # Q3's 9 is under 10
    assert finding.summary.endswith("; 1 figure of another period length not judged")


def test_sum_of_quarters_per_country(tmp_path: Path, module) -> None:
    rows = [*NINE_MONTHS[:3],
            ["o/DE1", "2024-01-01", "2024-03-31", "orders", "2", "count", "DE", ""],
            ["o/DE2", "2024-04-01", "2024-06-30", "orders", "1", "", "DE", ""]]
    finding = assess_counted(tmp_path, rows, {"type": "reported", "measure": "orders",
                                              "max": 30, "sum": ["country"]}, module)
    values = {v["country"]: v["value"] for v in finding.figures["values"]}
    assert values == {"FR": 31.0, "DE": 3.0}
    assert finding.figures["figures_met"] == 1  # FR's 31 orders exceed 30
    assert "FR 2024-01-01 to 2024-09-30: 31" in finding.summary


@pytest.mark.parametrize(("value", "unit", "why"), [
    ("a few", "count", "value 'a few' is not a number; a sum cannot leave it out"),
    ("4", "hours", "unit 'hours': a sum adds counts, not times or shares")])
def test_a_sum_over_text_or_times_is_refused_at_its_row(tmp_path: Path, module, value: str,
                                                        unit: str, why: str) -> None:
    from audit.errors import EvidenceError

    rows = [NINE_MONTHS[0], ["o/Q2", "2024-04-01", "2024-06-30", "orders", value, unit, "FR", ""]]
    with pytest.raises(EvidenceError) as exc:
        assess_counted(tmp_path, rows, {"type": "reported", "measure": "orders", "max": 30,
                                        "sum": []}, module)
    (line,) = exc.value.lines
    assert "figure o/Q2" in line and why in line


def test_overlapping_periods_stop_the_command_with_exit_2_and_one_line(
        tmp_path: Path, module, run) -> None:
    from packs import write_pack

    pack = write_pack(tmp_path / "p", platform={"name": "P"},
                      logs={"reported": (COUNTED, NINE_MONTHS)})
    rule = {"type": "reported", "measure": "orders", "min": 5}
    code, _out, err = run("assess", pack, "-c", module(rule), "--as-of", "2024-12-31")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "periods overlap for measure orders" in lines[0]
    assert "Traceback" not in err

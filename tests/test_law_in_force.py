"""Events are judged under the law in force when they happened: Vietnam's Decree 13 (to 31 Dec
2025) and Law 91 (from 1 Jan 2026), and Turkey's Art. 9 procedure (void from 10 Oct 2024)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.assessment import Assessment
from audit.model import Status
from audit.testing import run_assessment
from packs import write_pack

BREACHES = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
            "users_notified_at", "records_affected", "data_categories", "countries", "high_risk"]

# December 2025 (Decree 13, 72 h from the violation): occurred 8 h before detection, A05 told
# 70 h after detection = 78 h after the violation: late, though within 72 h of detection.
# January 2026 (Law 91, 72 h from detection): occurred 5 days before detection, A05 told 71 h
# after detection: on time, though long after the violation.
VN_ROWS = [
    ["INC-DEC", "2025-12-20T01:00:00+07:00", "2025-12-20T09:00:00+07:00",
     "2025-12-23T07:00:00+07:00", "", 1000, "messages", "VN", "no"],
    ["INC-JAN", "2026-01-05T09:00:00+07:00", "2026-01-10T09:00:00+07:00",
     "2026-01-13T08:00:00+07:00", "", 1000, "messages", "VN", "no"],
]


def _pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                   "users": {"VN": 200000}},
                      logs={"breaches": (BREACHES, VN_ROWS)})


def _result(assessment: Any, full_id: str) -> Any:
    assert isinstance(assessment, Assessment)
    return next(r for r in assessment.results if r.requirement.full_id == full_id)


def test_vietnam_breach_clock_judges_each_event_under_the_law_then_in_force(
        tmp_path: Path) -> None:
    result = _result(run_assessment(_pack(tmp_path), ["vn.pdp"], "2026-03-31"),
                     "vn.pdp:breach-notice-authority")
    versions = result.finding.figures["versions"]
    decree, law = versions
    assert (decree["from"], decree["until"], decree["within"]) == (
        "2023-07-01", "2026-01-01", "72 h")
    assert (law["from"], law["until"], law["within"]) == ("2026-01-01", None, "72 h")
    # the December incident is judged under Decree 13 (from occurrence), January's under Law 91
    # (from detection): each late or on time only under the law then in force
    assert (decree["events"], decree["on_time"], decree["late"]) == (1, 0, 1)
    assert (law["events"], law["on_time"], law["late"]) == (1, 1, 0)
    assert result.finding.status is Status.NOT_MET
    late = {row[0] for row in run_assessment(_pack(tmp_path / "again"), ["vn.pdp"],
                                             "2026-03-31").detail_rows(  # type: ignore[union-attr]
        "vn.pdp:breach-notice-authority")}
    assert late == {"INC-DEC"}
    assert "(rule from 1 Jul 2023)" in result.finding.summary
    assert "(rule from 1 Jan 2026)" in result.finding.summary


def test_law_91_duties_apply_only_from_2026(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    december = run_assessment(pack, ["vn.pdp"], "2025-12-31")
    january = run_assessment(pack, ["vn.pdp"], "2026-01-31")
    for req in ("social-network-art29", "cross-border-dossier", "dsar-response"):
        assert _result(december, f"vn.pdp:{req}").finding.status is Status.NOT_APPLICABLE
        assert _result(january, f"vn.pdp:{req}").finding.status is not Status.NOT_APPLICABLE
    # as of 31 Dec 2025 the breach clock judges only the December incident, under Decree 13
    breach = _result(december, "vn.pdp:breach-notice-authority").finding.figures
    assert [v["events"] for v in breach["versions"]] == [1, 0]


def test_turkish_art9_requirement_ends_on_10_october_2024(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "tr", platform={"name": "T", "users": {"TR": 5000},
                                                 "daily_access": {"TR": 2000000}})
    before = run_assessment(pack, ["tr.law-5651-art9"], "2024-10-09")
    after = run_assessment(pack, ["tr.law-5651-art9"], "2024-10-10")
    full = "tr.law-5651-art9:judge-of-peace-decisions"
    assert _result(before, full).finding.status is not Status.NOT_APPLICABLE
    assert _result(after, full).finding.status is Status.NOT_APPLICABLE
    # Add'l Art. 4's 48-hour answer stands after the annulment (TR-04)
    replies = _result(run_assessment(pack, ["tr.law-5651"], "2025-06-30"),
                      "tr.law-5651:personal-rights-replies-48h")
    assert replies.finding.status is not Status.NOT_APPLICABLE


def test_egyptian_working_days_skip_friday_saturday_and_holidays(tmp_path: Path) -> None:
    """EG-01: data subjects within 3 working days of the Centre report, on Egypt's calendar.

    Reported on Wednesday 6 Jan 2027: Thursday 7 Jan is Coptic Christmas, Friday and Saturday
    are the weekend, so the third working day is Tuesday 12 Jan (a Saturday-Sunday calendar
    without holidays would end on Monday 11 Jan and judge both incidents late).
    """
    rows = [
        ["EG-1", "2027-01-05T08:00:00+02:00", "2027-01-05T10:00:00+02:00",
         "2027-01-06T10:00:00+02:00", "2027-01-12T20:00:00+02:00", 10, "messages", "EG", "yes"],
        ["EG-2", "2027-01-05T08:00:00+02:00", "2027-01-05T10:00:00+02:00",
         "2027-01-06T10:00:00+02:00", "2027-01-13T09:00:00+02:00", 10, "messages", "EG", "yes"],
    ]
    pack = write_pack(tmp_path / "eg", platform={"name": "T", "users": {"EG": 5000}},
                      logs={"breaches": (BREACHES, rows)})
    result = _result(run_assessment(pack, ["eg.pdpl"], "2027-03-31"),
                     "eg.pdpl:breach-notice-users")
    figures = result.finding.figures
    assert (figures["events"], figures["on_time"], figures["late"]) == (2, 1, 1)
    assert figures["calendar"] == "business days: EG public holidays and weekend days excluded"


def test_new_jurisdictions_count_in_their_legal_time_zones() -> None:
    from audit.logs.metrics import legal_timezone

    assert [legal_timezone(j) for j in ("GB", "EG", "JO")] == [
        "Europe/London", "Africa/Cairo", "Asia/Amman"]

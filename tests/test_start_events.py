"""Each clock counted from the event its law names, judged against deadlines computed by hand.

One breaches log per jurisdiction exercises its start event: detection (China), awareness
(Korea, Malaysia, Japan), the determination of the breach (Texas, Florida), the notifiability
assessment counted from the next day (Singapore), the report to the authority in working days
with a public holiday (Egypt), and occurrence (Vietnam's Decree 13). Every expected deadline is
worked out in the comment beside its row; the rows just inside and just outside it tell the
start events apart (e.g. Singapore's notice at 23:59 on the third day is on time only because
the clock starts the next day).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.assessment import Assessment
from audit.model import Status
from audit.testing import run_assessment
from packs import write_pack
from test_oscal import oscal_errors

BREACHES = ["incident_id", "occurred_at", "detected_at", "aware_at", "determined_at",
            "assessed_at", "authority_notified_at", "users_notified_at", "report_completed_at",
            "records_affected", "data_categories", "countries", "unlawful_act",
            "affected_us_tx", "affected_us_fl"]


def _row(incident: str, countries: str, records: int, **times: str) -> list[object]:
    fields = {"unlawful_act": "", "affected_us_tx": "", "affected_us_fl": "", **times}
    return [incident, fields.get("occurred_at", ""), fields.get("detected_at", ""),
            fields.get("aware_at", ""), fields.get("determined_at", ""),
            fields.get("assessed_at", ""), fields.get("authority_notified_at", ""),
            fields.get("users_notified_at", ""), fields.get("report_completed_at", ""),
            records, "messages", countries, fields["unlawful_act"], fields["affected_us_tx"],
            fields["affected_us_fl"]]


def _assess(tmp_path: Path, users: dict[str, int], rows: list[list[object]], module: str,
            as_of: str, **profile: Any) -> Assessment:
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger", "users": users,
                                                   **profile},
                      logs={"breaches": (BREACHES, rows)})
    assessment = run_assessment(pack, [module], as_of)
    assert isinstance(assessment, Assessment)
    return assessment


def _result(assessment: Assessment, rid: str) -> Any:
    return next(r for r in assessment.results if r.requirement.full_id == rid)


def _late(assessment: Assessment, rid: str) -> set[str]:
    return {row[0] for row in assessment.detail_rows(rid)}


# Singapore: 3 calendar days after the day of the assessment, Singapore time (UTC+8).
SG_ROWS = [
    # assessed 10 Mar 23:30: days 11, 12, 13 Mar; due 14 Mar 00:00. Told 13 Mar 23:59: on
    # time, though 72 h from the assessment itself ended at 13 Mar 23:30
    _row("SG-A", "SG", 800, detected_at="2026-03-02T09:00:00+08:00",
         assessed_at="2026-03-10T23:30:00+08:00",
         authority_notified_at="2026-03-13T23:59:00+08:00"),
    # assessed 10 Mar 08:00: due 14 Mar 00:00; told 14 Mar 00:30: late
    _row("SG-B", "SG", 500, detected_at="2026-03-02T09:00:00+08:00",
         assessed_at="2026-03-10T08:00:00+08:00",
         authority_notified_at="2026-03-14T00:30:00+08:00"),
    # assessed 10 Mar 17:30 UTC = 11 Mar 01:30 in Singapore: due 15 Mar 00:00 SGT (14 Mar
    # 16:00 UTC); told 14 Mar 15:00 UTC: on time (a UTC day count would make it late)
    _row("SG-D", "SG", 900, detected_at="2026-03-09T09:00:00+00:00",
         assessed_at="2026-03-10T17:30:00+00:00",
         authority_notified_at="2026-03-14T15:00:00+00:00"),
    # 499 people: below the 500 that gates the PDPC duty, never judged by it; assessed 31
    # days after detection (1 Feb to 4 Mar 09:00): late for the assessment expectation
    _row("SG-C", "SG", 499, detected_at="2026-02-01T08:00:00+08:00",
         assessed_at="2026-03-04T09:00:00+08:00",
         authority_notified_at="2026-03-30T09:00:00+08:00"),
]


def test_singapore_counts_three_calendar_days_from_the_day_after_the_assessment(
        tmp_path: Path) -> None:
    a = _assess(tmp_path, {"SG": 50000}, SG_ROWS, "sg.pdpa", "2026-04-30")
    notice = _result(a, "sg.pdpa:breach-notice-pdpc")
    figures = notice.finding.figures
    assert (figures["events"], figures["on_time"], figures["late"]) == (3, 2, 1)
    assert _late(a, "sg.pdpa:breach-notice-pdpc") == {"SG-B"}
    assert "counted from the day after the notifiability assessment" in notice.finding.summary
    assert "threshold per event: people affected at least 500" in notice.finding.summary
    assessment = _result(a, "sg.pdpa:breach-assessment")
    assert _late(a, "sg.pdpa:breach-assessment") == {"SG-C"}
    assert "counted from detection" in assessment.finding.summary


# Korea: 72 hours from awareness, Seoul time; the PIPC report only from 1,000 data subjects.
KR_ROWS = [
    # aware 1 Feb 09:00: due 4 Feb 09:00; subjects told 08:59 (on time), PIPC 09:01 (late)
    _row("KR-A", "KR", 1500, detected_at="2026-02-01T08:00:00+09:00",
         aware_at="2026-02-01T09:00:00+09:00", users_notified_at="2026-02-04T08:59:00+09:00",
         authority_notified_at="2026-02-04T09:01:00+09:00"),
    # 999 subjects: no PIPC report owed; subjects told 71 h after awareness
    _row("KR-B", "KR", 999, detected_at="2026-02-10T08:00:00+09:00",
         aware_at="2026-02-10T09:00:00+09:00", users_notified_at="2026-02-13T08:00:00+09:00"),
]


def test_korea_counts_from_awareness_and_gates_the_pipc_report_at_1000(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"KR": 300000}, KR_ROWS, "kr.pipa", "2026-03-31")
    subjects = _result(a, "kr.pipa:breach-notice-subjects-72h")
    assert (subjects.finding.figures["events"], subjects.finding.figures["on_time"]) == (2, 2)
    pipc = _result(a, "kr.pipa:breach-report-pipc-72h")
    assert (pipc.finding.figures["events"], pipc.finding.figures["late"]) == (1, 1)
    assert pipc.status is Status.NOT_MET
    assert "counted from becoming aware" in pipc.finding.summary
    assert "people affected at least 1,000" in pipc.finding.summary


def test_korea_2026_amendment_is_shown_as_enacted_and_never_scored(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"KR": 300000}, KR_ROWS, "kr.pipa", "2026-12-07")
    amendment = _result(a, "kr.pipa:breach-notice-2026-amendment")
    assert amendment.requirement.status.value == "enacted"
    assert amendment.status is Status.NOT_APPLICABLE
    assert "enacted but not yet in force" in amendment.finding.summary
    assert a.score.excluded.get("not_applicable", 0) >= 1


# China: from discovery, Beijing time; 4 h for operators, 1 h for critical information
# infrastructure operators, above 1 million people.
CN_ROWS = [
    # discovered 10 Jan 10:00, reported 12:30: 2.5 h, within 4 h, not within 1 h
    _row("CN-A", "CN", 2000000, detected_at="2026-01-10T10:00:00+08:00",
         authority_notified_at="2026-01-10T12:30:00+08:00"),
    # 500,000 people: below the relatively-large grade, never judged
    _row("CN-B", "CN", 500000, detected_at="2026-01-11T10:00:00+08:00",
         authority_notified_at="2026-01-12T10:00:00+08:00"),
]


@pytest.mark.parametrize("cii, applies, status", [
    (False, "cn.incident-reporting:incident-report-4h", Status.MET),
    (True, "cn.incident-reporting:incident-report-1h-cii", Status.NOT_MET),
])
def test_china_clock_depends_on_the_operator_designation(tmp_path: Path, cii: bool,
                                                          applies: str, status: Status) -> None:
    a = _assess(tmp_path, {"CN": 1000000}, CN_ROWS, "cn.incident-reporting", "2026-02-28",
                designations={"cii_operator_cn": cii})
    other = ({"cn.incident-reporting:incident-report-4h",
              "cn.incident-reporting:incident-report-1h-cii"} - {applies}).pop()
    assert _result(a, other).status is Status.NOT_APPLICABLE
    result = _result(a, applies)
    assert result.status is status
    assert result.finding.figures["events"] == 1
    assert "counted from detection" in result.finding.summary


# Malaysia: from awareness; 72 h to the Commissioner, 7 days to data subjects, above 1,000.
MY_ROWS = [
    # aware 1 Jul 10:00: Commissioner by 4 Jul 10:00 (told 09:00, on time); subjects by 8 Jul
    # 10:00 (told exactly then: on time)
    _row("MY-A", "MY", 1200, detected_at="2025-07-01T09:00:00+08:00",
         aware_at="2025-07-01T10:00:00+08:00", authority_notified_at="2025-07-04T09:00:00+08:00",
         users_notified_at="2025-07-08T10:00:00+08:00"),
    # aware 2 Jul 10:00: subjects told 9 Jul 10:01, one minute after 7 days: late
    _row("MY-B", "MY", 5000, detected_at="2025-07-02T09:00:00+08:00",
         aware_at="2025-07-02T10:00:00+08:00", authority_notified_at="2025-07-03T09:00:00+08:00",
         users_notified_at="2025-07-09T10:01:00+08:00"),
    # exactly 1,000: not "more than 1,000", never judged
    _row("MY-C", "MY", 1000, detected_at="2025-07-03T09:00:00+08:00",
         aware_at="2025-07-03T10:00:00+08:00", authority_notified_at="2025-08-30T09:00:00+08:00"),
]


def test_malaysia_counts_from_awareness_in_hours_and_days(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"MY": 2000000}, MY_ROWS, "my.pdpa", "2025-12-31")
    commissioner = _result(a, "my.pdpa:breach-notice-commissioner-72h")
    assert (commissioner.finding.figures["events"], commissioner.finding.figures["on_time"]) \
        == (2, 2)
    subjects = _result(a, "my.pdpa:breach-notice-subjects-7d")
    assert _late(a, "my.pdpa:breach-notice-subjects-7d") == {"MY-B"}
    assert "people affected more than 1,000" in subjects.finding.summary


# Japan: final report within 60 days of awareness for unlawful-act leaks, Tokyo time.
JP_ROWS = [
    # aware 5 Jan 12:00: 60 days end 6 Mar 12:00 (26 days of January, 28 of February, 6 of
    # March); final report exactly then: on time
    _row("JP-A", "JP", 10, detected_at="2026-01-05T11:00:00+09:00",
         aware_at="2026-01-05T12:00:00+09:00", report_completed_at="2026-03-06T12:00:00+09:00",
         unlawful_act="true"),
    # aware 6 Jan 12:00: due 7 Mar 12:00; final 7 Mar 13:00: late
    _row("JP-B", "JP", 10, detected_at="2026-01-06T11:00:00+09:00",
         aware_at="2026-01-06T12:00:00+09:00", report_completed_at="2026-03-07T13:00:00+09:00",
         unlawful_act="true"),
    # not an unlawful act: no 60-day clock encoded
    _row("JP-C", "JP", 10, detected_at="2026-01-06T11:00:00+09:00",
         aware_at="2026-01-06T12:00:00+09:00", report_completed_at="2026-06-07T13:00:00+09:00",
         unlawful_act="false"),
]


def test_japan_final_report_counts_sixty_days_from_awareness(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"JP": 2000000}, JP_ROWS, "jp.appi", "2026-06-30")
    final = _result(a, "jp.appi:leak-final-report-60d")
    assert final.finding.figures["events"] == 2
    assert _late(a, "jp.appi:leak-final-report-60d") == {"JP-B"}
    assert "counted from becoming aware" in final.finding.summary


# Texas: from the determination, Central time; the Attorney General clock was 60 days before
# 1 Sep 2023 and 30 days from then, owed from 250 Texas residents.
TX_ROWS = [
    # determined 15 Aug 2023 (the 60-day clock): due 14 Oct 10:00; AG told 10 Oct: on time
    # (late under today's 30 days)
    _row("TX-A", "US;US-TX", 400, detected_at="2023-08-14T10:00:00-05:00",
         determined_at="2023-08-15T10:00:00-05:00",
         authority_notified_at="2023-10-10T10:00:00-05:00",
         users_notified_at="2023-10-01T10:00:00-05:00", affected_us_tx="300"),
    # determined 1 Mar 2024 09:00: 30 days end 31 Mar 09:00; AG told 1 Apr 09:00: late
    _row("TX-B", "US;US-TX", 400, detected_at="2024-02-28T10:00:00-06:00",
         determined_at="2024-03-01T09:00:00-06:00",
         authority_notified_at="2024-04-01T09:00:00-05:00",
         users_notified_at="2024-04-29T09:00:00-05:00", affected_us_tx="300"),
    # 249 Texans: no Attorney General notice owed
    _row("TX-C", "US;US-TX", 400, detected_at="2024-05-01T10:00:00-05:00",
         determined_at="2024-05-02T10:00:00-05:00",
         authority_notified_at="2024-09-01T10:00:00-05:00",
         users_notified_at="2024-05-20T10:00:00-05:00", affected_us_tx="249"),
]


def test_texas_counts_from_the_determination_under_the_clock_then_in_force(
        tmp_path: Path) -> None:
    a = _assess(tmp_path, {"US": 5000000, "US-TX": 400000}, TX_ROWS,
                "us-tx.breach-notification", "2024-12-31")
    ag = _result(a, "us-tx.breach-notification:breach-notice-attorney-general")
    old, new = ag.finding.figures["versions"]
    assert (old["from"], old["until"], old["within"]) == (None, "2023-09-01", "60 days")
    assert (old["events"], old["on_time"]) == (1, 1)
    assert (new["events"], new["late"]) == (1, 1)
    assert _late(a, "us-tx.breach-notification:breach-notice-attorney-general") == {"TX-B"}
    assert "counted from the determination that a breach occurred" in ag.finding.summary
    assert "people affected in US-TX at least 250" in ag.finding.summary
    # Texas days are counted on Central time, so no note says the clock ran in UTC
    assert not [n for n in a.notes if n.code == "clock-in-utc"]
    individuals = _result(a, "us-tx.breach-notification:breach-notice-individuals")
    # TX-B told 29 Apr 09:00 CDT, 59 days after 1 Mar 09:00 CST (one hour less in the clock
    # change): within 60 days; all three on time
    assert (individuals.finding.figures["events"], individuals.finding.figures["on_time"]) \
        == (3, 3)


FL_ROWS = [
    # determined 2 Jan 10:00 EST: 30 days end 1 Feb 10:00; Department told exactly then
    _row("FL-A", "US;US-FL", 700, detected_at="2026-01-01T10:00:00-05:00",
         determined_at="2026-01-02T10:00:00-05:00",
         authority_notified_at="2026-02-01T10:00:00-05:00",
         users_notified_at="2026-02-01T10:00:01-05:00", affected_us_fl="600"),
]


def test_florida_thirty_days_from_the_determination(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"US": 5000000, "US-FL": 400000}, FL_ROWS,
                "us-fl.breach-notification", "2026-06-30")
    dla = _result(a, "us-fl.breach-notification:breach-notice-legal-affairs")
    assert dla.status is Status.MET
    individuals = _result(a, "us-fl.breach-notification:breach-notice-individuals")
    assert _late(a, "us-fl.breach-notification:breach-notice-individuals") == {"FL-A"}
    assert individuals.status is Status.NOT_MET


# Egypt: data subjects within 3 working days of the report to the Centre; Friday-Saturday
# weekend and Coptic Christmas (Thu 7 Jan 2027) skipped.
EG_ROWS = [
    # reported Tue 5 Jan: working days Wed 6, Sun 10, Mon 11; due end of Mon 11 Jan. Told
    # Mon 11 Jan 20:00: on time (6 calendar days after the report)
    _row("EG-A", "EG", 100, detected_at="2027-01-04T10:00:00+02:00",
         authority_notified_at="2027-01-05T10:00:00+02:00",
         users_notified_at="2027-01-11T20:00:00+02:00"),
    # same report, told Tue 12 Jan 09:00: late
    _row("EG-B", "EG", 100, detected_at="2027-01-04T10:00:00+02:00",
         authority_notified_at="2027-01-05T10:00:00+02:00",
         users_notified_at="2027-01-12T09:00:00+02:00"),
]


def test_egypt_counts_working_days_from_the_report_to_the_authority(tmp_path: Path) -> None:
    a = _assess(tmp_path, {"EG": 100000}, EG_ROWS, "eg.pdpl", "2027-02-28")
    users = _result(a, "eg.pdpl:breach-notice-users")
    assert _late(a, "eg.pdpl:breach-notice-users") == {"EG-B"}
    assert "counted from the report to the authority" in users.finding.summary
    assert users.finding.figures["calendar"].startswith("business days: EG public holidays")


def test_vietnam_says_each_version_start_in_words(tmp_path: Path) -> None:
    rows = [_row("VN-DEC", "VN", 1000, occurred_at="2025-12-20T01:00:00+07:00",
                 detected_at="2025-12-20T09:00:00+07:00",
                 authority_notified_at="2025-12-23T07:00:00+07:00"),
            _row("VN-JAN", "VN", 1000, occurred_at="2026-01-05T09:00:00+07:00",
                 detected_at="2026-01-10T09:00:00+07:00",
                 authority_notified_at="2026-01-13T08:00:00+07:00")]
    a = _assess(tmp_path, {"VN": 200000}, rows, "vn.pdp", "2026-03-31")
    summary = _result(a, "vn.pdp:breach-notice-authority").finding.summary
    assert "(rule from 1 Jul 2023), counted from the occurrence" in summary
    assert "(rule from 1 Jan 2026), counted from detection" in summary


def test_enacted_status_is_labelled_in_every_report(tmp_path: Path, run: Any) -> None:
    """The 2026 Korean amendment (enacted, in-force date unknown) is named as not in force in
    the console, Markdown, HTML, workbook, JSON and OSCAL outputs, and in Arabic and Turkish."""
    import json

    import openpyxl

    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                   "users": {"KR": 300000}},
                      logs={"breaches": (BREACHES, KR_ROWS)})
    rid = "kr.pipa:breach-notice-2026-amendment"
    header = f"Enacted but not yet in force, not assessed: {rid}."
    for fmt in ("console", "markdown"):
        code, out, err = run("assess", pack, "-c", "kr.pipa", "--as-of", "2026-12-07",
                             "--format", fmt, "-q")
        assert code in (0, 1), err
        assert header in out.replace("\\", ""), fmt
    for lang, words in (("ar", "صادر ولم يدخل حيز النفاذ بعد"),
                        ("tr", "Kabul edilmiş ancak henüz yürürlükte değil")):
        code, out, err = run("assess", pack, "-c", "kr.pipa", "--as-of", "2026-12-07",
                             "--lang", lang, "-q")
        assert words in out, lang
    files = {ext: tmp_path / f"report.{ext}" for ext in ("html", "xlsx", "json")}
    for path in files.values():
        code, _out, err = run("assess", pack, "-c", "kr.pipa", "--as-of", "2026-12-07",
                              "-o", path, "-q")
        assert code in (0, 1), err
    assert "enacted, not yet in force" in files["html"].read_text(encoding="utf-8")
    result = json.loads(files["json"].read_text(encoding="utf-8"))
    row = next(r for r in result["requirements"] if r["id"] == rid)
    assert (row["legal_status"], row["status"]) == ("enacted", "not_applicable")
    sheet = openpyxl.load_workbook(files["xlsx"], read_only=True)["Requirements"]
    cells = {str(c) for r in sheet.iter_rows(values_only=True) for c in r}
    assert "enacted, not yet in force" in cells
    oscal = tmp_path / "oscal.json"
    code, _out, err = run("assess", pack, "-c", "kr.pipa", "--as-of", "2026-12-07",
                          "--format", "oscal", "-o", oscal, "-q")
    assert code in (0, 1), err
    doc = json.loads(oscal.read_text(encoding="utf-8"))
    schema = json.loads((Path(__file__).parent / "data" / "oscal"
                         / "oscal_v1.1.2_complete_schema.json").read_text(encoding="utf-8"))
    assert oscal_errors(schema, doc) == []
    results = doc["assessment-results"]["results"]
    assert results[0]["remarks"] == ("Enacted but not yet in force (legal-status enacted), not "
                                     f"assessed: {rid}.")


def test_next_day_clock_same_on_spark(spark: Any, run: Any, tmp_path: Path) -> None:
    """The next-day start is SQL both engines run alike (docs/spark.md)."""
    from parity import assert_same

    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                   "users": {"SG": 50000}},
                      logs={"breaches": (BREACHES, SG_ROWS)})
    duck = assert_same(run, tmp_path, pack, ("sg.pdpa",), as_of="2026-04-30")
    row = next(r for r in duck["requirements"] if r["id"] == "sg.pdpa:breach-notice-pdpc")
    assert (row["figures"]["events"], row["figures"]["on_time"]) == (3, 2)

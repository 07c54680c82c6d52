"""South Africa, Nepal, Kazakhstan, Uzbekistan, Ethiopia and Bangladesh (LEGAL.md section 10:
ZA-01, NP-01, KZ-01, KZ-02, UZ-01, ET-01, BD-01), and the two details of 2026-12-07 for rows
already encoded (EU-46's 3-day follow-up, the UK exemption for reports already made to NCMEC).

Kazakhstan's 24-hour clock is judged against deadlines computed by hand below; South Africa's
s.54 is enacted but not commenced and must read as not in force in every report.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from audit.assessment import Assessment
from audit.checklists import load_library
from audit.model import ChecklistStatus, Confidence, Status
from audit.plugins import get_registry
from audit.testing import run_assessment
from packs import MODERATION, write_pack

BREACHES = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
            "users_notified_at", "records_affected", "data_categories", "countries",
            "report_completed_at"]


def _result(assessment: Any, full_id: str) -> Any:
    assert isinstance(assessment, Assessment)
    return next(r for r in assessment.results if r.requirement.full_id == full_id)


# -- Kazakhstan: 24 hours from receipt of the authorised body's request (KZ-02) -------------

# Each row with the deadline worked out by hand (received_at + 24 h, compared as instants):
KZ_ROWS = [
    # received 1 Mar 2024 10:00 +05:00, deadline 2 Mar 10:00 +05:00; acted 09:59: on time
    ["KZ-1", "2024-03-01T10:00:00+05:00", "2024-03-02T09:59:00+05:00", "illegal_content",
     "authority", "removed", "KZ"],
    # exactly 24 h after receipt: the deadline itself counts as on time
    ["KZ-2", "2024-03-03T10:00:00+05:00", "2024-03-04T10:00:00+05:00", "illegal_content",
     "authority", "removed", "KZ"],
    # received 5 Mar 23:30, deadline 6 Mar 23:30; acted 23:31: one minute late
    ["KZ-3", "2024-03-05T23:30:00+05:00", "2024-03-06T23:31:00+05:00", "illegal_content",
     "authority", "removed", "KZ"],
    # received under the old +06:00 offset at 08:00 (02:00 UTC), deadline 02:00 UTC next day;
    # acted 07:30 +05:00 = 02:30 UTC: late by 30 minutes although the wall clock shows 23.5 h
    ["KZ-4", "2024-02-28T08:00:00+06:00", "2024-02-29T07:30:00+05:00", "illegal_content",
     "authority", "restricted", "KZ"],
    # never acted on, deadline 2 Jun 2024 12:00 +05:00, long before the as-of date: missing
    ["KZ-5", "2024-06-01T12:00:00+05:00", "", "illegal_content", "authority", "", "KZ"],
    # received the day before the Law took effect (10 Sep 2023, Almaty time): not judged
    ["KZ-6", "2023-09-09T12:00:00+06:00", "2023-09-12T12:00:00+06:00", "illegal_content",
     "authority", "removed", "KZ"],
    # a user's complaint and another country's authority: not the authorised body's requests
    ["KZ-7", "2024-03-01T10:00:00+05:00", "2024-03-09T10:00:00+05:00", "illegal_content",
     "user", "removed", "KZ"],
    ["TR-1", "2024-03-01T10:00:00+03:00", "2024-03-09T10:00:00+03:00", "illegal_content",
     "authority", "removed", "TR"],
]


def _kz_pack(root: Path, daily: int) -> Path:
    return write_pack(root, platform={
        "name": "Test Messenger", "users": {"KZ": 400000}, "daily_access": {"KZ": daily},
        "representatives": [{"name": "Aigerim Example", "role": "representative_kz",
                             "country": "KZ", "contact": "kz@example.org"}]},
        logs={"moderation": (MODERATION, KZ_ROWS)})


def test_kazakh_24_hour_clock_against_hand_computed_deadlines(tmp_path: Path) -> None:
    assessment = run_assessment(_kz_pack(tmp_path / "kz", 150000), ["kz.online-platforms"],
                                "2024-12-31")
    result = _result(assessment, "kz.online-platforms:authorised-body-requests-24h")
    (version,) = result.finding.figures["versions"]
    assert (version["from"], version["within"]) == ("2023-09-10", "24 h")
    # judged: KZ-1..KZ-5; on time KZ-1, KZ-2; late KZ-3, KZ-4; never handled KZ-5
    assert (version["events"], version["on_time"], version["late"], version["missing"]) == (
        5, 2, 2, 1)
    assert result.finding.status is Status.NOT_MET
    late = {row[0] for row in assessment.detail_rows(  # type: ignore[union-attr]
        "kz.online-platforms:authorised-body-requests-24h")}
    assert late == {"KZ-3", "KZ-4", "KZ-5"}


def test_kazakh_representative_above_100000_average_daily_users(tmp_path: Path) -> None:
    full = "kz.online-platforms:legal-representative"
    at_threshold = run_assessment(_kz_pack(tmp_path / "at", 100000), ["kz.online-platforms"],
                                  "2024-12-31")
    above = run_assessment(_kz_pack(tmp_path / "above", 100001), ["kz.online-platforms"],
                           "2024-12-31")
    assert _result(at_threshold, full).finding.status is Status.NOT_APPLICABLE
    assert _result(above, full).finding.status is Status.MET
    before = run_assessment(_kz_pack(tmp_path / "before", 100001), ["kz.online-platforms"],
                            "2023-09-09")
    assert _result(before, full).finding.status is Status.NOT_APPLICABLE  # not yet in force


# -- South Africa: s.54 never presented as law in force -------------------------------------

def _za_pack(root: Path) -> Path:
    return write_pack(root, platform={"name": "Test Messenger", "users": {"ZA": 80000},
                                      "as_of": "2026-06-30"},
                      answers={"za-s54-readiness": {"answer": "yes", "by": "Counsel",
                                                    "date": "2026-06-01"}})


def test_south_africa_s54_is_enacted_not_in_force_in_the_module() -> None:
    module = load_library(get_registry()).get("za.cybercrimes-act")
    assert module.status is ChecklistStatus.ENACTED
    assert {s.status for s in module.sources.values()} == {ChecklistStatus.ENACTED}
    (req,) = module.requirements
    assert req.status is ChecklistStatus.ENACTED and req.effective_from is None  # date unknown
    assert req.title.startswith("Not yet in force:") and "72 hours" in req.title
    assert "not yet in force" in module.title.lower()


@pytest.mark.parametrize("fmt", ["console", "markdown", "html", "json", "xlsx"])
def test_south_africa_s54_reads_as_not_in_force_in_every_report(
        run, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    pack = _za_pack(tmp_path / "za")
    out_file = tmp_path / f"report.{fmt}"
    code, _out, err = run("assess", pack, "-c", "za.cybercrimes-act", "--format", fmt, "-o",
                          out_file)
    assert code == 0, err
    if fmt == "xlsx":
        with zipfile.ZipFile(out_file) as book:
            text = " ".join(book.read(n).decode("utf-8") for n in book.namelist()
                            if n.startswith("xl/sharedStrings") or n.startswith("xl/worksheets"))
    else:
        text = out_file.read_text(encoding="utf-8")
    assert "enacted" in text  # its legal status, in every format
    assert "(ZA, in force)" not in text and "ZA, in_force" not in text
    if fmt in ("html", "json", "xlsx"):  # the formats that list every requirement by title
        assert "NOT yet in force" in text  # the module's title
        assert "Not yet in force: be ready to report" in text  # the requirement's title
    if fmt == "json":
        data = json.loads(text)
        (checklist,) = data["checklists"]
        (req,) = data["requirements"]
        assert (checklist["status"], req["legal_status"]) == ("enacted", "enacted")
    if fmt in ("console", "markdown"):  # the checklists line names the module's status
        assert "za.cybercrimes-act v1 (ZA, enacted" in text


# -- Nepal, Uzbekistan, Ethiopia, Bangladesh: status, dates and citations as the rows give ---

def test_practice_dates_and_unnumbered_citations_as_the_rows_give_them() -> None:
    library = load_library(get_registry())
    nepal = library.get("np.social-media-directive")
    assert nepal.status is ChecklistStatus.PRACTICE
    (registration,) = nepal.requirements
    assert registration.citation.unnumbered and registration.confidence is Confidence.MEDIUM
    assert "28 August 2025" in registration.title
    localisation = library.get("uz.personal-data").requirement("localisation")
    assert localisation is not None and localisation.effective_from is None  # "mid-April 2021"
    assert localisation.citation.article == "Art. 27-1"
    assert library.get("uz.personal-data").sources["uz-personal-data-law"].date is None
    ethiopia = library.get("et.pdp-proclamation")
    assert all(r.rule.type == "attestation" for r in ethiopia.requirements)  # no clock found
    assert {str(r.effective_from) for r in ethiopia.requirements} == {"2024-07-24"}
    bangladesh = library.get("bd.pdp-ordinance")
    assert {str(r.effective_from) for r in bangladesh.requirements} == {"2025-11-06"}
    assert "13 May 2027" in bangladesh.sources["bd-pdpo-2025"].note  # reported, not a rule date
    erasure = bangladesh.requirement("erasure-on-withdrawal")
    assert erasure is not None and erasure.citation.article == "s.13"
    for module in (nepal, ethiopia, bangladesh, library.get("uz.personal-data")):
        assert all(r.confidence in (Confidence.MEDIUM, Confidence.LOW)
                   for r in module.requirements), module.id


def test_bangladesh_duties_apply_from_gazettal(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "bd", platform={"name": "T", "users": {"BD": 10000}},
                      answers={"bd-explicit-consent": "yes", "bd-erasure-on-withdrawal": "yes"})
    before = run_assessment(pack, ["bd.pdp-ordinance"], "2025-11-05")
    after = run_assessment(pack, ["bd.pdp-ordinance"], "2025-11-06")
    full = "bd.pdp-ordinance:erasure-on-withdrawal"
    assert _result(before, full).finding.status is Status.NOT_APPLICABLE
    assert _result(after, full).finding.status is not Status.NOT_APPLICABLE


# -- the two details of 2026-12-07 ----------------------------------------------------------

EU_ROWS = [
    # initial notice 1 Mar 2025 10:00 +01:00, completed 4 Mar 09:00: 71 h, within 3 days
    ["B-1", "2025-02-28T18:00:00+01:00", "2025-02-28T20:00:00+01:00",
     "2025-03-01T10:00:00+01:00", "", 100, "email", "DE", "2025-03-04T09:00:00+01:00"],
    # initial notice 10 Mar 12:00, completed 13 Mar 13:00: 73 h, late by one hour
    ["B-2", "2025-03-09T08:00:00+01:00", "2025-03-09T18:00:00+01:00",
     "2025-03-10T12:00:00+01:00", "", 100, "email", "FR;IQ", "2025-03-13T13:00:00+01:00"],
    # the first notice was complete: the same time in both columns, on time
    ["B-3", "2025-04-01T08:00:00+02:00", "2025-04-01T09:00:00+02:00",
     "2025-04-01T20:00:00+02:00", "", 100, "email", "IT", "2025-04-01T20:00:00+02:00"],
    # not an EU breach: not judged
    ["B-4", "2025-04-01T08:00:00+03:00", "2025-04-01T09:00:00+03:00",
     "2025-04-20T20:00:00+03:00", "", 100, "email", "IQ", "2025-05-30T20:00:00+03:00"],
]


def test_eprivacy_follow_up_within_3_days_of_the_initial_notice(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "eu", platform={
        "name": "T", "users": {"EU": 20000}, "facts": {"eprivacy_breach_clock_applies": True}},
        logs={"breaches": (BREACHES, EU_ROWS)})
    assessment = run_assessment(pack, ["eu.eprivacy"], "2025-06-30")
    result = _result(assessment, "eu.eprivacy:breach-notice-follow-up-3-days")
    (version,) = result.finding.figures["versions"]
    assert (version["events"], version["on_time"], version["late"]) == (3, 2, 1)
    assert result.requirement.citation.article == "Art. 2(3)"
    assert result.requirement.refs == ("EU-46",)
    late = {row[0] for row in assessment.detail_rows(  # type: ignore[union-attr]
        "eu.eprivacy:breach-notice-follow-up-3-days")}
    assert late == {"B-2"}


def test_uk_nca_duty_leaves_out_reports_already_made_to_ncmec() -> None:
    req = load_library(get_registry()).get("gb.online-safety").requirement("csea-reports-nca")
    assert req is not None
    assert "NCMEC" in (req.description or "") and "NCMEC" in (req.question or "")
    assert "not encoded" not in (req.note or "")


def test_six_codes_listed(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("checklists", "list", "--format", "json")
    assert code == 0, err
    codes = {m["jurisdiction"] for m in json.loads(out)}
    assert {"ZA", "NP", "KZ", "UZ", "ET", "BD"} <= codes
    assert len(codes) >= 26  # 20 codes before (INTL included), these six; H5 adds six more


def test_summary_counts_s54_among_requirements_not_in_force(
        run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _err = run("assess", _za_pack(tmp_path / "za"), "-c", "za.cybercrimes-act")
    assert code == 0
    assert "Enacted but not yet in force, not assessed: za.cybercrimes-act:" in out

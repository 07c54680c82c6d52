"""The US, Chinese, Korean, Japanese, Malaysian and Singaporean modules: applicability read
from the profile, the CyberTipline preservation period as dated versions, what `checklists
show` prints, and rule versions whose start the sources do not give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.assessment import Assessment
from audit.model import Status
from audit.testing import run_assessment
from packs import write_pack

NEW_CODES = {"US", "US-TX", "US-FL", "CN", "KR", "JP", "MY", "SG"}


def _assess(tmp_path: Path, module: str, as_of: str, answers: dict[str, Any] | None = None,
            **profile: Any) -> Assessment:
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger", **profile},
                      answers=answers)
    assessment = run_assessment(pack, [module], as_of)
    assert isinstance(assessment, Assessment)
    return assessment


def _status(a: Assessment, rid: str) -> Status:
    return next(r.status for r in a.results if r.requirement.full_id == rid)


def test_list_shows_the_new_jurisdiction_codes(run: Any) -> None:
    code, out, err = run("checklists", "list", "--format", "json")
    assert code == 0, err
    import json

    codes = {row["jurisdiction"] for row in json.loads(out)}
    assert NEW_CODES <= codes


@pytest.mark.parametrize("as_of, days, status", [
    ("2024-01-31", 120, Status.MET),       # 90 days before the REPORT Act
    ("2024-01-31", 60, Status.PARTIAL),    # 60 of 90 days
    ("2025-01-31", 120, Status.NOT_MET),   # 1 year from 7 May 2024: 120 of 366 days
    ("2025-01-31", 365, Status.PARTIAL),   # a year holding 29 February needs 366 days
    ("2025-01-31", 366, Status.MET),
])
def test_cybertipline_preservation_period_in_force_on_the_as_of_date(
        tmp_path: Path, as_of: str, days: int, status: Status) -> None:
    a = _assess(tmp_path, "us.cybertipline", as_of,
                answers={"us-cybertipline-preservation-days": days}, users={"US": 1000000})
    result = next(r for r in a.results
                  if r.requirement.id == "cybertipline-preservation")
    assert result.status is status
    limit = 90 if as_of < "2024-05-07" else 366
    assert result.finding.figures["limit"] == limit


def test_cybertipline_extended_scope_applies_from_the_report_act(tmp_path: Path) -> None:
    rid = "us.cybertipline:cybertipline-report-enticement-trafficking"
    before = _assess(tmp_path / "a", "us.cybertipline", "2024-05-06", users={"US": 10})
    after = _assess(tmp_path / "b", "us.cybertipline", "2024-05-07", users={"US": 10})
    assert _status(before, rid) is Status.NOT_APPLICABLE
    assert _status(after, rid) is Status.NO_EVIDENCE


@pytest.mark.parametrize("facts, applies", [
    ({"daily_users_kr": 1000000}, True),
    ({"daily_users_kr": 999999, "revenue_krw": 10**12 - 1, "ict_revenue_krw": 10**10 - 1,
      "kr_materials_requested": False}, False),
    ({"daily_users_kr": 5000, "revenue_krw": 10**12, "ict_revenue_krw": 0,
      "kr_materials_requested": False}, True),
    ({"daily_users_kr": 5000, "revenue_krw": 0, "ict_revenue_krw": 10**10,
      "kr_materials_requested": False}, True),
])
def test_korean_domestic_agent_thresholds_from_the_profile(
        tmp_path: Path, facts: dict[str, Any], applies: bool) -> None:
    a = _assess(tmp_path, "kr.network-act", "2026-06-30", users={"KR": 50000},
                establishment={"country": "AE"}, facts=facts)
    status = _status(a, "kr.network-act:domestic-agent")
    assert (status is not Status.NOT_APPLICABLE) is applies


def test_korean_domestic_agent_not_owed_by_a_provider_established_in_korea(
        tmp_path: Path) -> None:
    a = _assess(tmp_path, "kr.network-act", "2026-06-30", users={"KR": 50000},
                establishment={"country": "KR"}, facts={"daily_users_kr": 9000000})
    assert _status(a, "kr.network-act:domestic-agent") is Status.NOT_APPLICABLE


@pytest.mark.parametrize("registered, as_of, status", [
    (8000000, "2025-06-30", Status.NO_EVIDENCE),
    (7999999, "2025-06-30", Status.NOT_APPLICABLE),
    (9000000, "2024-12-31", Status.NOT_APPLICABLE),  # licence needed from 1 Jan 2025
])
def test_malaysian_licence_from_8_million_registered_users(
        tmp_path: Path, registered: int, as_of: str, status: Status) -> None:
    a = _assess(tmp_path, "my.cma-licence", as_of, users={"MY": 100},
                facts={"registered_users_my": registered})
    assert _status(a, "my.cma-licence:asp-class-licence") is status


def test_show_gives_clock_start_threshold_and_status(run: Any) -> None:
    code, out, err = run("checklists", "show", "sg.pdpa")
    assert code == 0, err
    block = out.split("breach-notice-pdpc:")[1].split("\n\n")[0]
    assert "  status: in force" in block
    assert "  clock: within 3 days, target 100 % (from 2021-02-01)" in block
    assert ("  start: counted from the day after the notifiability assessment (assessed_at)"
            in block)
    assert "  threshold per event: people affected at least 500" in block
    code, out, err = run("checklists", "show", "kr.pipa")
    amendment = out.split("breach-notice-2026-amendment:")[1]
    assert "  status: enacted, not yet in force" in amendment
    code, out, err = run("checklists", "show", "cn.incident-reporting")
    assert "applies if: (platform.users.CN gte 1 and not platform.designations." \
           "cii_operator_cn eq True)" in out
    assert "clock: within 1h, target 100 % (from 2025-11-01)" in out


def _module(tmp_path: Path, versions: list[dict[str, Any]]) -> Path:
    module = {
        "schema_version": 1, "id": "acme.versions", "jurisdiction": "US-TX",
        "title": "Versions test", "version": 1, "status": "in_force",
        "sources": [{"id": "s", "title": "Statute", "url": "https://example.org/"}],
        "requirements": [{
            "id": "clock", "area": "breach_disclosure", "title": "A clock",
            "citation": {"source": "s", "article": "s. 1"}, "severity": "high",
            "rule": {"type": "deadline", "log": "breaches", "start": "determined_at",
                     "end": "authority_notified_at", "versions": versions},
            "remediation": "Be on time."}],
    }
    path = tmp_path / "acme.versions.yaml"
    path.write_text(yaml.safe_dump(module, sort_keys=False), encoding="utf-8")
    return path


def test_only_the_first_version_may_omit_its_start_date(tmp_path: Path, run: Any) -> None:
    good = _module(tmp_path, [{"within": "60 days", "target": 1.0},
                              {"from": "2023-09-01", "within": "30 days", "target": 1.0}])
    assert run("checklists", "validate", good)[0] == 0
    bad = _module(tmp_path, [{"from": "2023-09-01", "within": "60 days", "target": 1.0},
                             {"within": "30 days", "target": 1.0}])
    code, _out, err = run("checklists", "validate", bad)
    assert code == 2
    assert "requirements[0].rule.versions[1].from: required key is missing" in err
    alone = _module(tmp_path, [{"within": "60 days", "target": 1.0}])
    code, _out, err = run("checklists", "validate", alone)
    assert code == 2 and "versions[0].from" in err


def test_japanese_removal_decision_seven_days_from_receipt(tmp_path: Path) -> None:
    """Tokyo time: a request received 1 Jun 2025 23:00 JST is due by 8 Jun 23:00 JST."""
    from packs import MODERATION

    rows = [
        # told 8 Jun 22:59 JST: on time
        ["JP-1", "2025-06-01T23:00:00+09:00", "2025-06-08T22:59:00+09:00", "defamation",
         "user", "removed", "JP"],
        # received 1 Jun 14:00 UTC (23:00 JST), told 8 Jun 14:01 UTC: one minute late
        ["JP-2", "2025-06-01T14:00:00+00:00", "2025-06-08T14:01:00+00:00", "defamation",
         "user", "kept", "JP"],
        # an authority's order is not a person's removal request: not judged here
        ["JP-3", "2025-06-01T14:00:00+00:00", "2025-07-08T14:01:00+00:00", "defamation",
         "authority", "removed", "JP"],
    ]
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                   "users": {"JP": 20000000}},
                      logs={"moderation": (MODERATION, rows)})
    a = run_assessment(pack, ["jp.information-distribution-platform-act"], "2025-12-31")
    assert isinstance(a, Assessment)
    rid = "jp.information-distribution-platform-act:removal-decision-notice-7d"
    result = next(r for r in a.results if r.requirement.full_id == rid)
    assert (result.finding.figures["events"], result.finding.figures["late"]) == (2, 1)
    assert {row[0] for row in a.detail_rows(rid)} == {"JP-2"}
    assert "counted from receipt of the request" in result.finding.summary


def test_chinese_summary_thirty_days_from_the_end_of_handling(tmp_path: Path) -> None:
    header = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
              "users_notified_at", "records_affected", "data_categories", "countries",
              "handled_at", "report_completed_at"]
    rows = [
        # handled 2 Dec 2025 18:00 Beijing: summary due 1 Jan 2026 18:00; sent 1 Jan 17:00
        ["CN-1", "", "2025-11-20T08:00:00+08:00", "2025-11-20T09:00:00+08:00", "", 3000000,
         "messages", "CN", "2025-12-02T18:00:00+08:00", "2026-01-01T17:00:00+08:00"],
        # handled 3 Dec 18:00: due 2 Jan 18:00; sent 3 Jan 09:00: late
        ["CN-2", "", "2025-11-21T08:00:00+08:00", "2025-11-21T09:00:00+08:00", "", 3000000,
         "messages", "CN", "2025-12-03T18:00:00+08:00", "2026-01-03T09:00:00+08:00"],
    ]
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                   "users": {"CN": 5000000}},
                      logs={"breaches": (header, rows)})
    a = run_assessment(pack, ["cn.incident-reporting"], "2026-03-31")
    assert isinstance(a, Assessment)
    rid = "cn.incident-reporting:incident-handling-summary"
    result = next(r for r in a.results if r.requirement.full_id == rid)
    assert {row[0] for row in a.detail_rows(rid)} == {"CN-2"}
    assert "counted from the end of the incident's handling" in result.finding.summary

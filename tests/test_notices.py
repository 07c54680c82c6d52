"""``audit notices``: deadlines equal to hand computations, the same as assess gives for the
logged incident, and bad incident files refused with one located line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import audit
from audit.checklist_paths import select_checklists
from audit.incident import Incident, read_incident
from audit.notices import DONE, DUE, LATE, OVERDUE, WAITING, Duty, Plan, plan
from audit.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "incidents" / "leak-2026-12.yaml"
PACK = ROOT / "examples" / "before-negotiation"
UTC = dt.timezone.utc


def _incident(tmp_path: Path, **doc: Any) -> Incident:
    path = tmp_path / "incident.yaml"
    path.write_text(yaml.safe_dump({"incident": "INC-1", **doc}), encoding="utf-8")
    return read_incident(path)


def _plan(incident: Incident, modules: list[str], now: str,
          profile: dict[str, Any] | None = None) -> Plan:
    _library, chosen = select_checklists(modules, get_registry())
    return plan(incident, chosen, profile or {}, dt.datetime.fromisoformat(now))


def _duty(the_plan: Plan, full_id: str) -> Duty:
    (found,) = [d for d in (*the_plan.duties, *the_plan.not_law)
                if d.requirement.full_id == full_id]
    return found


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_brazil_counts_business_days_past_a_holiday(tmp_path: Path) -> None:
    """Detected on Thursday 24 Dec 2026 (08:20 in Brasilia); Friday the 25th is Christmas,
    then a weekend: the 3 business days are Mon 28, Tue 29, Wed 30, so the deadline is the
    end of Wednesday 30 Dec, local time."""
    incident = _incident(tmp_path, detected_at="2026-12-24T14:20:00+03:00",
                         affected={"BR": 6400})
    the_plan = _plan(incident, ["br.lgpd"], "2026-12-25T09:00:00+00:00")
    for rid in ("br.lgpd:breach-notice-authority", "br.lgpd:breach-notice-users"):
        duty = _duty(the_plan, rid)
        assert duty.due == _t("2026-12-31T00:00:00-03:00")
        assert duty.timezone == "America/Sao_Paulo" and duty.start_column == "detected_at"
        assert duty.state == DUE and duty.hours == pytest.approx(138.0)
    # the supplement counts from the report to ANPD, not yet made: its latest date is 20
    # business days after the first notice's own deadline, 00:00 on 31 Dec: 1 Jan is a
    # holiday, so they run Mon 4 to Fri 29 Jan, and the deadline is the end of the 29th
    supplement = _duty(the_plan, "br.lgpd:incident-supplement")
    assert supplement.state == WAITING and supplement.due is None
    assert supplement.latest_due == _t("2027-01-30T00:00:00-03:00")


def test_egypt_counts_working_days_from_the_report_to_the_centre(tmp_path: Path) -> None:
    """Egypt's weekend is Friday and Saturday. Reported to the Centre on Wednesday 23 Dec:
    Thu 24 is the first working day, Sun 27 the second, Mon 28 the third."""
    incident = _incident(tmp_path, detected_at="2026-12-22T09:00:00+02:00",
                         affected={"EG": 12000},
                         notified={"EG": {"authority": "2026-12-23T16:00:00+02:00"}})
    the_plan = _plan(incident, ["eg.pdpl"], "2026-12-24T12:00:00+02:00")
    authority = _duty(the_plan, "eg.pdpl:breach-notice-authority")
    assert authority.due == _t("2026-12-25T09:00:00+02:00") and authority.state == DONE
    people = _duty(the_plan, "eg.pdpl:breach-notice-users")
    assert people.start_column == "authority_notified_at"
    assert people.started_at == _t("2026-12-23T16:00:00+02:00")
    assert people.due == _t("2026-12-29T00:00:00+02:00") and people.state == DUE
    assert people.hours == pytest.approx(108.0)


def test_egypt_latest_date_when_the_centre_is_not_told_yet(tmp_path: Path) -> None:
    """Not yet reported: the Centre's 72 h end on Friday 25 Dec 09:00; working days after a
    report then are Sun 27, Mon 28, Tue 29: at the latest the end of Tuesday 29 Dec."""
    incident = _incident(tmp_path, detected_at="2026-12-22T09:00:00+02:00",
                         affected={"EG": 12000})
    the_plan = _plan(incident, ["eg.pdpl"], "2026-12-26T12:00:00+02:00")
    assert _duty(the_plan, "eg.pdpl:breach-notice-authority").state == OVERDUE
    people = _duty(the_plan, "eg.pdpl:breach-notice-users")
    assert people.state == WAITING and people.due is None
    assert people.latest_due == _t("2026-12-30T00:00:00+02:00")
    assert [d.requirement.full_id for d in the_plan.overdue()] == [
        "eg.pdpl:breach-notice-authority"]


@pytest.mark.parametrize(("detected", "occurred", "version", "due"), [
    # before 1 Jan 2026 (Vietnam time) Decree 13 counts 72 h from the violation occurring
    ("2025-12-31T23:30:00+07:00", "2025-12-30T08:00:00+07:00", dt.date(2023, 7, 1),
     "2026-01-02T08:00:00+07:00"),
    # from 1 Jan 2026 Law 91 counts 72 h from detection
    ("2026-01-01T00:30:00+07:00", "2025-12-30T08:00:00+07:00", dt.date(2026, 1, 1),
     "2026-01-04T00:30:00+07:00"),
])
def test_vietnam_version_is_decided_by_the_detection_date(
        tmp_path: Path, detected: str, occurred: str, version: dt.date, due: str) -> None:
    incident = _incident(tmp_path, detected_at=detected, occurred_at=occurred,
                         affected={"VN": 900})
    duty = _duty(_plan(incident, ["vn.pdp"], "2026-01-01T06:00:00+07:00"),
                 "vn.pdp:breach-notice-authority")
    assert duty.version_from == version and duty.due == _t(due)


def test_a_country_without_a_duty_in_force_says_so(tmp_path: Path) -> None:
    incident = _incident(tmp_path, detected_at="2026-12-24T14:20:00+03:00",
                         affected={"IQ": 182000, "TR": 10})
    the_plan = _plan(incident, ["iq.law", "iq.drafts", "tr.kvkk"], "2026-12-25T09:00:00+00:00")
    assert [s.country for s in the_plan.silent] == ["IQ"]
    assert {d.module.jurisdiction for d in the_plan.duties} == {"TR"}


def test_planning_then_assessing_the_logged_incident_gives_the_same_deadlines(
        tmp_path: Path) -> None:
    """The incident, handled late and logged with its actual report times, assessed: every
    deadline in the assessment's late-events rows equals the planned one."""
    incident = read_incident(EXAMPLE)
    late = {"authority": "2027-01-06T10:00:00+03:00", "people": "2027-01-20T10:00:00+03:00",
            "final_report": "2027-03-01T10:00:00+03:00"}
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["notified"] = {"BR": late, "EG": late, "TR": late, "EU": late}
    path = tmp_path / "handled.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    handled = read_incident(path)
    modules = ["br.lgpd", "eg.pdpl", "tr.kvkk", "eu.gdpr"]
    the_plan = _plan(handled, modules, "2027-03-02T00:00:00+00:00",
                     yaml.safe_load((PACK / "platform.yaml").read_text(encoding="utf-8")))
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    row = {"incident_id": incident.id, "occurred_at": doc["occurred_at"],
           "detected_at": doc["detected_at"], "authority_notified_at": late["authority"],
           "users_notified_at": late["people"], "records_affected": incident.total_affected,
           "data_categories": "phone_numbers;contacts", "countries": "IQ;DE;FR;TR;IN;BR;EG",
           "high_risk": "yes", "cert_notified_at": "",
           "report_completed_at": late["final_report"]}
    (pack / "logs" / "breaches.csv").write_text(
        ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n", encoding="utf-8")
    result = audit.assess(pack, modules, as_of="2027-03-02")
    compared = 0
    for duty in the_plan.duties:
        rows = list(result.detail_rows(duty.requirement.full_id))
        assert duty.state == LATE, duty.requirement.full_id
        (detail,) = rows
        assert _t(detail[3]) == duty.due, duty.requirement.full_id
        compared += 1
    assert compared >= 6


def test_duties_come_by_deadline_in_every_text_format(run: Any) -> None:
    code, out, err = run("notices", EXAMPLE, "--pack", PACK, "--now", "2026-12-25T12:00+03:00",
                         "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    dues = [d["deadline_utc"] for d in doc["duties"] if d["deadline_utc"]]
    assert len(dues) == 11 and dues == sorted(dues)
    assert [d["state"] for d in doc["duties"][-2:]] == [WAITING, WAITING]
    assert doc["no_duty"] == [{"country": "IQ", "not_law": []}]
    code, out, err = run("notices", EXAMPLE, "--pack", PACK, "--now", "2026-12-25T12:00+03:00")
    assert code == 0, err
    firsts = [line.split("  ")[0] for line in out.splitlines() if line[:4] == "2026"]
    assert firsts[:2] == ["2026-12-24 22:50", "2026-12-25 12:20"]  # Kolkata, then Brussels
    assert "IQ: no breach-notice duty in force in the selected modules" in out
    assert "in.dpdp:breach-notice-authority: not yet in force: applies from 13 May 2027" in out


def test_fail_on_overdue(run: Any) -> None:
    code, _out, err = run("notices", EXAMPLE, "--now", "2026-12-28T12:00+03:00",
                          "--fail-on", "overdue", "--format", "json")
    assert code == 1
    assert err.startswith("audit: gate failed: ") and "overdue" in err
    code, _out, err = run("notices", EXAMPLE, "--now", "2026-12-24T18:10+03:00",
                          "--fail-on", "overdue", "--format", "json")
    assert code == 0, err


def test_a_time_after_now_is_refused_naming_its_key(run: Any) -> None:
    """A plan states what has happened: a notice "sent" after --now is a mistake in the file."""
    code, out, err = run("notices", EXAMPLE, "--now", "2026-12-24T15:00+03:00")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert f"{EXAMPLE}: notified.in.cert-in.cert: 2026-12-24T18:05:00+03:00 is after" in line


def test_uk_is_answered_with_gb(tmp_path: Path) -> None:
    with pytest.raises(audit.AuditError) as exc:
        _incident(tmp_path, detected_at="2026-12-24T14:20:00+03:00", affected={"UK": 5})
    assert exc.value.lines[0].endswith("did you mean GB (United Kingdom)?")


@pytest.mark.parametrize(("doc", "expected"), [
    ({"affected": {"IQ": 5}}, " detected_at: required key is missing"),
    ({"detected_at": "2026-12-24T14:20:00", "affected": {"IQ": 5}},
     " detected_at: a time needs its offset"),
    ({"detected_at": "2026-12-24T14:20:00+03:00", "affected": {"IR": 5, "XQ": 1}},
     " affected.XQ: unknown country code 'XQ' (ISO 3166-1 alpha-2)"),
    ({"detected_at": "2026-12-24T14:20:00+03:00", "affected": {"US-TZ": 5}},
     " affected.US-TZ: unknown subdivision 'US-TZ' of United States; did you mean US-"),
    ({"detected_at": "2026-12-24T14:20:00+03:00", "affected": {"IQ": -3}},
     " affected.IQ: expected at least 0; got -3"),
    ({"detected_at": "2026-12-24T14:20:00+03:00", "affected": {"IQ": 5},
      "notified": {"EU": {"authority": "2026-12-24T10:00:00+03:00"}}},
     " notified.EU.authority: sent before the incident was detected"),
])
def test_a_bad_incident_is_one_located_line_and_nothing_written(
        run: Any, tmp_path: Path, doc: dict[str, Any], expected: str) -> None:
    path = tmp_path / "incident.yaml"
    path.write_text(yaml.safe_dump({"incident": "INC-1", **doc}), encoding="utf-8")
    before = path.read_bytes()
    code, out, err = run("notices", path, "-o", tmp_path / "plan.xlsx")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith(str(path)) and expected in line, line
    assert "Traceback" not in err and not (tmp_path / "plan.xlsx").exists()
    assert path.read_bytes() == before


def test_a_misspelt_country_gets_the_closest_code(tmp_path: Path) -> None:
    with pytest.raises(audit.AuditError) as exc:
        _incident(tmp_path, detected_at="2026-12-24T14:20:00+03:00", affected={"IK": 5})
    assert "did you mean" in exc.value.lines[0]


def test_the_calendar_has_one_event_per_dated_duty_with_alarms_before_it(
        run: Any, tmp_path: Path) -> None:
    import icalendar

    out_file = tmp_path / "plan.ics"
    code, _out, err = run("notices", EXAMPLE, "--pack", PACK, "--now",
                          "2026-12-25T12:00+03:00", "-o", out_file)
    assert code == 0, err
    cal = icalendar.Calendar.from_ical(out_file.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 10  # not the two waiting duties, nor CERT-In's, already sent
    for event in events:
        due = event.decoded("dtstart")
        alarms = list(event.walk("VALARM"))
        assert alarms
        for alarm in alarms:
            fires = due + alarm.decoded("trigger")
            assert fires < due
    gdpr = [e for e in events if "Regulation (EU) 2016/679" in str(e.get("description"))]
    assert [e.decoded("dtstart") for e in gdpr] == [_t("2026-12-27T11:20:00+00:00")]
    # 72 h clock: alarms 18 h and 1 h before the deadline
    assert sorted(a.decoded("trigger") for a in gdpr[0].walk("VALARM")) == [
        dt.timedelta(hours=-18), dt.timedelta(hours=-1)]


def test_the_arabic_workbook_reads_right_to_left_with_words(run: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out_file = tmp_path / "plan.xlsx"
    code, _out, err = run("notices", EXAMPLE, "--pack", PACK, "--now",
                          "2026-12-25T12:00+03:00", "-o", out_file, "--lang", "ar")
    assert code == 0, err
    ws = load_workbook(out_file).active
    assert ws.sheet_view.rightToLeft is True
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    header = [c.value for c in ws[2]]
    assert all(isinstance(h, str) and not h.isascii() for h in header), header
    states = [ws.cell(row=r, column=3).value for r in range(3, 12)]
    assert all(s and not s.isascii() for s in states), states


def test_json_and_markdown_agree_on_the_deadlines(run: Any) -> None:
    args = ("notices", EXAMPLE, "--pack", PACK, "--now", "2026-12-25T12:00+03:00")
    _code, out, _err = run(*args, "--format", "json")
    doc = json.loads(out)
    _code, markdown, _err = run(*args, "--format", "markdown")
    for duty in doc["duties"]:
        if duty["deadline_utc"]:
            shown = dt.datetime.fromisoformat(duty["deadline_utc"]).strftime("%Y-%m-%d %H:%M")
            assert f"{shown} UTC" in markdown


@settings(max_examples=60, deadline=None)
@given(affected=st.dictionaries(st.from_regex(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", fullmatch=True),
                                st.integers(-5, 10**9), min_size=1, max_size=4),
       detected=st.one_of(st.datetimes(min_value=dt.datetime(1990, 1, 1),
                                       max_value=dt.datetime(2100, 1, 1),
                                       timezones=st.sampled_from([UTC, None])),
                          st.text(max_size=30)),
       extra=st.dictionaries(st.sampled_from(["kind", "high_risk", "notified", "assessed_at"]),
                             st.one_of(st.text(max_size=10), st.booleans(), st.integers(),
                                       st.none())))
def test_any_incident_file_is_read_or_refused_with_located_lines(
        tmp_path_factory: pytest.TempPathFactory, affected: dict[str, int], detected: object,
        extra: dict[str, object]) -> None:
    path = tmp_path_factory.mktemp("incident") / "incident.yaml"
    stamp = detected.isoformat() if isinstance(detected, dt.datetime) else detected
    path.write_text(yaml.safe_dump({"incident": "X", "detected_at": stamp,
                                    "affected": affected, **extra}), encoding="utf-8")
    try:
        incident = read_incident(path)
    except audit.AuditError as exc:
        assert exc.lines and all(line.startswith(str(path)) for line in exc.lines)
        return
    assert incident.detected_at.utcoffset() is not None
    assert all(n >= 0 for n in incident.affected.values())


def test_the_worked_example_in_the_docs_is_what_the_command_prints(run: Any) -> None:
    doc = (ROOT / "docs" / "notices.md").read_text(encoding="utf-8")
    shown = doc.split("<!-- notices-example:begin -->\n")[1].split("\n<!-- notices-example:end")[0]
    code, out, err = run("notices", EXAMPLE, "--pack", PACK, "--now", "2026-12-25T12:00+03:00",
                         "--format", "markdown")
    assert code == 0, err
    assert out.rstrip("\n") == shown, "docs/notices.md: paste the command's output again"


def test_singapore_counts_three_days_from_the_day_after_the_assessment(
        tmp_path: Path) -> None:
    """Assessed as notifiable on Thursday 24 Dec at 10:00 Singapore time: the three calendar
    days are 25, 26 and 27 December, so the PDPC is due by the end of Sunday 27 Dec."""
    incident = _incident(tmp_path, detected_at="2026-12-22T09:00:00+08:00",
                         assessed_at="2026-12-24T10:00:00+08:00", affected={"SG": 600})
    duty = _duty(_plan(incident, ["sg.pdpa"], "2026-12-24T12:00:00+08:00"),
                 "sg.pdpa:breach-notice-pdpc")
    assert duty.start_column == "assessed_at"
    assert duty.due == _t("2026-12-28T00:00:00+08:00") and duty.state == DUE


def test_singapore_below_500_people_owes_the_pdpc_nothing(tmp_path: Path) -> None:
    incident = _incident(tmp_path, detected_at="2026-12-22T09:00:00+08:00",
                         assessed_at="2026-12-24T10:00:00+08:00", affected={"SG": 499})
    the_plan = _plan(incident, ["sg.pdpa"], "2026-12-24T12:00:00+08:00")
    assert "sg.pdpa:breach-notice-pdpc" not in {d.requirement.full_id for d in the_plan.duties}
    assert any(r.full_id == "sg.pdpa:breach-notice-pdpc" and "people affected at least 500" in why
               for r, why in the_plan.set_aside)


@pytest.mark.parametrize(("people", "reports"), [(999, False), (1000, True)])
def test_korea_reports_to_the_pipc_from_1000_data_subjects(
        tmp_path: Path, people: int, reports: bool) -> None:
    """72 hours from becoming aware (the detection, unless aware_at says otherwise); the
    report to the PIPC or KISA only from 1,000 data subjects, the notice to people always."""
    incident = _incident(tmp_path, detected_at="2026-12-24T14:20:00+09:00",
                         affected={"KR": people})
    the_plan = _plan(incident, ["kr.pipa"], "2026-12-24T15:00:00+09:00")
    owed = {d.requirement.full_id: d for d in the_plan.duties}
    people_notice = [d for d in owed.values() if d.end_column == "users_notified_at"]
    assert [d.due for d in people_notice] == [_t("2026-12-27T14:20:00+09:00")]
    authority = [d for d in owed.values() if d.end_column == "authority_notified_at"]
    assert bool(authority) is reports
    if reports:
        assert [d.due for d in authority] == [_t("2026-12-27T14:20:00+09:00")]
        assert dict(authority[0].threshold) == {"records_affected": {"gte": 1000}}


@pytest.mark.parametrize(("residents", "attorney_general"), [(249, False), (250, True)])
def test_texas_counts_its_own_residents_for_the_attorney_general(
        tmp_path: Path, residents: int, attorney_general: bool) -> None:
    """The 250 threshold counts Texas residents (affected US-TX), not the incident's total;
    both clocks start at the determination of the breach, 30 and 60 days after it."""
    incident = _incident(tmp_path, detected_at="2026-12-01T09:00:00-06:00",
                         determined_at="2026-12-03T17:00:00-06:00",
                         affected={"US-TX": residents, "DE": 50000})
    the_plan = _plan(incident, ["us-tx.breach-notification"], "2026-12-04T09:00:00-06:00")
    owed = {d.requirement.id: d for d in the_plan.duties}
    assert owed["breach-notice-individuals"].due == _t("2027-02-01T17:00:00-06:00")
    assert ("breach-notice-attorney-general" in owed) is attorney_general
    if attorney_general:
        assert owed["breach-notice-attorney-general"].due == _t("2027-01-02T17:00:00-06:00")

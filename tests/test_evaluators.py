"""Rule types measured on small, hand-checked packs (figures worked out by hand)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from audit.pipeline.score import assess
from audit.checklists import load_library
from audit.durations import Unit, parse_duration
from audit.evidence.loaders import load_evidence
from audit.plugins import get_registry
from packs import MODERATION, moderation_rows, write_pack

HEAD = textwrap.dedent("""\
    schema_version: 1
    id: t.rules
    jurisdiction: {jur}
    title: Rule tests
    version: 1
    status: in_force
    sources:
      - {{id: law, title: Test Law, url: "https://example.org/law"}}
    requirements:
    """)


def requirement(rid: str, rule: str, severity: str = "high", extra: str = "") -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        - id: {rid}
          area: moderation
          title: {rid}
          citation: {{source: law, article: "Art. 1"}}
          severity: {severity}
          rule: {rule}
          remediation: Fix it.
        """) + textwrap.indent(textwrap.dedent(extra), "  "), "  ")


def run_rules(tmp_path: Path, reqs: list[str], pack: Path, as_of: str = "2024-12-31",
              jur: str = "IQ") -> dict[str, Any]:
    mods = tmp_path / "mods"
    mods.mkdir(exist_ok=True)
    (mods / "t.yaml").write_text(HEAD.format(jur=jur) + "".join(reqs), "utf-8")
    from audit import checklists, plugins

    plugins.reset()
    checklists._LIBRARY.clear()
    registry = get_registry()
    registry.checklist_dirs.append((mods, "tests"))
    library = load_library(registry)
    evidence = load_evidence([pack], registry)
    result = assess(evidence, [library.get("t.rules")], library, registry,
                    dt.date.fromisoformat(as_of))
    return {r.requirement.id: r for r in result.results} | {"_assessment": result}


DEADLINE = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "within: 24h, target: 0.9, where: {category: personal_data_leak}}")


def test_durations() -> None:
    assert parse_duration("24h").amount == 24 and parse_duration("24h").unit is Unit.HOURS
    assert parse_duration("3 business days").unit is Unit.BUSINESS_DAYS
    assert parse_duration("1 Month").unit is Unit.MONTHS
    assert str(parse_duration("72 hours")) == "72 h"
    assert parse_duration("1 month").add_to(dt.date(2024, 1, 31)) == dt.date(2024, 2, 29)
    for bad in ("24", 24, "h", "0h", "3 fortnights", None):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_deadline_counts_on_time_late_missing_and_pending(tmp_path: Path) -> None:
    # 10 h apart from 2024-01-01; 4 on time, 1 late (30 h), 1 never handled (past due),
    # the last one open but still within its 24 h at the as-of date -> pending, not counted.
    rows = moderation_rows([1, 2, 23.5, 24, 30, None])
    rows.append(["R-open", "2024-12-31T20:00:00+00:00", "", "personal_data_leak", "authority",
                 "", "IQ"])
    rows.append(["R-other", "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00",
                 "spam", "user", "", "IQ"])
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    res = run_rules(tmp_path, [requirement("d", DEADLINE)], pack)["d"]
    f = res.finding.figures
    assert (f["events"], f["on_time"], f["late"], f["missing"], f["pending"]) == (6, 4, 1, 1, 1)
    assert "4 of 6 moderation events handled within 24 hours = 66.7%; target 90%" in res.finding.summary
    assert res.status.value == "partial"
    assert res.finding.score == pytest.approx((4 / 6) / 0.9, abs=1e-4)
    assert f["p50_hours"] == pytest.approx(23.5)  # median of 1, 2, 23.5, 24, 30
    detail = list(run_rules(tmp_path, [requirement("d", DEADLINE)], pack)["_assessment"]
                  .detail_rows("t.rules:d"))
    assert [(row[0], row[-1]) for row in detail] == [("R00005", "not handled"), ("R00004", "late")]


def test_deadline_versions_apply_per_event(tmp_path: Path) -> None:
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "versions: [{from: 2024-01-01, within: 36h, target: 1.0}, "
            "{from: 2024-01-03, within: 3h, target: 1.0}]}")
    # events at 2024-01-01 00:00, 01-01 10:00, 01-01 20:00 (36 h rule) and 01-03 06:00,
    # 01-03 16:00 (3 h rule); all handled after 10 h.
    rows = moderation_rows([10] * 5, start="2024-01-01T00:00:00+00:00", step_hours=10)
    rows[3][1], rows[3][2] = "2024-01-03T06:00:00+00:00", "2024-01-03T16:00:00+00:00"
    rows[4][1], rows[4][2] = "2024-01-03T16:00:00+00:00", "2024-01-04T02:00:00+00:00"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    res = run_rules(tmp_path, [requirement("v", rule)], pack)["v"]
    versions = res.finding.figures["versions"]
    assert [(v["within"], v["events"], v["on_time"]) for v in versions] == [
        ("36 h", 3, 3), ("3 h", 2, 0)]
    assert res.status.value == "not_met"  # worst version decides
    assert res.finding.score == pytest.approx(3 / 5)


def test_events_before_the_rule_took_effect_are_not_judged(tmp_path: Path) -> None:
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "versions: [{from: 2024-06-01, within: 1h, target: 1.0}]}")
    rows = moderation_rows([10, 10], start="2024-01-01T00:00:00+00:00")
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    res = run_rules(tmp_path, [requirement("v", rule)], pack)["v"]
    assert res.status.value == "manual_review"
    assert "no moderation events in the period" in res.finding.summary


def test_business_days_skip_weekend_and_holidays(tmp_path: Path) -> None:
    # Brazil: 2024-11-15 (Friday) and 2024-11-20 (Wednesday) are national holidays.
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "within: 3 business days, target: 1.0}")
    rows = [
        # Thu 14 Nov: business days after it are Mon 18, Tue 19, Thu 21 -> due end of Thu 21
        ["A", "2024-11-14T10:00:00+00:00", "2024-11-21T20:00:00+00:00", "x", "u", "", "BR"],
        ["B", "2024-11-14T10:00:00+00:00", "2024-11-22T04:00:00+00:00", "x", "u", "", "BR"],
        # Mon 2 Dec: due end of Thu 5 Dec
        ["C", "2024-12-02T09:00:00+00:00", "2024-12-05T23:00:00+00:00", "x", "u", "", "BR"],
    ]
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    res = run_rules(tmp_path, [requirement("bd", rule)], pack, jur="BR")["bd"]
    f = res.finding.figures
    assert (f["on_time"], f["late"]) == (2, 1)
    assert "BR public holidays" in f["calendar"]


def test_missing_log_and_missing_column(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    res = run_rules(tmp_path, [requirement("d", DEADLINE)], pack)["d"]
    assert res.status.value == "no_evidence"
    rule = DEADLINE.replace("category: personal_data_leak", "urgency: emergency")
    pack = write_pack(tmp_path / "q", logs={"moderation": (MODERATION, moderation_rows([1]))})
    res = run_rules(tmp_path, [requirement("d", rule)], pack)["d"]
    assert res.status.value == "no_evidence"
    assert "the moderation log has no 'urgency' column" in res.finding.summary


def test_attestation_answers(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={
        "a-yes": {"answer": "yes", "by": "CPO"}, "a-no": "no", "a-partial": "partial",
        "a-na": {"answer": "n/a", "note": "no channels"}, "doc": "yes"})
    reqs = [requirement(k, "{type: attestation}") for k in ("a-yes", "a-no", "a-partial",
                                                           "a-na", "a-none")]
    reqs.append(requirement("a-doc", "{type: attestation, key: doc, require_document: true}"))
    r = run_rules(tmp_path, reqs, pack)
    assert [r[k].status.value for k in ("a-yes", "a-no", "a-partial", "a-na", "a-none", "a-doc")] \
        == ["met", "not_met", "partial", "manual_review", "no_evidence", "partial"]


def test_module_specific_answer_wins(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"k": "no", "t.rules:k": "yes"})
    r = run_rules(tmp_path, [requirement("k", "{type: attestation}")], pack)
    assert r["k"].status.value == "met"


def test_threshold_officer_document_share_count(tmp_path: Path) -> None:
    platform = {"name": "X", "users": {"IQ": 10, "IN": 6000000}, "retention": {"logs_days": 90},
                "representatives": [
                    {"name": "A", "role": "grievance", "country": "IN", "contact": "a@x"},
                    {"name": "B", "role": "dpo", "country": "US"},
                    {"name": "C", "role": "eu_rep", "country": "DE", "contact": "c@x"}]}
    docs = [{"path": "r1.txt", "kind": "transparency_report", "date": "2024-03-01",
             "language": "en"},
            {"path": "r2.txt", "kind": "transparency_report", "date": "2024-11-01",
             "language": "en"},
            {"path": "old.txt", "kind": "privacy_policy", "date": "2020-01-01", "language": "ar"}]
    rows = [["Q1", "a", "IQ", "2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00",
             "user_data", "judicial_decision", "disclosed"],
            ["Q2", "a", "IQ", "2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00",
             "user_data", "none", "disclosed"],
            ["Q3", "a", "IQ", "2024-01-01T00:00:00+00:00", "", "user_data", "none", "refused"]]
    header = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
              "legal_basis", "outcome"]
    pack = write_pack(tmp_path / "p", platform=platform, documents=docs,
                      logs={"authority_requests": (header, rows)})
    reqs = [
        requirement("thr", "{type: threshold, field: platform.retention.logs_days, op: gte, "
                           "value: 180, unit: days}"),
        requirement("off-ok", "{type: officer, role: grievance, resident_in: [IN]}"),
        requirement("off-abroad", "{type: officer, role: dpo, resident_in: [EU]}"),
        requirement("off-eu", "{type: officer, role: eu_rep, resident_in: [EU]}"),
        requirement("off-none", "{type: officer, role: nodal}"),
        requirement("doc-old", "{type: document, kind: privacy_policy, max_age: 24 months}"),
        requirement("doc-lang", "{type: document, kind: transparency_report, languages: [ar]}"),
        requirement("share", "{type: share, log: authority_requests, where: {outcome: disclosed}, "
                             "match: {legal_basis: judicial_decision}, target: 1.0}"),
        requirement("cnt", "{type: count, document_kind: transparency_report, every: 6 months, "
                           "lookback: 12 months}"),
        requirement("cnt-log", "{type: count, log: authority_requests, date: received_at, "
                               "every: 1 year, min: 3}"),
        requirement("applies", "{type: attestation}",
                    extra="applies_if: {field: platform.users.IN, gte: 5000000}\n"),
        requirement("n-a", "{type: attestation}",
                    extra="applies_if: {field: platform.users.IQ, gte: 5000000}\n"),
        requirement("unknown", "{type: attestation}",
                    extra="applies_if: {field: platform.users.TR, gte: 1}\n"),
    ]
    r = run_rules(tmp_path, reqs, pack)
    assert r["thr"].status.value == "partial" and r["thr"].finding.score == 0.5
    assert "platform.retention.logs_days is 90 days; required at least 180 days" in r["thr"].finding.summary
    assert r["off-ok"].status.value == "met"
    assert r["off-abroad"].status.value == "partial"
    assert "resides in US, not EU" in r["off-abroad"].finding.summary
    assert r["off-eu"].status.value == "met"
    assert r["off-none"].status.value == "not_met"
    assert r["doc-old"].status.value == "partial" and "older than 24 months" in r["doc-old"].finding.summary
    assert r["doc-lang"].status.value == "not_met"  # none in the required language
    assert r["share"].finding.figures == {"events": 2, "matched": 1, "share": 0.5, "target": 1.0}
    assert r["share"].status.value == "partial"
    assert r["cnt"].status.value == "met" and r["cnt"].finding.figures["counts"] == [1, 1]
    assert r["cnt-log"].status.value == "met" and r["cnt-log"].finding.figures["counts"] == [3]
    assert r["applies"].status.value == "no_evidence"
    assert r["n-a"].status.value == "not_applicable"
    assert "requires platform.users.IQ of at least 5,000,000" in r["n-a"].finding.summary
    assert r["unknown"].status.value == "no_evidence"
    assert "applicability not established (platform.users.TR not given)" in r["unknown"].finding.summary


def test_all_of_and_any_of(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"a": "yes", "b": "no"})
    r = run_rules(tmp_path, [
        requirement("all", "{type: all_of, rules: [{type: attestation, key: a}, "
                           "{type: attestation, key: b}]}"),
        requirement("any", "{type: any_of, rules: [{type: attestation, key: a}, "
                           "{type: attestation, key: b}]}"),
    ], pack)
    assert r["all"].status.value == "partial" and r["all"].finding.score == 0.5
    assert len(r["all"].finding.children) == 2
    assert r["any"].status.value == "met"


def test_waivers_with_and_without(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"w1": "no", "w2": "no", "ok": "yes"}, waivers=[
        {"requirement": "t.rules:w1", "justification": "Migration under way",
         "approved_by": "Board", "expires": "2025-06-30"},
        {"requirement": "t.rules:w2", "justification": "Old", "approved_by": "Board",
         "expires": "2024-06-30"}])
    r = run_rules(tmp_path, [requirement(k, "{type: attestation}", "critical")
                             for k in ("w1", "w2", "ok")], pack)
    a = r["_assessment"]
    assert r["w1"].status.value == "waived" and r["w1"].underlying.status.value == "not_met"
    assert r["w2"].status.value == "not_met"
    assert "waiver expired on 30 Jun 2024; no longer applies" in r["w2"].finding.summary
    assert a.score.score == pytest.approx(0.5)  # ok and w2 counted
    assert a.score_without_waivers.score == pytest.approx(1 / 3)
    assert a.verdict.value == "non_compliant"


def test_scoring_models() -> None:
    from audit.model import Status
    from audit.scoring import FlatModel, Scored, StrictModel, WeightedModel, verdict

    class R:
        def __init__(self, w: float, sev: str) -> None:
            from audit.model import Severity

            self.weight, self.severity = w, Severity(sev)

    items = [Scored(R(10, "critical"), Status.MET, 1.0), Scored(R(1, "low"), Status.PARTIAL, 0.5),
             Scored(R(3, "medium"), Status.NOT_APPLICABLE, 0.0),
             Scored(R(5, "high"), Status.MANUAL_REVIEW, 0.0)]
    w = WeightedModel().score(items)
    assert (w.numerator, w.denominator, w.counted) == (10.5, 11, 2)
    assert w.excluded == {"not_applicable": 1, "manual_review": 1}
    assert FlatModel().score(items).score == pytest.approx(0.75)
    assert StrictModel().score(items).score == pytest.approx(10 / 11)
    assert verdict(items).value == "partially_compliant"
    assert WeightedModel().score([]).score is None


def test_document_conditions_hold_for_one_document(tmp_path: Path) -> None:
    docs = [{"path": "ar.txt", "kind": "privacy_policy", "date": "2021-05-10", "language": "ar"},
            {"path": "en.txt", "kind": "privacy_policy", "date": "2024-03-01", "language": "en"}]
    pack = write_pack(tmp_path / "p", documents=docs)
    r = run_rules(tmp_path, [requirement("d", "{type: document, kind: privacy_policy, "
                                              "languages: [ar], max_age: 24 months}")], pack)
    assert r["d"].status.value == "partial"
    assert "newest in ar dated 10 May 2021, older than 24 months" in r["d"].finding.summary


def test_count_periods_do_not_drift(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", documents=[
        {"path": f"r{m}.txt", "kind": "report", "date": f"2024-{m:02d}-28"} for m in range(7, 13)])
    r = run_rules(tmp_path, [requirement("c", "{type: count, document_kind: report, "
                                              "every: 1 month, lookback: 6 months}")], pack)
    assert "30 Nov 2024 to 31 Dec 2024: 1" in r["c"].finding.summary
    assert "30 Sep 2024 to 31 Oct 2024: 1" in r["c"].finding.summary
    assert r["c"].status.value == "met"


def test_clock_not_yet_in_force_and_unjudged_events(tmp_path: Path) -> None:
    future = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
              "versions: [{from: 2027-05-13, within: 72h, target: 1.0}]}")
    later = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
             "versions: [{from: 2024-01-02, within: 72h, target: 1.0}]}")
    rows = moderation_rows([1, 1, 1, 1], start="2024-01-01T00:00:00+00:00", step_hours=12)
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    r = run_rules(tmp_path, [requirement("f", future), requirement("l", later)], pack)
    assert r["f"].status.value == "not_applicable"
    assert "not yet in force" in r["f"].finding.summary
    assert r["l"].finding.figures["outside_period"] == 2
    assert "2 matching event(s) before the rule took effect" in r["l"].finding.summary


def test_debug_flag_anywhere(run, tmp_path: Path) -> None:
    code, out, err = run("assess", str(tmp_path / "none"), "-c", "iq.telegram-2023", "--debug")
    assert code == 2 and "no such file or directory" in err


def test_contains_matches_one_item_of_a_multi_valued_cell(tmp_path: Path) -> None:
    header = ["incident_id", "occurred_at", "detected_at", "authority_notified_at",
              "users_notified_at", "records_affected", "data_categories", "countries"]
    t = "2024-03-01T00:00:00+00:00"
    rows = [[f"B{i}", t, t, "2024-03-02T00:00:00+00:00", "", "10", "contact", c]
            for i, c in enumerate(["IQ;TR", '["TR","DE"]', "TR", "TRX", "DE"])]
    pack = write_pack(tmp_path / "p", logs={"breaches": (header, rows)})
    rule = ("{type: deadline, log: breaches, where: {countries: {contains: TR}}, "
            "start: detected_at, end: authority_notified_at, within: 72h, target: 1.0}")
    anyrule = rule.replace("{contains: TR}", "{contains_any: [IQ, DE]}")
    r = run_rules(tmp_path, [requirement("c", rule), requirement("a", anyrule)], pack)
    assert r["c"].finding.figures["events"] == 3
    assert r["a"].finding.figures["events"] == 3


def test_unknown_filter_operator_is_located(tmp_path: Path) -> None:
    from audit.checklists import validate_files

    text = HEAD.format(jur="IQ") + requirement(
        "c", "{type: deadline, log: breaches, where: {countries: {has: TR}}, start: detected_at, "
             "end: authority_notified_at, within: 72h, target: 1.0}")
    path = tmp_path / "m.yaml"
    path.write_text(text, "utf-8")
    found = [str(p) for p in validate_files([path], get_registry())]
    assert any("requirements[0].rule.where.countries.has: unknown operator" in p for p in found)


def test_effective_dates_of_a_requirement(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"early": "yes", "late": "yes", "gone": "yes"})
    r = run_rules(tmp_path, [
        requirement("early", "{type: attestation}", extra="effective_from: 2024-01-01\n"),
        requirement("late", "{type: attestation}", extra="effective_from: 2027-05-13\n"),
        requirement("gone", "{type: attestation}", extra="effective_until: 2024-05-14\n"),
    ], pack)
    assert r["early"].status.value == "met"
    assert r["late"].status.value == "not_applicable"
    assert r["late"].finding.summary == "not yet in force: applies from 13 May 2027"
    assert r["gone"].finding.summary == "no longer in force since 14 May 2024"


def test_attestation_documents_must_be_in_the_evidence(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={
        "real": {"answer": "yes", "document": "policy.txt"},
        "ghost": {"answer": "yes", "document": "nowhere.pdf"},
        "plain": {"answer": "yes", "document": "nowhere.pdf"}},
        documents=[{"path": "policy.txt", "kind": "policy"}])
    r = run_rules(tmp_path, [
        requirement("real", "{type: attestation, require_document: true}"),
        requirement("ghost", "{type: attestation, require_document: true}"),
        requirement("plain", "{type: attestation}")], pack)
    assert r["real"].status.value == "met" and r["real"].finding.proof[-1].kind == "document"
    assert r["ghost"].status.value == "partial"
    assert "the document it names (nowhere.pdf) is not in the evidence" in r["ghost"].finding.summary
    assert "not in the evidence" in r["plain"].finding.summary


def test_document_paths_cannot_leave_the_pack(run, tmp_path: Path) -> None:
    import os

    pack = write_pack(tmp_path / "p", answers={
        "disclosure-policy-judicial": {"answer": "yes", "document": "../../etc/passwd"}})
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023")
    assert code == 2 and "disclosure-policy-judicial.document: '../../etc/passwd': a document " \
                          "is named by its path under documents/" in err
    pack = write_pack(tmp_path / "q", documents=[{"path": "p.txt", "kind": "privacy_policy"}])
    os.symlink("/etc/hostname", pack / "documents" / "link.txt")
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023")
    assert code == 2 and "q/documents/link.txt: documents must be regular files" in err


def test_business_days_are_counted_in_local_time(tmp_path: Path) -> None:
    # Brazil (-03:00). I1: detected Monday 22:30 local, notified Friday 10:00 local: Tuesday,
    # Wednesday, Thursday are the 3 business days, so Friday is late (in UTC the detection
    # is already Tuesday and Friday would look on time). I2: detected Tuesday 08:00 local,
    # notified Friday 22:30 local (Saturday in UTC): on time.
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "within: 3 business days, target: 1.0}")
    rows = [["I1", "2024-06-03T22:30:00-03:00", "2024-06-07T10:00:00-03:00", "x", "u", "", "BR"],
            ["I2", "2024-06-04T08:00:00-03:00", "2024-06-07T22:30:00-03:00", "x", "u", "", "BR"]]
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    r = run_rules(tmp_path, [requirement("bd", rule)], pack, jur="BR")
    f = r["bd"].finding.figures
    assert (f["on_time"], f["late"]) == (1, 1)
    detail = list(r["_assessment"].detail_rows("t.rules:bd"))
    assert [(row[0], row[3]) for row in detail] == [("I1", "2024-06-07T03:00:00+00:00")]


def test_rule_versions_start_at_local_midnight(tmp_path: Path) -> None:
    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "versions: [{from: 2023-08-13, within: 24h, target: 1.0}]}")
    rows = moderation_rows([1, 1], start="2023-08-13T00:30:00+03:00", step_hours=-1)
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    r = run_rules(tmp_path, [requirement("v", rule)], pack, as_of="2023-08-31")
    # 00:30 Baghdad on the 13th counts (it is still the 12th in UTC); 23:30 on the 12th not
    assert (r["v"].finding.figures["events"], r["v"].finding.figures["outside_period"]) == (1, 1)


def test_count_with_a_yearly_due_date(tmp_path: Path) -> None:
    rule = "{type: count, document_kind: report, every: 1 year, lookback: 2 years, due: '03-01'}"
    on_time = write_pack(tmp_path / "a", documents=[
        {"path": "r23.txt", "kind": "report", "date": "2023-02-20"},
        {"path": "r24.txt", "kind": "report", "date": "2024-02-28"}])
    late = write_pack(tmp_path / "b", documents=[
        {"path": "r23.txt", "kind": "report", "date": "2023-02-20"},
        {"path": "r24.txt", "kind": "report", "date": "2024-03-05"}])
    r = run_rules(tmp_path, [requirement("c", rule)], on_time, as_of="2024-06-30")
    assert r["c"].status.value == "met"
    assert "28 Feb 2023 to 29 Feb 2024: 1" in r["c"].finding.summary
    r = run_rules(tmp_path, [requirement("c", rule)], late, as_of="2024-06-30")
    assert r["c"].status.value == "partial"  # the 2024 report came after 1 March

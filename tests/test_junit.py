"""JUnit XML: messages in words, and the documented mapping of statuses to failure, skipped
and passed, which ``--fail-on`` governs (docs/over-time.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"
GAPS = ("partial", "not_met", "no_evidence", "manual_review")
RAW = re.compile(r"^(not_met|partial|no_evidence|manual_review|waived|not_applicable)\b")


def _cases(xml: str) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in ET.fromstring(xml).iter("testcase")}


def _result(run: Any, *args: str) -> dict[str, Any]:
    code, out, err = run("assess", BEFORE, "-c", "iq.telegram-2023", "-c", "eu.gdpr",
                         "--format", "json", *args)
    assert code in (0, 1), err
    return {r["id"]: r for r in json.loads(out)["requirements"]}


def test_without_gates_every_gap_fails_in_words(run: Any) -> None:
    code, out, err = run("assess", BEFORE, "-c", "iq.telegram-2023", "-c", "eu.gdpr",
                         "--format", "junit")
    assert code == 0, err
    cases, reqs = _cases(out), _result(run)
    for rid, case in cases.items():
        status = reqs[rid]["status"]
        failure, skipped = case.find("failure"), case.find("skipped")
        if status in GAPS:
            assert failure is not None and skipped is None, rid
            message = failure.get("message", "")
            assert not RAW.match(message), message
            assert message.split(" (", 1)[0] in {"partially met", "not met", "no evidence",
                                                 "awaiting manual review"}, message
            assert f"({reqs[rid]['severity']}): {reqs[rid]['title']}" in message
        elif status in ("waived", "not_applicable"):
            assert skipped is not None and failure is None, rid
            assert not RAW.match(skipped.get("message", ""))
        else:
            assert failure is None and skipped is None, rid
        assert not RAW.match(case.findtext("system-out") or "")


def test_fail_on_critical_fails_only_critical_gaps(run: Any) -> None:
    code, out, err = run("assess", BEFORE, "-c", "iq.telegram-2023", "-c", "eu.gdpr",
                         "--format", "junit", "--fail-on", "critical")
    assert code == 1 and "--fail-on critical" in err
    cases, reqs = _cases(out), _result(run)
    critical = {rid for rid, r in reqs.items() if r["severity"] == "critical"
                and r["status"] in GAPS}
    other = {rid for rid, r in reqs.items() if r["status"] in GAPS} - critical
    assert critical and other
    assert {rid for rid, c in cases.items() if c.find("failure") is not None} == critical
    for rid in critical:
        assert "fails --fail-on critical" in (cases[rid].findtext("failure") or "")
    for rid in other:
        skipped = cases[rid].find("skipped")
        assert skipped is not None, rid
        assert skipped.get("message", "").endswith(
            "(not failed: --fail-on critical does not fail on it)")
    suites = ET.fromstring(out).findall("testsuite")
    assert sum(int(s.get("failures", "0")) for s in suites) == len(critical)
    assert {p.get("value") for s in suites for p in s.iter("property")
            if p.get("name") == "fail-on"} == {"critical"}


def test_a_gate_that_passes_fails_nothing(run: Any) -> None:
    """--fail-on non-compliant on a partially compliant run: no failure, the build stays
    green in Jenkins, and the gaps are skipped with the reason."""
    code, out, err = run("assess", ROOT / "examples" / "after-remediation", "-c", "eu.gdpr",
                         "--format", "junit", "--fail-on", "non-compliant")
    assert code == 0, err
    cases = _cases(out).values()
    assert not [c for c in cases if c.find("failure") is not None]
    assert [c for c in cases if "non-compliant does not fail on it" in
            (c.find("skipped").get("message", "") if c.find("skipped") is not None else "")]

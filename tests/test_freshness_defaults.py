"""Evidence freshness by default: every bundled module gives attestations and documents an age
(``evidence_max_age`` per kind of evidence, audit.freshness.DEFAULT_MAX_AGE), so an attestation
signed in 2015 is stale without any overlay, ``--fail-on stale`` fires on it and every report
shows it; a ``document`` rule's own ``max_age`` still wins for the documents it judges."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit.assessment import Assessment
from audit.checklist_files import module_files
from audit.checklists import load_library, validate_files
from audit.freshness import DEFAULT_MAX_AGE
from audit.model import Status
from audit.plugins import get_registry
from audit.testing import run_assessment
from packs import write_pack

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = module_files(ROOT / "checklists")


def _result(assessment: Any, full_id: str) -> Any:
    assert isinstance(assessment, Assessment)
    return next(r for r in assessment.results if r.requirement.full_id == full_id)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_every_bundled_module_sets_the_default_ages(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["evidence_max_age"] == DEFAULT_MAX_AGE


def test_every_bundled_requirement_carries_an_age_per_kind() -> None:
    library = load_library(get_registry())
    bundled = [c for c in library.all()
               if Path(c.path).resolve().is_relative_to(ROOT / "checklists")]
    assert len(bundled) == len(BUNDLED)
    for checklist in bundled:
        for req in checklist.requirements:  # inherited ones keep their parent's ages
            assert isinstance(req.evidence_max_age, dict), req.full_id
            assert set(DEFAULT_MAX_AGE) <= set(req.evidence_max_age), req.full_id


# -- a 2015 attestation, no overlay -----------------------------------------------------------

def _old_attestation_pack(root: Path) -> Path:
    return write_pack(root, platform={"name": "Test Messenger", "users": {"AE": 5000},
                                      "as_of": "2024-06-30"},
                      answers={"ae-transfer-grounds": {"answer": "yes", "by": "Counsel",
                                                       "date": "2015-06-01"},
                               "ae-breach-notice": {"answer": "yes", "by": "Counsel",
                                                    "date": "2024-05-02"}})


def test_fail_on_stale_fires_on_a_2015_attestation_without_overlay(
        run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = _old_attestation_pack(tmp_path / "pack")
    code, _out, err = run("assess", pack, "-c", "ae.pdpl", "--fail-on", "stale")
    assert code == 1
    assert ("--fail-on stale: 1 requirement(s) rest on stale evidence: "
            "ae.pdpl:cross-border-transfers") in err
    code, out, _err = run("assess", pack, "-c", "ae.pdpl", "--format", "json")
    result = json.loads(out)
    # 1 Jun 2015 + 12 months = 1 Jun 2016, stale from the next day; the May 2024 answer goes
    # stale on 3 May 2025, outside the 90-day horizon of 30 Jun 2024
    assert [(i["requirement"], i["state"], i["dated"], i["max_age"], i["stale_from"])
            for i in result["freshness"]] == [
        ("ae.pdpl:cross-border-transfers", "stale", "2015-06-01", "12 months", "2016-06-02")]
    transfers = next(r for r in result["requirements"]
                     if r["id"] == "ae.pdpl:cross-border-transfers")
    assert (transfers["status"], transfers["score"]) == ("partial", 0.5)
    breach = next(r for r in result["requirements"] if r["id"] == "ae.pdpl:breach-notice")
    assert "evidence stale" not in breach["summary"]


REASON = "dated 2015-06-01 is older than 12 months (stale since 2016-06-02)"


@pytest.mark.parametrize("fmt", ["console", "markdown", "html", "xlsx", "json"])
def test_a_stale_attestation_shows_in_every_report(
        run, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    pack = _old_attestation_pack(tmp_path / "pack")
    report = tmp_path / f"r.{fmt}"
    code, _out, err = run("assess", pack, "-c", "ae.pdpl", "--format", fmt, "-o", report)
    assert code == 0, err
    if fmt == "xlsx":
        book = openpyxl.load_workbook(report)
        rows = [[c.value for c in row] for row in book["Freshness"].iter_rows(min_row=2)]
        assert any(row[0] == "ae.pdpl:cross-border-transfers" and row[1] == "stale"
                   for row in rows), rows
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                 if c.value is not None]
        assert any(REASON in cell for cell in cells)  # the finding itself says so
        return
    text = report.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["freshness"][0]["state"] == "stale"
        assert any(REASON in r["summary"] for r in data["requirements"])
    elif fmt == "html":
        assert REASON in text
        assert '<section id="freshness">' in text and "<td>stale</td>" in text
    else:  # the freshness table, one row per requirement (its columns padded in the console)
        rows = [line.replace("|", " ").split() for line in text.splitlines()]
        assert ["ae.pdpl:cross-border-transfers", "stale", "pack/answers.yaml:2", "2015-06-01",
                "12", "months", "2016-06-02"] in rows
        if fmt == "markdown":  # the finding's own text, unwrapped
            assert REASON in text


# -- documents: the default, and a rule's own max_age ----------------------------------------

def _gb_pack(root: Path, assessed: str) -> Path:
    return write_pack(root, platform={"name": "T", "users": {"GB": 5000}},
                      documents=[{"path": "risk.md", "kind": "osa_illegal_content_risk_assessment",
                                  "date": assessed, "language": "en"}])


@pytest.mark.parametrize("assessed,state,stale_from", [
    ("2024-01-10", "stale", "2026-01-11"),  # 24 months end 10 Jan 2026
    ("2024-08-01", "due", "2026-08-02"),    # within 90 days of 30 Jun 2026
    ("2025-01-10", None, None),             # stale from 11 Jan 2027: beyond the horizon
])
def test_a_document_is_aged_24_months_by_default(tmp_path: Path, assessed: str,
                                                 state: str | None,
                                                 stale_from: str | None) -> None:
    assessment = run_assessment(_gb_pack(tmp_path / "gb", assessed), ["gb.online-safety"],
                                "2026-06-30")
    assert isinstance(assessment, Assessment)
    full = "gb.online-safety:illegal-content-risk-assessment"
    items = {i.requirement: i for i in assessment.freshness}
    if state is None:
        assert full not in items
        assert _result(assessment, full).finding.status is Status.MET
        return
    item = items[full]
    assert (item.state, str(item.stale_from), item.max_age) == (state, stale_from, "24 months")
    expected = Status.PARTIAL if state == "stale" else Status.MET
    assert _result(assessment, full).finding.status is expected


def test_a_document_rules_own_max_age_replaces_the_default(tmp_path: Path) -> None:
    """eu.gdpr:dpia asks for a DPIA within 36 months: one 30 months old is not stale."""
    pack = write_pack(tmp_path / "eu", platform={"name": "T", "users": {"EU": 5000}},
                      documents=[{"path": "dpia.md", "kind": "dpia", "date": "2022-01-01",
                                  "language": "en"}])
    assessment = run_assessment(pack, ["eu.gdpr"], "2024-07-01")
    assert isinstance(assessment, Assessment)
    assert _result(assessment, "eu.gdpr:dpia").finding.status is Status.MET
    assert "eu.gdpr:dpia" not in {i.requirement for i in assessment.freshness}


def test_an_undated_attestation_is_not_lowered_by_the_default(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "ae", platform={"name": "T", "users": {"AE": 5000}},
                      answers={"ae-transfer-grounds": "yes"})
    assessment = run_assessment(pack, ["ae.pdpl"], "2024-06-30")
    assert isinstance(assessment, Assessment)
    assert _result(assessment, "ae.pdpl:cross-border-transfers").finding.status is Status.MET
    assert assessment.freshness == []


# -- the format: one age, or one per kind; merged per kind ------------------------------------

MODULE: dict[str, Any] = {
    "schema_version": 1, "id": "acme.ages", "jurisdiction": "AE", "title": "Ages",
    "version": 1, "status": "practice",
    "evidence_max_age": {"attestation": "1 month", "document": "6 months"},
    "sources": [{"id": "policy", "title": "Acme policy", "url": "https://example.com/p"}],
    "requirements": [
        {"id": "merged", "area": "governance", "title": "Merged ages",
         "citation": {"source": "policy", "article": "s. 1"}, "severity": "low",
         "evidence_max_age": {"document": "2 years"},
         "rule": {"type": "attestation", "key": "acme-merged"}, "remediation": "Do it."},
        {"id": "one-age", "area": "governance", "title": "One age for everything",
         "citation": {"source": "policy", "article": "s. 2"}, "severity": "low",
         "evidence_max_age": "3 years",
         "rule": {"type": "attestation", "key": "acme-one-age"}, "remediation": "Do it."},
        {"id": "module-default", "area": "governance", "title": "The module's ages",
         "citation": {"source": "policy", "article": "s. 3"}, "severity": "low",
         "rule": {"type": "attestation", "key": "acme-default"}, "remediation": "Do it."},
    ],
}


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_requirements_ages_merge_over_the_modules_per_kind(tmp_path: Path) -> None:
    path = _write(tmp_path / "acme.ages.yaml", MODULE)
    checklist = load_library(get_registry(), [path]).get("acme.ages")
    ages = {r.id: r.evidence_max_age for r in checklist.requirements}
    assert ages == {"merged": {"attestation": "1 month", "document": "2 years"},
                    "one-age": "3 years",
                    "module-default": {"attestation": "1 month", "document": "6 months"}}


@pytest.mark.parametrize("value,message", [
    ({"attestaton": "12 months"}, "evidence_max_age.attestaton"),
    ({"attestation": "soon"}, "evidence_max_age.attestation"),
    ({"document": 12}, "evidence_max_age.document"),
    (["12 months"], "evidence_max_age"),
])
def test_a_bad_age_is_one_line_naming_the_yaml_path(tmp_path: Path, value: Any,
                                                    message: str) -> None:
    path = _write(tmp_path / "acme.ages.yaml", {**MODULE, "evidence_max_age": value})
    problems = [str(p) for p in validate_files([path], get_registry())]
    assert len(problems) == 1 and message in problems[0], problems
    assert "acme.ages.yaml:" in problems[0]


AGES = st.dictionaries(
    st.sampled_from(["attestation", "document", "log"]),
    st.builds("{} {}".format, st.integers(min_value=1, max_value=99),
              st.sampled_from(["days", "months", "years", "weeks", "business days", "h"])),
    min_size=1)


@given(module_ages=AGES, own_ages=AGES)
def test_any_ages_per_kind_validate_and_resolve_merged(module_ages: dict[str, str],
                                                       own_ages: dict[str, str]) -> None:
    data = {**MODULE, "evidence_max_age": module_ages,
            "requirements": [{**MODULE["requirements"][0], "evidence_max_age": own_ages}]}
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "acme.ages.yaml", data)
        assert validate_files([path], get_registry()) == []
        (req,) = load_library(get_registry(), [path]).get("acme.ages").requirements
    assert req.evidence_max_age == {**module_ages, **own_ages}

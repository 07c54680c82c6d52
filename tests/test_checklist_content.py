"""The bundled checklist modules: they validate, their key figures match LEGAL.md, statuses and
confidence levels are honest, every requirement traces back to a LEGAL.md row and cites a
numbered provision (or says why none exists), and every module records its legal review.

LEGAL.md is read from the copy shipped with the docs (docs/legal-sources.md), the revision the
modules encode, so these checks never depend on a checkout outside the repository.

The expected figures below are hard-coded on purpose, each with the LEGAL.md row it comes from:
a change to a module's clock must be a deliberate change to this file too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from audit.checklist_files import module_files
from audit.checklists import load_library, validate_files
from audit.evaluators.base import rule_versions
from audit.model import ChecklistStatus, Confidence, Requirement, Rule
from audit.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent
CHECKLISTS = ROOT / "checklists"
LEGAL = ROOT / "docs" / "legal-sources.md"
MODULE_FILES = module_files(CHECKLISTS)
REF = re.compile(r"^[A-Z]{2,4}-\d{2}$")
# a numbered provision: Art. 5(1), Arts. 10-12, s.9, ss.35-37, r.4(2), para (ii), § 5, Sch. 1 ...
NUMBERED = re.compile(r"(\bArts?\.|\bArticles?|\bss?\.|\brr?\.|\bparas?\.?|§|\bSch\.|"
                      r"\bSchedule|\bPart|\bChapter|\bsections?|\bregs?\.)\s*\(?([0-9]|[ivx]+\))",
                      re.IGNORECASE)


@pytest.fixture
def library():  # type: ignore[no-untyped-def]
    return load_library(get_registry())


def _requirement(library: Any, module: str, req: str) -> Requirement:
    found = library.get(module).requirement(req)
    assert found is not None, f"{module} has no requirement {req}"
    return found


def _rule(library: Any, module: str, req: str, nested: int | None = None) -> Rule:
    rule = _requirement(library, module, req).rule
    if nested is not None:
        assert rule.type in ("all_of", "any_of")
        child = dict(rule.params["rules"][nested])
        rule = Rule(child.pop("type"), child)
    return rule


def _clock(rule: Rule, figure: str = "within") -> list[tuple[dt.date | None, dt.date | None, Any, Any]]:
    """(from, until, figure, target) for every dated version of the rule."""
    return [(v.valid_from, v.valid_until, v.params.get(figure), v.params.get("target"))
            for v in rule_versions(rule)]


def _leaves(cond: Any) -> Iterator[tuple[str, str, Any]]:
    if not isinstance(cond, dict):
        return
    for key in ("all", "any"):
        for item in cond.get(key, []):
            yield from _leaves(item)
    if "not" in cond:
        yield from _leaves(cond["not"])
    if "field" in cond:
        for op, value in cond.items():
            if op != "field":
                yield cond["field"], op, value


def _legal_rows() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for line in LEGAL.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 10 and REF.match(cells[1]):
            rows[cells[1]] = {"status": cells[8].lower(), "confidence": cells[9].lower()}
    return rows


def _rank(confidence: str) -> int:
    """LEGAL.md's Conf. column (free text) or a checklist confidence -> 3 high .. 0 low.

    A mixed entry such as 'high (rule) / medium (capital)' counts as its weakest part;
    'medium-high' is below high, so it counts as medium; 'medium-low' as low.
    """
    text = confidence.lower().replace("_", " ")
    ranks = []
    for part in text.split("/"):
        part = part.strip()
        if part.startswith("medium-low") or part.startswith("low"):
            ranks.append(0)
        elif part.startswith("medium"):
            ranks.append(1)
        elif part.startswith("high (text") or part == "high text":
            ranks.append(2)
        elif part.startswith("high"):
            ranks.append(3)
    return min(ranks) if ranks else 3


def _all_requirements(library: Any) -> Iterator[tuple[str, Requirement]]:
    for checklist in library.all():
        for req in checklist.requirements:
            yield checklist.id, req


# -- every file validates -------------------------------------------------------------------

@pytest.mark.parametrize("path", MODULE_FILES, ids=[p.name for p in MODULE_FILES])
def test_module_file_validates(path: Path) -> None:
    assert [str(p) for p in validate_files([path], get_registry())] == []


EXPECTED_MODULES = {
    "intl.baseline", "eu.gdpr", "eu.dsa", "eu.tco", "de.netzdg", "de.netzdg-2017",
    "in.it-rules", "in.cert-in", "in.dpdp", "tr.law-5651", "tr.kvkk", "tr.proposals-2025",
    "br.lgpd", "br.marco-civil", "br.eca-digital", "pk.rules-2021", "pk.rules-2020",
    "ru.personal-data", "ru.information", "au.online-safety", "id.mr5", "id.pdp", "ke.dpa",
    "ng.ndpa", "ng.nitda-code", "sa.pdpl", "vn.cybersecurity", "vn.pdp", "ae.pdpl",
    "iq.law", "iq.drafts", "iq.telegram-2023", "iq-kri.law-6-2008", "iq-kri.drafts",
    "tr.law-5651-art9", "eu.eprivacy", "eu.csam-interim", "eu.csam-derogation-draft",
    "in.telecom-cyber-security", "gb.online-safety", "gb.uk-gdpr", "eg.pdpl", "jo.pdpl",
    "za.cybercrimes-act", "np.social-media-directive", "kz.online-platforms",
    "uz.personal-data", "et.pdp-proclamation", "bd.pdp-ordinance",
}


def test_library_loads_every_module(library: Any) -> None:
    assert EXPECTED_MODULES <= set(library.ids())
    assert len(MODULE_FILES) == len(library.ids())


def test_module_metadata(library: Any) -> None:
    for checklist in library.all():
        if checklist.id == "iq.telegram-2023":
            continue
        assert checklist.provider == "platform-audit maintainers", checklist.id
        assert checklist.language == "en", checklist.id
        assert checklist.description, checklist.id
        folder = Path(checklist.path).parent.name
        # a US state's module lives with its country's (checklists/us/us-tx....yaml)
        assert folder in (checklist.jurisdiction.lower(), checklist.jurisdiction.lower()
                          .split("-")[0] if checklist.jurisdiction.startswith("US-")
                          else None), checklist.id
        assert Path(checklist.path).stem == checklist.id


# -- statuses ---------------------------------------------------------------------------------

@pytest.mark.parametrize("module,status", [
    ("de.netzdg-2017", "superseded"), ("pk.rules-2020", "superseded"),
    ("iq.drafts", "draft"), ("iq-kri.drafts", "draft"), ("ng.nitda-code", "draft"),
    ("tr.proposals-2025", "proposal"), ("iq.telegram-2023", "practice"),
    ("iq.law", "in_force"), ("de.netzdg", "in_force"), ("pk.rules-2021", "in_force"),
    ("tr.law-5651-art9", "superseded"),
    ("eu.csam-interim", "superseded"), ("eu.csam-derogation-draft", "draft"),
    ("vn.pdp", "in_force"), ("gb.online-safety", "in_force"),
    ("eg.pdpl", "in_force"), ("jo.pdpl", "in_force"),
    # ZA-01 enacted, not commenced; NP-01 practice; the others in force (section 10)
    ("za.cybercrimes-act", "enacted"), ("np.social-media-directive", "practice"),
    ("kz.online-platforms", "in_force"), ("uz.personal-data", "in_force"),
    ("et.pdp-proclamation", "in_force"), ("bd.pdp-ordinance", "in_force"),
])
def test_module_status(library: Any, module: str, status: str) -> None:
    assert library.get(module).status.value == status


def test_no_draft_or_proposal_in_force(library: Any) -> None:
    # an amendment passed but not commenced may sit in a module in force, marked enacted
    # (Korea's 2026 PIPA amendment); drafts and proposals may not
    for checklist in library.all():
        if checklist.status is ChecklistStatus.IN_FORCE:
            for req in checklist.requirements:
                assert req.status not in (ChecklistStatus.DRAFT, ChecklistStatus.PROPOSAL,
                                          ChecklistStatus.SUPERSEDED), f"{req.full_id}"


def test_superseded_and_draft_modules_carry_no_in_force_requirement(library: Any) -> None:
    for checklist in library.all():
        if checklist.status in (ChecklistStatus.DRAFT, ChecklistStatus.SUPERSEDED,
                                ChecklistStatus.PROPOSAL, ChecklistStatus.ENACTED):
            assert all(r.status is checklist.status for r in checklist.requirements), checklist.id


# -- traceability to LEGAL.md -----------------------------------------------------------------

def test_every_requirement_has_well_formed_refs(library: Any) -> None:
    for _module, req in _all_requirements(library):
        assert req.refs, f"{req.full_id} has no refs"
        for ref in req.refs:
            assert REF.match(ref), f"{req.full_id}: bad ref {ref!r}"
        assert req.remediation.strip()
        assert req.citation.article.strip()


def _version_refs(rule: Rule) -> Iterator[tuple[dict[str, Any], str]]:
    """(version, ref) for every ``refs`` entry of a dated rule version, nested rules included."""
    for version in rule.params.get("versions") or []:
        for ref in version.get("refs") or []:
            yield version, ref
    for child in rule.params.get("rules") or []:
        child = dict(child)
        yield from _version_refs(Rule(child.pop("type"), child))


def test_legal_sources_copy_is_the_encoded_revision() -> None:
    text = LEGAL.read_text(encoding="utf-8")
    assert "## Changes on 2026-11-29" in text and "## Changes on 2026-12-07" in text
    assert len(_legal_rows()) > 200


def test_refs_exist_in_legal_md(library: Any) -> None:
    rows = _legal_rows()
    for _module, req in _all_requirements(library):
        for ref in req.refs:
            assert ref in rows, f"{req.full_id}: {ref} is not a LEGAL.md row"
        for _version, ref in _version_refs(req.rule):
            assert ref in rows, f"{req.full_id}: version ref {ref} is not a LEGAL.md row"
    for checklist in library.all():
        for source in checklist.sources.values():
            for ref in source.legal_ref:
                assert ref in rows, f"{checklist.id} source {source.id}: {ref}"


def test_confidence_not_above_legal_md(library: Any) -> None:
    """A requirement is never surer than the weakest LEGAL.md row it encodes."""
    rows = _legal_rows()
    for _module, req in _all_requirements(library):
        weakest = min(_rank(rows[ref]["confidence"]) for ref in req.refs)
        assert _rank(req.confidence.value) <= weakest, (
            f"{req.full_id}: confidence {req.confidence.value} but LEGAL.md says "
            + "; ".join(f"{r}: {rows[r]['confidence']}" for r in req.refs))
        if weakest < 2:
            assert req.confidence in (Confidence.MEDIUM, Confidence.LOW), req.full_id


def test_legal_md_status_respected(library: Any) -> None:
    """Rows LEGAL.md marks draft, proposal, superseded or enacted (not yet commenced) appear
    only under that status (an enacted row may also back a requirement whose known
    commencement date is its ``effective_from``); a
    practice row only in a practice requirement, unless the requirement also encodes law in
    force (e.g. a constitutional limit on a practice). A superseded row may back a dated rule
    version of an in-force requirement only if that version has ended (``until``), so the old
    law judges only the events of its own time."""
    rows = _legal_rows()
    expected = {"draft": ChecklistStatus.DRAFT, "proposal": ChecklistStatus.PROPOSAL,
                "superseded": ChecklistStatus.SUPERSEDED, "enacted": ChecklistStatus.ENACTED}
    for _module, req in _all_requirements(library):
        statuses = [rows[ref]["status"] for ref in req.refs]
        for ref, status in zip(req.refs, statuses, strict=False):
            for word, value in expected.items():
                if word == "enacted" and req.effective_from is not None:
                    continue  # commencement date known: not applicable before it (IN-18)
                if status.startswith(word):
                    assert req.status is value, f"{req.full_id}: {ref} is {status}"
            if status.startswith("enacted") and ("not yet in force" in status.replace("*", "")
                                                 or "not commenced" in status):
                # enacted, not commenced (ZA-01): never law in force (an enacted law with a
                # known commencement date, IN-18, is encoded with effective_from instead)
                assert req.status is ChecklistStatus.ENACTED, f"{req.full_id}: {ref} is {status}"
            if status.startswith("practice") and all(s.startswith("practice") for s in statuses):
                assert req.status is ChecklistStatus.PRACTICE, f"{req.full_id}: {ref} is {status}"
        for version, ref in _version_refs(req.rule):
            status = rows[ref]["status"]
            if status.startswith("superseded") and req.status is not ChecklistStatus.SUPERSEDED:
                assert version.get("until"), f"{req.full_id}: version citing {ref} must end"
            for word in ("draft", "proposal", "enacted"):
                assert not status.startswith(word) or req.status.value == word, (
                    f"{req.full_id}: version cites {ref}, which is {status}")


def test_every_citation_names_a_numbered_provision_or_says_why_not(library: Any) -> None:
    for checklist in library.all():
        for req in checklist.requirements:
            if req.origin != checklist.id:
                continue
            cit = req.citation
            if cit.unnumbered:
                assert len(cit.unnumbered.split()) >= 6, f"{req.full_id}: give the reason"
                assert not NUMBERED.search(cit.article) or "whole" in cit.article, (
                    f"{req.full_id}: cites {cit.article!r}, so it needs no 'unnumbered' reason")
            else:
                assert NUMBERED.search(cit.article), (
                    f"{req.full_id}: {cit.article!r} names no numbered provision; cite one or "
                    "say why none exists in citation.unnumbered")
            for vague in ("per summaries", "whole law", "n/a"):
                assert vague not in cit.article.lower() or cit.unnumbered, req.full_id


def test_numbered_provision_pattern() -> None:
    for good in ("Art. 33(1)", "Arts. 14-16", "s.9 (records: s.23)", "ss.35-37", "r.4(2)",
                 "r.7(6)(a)", "para (ii)", "§5(1)", "149-FZ Art. 10.1 part 4.2"):
        assert NUMBERED.search(good), good
    for bad in ("whole law", "Rules 2021 (removal timelines)", "per summaries", "n/a",
                "BTK decision of 28 Mar 2023", "Decree 147/2024 (takedown provisions)"):
        assert not NUMBERED.search(bad), bad


def test_every_module_records_its_legal_review(library: Any) -> None:
    """``reviewed`` dates the last review; ``legal_rows`` lists every row the module rests on
    (its requirements' refs, dated versions' refs and sources' rows), each one in the copy of
    LEGAL.md shipped with the docs."""
    rows = _legal_rows()
    checked = 0
    for checklist in library.all():
        if not Path(checklist.path).resolve().is_relative_to(CHECKLISTS):
            continue  # a third-party plugin's module reviews on its own schedule
        checked += 1
        assert checklist.reviewed is not None, f"{checklist.id} has no reviewed date"
        assert dt.date(2026, 11, 29) <= checklist.reviewed <= dt.date.today(), checklist.id
        used = {ref for req in checklist.requirements if req.origin == checklist.id
                for ref in req.refs}
        used |= {ref for req in checklist.requirements if req.origin == checklist.id
                 for _v, ref in _version_refs(req.rule)}
        assert used <= set(checklist.legal_rows), (
            f"{checklist.id}: legal_rows misses {sorted(used - set(checklist.legal_rows))}")
        for ref in checklist.legal_rows:
            assert ref in rows, f"{checklist.id}: legal_rows entry {ref} is not a LEGAL.md row"
    assert checked == len(MODULE_FILES)


def test_rank_helper() -> None:
    assert _rank("high") == 3
    assert _rank("high (text)") == 2 and _rank("high_text") == 2
    assert _rank("high (status)") == 3
    assert _rank("medium-high") == 1
    assert _rank("medium-low") == 0
    assert _rank("high (rule) / medium (capital)") == 1


# -- key figures pinned against LEGAL.md ------------------------------------------------------

D = dt.date


@pytest.mark.parametrize("module,req,nested,expected", [
    # intl.baseline: 72 h cluster (EU-10, KE-01, NG-02), 24 h takedown cluster (AU-01), 1 month (EU-04)
    ("intl.baseline", "breach-notice-authority", None, [(None, None, "72h", 1.0)]),
    ("intl.baseline", "takedown-authority-order", None, [(None, None, "24h", 1.0)]),
    ("intl.baseline", "dsar-response", None, [(None, None, "1 month", 1.0)]),
    # EU-10: 72 h to the lead authority; EU-04: 1 month (+2, hence 95 %); EU-05 erasure
    ("eu.gdpr", "breach-notice-authority", None, [(None, None, "72h", 1.0)]),
    ("eu.gdpr", "dsar-response", None, [(None, None, "1 month", 0.95)]),
    ("eu.gdpr", "erasure", None, [(None, None, "1 month", 1.0)]),
    # EU-38: TCO removal orders within 1 hour, applicable since 7 Jun 2022
    ("eu.tco", "removal-1h", None, [(D(2022, 6, 7), None, "1h", 1.0)]),
    # DE-03 24 h, DE-04 7 days, DE-08 48 h: all ended 14 May 2024
    ("de.netzdg-2017", "manifestly-unlawful-24h", None, [(D(2017, 10, 1), D(2024, 5, 14), "24h", 1.0)]),
    ("de.netzdg-2017", "unlawful-7d", None, [(D(2017, 10, 1), D(2024, 5, 14), "7 days", 1.0)]),
    ("de.netzdg-2017", "law-enforcement-48h", None, [(D(2017, 10, 1), D(2024, 5, 14), "48h", 1.0)]),
    # IN-02: 36 h, then 3 h from 20 Feb 2026
    ("in.it-rules", "takedown-authority-order", None,
     [(D(2021, 2, 25), D(2026, 2, 20), "36h", 1.0), (D(2026, 2, 20), None, "3h", 1.0)]),
    # IN-08: NCII 24 h, then 2 h from 20 Feb 2026
    ("in.it-rules", "ncii-removal", None,
     [(D(2021, 2, 25), D(2026, 2, 20), "24h", 1.0), (D(2026, 2, 20), None, "2h", 1.0)]),
    # IN-07: removal-type grievances 72 h -> 36 h (medium)
    ("in.it-rules", "grievance-removal-complaints", None,
     [(D(2021, 2, 25), D(2023, 3, 1), "15 days", 1.0), (D(2023, 3, 1), D(2026, 2, 20), "72h", 1.0),
      (D(2026, 2, 20), None, "36h", 1.0)]),
    # IN-05: 72 h to agencies
    ("in.it-rules", "agency-information-72h", None, [(D(2021, 2, 25), None, "72h", 1.0)]),
    # IN-26: CERT-In 6 h from 27 Jun 2022
    ("in.cert-in", "incident-report-6h", None, [(D(2022, 6, 27), None, "6h", 1.0)]),
    # IN-19: DPDP detailed Board report 72 h from commencement (~13 May 2027); IN-24: 90 days
    ("in.dpdp", "breach-notice-authority", None, [(D(2027, 5, 13), None, "72h", 1.0)]),
    ("in.dpdp", "dsar-response", None, [(D(2027, 5, 13), None, "90 days", 1.0)]),
    # TR-04: 48 h replies; TR-10: 4 h urgent orders; TR-09: 72 h BTK breach notice
    ("tr.law-5651", "personal-rights-replies-48h", None, [(D(2020, 10, 1), None, "48h", 1.0)]),
    ("tr.law-5651", "urgent-orders-4h", None, [(None, None, "4h", 1.0)]),
    ("tr.law-5651", "account-breach-72h", None, [(D(2023, 4, 1), None, "72h", 1.0)]),
    # TR-12: KVK Board 72 h; TR-14: 30 days
    ("tr.kvkk", "breach-notice-authority", None, [(D(2019, 1, 24), None, "72h", 1.0)]),
    ("tr.kvkk", "dsar-response", None, [(None, None, "30 days", 1.0)]),
    # BR-02: 3 business days (ANPD and subjects) from 26 Apr 2024, +20 business days; BR-04: 15 days
    ("br.lgpd", "breach-notice-authority", None, [(D(2024, 4, 26), None, "3 business days", 1.0)]),
    ("br.lgpd", "breach-notice-users", None, [(D(2024, 4, 26), None, "3 business days", 1.0)]),
    ("br.lgpd", "incident-supplement", None, [(D(2024, 4, 26), None, "20 business days", 1.0)]),
    ("br.lgpd", "dsar-response", None, [(None, None, "15 days", 1.0)]),
    # PK-01: 48 h / 12 h; PK-05 (superseded): 24 h / 6 h
    ("pk.rules-2021", "pta-directions-48h", None, [(D(2021, 10, 16), None, "48h", 1.0)]),
    ("pk.rules-2021", "pta-emergency-12h", None, [(D(2021, 10, 16), None, "12h", 1.0)]),
    ("pk.rules-2020", "takedown-24h", None, [(None, None, "24h", 1.0)]),
    ("pk.rules-2020", "takedown-emergency-6h", None, [(None, None, "6h", 1.0)]),
    # RU-02: 24 h + 72 h from 1 Sep 2022
    ("ru.personal-data", "leak-notice-24h", None, [(D(2022, 9, 1), None, "24h", 1.0)]),
    ("ru.personal-data", "leak-investigation-72h", None, [(D(2022, 9, 1), None, "72h", 1.0)]),
    # AU-01, AU-02, AU-03: 24 h; AU-03: 48 h complaint window; AU-05: 30-day assessment
    ("au.online-safety", "class1-removal-24h", None, [(None, None, "24h", 1.0)]),
    ("au.online-safety", "ncii-removal-24h", None, [(None, None, "24h", 1.0)]),
    ("au.online-safety", "cyber-abuse-removal-24h", None, [(None, None, "24h", 1.0)]),
    ("au.online-safety", "cyber-abuse-complaints-48h", None, [(None, None, "48h", 1.0)]),
    ("au.online-safety", "breach-assessment-30d", None, [(None, None, "30 days", 1.0)]),
    # ID-02: 24 h / 4 h; ID-05: 3 x 24 h from 17 Oct 2024
    ("id.mr5", "takedown-24h", None, [(None, None, "24h", 1.0)]),
    ("id.mr5", "takedown-urgent-4h", None, [(None, None, "4h", 1.0)]),
    ("id.pdp", "breach-notice-authority", None, [(D(2024, 10, 17), None, "72h", 1.0)]),
    ("id.pdp", "breach-notice-users", None, [(D(2024, 10, 17), None, "72h", 1.0)]),
    # KE-01, NG-02, SA-01, VN-04: 72 h
    ("ke.dpa", "breach-notice-authority", None, [(None, None, "72h", 1.0)]),
    ("ng.ndpa", "breach-notice-authority", None, [(D(2023, 6, 12), None, "72h", 1.0)]),
    ("sa.pdpl", "breach-notice-authority", None, [(D(2023, 9, 14), None, "72h", 1.0)]),
    # VN-04 (Decree 13, superseded) until 31 Dec 2025, then VN-05 (Law 91) from 1 Jan 2026
    ("vn.pdp", "breach-notice-authority", None,
     [(D(2023, 7, 1), D(2026, 1, 1), "72h", 1.0), (D(2026, 1, 1), None, "72h", 1.0)]),
    # EU-46: ePrivacy 24 h (medium); UK-07: UK GDPR 72 h; EG-01: 72 h + 3 working days;
    # JO-01: 24 h to people, 72 h to the Unit (after the grace period); EG clocks from the end
    # of the one-year compliance window after the Executive Regulations (EG-04)
    ("eu.eprivacy", "breach-notice-24h", None, [(D(2020, 12, 21), None, "24h", 1.0)]),
    ("gb.uk-gdpr", "breach-notice-authority", None, [(None, None, "72h", 1.0)]),
    ("eg.pdpl", "breach-notice-authority", None, [(D(2026, 11, 10), None, "72h", 1.0)]),
    ("eg.pdpl", "breach-notice-users", None, [(D(2026, 11, 10), None, "3 business days", 1.0)]),
    ("jo.pdpl", "breach-notice-users", None, [(D(2025, 3, 17), None, "24h", 1.0)]),
    ("jo.pdpl", "breach-notice-authority", None, [(D(2025, 3, 17), None, "72h", 1.0)]),
    # VN-03: 24 h from 25 Dec 2024; NG-05: 24 h (draft status)
    ("vn.cybersecurity", "takedown-24h", None, [(D(2024, 12, 25), None, "24h", 1.0)]),
    ("ng.nitda-code", "removal-24h", None, [(None, None, "24h", 1.0)]),
    # KZ-02: 24 h from receipt of the authorised body's request, from 10 Sep 2023;
    # EU-46 detail (2026-12-07): the rest of an incomplete first notice within 3 days of it
    ("kz.online-platforms", "authorised-body-requests-24h", None, [(D(2023, 9, 10), None, "24h", 1.0)]),
    ("eu.eprivacy", "breach-notice-follow-up-3-days", None, [(D(2020, 12, 21), None, "3 days", 1.0)]),
    # TR-17 (proposal, dropped): 24 h; TR-18 (proposal): 1 h
    ("tr.proposals-2025", "court-removal-24h", None, [(None, None, "24h", 1.0)]),
    ("tr.proposals-2025", "emergency-harmful-content-1h", None, [(None, None, "1h", 1.0)]),
])
def test_deadline_figures(library: Any, module: str, req: str, nested: int | None,
                          expected: list[tuple[Any, ...]]) -> None:
    rule = _rule(library, module, req, nested)
    assert rule.type == "deadline"
    assert _clock(rule) == expected


@pytest.mark.parametrize("module,req,nested,expected", [
    ("eu.dsa", "internal-complaints", None, [(None, None, 6, None)]),        # EU-27: >= 6 months
    ("eu.dsa", "vlop-audit-publication", None, [(None, None, 3, None)]),     # EU-35: 3 months
    ("eu.tco", "preservation", None, [(None, None, 6, None)]),               # EU-40: 6 months
    ("in.it-rules", "removed-content-preservation", None, [(None, None, 180, None)]),  # IN-03
    ("in.it-rules", "registration-retention", None, [(None, None, 180, None)]),        # IN-04
    ("in.it-rules", "grievance-acknowledgement", None, [(None, None, 24, None)]),      # IN-07
    ("in.it-rules", "grievance-resolution", None,                                      # IN-07
     [(D(2021, 2, 25), D(2026, 2, 20), 15, None), (D(2026, 2, 20), None, 7, None)]),
    ("in.cert-in", "logs-180-days-india", 0, [(None, None, 180, None)]),     # IN-27
    ("in.dpdp", "processing-log-retention", None, [(None, None, 1, None)]),  # IN-20: 1 year
    ("in.dpdp", "inactive-account-erasure", 0, [(None, None, 3, None)]),     # IN-21: 3 years
    ("in.dpdp", "inactive-account-erasure", 1, [(None, None, 48, None)]),    # IN-21: 48 h notice
    ("tr.law-5651", "branch-company", 1, [(None, None, 100_000_000, None)]),  # TR-03: TRY 100M
    ("tr.kvkk", "cross-border-transfers", 1, [(None, None, 5, None)]),       # TR-15: 5 business days
    ("br.lgpd", "incident-register", 1, [(None, None, 5, None)]),            # BR-03: 5 years
    ("br.marco-civil", "access-logs-6-months", None, [(None, None, 6, None)]),  # BR-08: 6 months
    ("br.eca-digital", "age-assurance", None, [(D(2026, 3, 17), None, 16, None)]),  # BR-13
    ("au.online-safety", "minimum-age-16", None, [(D(2025, 12, 10), None, 16, None)]),  # AU-04
    ("ke.dpa", "processor-notice-48h", None, [(None, None, 48, None)]),      # KE-03: 48 h
    ("ru.information", "ori-retention", 0, [(None, None, 1, None)]),         # RU-04: 1 year
    ("vn.cybersecurity", "localisation-on-demand", 0, [(None, None, 24, None)]),  # VN-01: 24 months
])
def test_threshold_figures(library: Any, module: str, req: str, nested: int | None,
                           expected: list[tuple[Any, ...]]) -> None:
    rule = _rule(library, module, req, nested)
    assert rule.type == "threshold"
    assert _clock(rule, "value") == expected


@pytest.mark.parametrize("module,req,nested,unit", [
    ("br.marco-civil", "access-logs-6-months", None, "months"),   # BR-08
    ("in.dpdp", "processing-log-retention", None, "years"),       # IN-20
    ("ru.information", "ori-retention", 0, "years"),              # RU-04
    ("vn.cybersecurity", "localisation-on-demand", 0, "months"),  # VN-01
])
def test_retention_periods_are_calendar_periods(library: Any, module: str, req: str,
                                                nested: int | None, unit: str) -> None:
    """Where the law says months or years, the figure is a calendar period, not N x 30.5 days."""
    rule = _rule(library, module, req, nested)
    assert (rule.params["unit"], rule.params["field_unit"]) == (unit, "days")


@pytest.mark.parametrize("module,req,every,lookback", [
    ("intl.baseline", "transparency-report", "1 year", None),   # EU-22
    ("eu.dsa", "transparency-report", "1 year", None),          # EU-22: at least yearly
    ("eu.dsa", "recipients-publication", "6 months", "12 months"),  # EU-30
    ("eu.dsa", "vlop-transparency-report", "6 months", "12 months"),  # EU-35
    ("eu.tco", "transparency-report", "1 year", None),          # EU-41
    ("in.it-rules", "transparency-report", "1 month", "6 months"),  # IN-13: monthly
    ("tr.law-5651", "six-monthly-report", "6 months", "12 months"),  # TR-05
    ("de.netzdg-2017", "half-yearly-report", "6 months", "12 months"),  # DE-05
    ("br.marco-civil", "annual-transparency-report", "1 year", None),  # BR-11
])
def test_report_cadence(library: Any, module: str, req: str, every: str,
                        lookback: str | None) -> None:
    rule = _rule(library, module, req)
    assert rule.type == "count"
    assert rule.params["every"] == every
    assert rule.params.get("lookback") == lookback


@pytest.mark.parametrize("module,req,field,op,value", [
    ("eu.dsa", "vlop-risk-assessment", "platform.users.EU", "gte", 45_000_000),     # EU-32
    ("eu.dsa", "vlop-audit", "platform.users.EU", "gte", 45_000_000),               # EU-32
    ("eu.dsa", "vlop-transparency-report", "platform.users.EU", "gte", 45_000_000),  # EU-32
    ("eu.dsa", "vlop-risk-assessment", "platform.features.public_channels", "eq", True),  # Uncertain 14
    ("eu.dsa", "internal-complaints", "platform.employees", "gte", 50),             # EU-26
    ("eu.dsa", "legal-representative", "platform.establishment.eu_establishment", "eq", False),  # EU-20
    ("de.netzdg-2017", "manifestly-unlawful-24h", "platform.users.DE", "gte", 2_000_000),  # DE-02
    ("in.it-rules", "chief-compliance-officer", "platform.users.IN", "gte", 5_000_000),  # IN-01
    ("in.it-rules", "resident-grievance-officer", "platform.users.IN", "gte", 5_000_000),  # IN-01
    ("in.it-rules", "first-originator", "platform.users.IN", "gte", 5_000_000),  # IN-01
    ("in.it-rules", "authority-point-of-contact", "platform.users.IN", "gte", 5_000_000),  # IN-11
    ("in.dpdp", "inactive-account-erasure", "platform.users.IN", "gte", 20_000_000),  # IN-21
    ("tr.law-5651", "representative", "platform.daily_access.TR", "gt", 1_000_000),  # TR-01
    ("tr.law-5651", "branch-company", "platform.daily_access.TR", "gt", 10_000_000),  # TR-03
    ("pk.rules-2021", "compliance-officer", "platform.users.PK", "gt", 500_000),  # PK-02
    ("ru.information", "local-presence", "platform.daily_access.RU", "gt", 500_000),  # RU-05
    ("ng.nitda-code", "representative", "platform.users.NG", "gt", 100_000),  # NG-05
    ("vn.cybersecurity", "account-authentication", "platform.facts.vn_monthly_visits", "gte", 100_000),  # VN-02
    ("kz.online-platforms", "legal-representative", "platform.daily_access.KZ", "gt", 100_000),  # KZ-01
])
def test_applicability_thresholds(library: Any, module: str, req: str, field: str, op: str,
                                  value: Any) -> None:
    cond = _requirement(library, module, req).applies_if
    assert (field, op, value) in list(_leaves(cond))


@pytest.mark.parametrize("module,req,role,resident", [
    ("eu.gdpr", "eu-representative", "gdpr_representative_eu", ["EU"]),  # EU-07
    ("eu.gdpr", "dpo", "dpo", None),                                      # EU-13
    ("eu.dsa", "authority-contact", "dsa_authority_contact", None),       # EU-18
    ("eu.dsa", "legal-representative", "dsa_legal_representative", ["EU"]),  # EU-20
    ("eu.tco", "contact-point", "tco_contact_point", None),               # EU-43
    ("in.it-rules", "chief-compliance-officer", "chief_compliance_officer_in", ["IN"]),  # IN-10
    ("in.it-rules", "resident-grievance-officer", "resident_grievance_officer_in", ["IN"]),  # IN-12
    ("tr.law-5651", "representative", "representative_tr", ["TR"]),      # TR-01
    ("pk.rules-2021", "compliance-officer", "compliance_officer_pk", ["PK"]),  # PK-02
    ("pk.rules-2021", "grievance-officer", "grievance_officer_pk", ["PK"]),    # PK-02
    ("br.marco-civil", "representative", "representative_br", ["BR"]),   # BR-11
    ("kz.online-platforms", "legal-representative", "representative_kz", None),  # KZ-01
])
def test_officer_roles(library: Any, module: str, req: str, role: str,
                       resident: list[str] | None) -> None:
    rule = _rule(library, module, req)
    assert rule.type == "officer"
    assert rule.params["role"] == role
    assert rule.params.get("resident_in") == resident


def test_netzdg_in_force_keeps_only_authorised_recipient(library: Any) -> None:
    # DE-07: since 14 May 2024 only the authorised recipient remains (Uncertain 9)
    module = library.get("de.netzdg")
    assert [r.id for r in module.requirements] == ["authorised-recipient"]
    assert _rule(library, "de.netzdg", "authorised-recipient", 0).params == {
        "role": "authorised_recipient_de", "resident_in": ["DE"]}


def test_national_modules_extend_the_baseline(library: Any) -> None:
    for module in ("eu.gdpr", "in.it-rules", "in.dpdp", "tr.kvkk", "br.lgpd", "id.pdp",
                   "ke.dpa", "ng.ndpa", "sa.pdpl", "vn.pdp"):
        checklist = library.get(module)
        assert checklist.extends == "intl.baseline"
        breach = checklist.requirement("breach-notice-authority")
        if breach is not None:
            assert breach.origin == module, f"{module} must override the baseline figure"
            assert breach.jurisdiction == checklist.jurisdiction


def test_themes_group_comparable_obligations(library: Any) -> None:
    themes: dict[str, set[str]] = {}
    for module, req in _all_requirements(library):
        assert req.theme, f"{req.full_id} has no theme"
        themes.setdefault(req.theme, set()).add(library.get(module).jurisdiction)
    assert {"EU", "IN", "TR", "BR", "RU", "KE", "NG", "SA", "ID", "VN", "GB", "EG", "JO"} <= themes[
        "breach-notice-authority"]
    assert {"IN", "PK", "ID", "VN", "AU", "TR"} <= themes["takedown-authority-order"]

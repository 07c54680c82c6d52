"""OSCAL output (audit/reports/oscal.py): both example packs give assessment results and a
POA&M that validate against the official NIST OSCAL 1.1.2 JSON Schema, UUIDs are stable across
runs, and the validator itself accepts NIST's own examples and rejects broken documents.

The NIST schema is draft-07 with patterns in ``\\p{L}`` style, which Python's ``re`` cannot
compile: the validator checks ``pattern`` with the ``regex`` package instead.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
OSCAL = ROOT / "tests" / "data" / "oscal"  # vendored: tests/data/README.md
SCHEMA = OSCAL / "oscal_v1.1.2_complete_schema.json"
EXAMPLES = ROOT / "examples"
PACKS = ("before-negotiation", "after-remediation")
CHECKLISTS = ("iq.telegram-2023", "eu.gdpr")
TIMESTAMP_KEYS = {"last-modified", "start", "end", "collected"}



# -- the validator -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _validator_class() -> Any:
    regex = pytest.importorskip("regex")
    from jsonschema import Draft7Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, patrn: str, instance: Any, _schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not regex.search(patrn, instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    return validators.extend(Draft7Validator, {"pattern": pattern})


def oscal_errors(schema: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    """Every schema error of ``doc``; against the root model's own branch of the schema's
    ``oneOf`` too, so messages point into the document rather than at the root."""
    from jsonschema import Draft7Validator

    cls = _validator_class()
    whole = cls(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = []
    if not whole.is_valid(doc):
        errors.append("document does not validate against the OSCAL 1.1.2 schema")
    root = next(iter(doc)) if isinstance(doc, dict) and doc else ""
    branch = [b for b in schema["oneOf"] if root in b.get("required", [])]
    if branch:
        sub = {**schema, "oneOf": branch}
        for e in cls(sub, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(doc):
            for leaf in (e.context or [e]):
                errors.append(f"{'/'.join(map(str, leaf.absolute_path))}: {leaf.message[:200]}")
    return errors


@pytest.mark.parametrize("name", ["ifa_assessment-results-example.json",
                                  "ifa_plan-of-action-and-milestones.json"])
def test_nist_examples_validate(schema: dict[str, Any], name: str) -> None:
    doc = json.loads((OSCAL / name).read_text(encoding="utf-8"))
    assert oscal_errors(schema, doc) == []


def test_validator_rejects_broken_documents(schema: dict[str, Any]) -> None:
    doc = json.loads((OSCAL / "ifa_assessment-results-example.json").read_text("utf-8"))
    finding = doc["assessment-results"]["results"][0]["findings"][0]
    for path, value in ((("target", "target-id"), "has:colon"), (("uuid",), "not-a-uuid"),
                        (("target", "status", "state"), "fine")):
        bad = copy.deepcopy(doc)
        obj = bad["assessment-results"]["results"][0]["findings"][0]
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
        assert oscal_errors(schema, bad), path
    bad = copy.deepcopy(doc)
    del bad["assessment-results"]["metadata"]["oscal-version"]
    assert oscal_errors(schema, bad)
    bad = copy.deepcopy(doc)
    bad["assessment-results"]["results"][0]["start"] = "2023-06-01"  # no time, no zone
    assert oscal_errors(schema, bad)
    assert finding["target"]["type"]  # the example has the shape the edits assume
    # \p{L} really is a Unicode letter class here (Python's re would reject the pattern)
    good = copy.deepcopy(doc)
    good["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "ﺕ_é.1"
    assert oscal_errors(schema, good) == []


# -- producing documents -----------------------------------------------------------------------

def assess_pack(pack: Path, checklists: tuple[str, ...] = CHECKLISTS) -> Any:
    from audit.pipeline.score import assess
    from audit.checklists import load_library
    from audit.evidence.loaders import load_evidence, needed_log_columns
    from audit.plugins import get_registry
    from audit.schemas.common import as_date

    registry = get_registry()
    library = load_library(registry)
    chosen = [library.get(c) for c in checklists]
    ev = load_evidence([pack], registry, needed_log_columns(chosen, registry))
    return assess(ev, chosen, library, registry, as_date(ev.profile["as_of"]))


def render(writer_id: str, assessment: Any) -> dict[str, Any]:
    import io

    from audit.plugins import get_registry

    out = io.StringIO()
    get_registry().writers.get(writer_id).write(assessment, out)
    return json.loads(out.getvalue())


def strip_timestamps(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: ("<time>" if k in TIMESTAMP_KEYS else strip_timestamps(v))
                for k, v in doc.items()}
    if isinstance(doc, list):
        return [strip_timestamps(v) for v in doc]
    return doc


def uuids(doc: Any) -> list[str]:
    if isinstance(doc, dict):
        return [v for k, v in doc.items() if k == "uuid"] + [u for v in doc.values()
                                                             for u in uuids(v)]
    if isinstance(doc, list):
        return [u for v in doc for u in uuids(v)]
    return []


@pytest.fixture(scope="module")
def assessments() -> dict[str, Any]:
    return {name: assess_pack(EXAMPLES / name) for name in PACKS}


@pytest.mark.parametrize("name", PACKS)
@pytest.mark.parametrize("writer", ["oscal", "oscal-poam"])
def test_example_packs_validate(schema: dict[str, Any], assessments: dict[str, Any], name: str,
                                writer: str) -> None:
    doc = render(writer, assessments[name])
    assert oscal_errors(schema, doc) == []
    ids = uuids(doc)
    assert len(ids) == len(set(ids)), "every uuid is unique within the document"


def test_assessment_results_content(assessments: dict[str, Any]) -> None:
    a = assessments["before-negotiation"]
    ar = render("oscal", a)["assessment-results"]
    assert ar["metadata"]["oscal-version"] == "1.1.2"
    plan = ar["import-ap"]["href"]
    assert plan.startswith("#")
    assert plan[1:] in {r["uuid"] for r in ar["back-matter"]["resources"]}
    result = ar["results"][0]
    findings = {f["target"]["target-id"]: f for f in result["findings"]}
    assert len(findings) == len(a.results)
    leak = findings["iq.telegram-2023_leak-takedown"]
    assert leak["target"]["type"] == "objective-id"
    assert leak["target"]["status"]["state"] == "not-satisfied"
    assert findings["eu.gdpr_dpo"]["target"]["status"]["state"] == "satisfied"
    # every evidence file is an observation with its SHA-256, linked to a hashed resource
    observations = {o["uuid"]: o for o in result["observations"]}
    resources = {r["uuid"]: r for r in ar["back-matter"]["resources"]}
    for f in a.evidence_files:
        obs = [o for o in observations.values() if o.get("title") == f"Evidence: {f.path}"]
        assert len(obs) == 1, f.path
        ev = obs[0]["relevant-evidence"][0]
        assert {"name": "sha256", "ns": ev["props"][1]["ns"], "value": f.sha256} in ev["props"]
        resource = resources[ev["href"][1:]]
        assert resource["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": f.sha256}]
    # findings point at observations that exist, including the log the figures came from
    for f in result["findings"]:
        for rel in f["related-observations"]:
            assert rel["observation-uuid"] in observations
    leak_files = [observations[r["observation-uuid"]]["title"]
                  for r in leak["related-observations"]]
    assert "Evidence: before-negotiation/logs/moderation.csv" in leak_files
    # one risk per gap, each with the requirement's remediation
    risks = {r["uuid"]: r for r in result["risks"]}
    assert len(risks) == len(a.gaps())
    risk = risks[leak["related-risks"][0]["risk-uuid"]]
    assert risk["status"] == "open"
    leak_req = next(r.requirement for r in a.results if r.requirement.id == "leak-takedown")
    assert risk["remediations"][0]["description"] == " ".join(leak_req.remediation.split())


def test_poam_items_and_waiver_deadline(assessments: dict[str, Any]) -> None:
    a = assessments["after-remediation"]
    poam = render("oscal-poam", a)["plan-of-action-and-milestones"]
    items = {next(p["value"] for p in i["props"] if p["name"] == "requirement-id"): i
             for i in poam["poam-items"]}
    expected = {r.requirement.full_id for r in a.gaps()} | {
        r.requirement.full_id for r in a.results if r.status.value == "waived"}
    assert set(items) == expected
    waived = items["iq.telegram-2023:official-contact"]
    props = {p["name"]: p["value"] for p in waived["props"]}
    assert props["deadline"] == "2025-03-31" and props["priority"].startswith("P")
    risks = {r["uuid"]: r for r in poam["risks"]}
    risk = risks[waived["related-risks"][0]["risk-uuid"]]
    assert risk["status"] == "deviation-approved"
    assert risk["deadline"].startswith("2025-03-31T")
    erasure = items["eu.gdpr:erasure"]
    assert "deadline" not in {p["name"] for p in erasure["props"]}
    assert risks[erasure["related-risks"][0]["risk-uuid"]]["status"] == "open"
    assert erasure["description"]  # the remediation


def test_poam_without_gaps_is_still_valid(schema: dict[str, Any],
                                          assessments: dict[str, Any]) -> None:
    a = assessments["after-remediation"]
    clean = dataclasses.replace(a, results=[r for r in a.results
                                            if r.status.value in ("met", "not_applicable")])
    doc = render("oscal-poam", clean)
    assert oscal_errors(schema, doc) == []
    items = doc["plan-of-action-and-milestones"]["poam-items"]
    assert [i["title"] for i in items] == ["No open items"]


def test_uuids_are_stable_across_runs(assessments: dict[str, Any]) -> None:
    first = assessments["before-negotiation"]
    again = assess_pack(EXAMPLES / "before-negotiation")
    later = dataclasses.replace(again, generated_at=again.generated_at + dt.timedelta(hours=5))
    for writer in ("oscal", "oscal-poam"):
        a, b = render(writer, first), render(writer, later)
        assert a != b or first.generated_at == later.generated_at  # timestamps differ ...
        assert strip_timestamps(a) == strip_timestamps(b)  # ... and nothing else
        for u in uuids(a):
            assert uuid.UUID(u).version == 5


def test_uuids_depend_on_subject(assessments: dict[str, Any]) -> None:
    before = render("oscal", assessments["before-negotiation"])["assessment-results"]
    after = render("oscal", assessments["after-remediation"])["assessment-results"]
    assert before["uuid"] != after["uuid"]  # another as-of date: another assessment
    pb = render("oscal-poam", assessments["before-negotiation"])["plan-of-action-and-milestones"]
    pa = render("oscal-poam", assessments["after-remediation"])["plan-of-action-and-milestones"]
    assert pb["uuid"] == pa["uuid"]  # the same platform and checklists: the same POA&M
    same = {i["title"]: i["uuid"] for i in pb["poam-items"]}
    for item in pa["poam-items"]:
        if item["title"] in same:  # a gap tracked across assessments keeps its item id
            assert same[item["title"]] == item["uuid"]


def test_cli_writes_oscal(run: Any, tmp_path: Path, schema: dict[str, Any]) -> None:
    pack = EXAMPLES / "after-remediation"
    out = tmp_path / "ar.json"
    code, stdout, err = run("assess", pack, "-c", "iq.telegram-2023", "--format", "oscal",
                            "-o", out)
    assert code == 0, err
    assert oscal_errors(schema, json.loads(out.read_text("utf-8"))) == []
    code, stdout, err = run("assess", pack, "-c", "iq.telegram-2023", "--format",
                            "oscal-poam")
    assert code == 0, err
    assert oscal_errors(schema, json.loads(stdout)) == []


def test_output_extension_picks_the_oscal_writers(tmp_path: Path) -> None:
    from audit.plugins import get_registry
    from audit.reports.base import writer_for

    registry = get_registry()
    assert writer_for(registry, None, tmp_path / "r.json").id == "json"
    assert writer_for(registry, None, tmp_path / "r.oscal.json").id == "oscal"
    assert writer_for(registry, None, tmp_path / "r.poam.json").id == "oscal-poam"
    assert writer_for(registry, None, tmp_path / "R.OSCAL.JSON").id == "oscal"


def test_names_with_stray_white_space_still_validate(tmp_path: Path) -> None:
    from audit.reports.oscal_common import text_or_none as _s

    assert _s("  Rafidain Chat \n Ltd ") == "Rafidain Chat Ltd"
    assert _s(" \n ") is None

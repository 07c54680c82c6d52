"""The OSCAL chain (audit/reports/oscal_chain.py): catalog -> profile -> SSP -> assessment
plan -> assessment results, and the POA&M importing the SSP. Every document validates against
the NIST OSCAL 1.1.2 schema, every href resolves (documents and evidence files, relative to the
chain's directory), every control id used is defined by a catalog, and compliance-trestle loads
every document and resolves the profile into a catalog."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from test_oscal import SCHEMA, oscal_errors

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHECKLISTS = ("iq.telegram-2023", "eu.gdpr")
ROOTS = {"catalog": "catalog", "profile": "profile", "ssp": "system-security-plan",
         "assessment-plan": "assessment-plan", "assessment-results": "assessment-results",
         "poam": "plan-of-action-and-milestones"}

needs_schema = pytest.mark.skipif(not SCHEMA.exists(), reason=f"NIST OSCAL schema not at {SCHEMA}")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chain for the before-negotiation example, written by the CLI into out/oscal/."""
    from audit import checklists, plugins
    from audit.cli import main

    plugins.reset()
    checklists._LIBRARY.clear()
    out = tmp_path_factory.mktemp("chain") / "out" / "oscal"
    with pytest.raises(SystemExit) as exc:
        main(["assess", str(EXAMPLES / "before-negotiation"), "-c", CHECKLISTS[0], "-c",
              CHECKLISTS[1], "--oscal-dir", str(out), "-q"])
    assert exc.value.code in (0, None)
    return out


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def kind(path: Path) -> str:
    return "catalog" if path.name.startswith("catalog-") else path.stem


def test_chain_files(chain: Path) -> None:
    assert sorted(p.name for p in chain.iterdir()) == sorted(
        ["catalog-iq.telegram-2023.json", "catalog-eu.gdpr.json", "profile.json", "ssp.json",
         "assessment-plan.json", "assessment-results.json", "poam.json"])
    for path in chain.iterdir():
        assert list(load(path)) == [ROOTS[kind(path)]], path.name


@needs_schema
def test_every_document_validates(chain: Path, schema: dict[str, Any]) -> None:
    for path in sorted(chain.iterdir()):
        assert oscal_errors(schema, load(path)) == [], path.name


def test_chain_resolves(chain: Path) -> None:
    results = load(chain / "assessment-results.json")["assessment-results"]
    plan_file = chain / results["import-ap"]["href"]
    plan = load(plan_file)["assessment-plan"]
    ssp = load(chain / plan["import-ssp"]["href"])["system-security-plan"]
    profile = load(chain / ssp["import-profile"]["href"])["profile"]
    poam = load(chain / "poam.json")["plan-of-action-and-milestones"]
    assert poam["import-ssp"]["href"] == plan["import-ssp"]["href"]
    defined: set[str] = set()
    for imp in profile["imports"]:
        catalog = load(chain / imp["href"])["catalog"]
        defined |= {c["id"] for g in catalog["groups"] for c in g["controls"]}
    # every control the plan, the SSP and the results name is defined by an imported catalog
    used = {c["control-id"] for sel in results["results"][0]["reviewed-controls"][
        "control-selections"] for key in ("include-controls", "exclude-controls")
        for c in sel.get(key, [])}
    used |= {c["control-id"] for sel in plan["reviewed-controls"]["control-selections"]
             for key in ("include-controls", "exclude-controls") for c in sel.get(key, [])}
    used |= {r["control-id"] for r in ssp["control-implementation"]["implemented-requirements"]}
    used |= {f["target"]["target-id"] for f in results["results"][0]["findings"]}
    assert used and used <= defined
    assert len(defined) == len(used)  # the selection is exactly the modules' requirements
    # the plan's subject is the SSP's component
    component = ssp["system-implementation"]["components"][0]["uuid"]
    assert plan["assessment-subjects"][0]["include-subjects"][0]["subject-uuid"] == component
    # no back-matter stand-in for the plan when the real plan exists
    assert not any(r["title"].startswith("Assessment plan")
                   for r in results["back-matter"]["resources"])


def test_evidence_links_are_relative_to_the_oscal_files(chain: Path) -> None:
    for name in ("assessment-results.json", "poam.json"):
        root = next(iter(load(chain / name).values()))
        resources = [r for r in root["back-matter"]["resources"] if "rlinks" in r]
        assert resources, name
        for r in resources:
            link = r["rlinks"][0]
            assert not Path(link["href"]).is_absolute()
            target = chain / link["href"]
            assert target.is_file(), link["href"]
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            assert link["hashes"][0]["value"] == digest


def test_catalog_controls_carry_citations_params_and_guidance(chain: Path) -> None:
    from audit.checklists import load_library
    from audit.plugins import get_registry

    checklist = load_library(get_registry()).get("iq.telegram-2023")
    catalog = load(chain / "catalog-iq.telegram-2023.json")["catalog"]
    controls = {c["id"]: c for g in catalog["groups"] for c in g["controls"]}
    assert len(controls) == len(checklist.requirements)
    leak = controls["iq.telegram-2023_leak-takedown"]
    req = next(r for r in checklist.requirements if r.id == "leak-takedown")
    parts = {p["name"]: p for p in leak["parts"]}
    assert parts["citation"]["prose"] == req.citation.render(checklist.sources)
    assert parts["guidance"]["prose"] == " ".join(req.remediation.split())
    params = {p["label"]: p["values"][0] for p in leak["params"]}
    assert params["log"] == "moderation" and params["start"] == "received_at"
    assert json.loads(params["versions"]) == [{"from": "2023-08-13", "target": 0.95,
                                               "within": "24h"}]
    # the citation links to the legal source, described once in back-matter
    resources = {r["uuid"]: r for r in catalog["back-matter"]["resources"]}
    ref = next(link for link in leak["links"] if link["href"].startswith("#"))
    source = resources[ref["href"][1:]]
    assert source["title"] == checklist.sources[req.citation.source].title
    assert source["rlinks"][0]["href"] == checklist.sources[req.citation.source].url


@needs_schema
def test_every_bundled_module_exports_a_valid_catalog(schema: dict[str, Any]) -> None:
    import datetime as dt

    from audit.checklists import load_library
    from audit.plugins import get_registry
    from audit.reports.oscal_chain import catalog, profile

    when = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    modules = load_library(get_registry()).all()
    assert len(modules) > 20
    for checklist in modules:
        doc = catalog(checklist, when)
        assert oscal_errors(schema, doc) == [], checklist.id
        ids = [c["id"] for g in doc["catalog"]["groups"] for c in g["controls"]]
        params = [p["id"] for g in doc["catalog"]["groups"] for c in g["controls"]
                  for p in c.get("params", [])]
        assert len(ids) == len(set(ids)) and len(params) == len(set(params)), checklist.id
    assert oscal_errors(schema, profile(modules, when)) == []


def test_cli_exports_catalog_and_profile(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "gdpr.json"
    code, _stdout, err = run("oscal", "export-catalog", "eu.gdpr", "-o", out)
    assert code == 0, err
    assert load(out)["catalog"]["metadata"]["props"][0]["value"] == "eu.gdpr"
    code, stdout, err = run("oscal", "export-profile", "eu.gdpr", "iq.telegram-2023",
                            "--catalog-href", "cat/{id}.json")
    assert code == 0, err
    assert [i["href"] for i in json.loads(stdout)["profile"]["imports"]] == [
        "cat/eu.gdpr.json", "cat/iq.telegram-2023.json"]
    code, _stdout, err = run("oscal", "export-catalog", "no.such-module")
    assert code == 2 and "unknown checklist 'no.such-module'" in err
    code, _stdout, err = run("oscal", "export-profile", "eu.gdpr", "--catalog-href", "x.json")
    assert code == 2 and "{id}" in err


def test_oscal_dir_inside_an_input_is_refused(run: Any, tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLES / "before-negotiation", pack)
    before = sorted(p.name for p in pack.rglob("*"))
    code, _stdout, err = run("assess", pack, "-c", "eu.gdpr", "--oscal-dir", pack / "oscal")
    assert code == 2 and "is one of the inputs" in err
    assert sorted(p.name for p in pack.rglob("*")) == before


def test_trestle_loads_every_document_and_resolves_the_profile(
        chain: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("trestle", reason="compliance-trestle is a test extra: "
                                          "pip install -e '.[test]'")
    import shutil

    from trestle.core.profile_resolver import ProfileResolver
    from trestle.oscal.assessment_plan import AssessmentPlan
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.catalog import Catalog
    from trestle.oscal.poam import PlanOfActionAndMilestones
    from trestle.oscal.profile import Profile
    from trestle.oscal.ssp import SystemSecurityPlan

    models = {"catalog": Catalog, "profile": Profile, "ssp": SystemSecurityPlan,
              "assessment-plan": AssessmentPlan, "assessment-results": AssessmentResults,
              "poam": PlanOfActionAndMilestones}
    for path in sorted(chain.iterdir()):
        model = models[kind(path)].oscal_read(path)
        assert model is not None and model.uuid, path.name
    # trestle resolves imports against its workspace (the current directory, with .trestle/)
    workspace = tmp_path / "workspace"
    shutil.copytree(chain, workspace)
    (workspace / ".trestle").mkdir()
    monkeypatch.chdir(workspace)
    resolved = ProfileResolver.get_resolved_profile_catalog(workspace, str(workspace /
                                                                          "profile.json"))
    ids = {c.id for g in resolved.groups or [] for c in g.controls or []}
    results = load(chain / "assessment-results.json")["assessment-results"]
    assert ids == {f["target"]["target-id"] for f in results["results"][0]["findings"]}


@pytest.mark.parametrize("suffix", [".oscal.json", ".poam.json"])
def test_single_documents_link_evidence_relative_to_themselves(run: Any, tmp_path: Path,
                                                               suffix: str) -> None:
    """-o writes one document; its evidence links resolve from where it is written, even for a
    pack in a directory whose name needs percent-encoding."""
    import shutil
    from urllib.parse import unquote

    pack = tmp_path / "evidence packs" / "before négociation"
    shutil.copytree(EXAMPLES / "before-negotiation", pack)
    out = tmp_path / "reports" / "2023" / f"r{suffix}"
    out.parent.mkdir(parents=True)
    code, _stdout, err = run("assess", pack, "-c", "iq.telegram-2023", "-o", out, "-q")
    assert code == 0, err
    root = next(iter(load(out).values()))
    links = [r["rlinks"][0] for r in root["back-matter"]["resources"] if "rlinks" in r]
    assert links
    for link in links:
        assert " " not in link["href"] and link["href"].startswith("../../evidence%20packs/")
        target = out.parent / unquote(link["href"])
        assert hashlib.sha256(target.read_bytes()).hexdigest() == link["hashes"][0]["value"]
    if SCHEMA.exists():
        assert oscal_errors(json.loads(SCHEMA.read_text("utf-8")), load(out)) == []


@needs_schema
def test_chain_with_a_waiver_validates(schema: dict[str, Any], tmp_path: Path) -> None:
    """after-remediation: a waived requirement is a deviation-approved risk in the POA&M."""
    from audit.checklists import load_library
    from audit.plugins import get_registry
    from audit.reports.oscal_chain import write_chain
    from test_html import assess_pack

    a = assess_pack(EXAMPLES / "after-remediation")
    library = load_library(get_registry())
    written = write_chain(a, [library.get(c.id) for c in a.checklists], tmp_path / "oscal")
    assert len(written) == 7
    for name in written:
        assert oscal_errors(schema, load(tmp_path / "oscal" / name)) == [], name
    poam = load(tmp_path / "oscal" / "poam.json")["plan-of-action-and-milestones"]
    assert "deviation-approved" in {r["status"] for r in poam["risks"]}

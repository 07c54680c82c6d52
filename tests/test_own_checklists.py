"""Checklist modules from the user's own files and folders: --checklist PATH,
AUDIT_CHECKLIST_PATH and a pack's audit.yaml, with the same strict validation as installed
modules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from packs import MODERATION, moderation_rows, write_pack

OWN = {
    "schema_version": 1, "id": "acme.leaks", "jurisdiction": "IQ",
    "title": "Acme: leak takedowns within 48 hours", "version": 1, "status": "practice",
    "sources": [{"id": "acme-policy", "title": "Acme escalation policy",
                 "url": "https://policies.example.com/escalation"}],
    "requirements": [{
        "id": "leaks-48h", "area": "moderation", "title": "Close leak channels within 48 h",
        "citation": {"source": "acme-policy", "article": "s. 2"}, "severity": "high",
        "rule": {"type": "deadline", "log": "moderation", "start": "received_at",
                 "end": "actioned_at", "versions": [{"from": "2020-01-01", "within": "48h",
                                                     "target": 0.9}]},
        "remediation": "Staff the queue."}],
}


def _module(path: Path, data: dict | None = None, **changes: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({**(data or OWN), **changes}, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack",
                      logs={"moderation": (MODERATION, moderation_rows([1, 30, 60, 2]))})


def test_a_module_that_validates_is_assessed_from_its_file(run, pack: Path,
                                                           tmp_path: Path) -> None:
    """The reported defect: validate said ok, then assess -c FILE said 'unknown checklist'."""
    module = _module(tmp_path / "acme.yaml")
    code, out, err = run("checklists", "validate", module)
    assert code == 0, err
    code, out, err = run("assess", pack, "-c", module, "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert [c["id"] for c in result["checklists"]] == ["acme.leaks"]
    assert result["checklists"][0]["owner"] == "local"
    assert result["requirements"][0]["summary"].startswith("3 of 4 ")


def test_an_overlay_filters_changes_a_clock_and_adds_a_requirement(run, pack: Path,
                                                                   tmp_path: Path) -> None:
    overlay = {
        "schema_version": 1, "id": "acme.iq", "extends": "iq.telegram-2023",
        "jurisdiction": "IQ", "title": "Overlay", "version": 1, "status": "practice",
        "sources": [],
        "unselect": [{"id": "official-contact", "reason": "audited elsewhere"}],
        "overrides": [{"id": "leak-takedown", "rule": {
            "type": "deadline", "log": "moderation", "start": "received_at",
            "end": "actioned_at", "where": {"country": "IQ"},
            "versions": [{"from": "2023-08-13", "within": "72h", "target": 0.95}]}}],
        "requirements": [{
            "id": "extra", "area": "governance", "title": "An extra check",
            "citation": {"source": "const-2005", "article": "Art. 40"}, "severity": "low",
            "rule": {"type": "attestation", "key": "extra-check"}, "remediation": "Do it."}],
    }
    module = _module(tmp_path / "own" / "overlay.yaml", overlay)
    code, out, err = run("assess", pack, "-c", module, "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    by_id = {r["requirement"]: r for r in json.loads(out)["requirements"]}
    assert "official-contact" not in by_id and "extra" in by_id
    assert by_id["leak-takedown"]["figures"]["versions"][0]["within"] == "72 h"
    assert by_id["leak-takedown"]["figures"]["on_time"] == 4


def test_a_folder_selects_every_module_in_it(run, pack: Path, tmp_path: Path) -> None:
    _module(tmp_path / "own" / "a.yaml")
    _module(tmp_path / "own" / "sub" / "b.yaml", id="acme.other")
    code, out, err = run("assess", pack, "-c", tmp_path / "own", "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    assert [c["id"] for c in json.loads(out)["checklists"]] == ["acme.leaks", "acme.other"]
    code, out, err = run("checklists", "show", tmp_path / "own", "--format", "json")
    assert code == 0 and [m["id"] for m in json.loads(out)] == ["acme.leaks", "acme.other"]


def test_checklist_path_setting_adds_folders_to_the_library(run, pack: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    _module(tmp_path / "one" / "a.yaml")
    _module(tmp_path / "two" / "b.yaml", id="acme.other")
    import os

    monkeypatch.setenv("AUDIT_CHECKLIST_PATH",
                       f"{tmp_path / 'one'}{os.pathsep}{tmp_path / 'two'}")
    code, out, err = run("checklists", "list", "--format", "json")
    modules = {m["id"]: m for m in json.loads(out)}
    assert modules["acme.leaks"]["owner"] == modules["acme.other"]["owner"] == "local"
    assert modules["acme.other"]["path"].endswith("two/b.yaml")
    assert modules["iq.telegram-2023"]["owner"] == "audit.default_plugins.checklists"
    code, out, err = run("assess", pack, "-c", "acme.other", "--as-of", "2024-12-31")
    assert code == 0, err
    # the same file also named on the command line is read once, not a clash
    code, out, err = run("assess", pack, "-c", tmp_path / "one" / "a.yaml", "-q",
                         "--as-of", "2024-12-31")
    assert code == 0, err
    monkeypatch.setenv("AUDIT_CHECKLIST_PATH", str(tmp_path / "missing"))
    code, out, err = run("checklists", "list")
    assert code == 2
    assert err.strip() == f"AUDIT_CHECKLIST_PATH: no such folder {tmp_path / 'missing'}"


def test_pack_audit_yaml_adds_folders(run, pack: Path, tmp_path: Path) -> None:
    _module(pack / "checklists" / "a.yaml")
    (pack / "audit.yaml").write_text("checklist_path:\n  - checklists\n")
    code, out, err = run("assess", pack, "-c", "acme.leaks", "--as-of", "2024-12-31")
    assert code == 0, err
    (pack / "audit.yaml").write_text("checklist_path:\n  - checklists\nchecklist_paths: []\n")
    code, out, err = run("assess", pack, "-c", "acme.leaks")
    assert code == 2
    assert err.strip().endswith("audit.yaml:3: checklist_paths: unknown key; did you mean "
                                "'checklist_path'?")
    (pack / "audit.yaml").write_text("checklist_path: checklists\n")
    code, out, err = run("assess", pack, "-c", "acme.leaks")
    assert code == 2 and "audit.yaml:1: checklist_path: expected a list" in err


def test_a_local_module_clashing_with_an_installed_one_names_both_files(run, pack: Path,
                                                                        tmp_path: Path) -> None:
    module = _module(tmp_path / "mine.yaml", id="iq.telegram-2023")
    code, out, err = run("assess", pack, "-c", module)
    assert code == 2, err
    assert "mine.yaml" in err and "checklists/iq/iq.telegram-2023.yaml" in err
    assert "module id 'iq.telegram-2023' is already defined in" in err
    # validate says the same as assess (the reported defect was validate saying ok)
    code, out, err = run("checklists", "validate", module)
    assert code == 2 and "checklists/iq/iq.telegram-2023.yaml" in err and "mine.yaml" in err
    # and two local files with one id
    _module(tmp_path / "own" / "a.yaml")
    _module(tmp_path / "own" / "b.yaml")
    code, out, err = run("assess", pack, "-c", tmp_path / "own")
    assert code == 2 and "a.yaml" in err and "b.yaml" in err


def test_local_module_errors_are_located(run, pack: Path, tmp_path: Path) -> None:
    bad = dict(OWN, requirements=[dict(OWN["requirements"][0], severity="huge")])
    module = _module(tmp_path / "bad.yaml", bad)
    code, out, err = run("assess", pack, "-c", module)
    assert code == 2
    line = err.strip().splitlines()[0]
    assert line.endswith(": requirements[0].severity: expected one of critical, high, medium, "
                         "low; got 'huge'"), line
    assert line.split(":")[1].isdigit() and "bad.yaml" in line.split(":")[0]
    code, out, err = run("assess", pack, "-c", tmp_path / "nothere.yaml")
    assert code == 2 and "does not exist" in err
    (tmp_path / "empty").mkdir()
    code, out, err = run("assess", pack, "-c", tmp_path / "empty")
    assert code == 2 and "holds no checklist module" in err


def test_template_takes_a_module_file(run, tmp_path: Path) -> None:
    module = _module(tmp_path / "a.yaml", requirements=[dict(
        OWN["requirements"][0], rule={"type": "attestation", "key": "escalation"})])
    code, out, err = run("template", "-c", module, "-o", tmp_path / "t.xlsx")
    assert code == 0, err
    from openpyxl import load_workbook

    answers = load_workbook(tmp_path / "t.xlsx")["Answers"]
    assert "escalation" in [c.value for row in answers.iter_rows() for c in row]


@pytest.mark.parametrize(("change", "place", "message"), [
    ({"start": "recieved_at"}, "requirements[0].rule.start",
     "the moderation log has no column 'recieved_at'; did you mean 'received_at'?"),
    ({"log": "moderaton"}, "requirements[0].rule.log", "no loader or evidence schema knows a "
                                                       "log 'moderaton'; did you mean "
                                                       "'moderation'?"),
    ({"where": {"countyr": "IQ"}}, "requirements[0].rule.where.countyr",
     "the moderation log has no column 'countyr'; did you mean 'country'?"),
])
def test_a_misspelt_rule_name_in_a_local_module_stops_assess_like_validate(
        run, pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        change: dict, place: str, message: str) -> None:
    """The reported defect: assess scored a typo as the platform's 'no evidence' (exit 0)
    while validate rejected it; every way a local module comes in now gets the same line."""
    rule = dict(OWN["requirements"][0]["rule"], **change)
    module = _module(tmp_path / "own" / "c1.yaml",
                     requirements=[dict(OWN["requirements"][0], rule=rule)])
    code, out, err = run("checklists", "validate", module)
    assert code == 2
    expected = err.strip()
    assert expected.endswith(f": {place}: {message}"), expected
    code, out, err = run("assess", pack, "-c", module, "--as-of", "2024-12-31")
    assert (code, err.strip()) == (2, expected)
    code, out, err = run("assess", pack, "-c", tmp_path / "own")  # a folder
    assert (code, err.strip()) == (2, expected)
    code, out, err = run("template", "-c", module, "-o", tmp_path / "t.xlsx")
    assert (code, err.strip()) == (2, expected) and not (tmp_path / "t.xlsx").exists()
    # a pack names modules inside itself (issue 29: outside ones only the runner may add)
    shutil.copytree(tmp_path / "own", pack / "own")
    (pack / "audit.yaml").write_text("checklist_path:\n  - own\n")
    code, out, err = run("assess", pack, "-c", "acme.leaks")
    assert (code, err.strip()) == (2, expected.replace(str(tmp_path / "own"), str(pack / "own")))
    (pack / "audit.yaml").unlink()
    monkeypatch.setenv("AUDIT_CHECKLIST_PATH", str(tmp_path / "own"))
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023")
    assert (code, err.strip()) == (2, expected)


def test_a_name_only_a_pack_mapping_defines_is_accepted_in_a_local_module(
        run, pack: Path, tmp_path: Path) -> None:
    """Logs are an open set (a pack's mapping may define its own): a name unlike every known
    one is the author's own, as `checklists validate` takes it, not a typo."""
    rule = dict(OWN["requirements"][0]["rule"], log="escalations")
    module = _module(tmp_path / "c2.yaml", requirements=[dict(OWN["requirements"][0],
                                                              rule=rule)])
    code, out, err = run("checklists", "validate", module)
    assert code == 0, err
    code, out, err = run("assess", pack, "-c", module, "--as-of", "2024-12-31")
    assert code == 0, err


def test_an_overridden_clock_is_named_in_the_inherited_title(run, tmp_path: Path) -> None:
    """An overlay that changes a rule's clock but not its title: the title inherited from the
    parent ('within 72 hours') follows the rule ('within 48 hours')."""
    from hypothesis import given
    from hypothesis import strategies as st

    from audit.checklist_resolve import title_following_rule

    overlay = {
        "schema_version": 1, "id": "acme.breach", "extends": "intl.baseline",
        "jurisdiction": "IQ", "title": "Overlay", "version": 1, "status": "practice",
        "sources": [],
        "overrides": [{"id": "breach-notice-authority", "rule": {
            "type": "deadline", "log": "breaches", "start": "detected_at",
            "end": "authority_notified_at", "within": "48h", "target": 1.0}}],
        "requirements": [],
    }
    module = _module(tmp_path / "own" / "overlay.yaml", overlay)
    code, out, err = run("checklists", "show", module, "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    reqs = shown[0]["requirements"] if isinstance(shown, list) else shown["requirements"]
    title = next(r["title"] for r in reqs if r["id"] == "breach-notice-authority")
    assert title == ("Report personal-data breaches to the data-protection regulator within "
                     "48 hours of detection")

    @given(st.integers(1, 10_000), st.integers(1, 10_000), st.text(max_size=20).map(" ".__add__))
    def rewrites_only_the_clock(old: int, new: int, tail: str) -> None:
        before = f"Act within {old} hours{tail}"
        after = title_following_rule(before, {"within": f"{old}h"}, {"within": f"{new}h"})
        if old == new:
            assert after == before
        else:
            assert after.startswith(f"Act within {new} hour") and after.endswith(tail)
        assert title_following_rule("No clock here", {"within": f"{old}h"},
                                    {"within": f"{new}h"}) == "No clock here"

    rewrites_only_the_clock()

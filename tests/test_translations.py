"""Translated checklist content: sibling files validated against their module, stale entries
reported (and not shown), coverage listed, translated texts used in reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKLISTS = ROOT / "checklists"
ARABIC = ("iq.law", "iq.telegram-2023", "iq.drafts", "iq-kri.law-6-2008", "iq-kri.drafts",
          "intl.baseline")


@pytest.fixture(scope="module")
def library() -> Any:
    from audit.checklists import load_library
    from audit.plugins import get_registry

    return load_library(get_registry())


@pytest.mark.parametrize("module_id", ARABIC)
def test_arabic_translations_are_complete_and_current(library: Any, module_id: str) -> None:
    from audit.translations import check, coverage, translation_path

    module = library.get(module_id)
    path = translation_path(module, "ar")
    assert check(path, module) == []
    assert coverage(module)["ar"] == 1.0
    data = __import__("yaml").safe_load(path.read_text(encoding="utf-8"))
    assert data["official"] is False  # our own translation: marked unofficial


def test_arabic_instrument_names_follow_legal_md(library: Any) -> None:
    from audit.translations import translate

    law = translate(library.get("iq.law"), "ar")
    assert law.sources["const-2005"].title == "دستور جمهورية العراق لسنة 2005"
    assert law.sources["penal-111-1969"].title == "قانون العقوبات رقم (111) لسنة 1969 المعدل"
    assert law.translation == "unofficial" and law.language == "ar"
    kri = translate(library.get("iq-kri.law-6-2008"), "ar")
    assert kri.sources["kri-law-6-2008"].title.startswith(
        "قانون منع سوء استخدام أجهزة الاتصال رقم (6) لسنة 2008")


def test_second_language_module(library: Any) -> None:
    from audit.translations import coverage, translate

    module = library.get("tr.law-5651")
    assert coverage(module) == {"tr": 1.0}
    assert translate(module, "tr").requirement("urgent-orders-4h").title.startswith(
        "BTK'nın veya Cumhurbaşkanlığının acil kararından")
    assert translate(module, "ar") is module  # no Arabic file: unchanged


def _copy_module(tmp_path: Path) -> tuple[Path, Path]:
    directory = tmp_path / "mods"
    directory.mkdir()
    shutil.copy(CHECKLISTS / "iq" / "iq.law.yaml", directory)
    shutil.copy(CHECKLISTS / "iq" / "iq.law.ar.yaml", directory)
    return directory / "iq.law.yaml", directory / "iq.law.ar.yaml"


def test_stale_and_unknown_entries_are_reported(tmp_path: Path, run: Any) -> None:
    module, translation = _copy_module(tmp_path)
    code, _out, err = run("checklists", "validate", translation)
    assert code == 0, err
    text = translation.read_text(encoding="utf-8")
    translation.write_text(text.replace("staff-confidentiality:", "staff-secrecy:"),
                           encoding="utf-8")
    code, _out, err = run("checklists", "validate", translation)
    assert code == 2
    assert "requirements.staff-secrecy.title: no such requirement text in the module" in err
    translation.write_text(text, encoding="utf-8")
    # the English text changes: the translation of that field is stale
    original = module.read_text(encoding="utf-8")
    module.write_text(original.replace("Bind staff and contractors who see user data to "
                                       "confidentiality", "Bind staff to secrecy"),
                      encoding="utf-8")
    from audit.checklist_parse import parse_module
    from audit.plugins import get_registry
    from audit.translations import check

    raw, problems = parse_module(module, "test", get_registry())
    assert raw is not None and not problems
    from audit.checklist_resolve import resolve_all

    resolved, problems = resolve_all({raw.id: raw})
    assert not problems
    changed = next(iter(resolved.values())) if isinstance(resolved, dict) else resolved[0]
    found = check(translation, changed)
    from audit.translations import source_hash

    assert [str(p).split(": ", 1)[1] for p in found] == [(
        "requirements.staff-confidentiality.title: stale: the English text changed since "
        f"this was translated (source hash now {source_hash('Bind staff to secrecy')})")]


def test_stale_field_falls_back_to_english(library: Any, tmp_path: Path) -> None:
    import dataclasses

    from audit.translations import translate

    module = library.get("iq.law")
    req = module.requirement("staff-confidentiality")
    changed = dataclasses.replace(module, requirements=tuple(
        dataclasses.replace(r, title="Bind staff to secrecy") if r.id == req.id else r
        for r in module.requirements))
    out = translate(changed, "ar")
    assert out.requirement("staff-confidentiality").title == "Bind staff to secrecy"
    assert out.requirement("cmc-licensing").title.startswith("التحقق")


def test_translation_schema_errors_are_located(tmp_path: Path, run: Any) -> None:
    _module, translation = _copy_module(tmp_path)
    translation.write_text(translation.read_text(encoding="utf-8").replace(
        "official: false", "official: 3"), encoding="utf-8")
    code, _out, err = run("checklists", "validate", translation)
    assert code == 2 and "iq.law.ar.yaml" in err and "official" in err


def test_translation_files_are_not_modules(library: Any) -> None:
    from audit.checklist_files import is_translation_file

    assert is_translation_file(CHECKLISTS / "iq" / "iq.law.ar.yaml")
    assert not is_translation_file(CHECKLISTS / "eu" / "eu.dsa.yaml")
    assert "iq.law.ar" not in {c.id for c in library.all()}


def test_list_shows_coverage(run: Any) -> None:
    code, out, err = run("checklists", "list", "--format", "json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["iq.law"]["translations"] == {"ar": 1.0}
    assert rows["eu.dsa"]["translations"] == {}
    code, out, err = run("checklists", "list")
    assert "ar 100%" in out


def test_skeleton_round_trips(library: Any, tmp_path: Path) -> None:
    import yaml

    from audit.translations import check, skeleton

    module = library.get("intl.baseline")
    data = skeleton(module, "pt")
    path = tmp_path / "intl.baseline.pt.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check(path, module) == []

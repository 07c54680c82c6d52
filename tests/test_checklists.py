"""Checklist modules: loading, strict validation with located errors, extends resolution."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from audit.checklists import load_library, validate_files
from audit.errors import ChecklistError, PluginError
from audit.plugins import get_registry

VALID = textwrap.dedent("""\
    schema_version: 1
    id: test.valid
    jurisdiction: EU
    title: Test module
    version: 1
    status: in_force
    sources:
      - {id: gdpr, title: GDPR, url: "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}
    requirements:
      - id: breach-72h
        area: breach_disclosure
        title: Notify the authority of breaches within 72 hours
        citation: {source: gdpr, article: "Art. 33(1)"}
        severity: critical
        rule:
          type: deadline
          log: breaches
          start: detected_at
          end: authority_notified_at
          within: 72h
          target: 1.0
        remediation: Notify on time.
      - id: dpo
        area: governance
        title: Appoint a DPO
        citation: {source: gdpr, article: "Art. 37"}
        severity: high
        rule: {type: officer, role: dpo}
        remediation: Appoint one.
    """)


def write(tmp_path: Path, text: str, name: str = "module.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    return [str(p) for p in validate_files([path], get_registry())]


def test_valid_module_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, VALID) == []


def test_bundled_modules_load_and_resolve() -> None:
    library = load_library(get_registry())
    module = library.get("iq.telegram-2023")
    assert module.jurisdiction == "IQ"
    assert module.status.value == "practice"
    leak = module.requirement("leak-takedown")
    assert leak is not None and leak.full_id == "iq.telegram-2023:leak-takedown"
    assert leak.weight == 10.0  # critical default
    assert leak.rule.params["versions"][0]["within"] == "24h"


@pytest.mark.parametrize("mutation, expected", [
    # wrong type
    (("\nversion: 1", "\nversion: one"), "module.yaml:5: version: expected a whole number, got text 'one'"),
    # unknown key, with a suggestion
    (("    severity: high\n", "    severty: high\n"), "requirements[1].severty: unknown key; did you mean 'severity'?"),
    # a top-level key too (it said only 'unknown key')
    (("\nversion: 1", "\nverison: 1"), "module.yaml:5: verison: unknown key; did you mean 'version'?"),
    # dangling citation
    (('{source: gdpr, article: "Art. 37"}', '{source: gdrp, article: "Art. 37"}'),
     "requirements[1].citation.source: cites unknown source 'gdrp' (sources: gdpr)"),
    # unknown rule type
    ("{type: officer, role: dpo}", "requirements[1].rule.type: unknown rule type 'oficer'"),
    # rule parameter the evaluator rejects
    (("within: 72h", "within: 72 fortnights"), "module.yaml:20: requirements[0].rule.within: cannot read duration '72 fortnights'"),
    (("target: 1.0", "target: 95"), "requirements[0].rule.target: expected at most 1; got 95"),
    # allowed values
    (("area: governance", "area: governing"), "requirements[1].area: expected one of data_handling"),
    # duplicate requirement id
    (("- id: dpo", "- id: breach-72h"), "requirements[1].id: duplicate requirement id 'breach-72h' (first at requirements[0])"),
    # missing required key
    (("    remediation: Appoint one.\n", ""), "requirements[1].remediation: required key is missing"),
])
def test_each_problem_is_located(tmp_path: Path, mutation, expected: str) -> None:
    if isinstance(mutation, str):
        text = VALID.replace(mutation, "{type: oficer, role: dpo}")
    else:
        text = VALID.replace(*mutation)
    assert text != VALID
    found = problems_for(tmp_path, text)
    assert any(expected in p for p in found), found
    assert all(p.startswith(str(tmp_path / "module.yaml")) or p.startswith("module.yaml")
               or "module.yaml" in p.split(":")[0] for p in found)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = VALID.replace("\nversion: 1", "\nversion: 0").replace("area: governance", "area: x")
    found = problems_for(tmp_path, text)
    assert len(found) == 2, found


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    found = problems_for(tmp_path, VALID.replace("title: Test module", "title: [unclosed"))
    assert len(found) == 1
    assert ":4: malformed YAML" in found[0] or ":5: malformed YAML" in found[0]


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    found = problems_for(tmp_path, VALID.replace("\nversion: 1\n", "\nversion: 1\nversion: 2\n"))
    assert any("version: duplicate key (first given on line 5)" in p for p in found), found


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    found = problems_for(tmp_path, "\n".join(lines) + "\n")
    assert any("alias bomb" in p for p in found), found


def test_versions_must_ascend(tmp_path: Path) -> None:
    text = VALID.replace("      within: 72h\n      target: 1.0\n",
                         "      versions:\n"
                         "        - {from: 2024-01-01, within: 72h, target: 1.0}\n"
                         "        - {from: 2023-01-01, within: 24h, target: 1.0}\n")
    assert text != VALID
    found = problems_for(tmp_path, text)
    assert any("requirements[0].rule.versions[1].from: versions must be in ascending order"
               in p for p in found), found


def test_applies_if_is_validated(tmp_path: Path) -> None:
    text = VALID.replace("    severity: high\n",
                         "    severity: high\n    applies_if: {field: users.DE, gte: many}\n")
    found = problems_for(tmp_path, text)
    assert any("requirements[1].applies_if.field: expected a dotted path starting with platform"
               in p for p in found), found
    assert any("requirements[1].applies_if.gte: expected a number" in p for p in found), found


def _extends(child_extends: str, child_id: str) -> str:
    return VALID.replace("id: test.valid", f"id: {child_id}").replace(
        "sources:", f"extends: {child_extends}\nsources:").replace(
        "breach-72h", f"{child_id.split('.')[1]}-breach").replace("- id: dpo", f"- id: {child_id.split('.')[1]}-dpo")


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    a = write(tmp_path, _extends("test.b", "test.a"), "a.yaml")
    b = write(tmp_path, _extends("test.a", "test.b"), "b.yaml")
    found = [str(p) for p in validate_files([a, b], get_registry())]
    assert any("extends cycle: test.a -> test.b -> test.a" in p for p in found), found


def test_extends_unknown_parent(tmp_path: Path) -> None:
    found = problems_for(tmp_path, _extends("test.nowhere", "test.child"))
    assert any("extends: unknown module 'test.nowhere'" in p for p in found), found


def test_extends_overrides_and_unselect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "extra_checklists_plugin")
    library = load_library(get_registry())
    child = library.get("xx.tightened")
    ids = [r.id for r in child.requirements]
    assert "privacy-policy-ar" not in ids
    assert ids[-1] == "policy-ku"
    assert child.unselected[0].id == "privacy-policy-ar"
    leak = child.requirement("leak-takedown")
    assert leak.severity.value == "high" and leak.weight == 5.0
    assert leak.rule.params["within"] == "12h"
    assert leak.module == "xx.tightened" and leak.jurisdiction == "IQ-KRI"
    assert leak.origin == "xx.tightened"
    contact = child.requirement("official-contact")
    assert contact.origin == "iq.telegram-2023"
    assert contact.status.value == "practice"  # inherited requirements keep their legal status
    assert "const-2005" in child.sources and "krg-6-2008" in child.sources


def test_load_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken_dir = tmp_path / "mods"
    broken_dir.mkdir()
    write(broken_dir, VALID, "good.yaml")
    write(broken_dir, VALID.replace("id: test.valid", "id: test.bad").replace("\nversion: 1", "\nversion: x"), "bad.yaml")
    registry = get_registry()
    registry.checklist_dirs.append((broken_dir, "tmp"))
    with pytest.raises(ChecklistError) as exc:
        load_library(registry)
    assert len(exc.value.problems) == 1
    assert "bad.yaml" in exc.value.lines[0]


def test_duplicate_module_id_names_both_files(tmp_path: Path) -> None:
    d = tmp_path / "mods"
    d.mkdir()
    write(d, VALID.replace("id: test.valid", "id: iq.telegram-2023"), "dup.yaml")
    registry = get_registry()
    registry.checklist_dirs.append((d, "someplugin"))
    with pytest.raises(PluginError) as exc:  # an id clash between plugins: exit 3
        load_library(registry)
    line = exc.value.lines[0]
    assert "already defined in" in line and "iq.telegram-2023.yaml" in line and "someplugin" in line


def test_a_plugin_module_problem_names_the_plugin(tmp_path: Path) -> None:
    d = tmp_path / "mods"
    d.mkdir()
    write(d, VALID.replace("\nversion: 1", "\nversion: x"), "bad.yaml")
    registry = get_registry()
    registry.checklist_dirs.append((d, "audit_xx"))
    with pytest.raises(ChecklistError) as exc:
        load_library(registry)
    assert exc.value.lines[0].endswith("version: expected a whole number, got text 'x' "
                                       "[plugin 'audit_xx']")

"""First-party plugins (plugins/dsa-transparency, plugins/iq-leaks) discovered through their real
entry points, and how the CLI treats a plugin that breaks: invalid checklist, an evaluator
that raises, an id already taken."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from conftest import ROOT

FIRST_PARTY = {"dsa_transparency": "audit-dsa-transparency", "iq_leaks": "audit-iq-leaks"}
DSA_ROWS = ROOT / "tests" / "data" / "dsa" / "sor-global-2024-03-14-excerpt.csv"  # vendored
IQ_PACK = ROOT / "plugins" / "iq-leaks" / "example-pack"


def _installed() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group="platform_audit")}


@pytest.fixture
def first_party(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [dist for ep, dist in FIRST_PARTY.items() if ep not in _installed()]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (pip install -e plugins/"
                    "dsa-transparency -e plugins/iq-leaks)")
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", ",".join(FIRST_PARTY))


@pytest.fixture
def dsa_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "dsa-pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text("name: DSA Transparency Database excerpt\n"
                                        "users: {EU: 45000000}\nas_of: 2024-03-14\n")
    shutil.copy(DSA_ROWS, pack / "logs" / DSA_ROWS.name)
    return pack


def test_discovered_through_entry_points(first_party, run) -> None:
    code, out, err = run("plugins")
    assert code == 0, err
    listed = {p["name"]: p for p in json.loads(out)}
    assert set(listed) == set(FIRST_PARTY)
    assert listed["dsa_transparency"]["hooks"] == ["audit_register_checklists",
                                                   "audit_register_loaders"]
    assert listed["iq_leaks"]["hooks"] == ["audit_register_checklists",
                                           "audit_register_evaluators"]
    assert all(p["version"] == "0.1.0" for p in listed.values())


def test_their_checklists_are_listed(first_party, run) -> None:
    code, out, err = run("checklists", "list", "--format", "json")
    assert code == 0, err
    modules = {m["id"]: m for m in json.loads(out)}
    assert modules["eu.dsa-sor"]["status"] == "in_force"
    assert modules["iq.leak-channels"]["status"] == "practice"


def test_dsa_real_rows(first_party, dsa_pack: Path, run) -> None:
    code, out, err = run("assess", dsa_pack, "--checklist", "eu.dsa-sor", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["logs"]["moderation"]["rows"] == 11  # 12 rows, one uuid repeated
    found = {r["id"].split(":")[1]: r for r in doc["requirements"]}
    assert found["sor-required-fields"]["status"] == "met"
    assert found["sor-submitted-without-undue-delay"]["status"] == "partial"
    assert "6 of 11 statements of reasons submitted within 72 h" in \
        found["sor-submitted-without-undue-delay"]["summary"]


def test_iq_leaks_example_pack(first_party, run) -> None:
    code, out, err = run("assess", IQ_PACK, "--checklist", "iq.leak-channels", "--format",
                         "json")
    assert code == 0, err
    found = {r["id"].split(":")[1]: r for r in json.loads(out)["requirements"]}
    assert found["leak-channel-closure"]["status"] == "partial"
    assert found["leaker-disclosure-judicial"]["status"] == "partial"


def test_both_jurisdictions_in_one_run(first_party, dsa_pack: Path, run) -> None:
    code, out, err = run("assess", dsa_pack, "--checklist", "eu.dsa-sor", "--checklist",
                         "iq.leak-channels", "--format", "json")
    assert code == 0, err
    found = {r["id"]: r["status"] for r in json.loads(out)["requirements"]}
    # the DSA pack has no channel export (and does not say whether it has Iraqi users)
    assert found["iq.leak-channels:leak-channel-closure"] == "no_evidence"
    assert found["eu.dsa-sor:sor-required-fields"] == "met"


# -- plugins that break ------------------------------------------------------------------------

@pytest.fixture
def make_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a throwaway plugin module (and optional checklists) importable by name."""
    made: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(name: str, code: str, checklists: dict[str, str] | None = None) -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(code))
        for file, text in (checklists or {}).items():
            path = tmp_path / f"{name}_checklists" / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        made.append(name)
        return name

    yield make
    for name in made:
        sys.modules.pop(name, None)


CHECKLIST = """\
    schema_version: 1
    id: xx.{id}
    jurisdiction: XX
    title: Test module
    version: 1
    status: draft
    sources:
      - {{id: law, title: Test law, url: "https://example.org/law"}}
    requirements:
      - id: r1
        area: governance
        title: Something measured
        citation: {{source: law, article: "Art. 1"}}
        severity: high
        rule: {rule}
        remediation: Fix it.
"""

REGISTERS_CHECKLISTS = """\
    from pathlib import Path
    from audit import hookimpl

    @hookimpl
    def audit_register_checklists(registry):
        registry.add_checklists(Path(__file__).parent / (__name__ + "_checklists"))
"""


def test_evaluator_that_raises_is_exit_3_naming_the_plugin(make_plugin, tmp_path: Path,
                                                            monkeypatch, run) -> None:
    name = make_plugin("raising_plugin", REGISTERS_CHECKLISTS + """
    from audit import Evaluator

    class Boom(Evaluator):
        id = "boom"
        summary = "Raises."

        def evaluate(self, requirement, rule, context):
            raise ZeroDivisionError("division by zero in the plugin")

    @hookimpl
    def audit_register_evaluators(registry):
        registry.add_evaluator(Boom())
    """, {"xx.boom.yaml": CHECKLIST.format(id="boom", rule="{type: boom}")})
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", name)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "platform.yaml").write_text("name: P\n")
    code, out, err = run("assess", pack, "--checklist", "xx.boom")
    assert code == 3
    assert err.strip().splitlines() == [
        "audit: error: plugin 'raising_plugin': rule type 'boom' failed on xx.boom:r1: "
        "ZeroDivisionError: division by zero in the plugin"]
    assert "Traceback" not in err


def test_invalid_checklist_is_exit_2_naming_file_and_place(make_plugin, monkeypatch,
                                                           run) -> None:
    name = make_plugin("bad_checklist_plugin", REGISTERS_CHECKLISTS, {
        "xx.bad.yaml": CHECKLIST.format(id="bad", rule="{type: attestation, colour: red}")})
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", name)
    code, out, err = run("checklists", "list")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "bad_checklist_plugin_checklists/xx.bad.yaml" in lines[0]
    assert "requirements[0].rule.colour" in lines[0]
    assert lines[0].endswith("[plugin 'bad_checklist_plugin']")


def test_checklist_id_taken_by_another_plugin(first_party, make_plugin, monkeypatch,
                                              run) -> None:
    name = make_plugin("dup_module_plugin", REGISTERS_CHECKLISTS, {
        "copy.yaml": CHECKLIST.format(id="x", rule="{type: attestation}")
        .replace("id: xx.x", "id: iq.leak-channels")})
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", f"iq_leaks,{name}")
    code, out, err = run("checklists", "list")
    assert code == 3  # an id clash between plugins is a plugin error
    assert "iq.leak-channels" in err and f"'{name}'" in err and "'iq_leaks'" in err
    assert len(err.strip().splitlines()) == 1


def test_loader_id_taken_names_both_plugins(first_party, make_plugin, monkeypatch,
                                            run) -> None:
    name = make_plugin("dup_loader_plugin", """\
    from audit import hookimpl

    class Loader:
        id = "dsa-statements-of-reasons"
        kind = "log"
        priority = 10
        description = "a copy"

        def matches(self, path):
            return False

        def load(self, path, pack):
            pass

    @hookimpl
    def audit_register_loaders(registry):
        registry.add_loader(Loader())
    """)
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", f"dsa_transparency,{name}")
    code, out, err = run("checklists", "list")
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("audit: error: evidence loader id 'dsa-statements-of-reasons' "
                               "is registered twice: by plugin ")
    assert "'dsa_transparency'" in lines[0] and "'dup_loader_plugin'" in lines[0]


def test_plugins_command_lists_the_rest_when_one_is_broken(first_party, monkeypatch,
                                                           run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency,iq_leaks,broken_plugin")
    code, out, err = run("plugins")
    assert code == 3
    listed = {p["name"]: p for p in json.loads(out)}
    assert set(listed) == {"dsa_transparency", "iq_leaks", "broken_plugin"}
    assert "error" in listed["broken_plugin"] and "error" not in listed["iq_leaks"]
    assert "plugin 'broken_plugin': failed to load" in err


def test_dsa_global_dump_is_flagged_as_several_platforms(first_party, dsa_pack: Path,
                                                         run) -> None:
    """The real global dump holds several platforms' statements: said, not silently scored."""
    code, out, err = run("assess", dsa_pack, "--checklist", "eu.dsa-sor", "--format", "json",
                         "--strict")
    assert code == 1, err
    (note,) = [n for n in json.loads(out)["notes"] if n["code"] == "several-platforms"]
    assert note["log"] == "moderation" and "holds 3 different values" in note["message"]

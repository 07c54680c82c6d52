"""audit-iq-leaks: the leak_channels rule type and the iq.leak-channels checklist, on the
plugin's example pack and on edge cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.testing import (  # noqa: F401  (fixtures, also available via the pytest11 plugin)
    assert_checklists_valid,
    audit_assess,
    audit_load_plugins,
    audit_plugin_manager,
    audit_registry,
)

PLUGIN = "iq_leaks"
PACK = Path(__file__).parent.parent / "example-pack"

pytest.importorskip("audit_iq_leaks", reason="audit-iq-leaks is not installed "
                    "(pip install -e plugins/iq-leaks)")


@pytest.fixture
def audit_plugin_under_test() -> str:
    return PLUGIN


def findings(result) -> dict:
    return {r.requirement.id: r.finding for r in result.results}


def test_plugin_registers_its_rule_type(audit_registry) -> None:
    assert audit_registry.evaluators.owner("leak_channels") == PLUGIN


def test_checklists_validate() -> None:
    assert assert_checklists_valid(PLUGIN) == ["iq.leak-channels"]


def test_arabic_translation_is_complete_and_current(audit_registry) -> None:
    from audit.checklists import load_library
    from audit.translations import check, coverage, translation_path

    module = load_library(audit_registry).get("iq.leak-channels")
    assert check(translation_path(module, "ar"), module) == []
    assert coverage(module) == {"ar": 1.0}


def test_example_pack(audit_assess) -> None:
    result = audit_assess(PACK, "iq.leak-channels")
    assert str(result.as_of) == "2024-03-31"
    got = findings(result)
    closure = got["leak-channel-closure"]
    # 9 judged requests about personal-data leaks (ch-0006 had no request, ch-0010 leaked
    # state data, ch-0012 is still within its 24 h); 7 closed within 24 h
    assert closure.figures["requests"] == 9
    assert closure.figures["closed_within"] == 7
    assert closure.figures["pending"] == 1
    assert closure.status.value == "partial"
    assert closure.summary.startswith("7 of 9 authority requests about channels leaking "
                                      "personal data closed within 24 h = 77.8 %")
    assert "median" in closure.summary and "p90" in closure.summary
    disclosure = got["leaker-disclosure-judicial"]
    assert (disclosure.figures["disclosures"], disclosure.figures["with_judicial_decision"]) \
        == (3, 2)
    assert disclosure.status.value == "partial"


def test_no_log_is_no_evidence(tmp_path: Path, audit_assess) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(PACK / "platform.yaml", pack / "platform.yaml")
    got = findings(audit_assess(pack, "iq.leak-channels"))
    assert {f.status.value for f in got.values()} == {"no_evidence"}


def test_all_disclosures_backed_is_met(tmp_path: Path, audit_assess) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    log = pack / "logs" / "channel_reports.csv"
    log.write_text(log.read_text().replace("2023-09-20T10:00:00+03:00,",
                                           "2023-09-20T10:00:00+03:00,Karkh court 2023/1300"))
    got = findings(audit_assess(pack, "iq.leak-channels"))
    assert got["leaker-disclosure-judicial"].status.value == "met"


def test_closure_rule_needs_a_clock(tmp_path: Path, audit_registry) -> None:
    from audit.checklists import validate_files

    bad = tmp_path / "bad.yaml"
    text = (Path(__file__).parent.parent / "audit_iq_leaks" / "checklists" /
            "iq.leak-channels.yaml").read_text()
    bad.write_text(text.replace("id: iq.leak-channels", "id: xx.bad")
                   .replace("within: 24h, ", ""))
    problems = [str(p) for p in validate_files([bad], audit_registry)]
    assert any("requirements[0].rule.versions[0].within: required key is missing" in p
               for p in problems), problems

"""The bundled example packs (examples/): reproducible from their script, and assessed as
documented in examples/README.md.

The pinned figures come from the seeded generator; when the generator changes on purpose,
rerun ``python examples/generate.py`` and update the expectations below together.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BEFORE = EXAMPLES / "before-negotiation"
AFTER = EXAMPLES / "after-remediation"
MODULE = "iq.telegram-2023"


def _generator() -> ModuleType:
    path = EXAMPLES / "generate.py"
    spec = importlib.util.spec_from_file_location("examples_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _assess(run: Any, pack: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run("assess", pack, "--checklist", MODULE, "--format", "json", *extra)
    return code, (json.loads(out) if out.strip() else {}), err


def _by_requirement(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["requirement"]: r for r in result["requirements"] if r["checklist"] == MODULE}


def _disclosures(summary: str) -> tuple[int, int]:
    """(backed, total) from the share part of disclosure-judicial's summary (an all_of rule
    keeps its children's figures out of the JSON, so the words are what we can pin)."""
    found = re.search(r"([\d,]+) of ([\d,]+) disclosures of Iraqi users' data", summary)
    assert found, summary
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


# -- reproducibility ---------------------------------------------------------------------------

def test_generator_reproduces_committed_packs(tmp_path: Path) -> None:
    roots = _generator().generate(tmp_path)
    assert [r.name for r in roots] == [BEFORE.name, AFTER.name]
    for committed in (BEFORE, AFTER):
        fresh = _files(tmp_path / committed.name)
        expected = _files(committed)
        assert sorted(fresh) == sorted(expected), f"{committed.name}: file lists differ"
        changed = [name for name in expected if fresh[name] != expected[name]]
        assert not changed, (f"{committed.name}: regenerated files differ: {changed}; run "
                             "python examples/generate.py and review the diff")


def test_generator_is_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "one")
    gen.generate(tmp_path / "two")
    for name in (BEFORE.name, AFTER.name):
        assert _files(tmp_path / "one" / name) == _files(tmp_path / "two" / name)


@pytest.mark.parametrize("pack", [BEFORE, AFTER], ids=lambda p: p.name)
def test_logs_are_realistic_and_small(pack: Path) -> None:
    rows = {}
    for table in ("moderation", "breaches", "data_requests", "authority_requests"):
        with (pack / "logs" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            data = list(csv.DictReader(fh))
        rows[table] = data
        for row in data:  # every timestamp carries an offset
            for col, value in row.items():
                if col.endswith("_at") and value:
                    assert re.search(r"[+-]\d\d:\d\d$", value), (table, col, value)
    assert 5000 <= len(rows["moderation"]) <= 8000
    assert all(100 <= len(rows[t]) <= 2000 for t in rows if t != "moderation")
    categories = {r["category"] for r in rows["moderation"]}
    assert {"personal_data_leak", "terrorist_content", "ncii", "illegal_content",
            "court_order", "government_order"} <= categories
    assert {"authority", "court", "user", "trusted_flagger"} <= {
        r["requester"] for r in rows["moderation"]}
    assert {"IQ", "DE", "FR", "IN", "TR", "BR"} <= {r["country"] for r in rows["moderation"]}
    assert any(";" in r["countries"] for r in rows["breaches"])
    assert {"judicial_decision", "administrative", "mlat", "none"} <= {
        r["legal_basis"] for r in rows["authority_requests"]}
    size = sum(p.stat().st_size for p in (pack / "logs").iterdir())
    assert size < 2 * 1024 * 1024


# -- assessment --------------------------------------------------------------------------------

EXPECTED = {
    "before-negotiation": {
        "as_of": "2023-08-31",
        "verdict": "non_compliant",
        "verdict_without_waivers": "non_compliant",
        "score": 0.279464,
        "score_without_waivers": 0.279464,
        "status": {"leak-takedown": "not_met", "official-contact": "not_met",
                   "disclosure-judicial": "not_met", "privacy-policy-ar": "partial"},
        # only requests from 13 Aug 2023 (Baghdad time) count: the module's clock starts then
        "leak": {"events": 243, "on_time": 109, "late": 100, "missing": 34, "pending": 16,
                 "share_on_time": 0.44856},
        "disclosures": (25, 78),
    },
    "after-remediation": {
        "as_of": "2024-12-31",
        "verdict": "compliant",
        "verdict_without_waivers": "partially_compliant",
        "score": 1.0,
        "score_without_waivers": 0.910714,
        "status": {"leak-takedown": "met", "official-contact": "waived",
                   "disclosure-judicial": "met", "privacy-policy-ar": "met"},
        # a request late on 31 Dec UTC is already 2025 in Baghdad: outside the as-of day
        "leak": {"events": 1149, "on_time": 1123, "late": 25, "missing": 1, "pending": 0,
                 "share_on_time": 0.977372},
        "disclosures": (95, 95),
    },
}


@pytest.mark.parametrize("pack", [BEFORE, AFTER], ids=lambda p: p.name)
def test_assessment_pins_iraq_module(run: Any, pack: Path) -> None:
    expected = EXPECTED[pack.name]
    code, result, err = _assess(run, pack)
    assert code == 0, err
    assert result["as_of"] == expected["as_of"]
    assert result["platform"]["name"] == "Rafidain Chat"
    assert result["verdict"] == expected["verdict"]
    assert result["verdict_without_waivers"] == expected["verdict_without_waivers"]
    assert result["scoring"]["with_waivers"]["score"] == pytest.approx(expected["score"])
    assert result["scoring"]["without_waivers"]["score"] == pytest.approx(
        expected["score_without_waivers"])

    reqs = _by_requirement(result)
    assert {k: v["status"] for k, v in reqs.items()} == expected["status"]

    leak = reqs["leak-takedown"]["figures"]
    assert {k: leak[k] for k in expected["leak"]} == expected["leak"]
    assert leak["versions"][0]["within"] == "24 h"
    assert leak["versions"][0]["target"] == 0.95
    assert leak["events"] == leak["on_time"] + leak["late"] + leak["missing"]

    assert _disclosures(reqs["disclosure-judicial"]["summary"]) == expected["disclosures"]


def test_before_pack_gaps(run: Any) -> None:
    _code, result, _err = _assess(run, BEFORE)
    reqs = _by_requirement(result)
    assert 0.40 <= reqs["leak-takedown"]["figures"]["share_on_time"] <= 0.60
    assert "nobody is named in the platform profile in the role 'authority_contact_iq'" in (
        reqs["official-contact"]["summary"])
    assert "the platform answers no" in reqs["disclosure-judicial"]["summary"]
    # the newest *Arabic* policy decides, not the newer English one
    assert reqs["privacy-policy-ar"]["figures"]["newest"] == "2020-02-01"
    assert all(r["waiver"] is None for r in reqs.values())


def test_after_pack_is_better_and_waivers_count(run: Any) -> None:
    _c, before, _e = _assess(run, BEFORE)
    _c, after, _e = _assess(run, AFTER)
    assert before["verdict"] == "non_compliant"
    assert after["verdict"] in ("compliant", "partially_compliant")
    assert after["scoring"]["with_waivers"]["score"] > before["scoring"]["with_waivers"]["score"]
    assert (after["scoring"]["with_waivers"]["score"]
            != after["scoring"]["without_waivers"]["score"])
    assert after["scoring"]["with_waivers"]["excluded"] == {"waived": 1}

    reqs = _by_requirement(after)
    active = reqs["official-contact"]
    assert active["waiver"]["active"] is True
    assert active["waiver"]["expires"] == "2025-03-31"
    assert active["waiver"]["approved_by"]
    assert active["waiver"]["justification"]
    assert active["without_waiver"] == {"status": "partial", "score": 0.5}
    expired = reqs["privacy-policy-ar"]
    assert expired["waiver"]["active"] is False
    assert expired["waiver"]["expires"] == "2024-03-31"
    assert expired["status"] == "met"


@pytest.mark.parametrize(("pack", "code"), [(BEFORE, 1), (AFTER, 0)], ids=lambda x: str(x))
def test_fail_under_gate(run: Any, pack: Path, code: int) -> None:
    got, _out, err = run("assess", pack, "--checklist", MODULE, "--format", "json",
                         "--fail-under", "60")
    assert got == code, err
    if code:
        assert "gate failed" in err


def test_console_report_runs(run: Any) -> None:
    code, out, err = run("assess", BEFORE, "--checklist", MODULE, "--format", "console")
    assert code == 0, err
    assert "Rafidain Chat" in out
    assert "NON-COMPLIANT" in out

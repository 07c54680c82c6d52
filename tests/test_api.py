"""The Python API (audit.assess / audit.write / audit.render), without CLI or pytest."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from packs import MODERATION, moderation_rows, write_pack

import audit


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack",
                      logs={"moderation": (MODERATION, moderation_rows([1, 30, 2]))})


def test_assess_returns_the_assessment(pack: Path) -> None:
    a = audit.assess(pack, ["iq.telegram-2023"], as_of=dt.date(2024, 12, 31), scoring="flat")
    assert isinstance(a, audit.Assessment)
    assert a.as_of == dt.date(2024, 12, 31) and a.scoring_model == "flat"
    leak = next(r for r in a.results if r.requirement.id == "leak-takedown")
    assert isinstance(leak, audit.RequirementResult)
    assert isinstance(leak.finding, audit.Finding) and leak.status is audit.Status.PARTIAL
    assert leak.finding.figures["on_time"] == 2
    assert isinstance(a.verdict, audit.Verdict)


def test_same_result_as_the_cli(pack: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs the same two steps (prepare, run) as the API, not a copy of the flow."""
    import audit.api

    calls = []
    real = audit.api.run
    monkeypatch.setattr(audit.api, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    assert calls == [1]
    from_cli = json.loads(out)
    from_api = json.loads(audit.render(audit.assess(pack, ["iq.telegram-2023"],
                                                    as_of="2024-12-31"), "json"))
    for result in (from_cli, from_api):
        result.pop("generated_at")
    assert from_cli == from_api


def test_write_to_a_path_a_text_stream_and_a_binary_stream(pack: Path, tmp_path: Path) -> None:
    a = audit.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    audit.write(a, tmp_path / "r.md")  # format from the extension, written atomically
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Test Messenger")
    text = io.StringIO()
    audit.write(a, text)  # console by default
    assert "Verdict:" in text.getvalue()
    binary = io.BytesIO()
    audit.write(a, binary, format="xlsx")
    assert binary.getvalue()[:2] == b"PK"
    with pytest.raises(audit.UsageError, match="binary"):
        audit.render(a, "xlsx")


def test_bad_input_raises_audit_errors_not_exits(pack: Path) -> None:
    with pytest.raises(audit.UsageError, match="unknown checklist 'iq.telegram'"):
        audit.assess(pack, ["iq.telegram"])
    with pytest.raises(audit.UsageError, match="as_of: expected a date"):
        audit.assess(pack, ["iq.telegram-2023"], as_of="31/12/2024")
    with pytest.raises(audit.UsageError, match="unknown scoring model"):
        audit.assess(pack, ["iq.telegram-2023"], scoring="nope")
    with pytest.raises(audit.EvidenceError) as exc:
        audit.assess(pack.parent / "missing", ["iq.telegram-2023"])
    assert exc.value.lines == [f"{pack.parent / 'missing'}: no such file or directory"]


def test_import_stays_light_and_exports_are_lazy() -> None:
    code = ("import sys, audit; heavy = [m for m in ('audit.assessment', 'audit.api', 'duckdb', "
            "'openpyxl', 'audit.evaluators.base') if m in sys.modules]; print(heavy); "
            "print(audit.assess.__module__, audit.Assessment.__module__, "
            "audit.DataNote.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "audit.api audit.assessment audit.assessment"]
    for name in audit.__all__:
        assert getattr(audit, name) is not None

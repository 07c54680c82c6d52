"""``audit assess --baseline OLD.json`` (audit/baseline.py, audit/pipeline/history.py): each requirement is labelled
against the earlier result with the diff logic, and the console, Markdown and workbook reports
show the label beside every gap."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHECKLISTS = ("iq.telegram-2023", "eu.gdpr")


def assess_pack(pack: str, checklists: tuple[str, ...] = CHECKLISTS) -> Any:
    from audit.checklists import load_library
    from audit.evidence.loaders import load_evidence, needed_log_columns
    from audit.pipeline.score import assess
    from audit.plugins import get_registry
    from audit.schemas.common import as_date

    registry = get_registry()
    library = load_library(registry)
    chosen = [library.get(c) for c in checklists]
    ev = load_evidence([EXAMPLES / pack], registry, needed_log_columns(chosen, registry))
    return assess(ev, chosen, library, registry, as_date(ev.profile["as_of"]))


def result_file(tmp_path: Path, assessment: Any, name: str) -> Path:
    from audit.reports.jsonout import assessment_dict

    path = tmp_path / name
    path.write_text(json.dumps(assessment_dict(assessment)), "utf-8")
    return path


def render(writer_id: str, assessment: Any) -> str:
    from audit.plugins import get_registry

    out = io.StringIO()
    get_registry().writers.get(writer_id).write(assessment, out)
    return out.getvalue()


def test_labels_after_against_before(tmp_path: Path) -> None:
    from audit.baseline import IMPROVED, UNCHANGED, baseline_of
    from audit.pipeline.history import apply_baseline

    base = result_file(tmp_path, assess_pack("before-negotiation"), "before.json")
    a = assess_pack("after-remediation")
    assert baseline_of(a) is None
    a = apply_baseline(a, base)  # a new Assessment: the one given is never changed
    comparison = baseline_of(a)
    assert baseline_of(a) is comparison
    labels = comparison.labels
    assert labels["eu.gdpr:breach-notice-authority"] == IMPROVED  # not_met -> partial
    assert labels["eu.gdpr:erasure"] == IMPROVED  # partial, higher share on time
    assert labels["eu.gdpr:dpo"] == UNCHANGED
    assert len(comparison.resolved()) == 14  # 13 newly met, 1 waived
    assert comparison.summary_line().startswith(f"Since baseline ({base}, as of 2023-08-31):")
    from audit.i18n import use_language

    with use_language("ar"):
        assert comparison.summary_line().startswith(f"منذ خط الأساس ({base}، بتاريخ 2023-08-31):")
        assert "تحسّن: " in comparison.summary_line()  # "{label}: {count}", label translated
    with use_language("tr"):
        assert "eksik kapatıldı" in comparison.summary_line()

    out = render("console", a)
    assert "since baseline" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("eu.gdpr:breach-notice-authority"))
    assert "improved (was not met)" in row
    assert "Gaps closed since the baseline (14):" in out
    closed = next(ln for ln in out.splitlines() if ln.startswith("iq.telegram-2023:leak-takedown"))
    assert "not met" in closed and closed.rstrip().endswith("met")


def test_labels_before_against_after(tmp_path: Path) -> None:
    from audit.baseline import NEW_GAP, WAS_MET, WORSE, baseline_of
    from audit.pipeline.history import apply_baseline

    base = result_file(tmp_path, assess_pack("after-remediation"), "after.json")
    a = assess_pack("before-negotiation")
    a = apply_baseline(a, base)
    labels = baseline_of(a).labels
    assert labels["iq.telegram-2023:leak-takedown"] == WAS_MET
    assert labels["iq.telegram-2023:official-contact"] == NEW_GAP  # was waived
    assert labels["eu.gdpr:erasure"] == WORSE  # partial both times, lower score
    md = render("markdown", a)
    assert "since baseline" in md
    row = next(ln for ln in md.splitlines() if ln.startswith("| iq.telegram-2023:leak-takedown"))
    assert "| was met" in row.replace("  ", " ") or "was met |" in row


def test_new_requirements_are_marked(tmp_path: Path) -> None:
    from audit.baseline import NEW_REQUIREMENT, baseline_of
    from audit.pipeline.history import apply_baseline

    base = result_file(tmp_path, assess_pack("before-negotiation", ("iq.telegram-2023",)),
                       "iq-only.json")
    a = apply_baseline(assess_pack("before-negotiation"), base)
    comparison = baseline_of(a)
    assert comparison.labels["eu.gdpr:dpia"] == NEW_REQUIREMENT
    assert comparison.diff.partial is True
    out = render("console", a)
    row = next(ln for ln in out.splitlines() if ln.startswith("eu.gdpr:dpia"))
    assert "new requirement" in row


def test_gap_workbook_marks_changes(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from audit.pipeline.history import apply_baseline
    from audit.plugins import get_registry
    from audit.reports.xlsx import GAP_HEADERS, REQ_HEADERS

    base = result_file(tmp_path, assess_pack("after-remediation"), "after.json")
    a = apply_baseline(assess_pack("before-negotiation"), base)
    path = tmp_path / "gaps.xlsx"
    with path.open("wb") as fh:
        get_registry().writers.get("xlsx").write(a, fh)
    wb = load_workbook(path)
    gaps = list(wb["Gaps"].iter_rows(values_only=True))
    header = list(gaps[0])
    assert header.index("since baseline") == header.index("score") + 1
    assert [h for h in header if h != "since baseline"] == GAP_HEADERS
    rows = {r[header.index("id")]: r for r in gaps[1:] if r[0] is not None}
    col = header.index("since baseline")
    assert rows["iq.telegram-2023:leak-takedown"][col] == "was met"
    assert rows["iq.telegram-2023:official-contact"][col] == "new gap (was waived)"
    assert rows["eu.gdpr:erasure"][col] == "worse"
    reqs = list(wb["Requirements"].iter_rows(values_only=True))
    assert list(reqs[0]) == REQ_HEADERS + ["since baseline"]
    assert {r[-1] for r in reqs[1:]} >= {"unchanged", "was met", "worse"}
    changes = [r for r in wb["Changes"].iter_rows(values_only=True)]
    assert any(r[0] == "iq.telegram-2023:leak-takedown" and r[3:5] == ("met", "not met")
               for r in changes)


def test_workbook_without_baseline_is_unchanged(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from audit.plugins import get_registry
    from audit.reports.xlsx import GAP_HEADERS

    a = assess_pack("after-remediation", ("iq.telegram-2023",))
    path = tmp_path / "gaps.xlsx"
    with path.open("wb") as fh:
        get_registry().writers.get("xlsx").write(a, fh)
    wb = load_workbook(path)
    assert [c.value for c in wb["Gaps"][1]] == GAP_HEADERS
    assert "Changes" not in wb.sheetnames
    assert "since baseline" not in render("console", a)


def test_bad_baseline_is_an_input_error(tmp_path: Path) -> None:
    from audit.errors import AuditError, ExitCode
    from audit.pipeline.history import apply_baseline

    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "platform-audit/result", "schema_version": "9.0"}', "utf-8")
    a = assess_pack("after-remediation", ("iq.telegram-2023",))
    with pytest.raises(AuditError) as exc:
        apply_baseline(a, bad)
    assert exc.value.exit_code == ExitCode.INPUT_ERROR
    assert str(exc.value).startswith(f"{bad}: result schema version 9.0 is not compatible")


def test_cli_baseline_option(run: Any, tmp_path: Path) -> None:
    from audit.commands.assess import assess as assess_cmd

    assert {"baseline", "baselines"} & {p.name for p in assess_cmd.params}
    base = tmp_path / "before.json"
    code, out, err = run("assess", EXAMPLES / "before-negotiation", "-c", "iq.telegram-2023",
                         "-o", base)
    assert code == 0, err
    code, out, err = run("assess", EXAMPLES / "after-remediation", "-c", "iq.telegram-2023",
                         "--baseline", base)
    assert code == 0, err
    assert "Since baseline" in out and "Gaps closed since the baseline" in out
    code, out, err = run("assess", EXAMPLES / "after-remediation", "-c", "iq.telegram-2023",
                         "--baseline", tmp_path / "nope.json")
    assert code == 2 and err.strip() == f"audit: error: {tmp_path / 'nope.json'}: no such file"

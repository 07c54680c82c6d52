"""The audit as a process (docs/over-time.md): remediation carried from a filled gap workbook
(openpyxl and LibreOffice), closed gaps marked, bad baselines refused with sheet and cell."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"
AFTER = ROOT / "examples" / "after-remediation"
CHECKLISTS = ("-c", "iq.telegram-2023", "-c", "eu.gdpr")


def _header(ws) -> dict[str, int]:
    return {str(c.value).lower(): c.column for c in ws[1] if c.value is not None}


def fill_gaps(workbook: Path, out: Path) -> dict[str, dict[str, object]]:
    """Type owner, due date, tracking and comments into every Gaps row, as a platform would;
    rows are shuffled first, so only reading by requirement id can find them again."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["Gaps"]
    cols = _header(ws)
    typed = {}
    rows = list(range(2, ws.max_row + 1))
    for n, row in enumerate(rows):
        rid = ws.cell(row, cols["id"]).value
        entry = {"owner": f"Owner {n}", "due": dt.date(2024, 6, 1) + dt.timedelta(days=n),
                 "tracking": ("in progress", "open", "done")[n % 3], "comments": f"note {n}"}
        if rid == "eu.gdpr:erasure":  # still a gap after remediation: "done" is premature
            entry["tracking"] = "done"
        ws.cell(row, cols["owner"]).value = entry["owner"]
        ws.cell(row, cols["due date"]).value = entry["due"]
        ws.cell(row, cols["tracking status"]).value = entry["tracking"]
        ws.cell(row, cols["comments"]).value = entry["comments"]
        typed[rid] = entry
    # move the first row to the end: position must not matter
    first = [c.value for c in ws[2]]
    ws.delete_rows(2)
    ws.append(first)
    wb.save(out)
    return typed


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from audit.cli import main

    tmp = tmp_path_factory.mktemp("before")
    out = {}
    for ext in ("xlsx", "json"):
        out[ext] = tmp / f"before.{ext}"
        with pytest.raises(SystemExit) as exc:
            main(["assess", str(BEFORE), *CHECKLISTS, "-q", "-o", str(out[ext])])
        assert exc.value.code == 0
    return out


@pytest.fixture(scope="module")
def filled(before, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The before-negotiation gap workbook with every Gaps row filled in by openpyxl."""
    path = tmp_path_factory.mktemp("filled") / "gaps-filled.xlsx"
    return path, fill_gaps(before["xlsx"], path)


def test_tracking_carried_and_closed_gaps_marked(before, filled, run, tmp_path: Path) -> None:
    filled, typed = filled
    assert len(typed) == 16
    out = tmp_path / "after.json"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", filled,
                          "--baseline", before["json"], "-o", out)
    assert code == 0, err
    result = json.loads(out.read_text("utf-8"))
    carried = result["remediation"]
    assert set(carried) == set(typed)  # every entry carried, none dropped
    assert result["remediation_dropped"] == []
    gaps_now = {r["id"] for r in result["requirements"]
                if r["status"] in ("partial", "not_met", "no_evidence", "manual_review")}
    for rid, entry in typed.items():
        got = carried[rid]
        assert (got["owner"], got["due"], got["tracking"], got["comments"]) == (
            entry["owner"], entry["due"].isoformat(), entry["tracking"], entry["comments"])
        if rid in gaps_now:
            assert (got["state"], got["closed_on"]) == ("open", None)
        else:
            assert (got["state"], got["closed_on"]) == ("closed", "2024-12-31")
    closed = {rid for rid, e in carried.items() if e["state"] == "closed"}
    done_open = sorted(r for r, e in carried.items() if e["state"] == "open"
                       and e["tracking"] == "done")
    code, console, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", filled)
    assert done_open == ["eu.gdpr:erasure"]
    assert "Marked done in the tracking but still a gap: eu.gdpr:erasure" in console
    assert "Remediation tracking carried:" in console
    assert "iq.telegram-2023:leak-takedown" in closed and len(closed) >= 8

    # the new workbook shows the open ones in Gaps and the closed ones in Closed gaps, and the
    # run after that keeps the first date each gap was found closed
    from audit.remediation_read import read_workbook

    xlsx = tmp_path / "after.xlsx"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", filled,
                          "-o", xlsx)
    assert code == 0, err
    again = read_workbook(xlsx)
    assert set(again.entries) == set(typed)
    assert {r for r, e in again.entries.items() if e.state == "closed"} == closed
    assert all(again.entries[r].closed_on == dt.date(2024, 12, 31) for r in closed)
    assert again.entries["eu.gdpr:erasure"].owner == typed["eu.gdpr:erasure"]["owner"]
    later = tmp_path / "later.json"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--as-of", "2025-01-15",
                          "--baseline", xlsx, "-o", later)
    assert code == 0, err
    kept = json.loads(later.read_text("utf-8"))["remediation"]
    still_closed = [r for r in closed if kept[r]["state"] == "closed"]
    assert len(still_closed) >= 8
    assert all(kept[r]["closed_on"] == "2024-12-31" for r in still_closed)
    assert kept["eu.gdpr:erasure"]["owner"] == typed["eu.gdpr:erasure"]["owner"]

    # the POA&M turns carried due dates into milestones
    poam = tmp_path / "after.poam.json"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", filled, "-o", poam)
    assert code == 0, err
    doc = json.loads(poam.read_text("utf-8"))["plan-of-action-and-milestones"]
    tasks = {r["props"][0]["value"]: r["remediations"][0].get("tasks") for r in doc["risks"]}
    task = tasks["eu.gdpr:erasure"][0]
    assert task["type"] == "milestone"
    assert task["timing"]["on-date"]["date"].startswith(typed["eu.gdpr:erasure"]["due"]
                                                        .isoformat())
    assert typed["eu.gdpr:erasure"]["owner"] in task["description"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_workbook_saved_by_libreoffice_reads_back(filled, tmp_path: Path) -> None:
    from audit.remediation_read import read_workbook

    filled, typed = filled
    outdir = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(filled)],
                   check=True, capture_output=True, timeout=120)
    previous = read_workbook(outdir / filled.name)
    assert previous.platform == "Rafidain Chat"
    assert set(previous.entries) == set(typed)
    for rid, entry in typed.items():
        got = previous.entries[rid]
        assert (got.owner, got.due, got.tracking, got.comments) == (
            entry["owner"], entry["due"], entry["tracking"], entry["comments"])


def _edit(workbook: Path, out: Path, header: str, value: object, row: int = 2) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["Gaps"]
    column = _header(ws)[header]
    ws.cell(row, column).value = value
    wb.save(out)
    return f"{ws.cell(row, column).column_letter}{row}"


@pytest.mark.parametrize("header,value,expected", [
    ("due date", "next spring", "expected a date YYYY-MM-DD, got 'next spring'"),
    ("tracking status", "sort of", "expected one of open, in progress, done, accepted risk"),
    ("id", "not an id", "expected a requirement id module:requirement"),
])
def test_bad_workbook_cells_name_sheet_and_cell(filled, run, tmp_path: Path, header: str,
                                                value: str, expected: str) -> None:
    bad = tmp_path / "bad.xlsx"
    cell = _edit(filled[0], bad, header, value)
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", bad)
    assert code == 2
    assert f"bad.xlsx: Gaps!{cell}: {expected}" in err
    assert "Traceback" not in err


def test_plan_file_other_platform_and_dropped_entries(run, tmp_path: Path) -> None:
    plan = tmp_path / "remediation.yaml"
    plan.write_text("platform: Other Chat\nremediation:\n"
                    "  - {requirement: 'eu.gdpr:dpo', owner: Dana}\n", "utf-8")
    code, _out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", plan)
    assert code == 2 and "platform 'Other Chat'" in err and "remediation.yaml" in err
    plan.write_text("remediation:\n"
                    "  - {requirement: 'eu.gdpr:erasure', owner: Dana, due: 2025-02-01,"
                    " tracking: in progress}\n"
                    "  - {requirement: 'iq.telegram-2023:leak-takedown', owner: Sami}\n",
                    "utf-8")
    code, out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", plan,
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["remediation"]["eu.gdpr:erasure"]["owner"] == "Dana"
    assert [d["requirement"] for d in result["remediation_dropped"]] == [
        "iq.telegram-2023:leak-takedown"]
    code, out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", plan)
    assert "Tracking not carried forward (1)" in out and "Sami" in out
    plan.write_text("remediation:\n  - {requirement: 'eu.gdpr:dpo', due: soon}\n", "utf-8")
    code, _out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", plan)
    assert code == 2 and "remediation.yaml:2: remediation[0].due: expected a date" in err


def test_edited_sources_win_over_json_and_conflicts_are_errors(run, tmp_path: Path) -> None:
    first = tmp_path / "plan.yaml"
    first.write_text("remediation:\n  - {requirement: 'eu.gdpr:erasure', owner: Dana,"
                     " due: 2025-02-01}\n", "utf-8")
    result = tmp_path / "r.json"
    code, _out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", first,
                          "-o", result)
    assert code == 0, err
    # the next plan changes the owner: the edited file wins over the JSON's record
    second = tmp_path / "next.yaml"
    second.write_text("remediation:\n  - {requirement: 'eu.gdpr:erasure', owner: Sami}\n",
                      "utf-8")
    code, out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", result,
                         "--baseline", second, "--format", "json")
    assert code == 0, err
    entry = json.loads(out)["remediation"]["eu.gdpr:erasure"]
    assert (entry["owner"], entry["due"]) == ("Sami", None)
    # two edited files that disagree: exit 2 naming both
    code, _out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", first,
                          "--baseline", second)
    assert code == 2 and "next.yaml:2: owner: eu.gdpr:erasure: Sami here but Dana in" in err
    # and the plan file is also an output format
    plan = tmp_path / "out.remediation.yaml"
    code, _out, err = run("assess", AFTER, "-c", "eu.gdpr", "-q", "--baseline", first,
                          "-o", plan)
    assert code == 0, err
    assert "requirement: eu.gdpr:erasure\n  owner: Dana\n  due: 2025-02-01" in plan.read_text()


def test_fail_on_regression_with_json_baseline(before, run, tmp_path: Path) -> None:
    code, _out, err = run("assess", BEFORE, *CHECKLISTS, "-q", "--baseline", before["json"],
                          "--fail-on", "regression")
    assert code == 0, err  # nothing changed
    later = tmp_path / "after.json"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "-o", later)
    assert code == 0, err
    # judged against the better result, the earlier pack is a regression
    code, _out, err = run("assess", BEFORE, *CHECKLISTS, "-q", "--baseline", later,
                          "--fail-on", "regression")
    assert code == 1
    assert "--fail-on regression:" in err and "iq.telegram-2023:leak-takedown" in err
    # a gap workbook alone is a baseline too: its Requirements sheet gives the statuses
    later_book = tmp_path / "after.xlsx"
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "-o", later_book)
    assert code == 0, err
    code, out, err = run("assess", BEFORE, *CHECKLISTS, "--baseline", later_book,
                         "--fail-on", "regression")
    assert code == 1 and "iq.telegram-2023:leak-takedown" in err
    assert "Since baseline" in out and "was met" in out


def test_workbook_of_another_platform_or_checklist_set(before, run, tmp_path: Path) -> None:
    import openpyxl

    other = tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(before["xlsx"])
    wb.custom_doc_props["platform-audit.platform"].value = "Other Chat"
    wb.save(other)
    code, _out, err = run("assess", AFTER, *CHECKLISTS, "-q", "--baseline", other)
    assert code == 2
    assert ("other.xlsx: document properties: baseline is for platform 'Other Chat', this "
            "assessment for 'Rafidain Chat'") in err
    code, _out, err = run("assess", AFTER, "-c", "in.dpdp", "-q", "--baseline", before["xlsx"])
    assert code == 2
    assert "baseline covers checklists iq.telegram-2023, eu.gdpr; this assessment in.dpdp" in err

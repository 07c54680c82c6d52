"""The gap workbook: sheets, rows and columns against the JSON result, dropdowns, frozen panes,
right-to-left layout, no formula from evidence text, and a real client (LibreOffice) opening it
and recomputing the Summary formulas."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

EVIL_NOTE = '=HYPERLINK("http://evil.example","x")'
GAP_STATUSES = {"partial", "not_met", "no_evidence", "manual_review"}


def make_pack(root: Path, *, name: str = "=1+1", language: str | None = None,
              answers: bool = True, profile: bool = True, events: int = 40,
              step_hours: float = 7) -> Path:
    """A small pack for iq.telegram-2023: profile, answers, a document, two logs."""
    root.mkdir(parents=True, exist_ok=True)
    if profile:
        lines = [f"name: {json.dumps(name)}", "users: {IQ: 1000000, EU: 500000}",
                 "features: {public_channels: true}", "representatives:",
                 "  - {name: Layla Hassan, role: authority_contact_iq, country: IQ, "
                 "contact: iq@test.example}"]
        if language:
            lines.append(f"language: {language}")
        (root / "platform.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if answers:
        (root / "answers.yaml").write_text(
            "disclosure-policy-judicial: {answer: yes, document: policy.txt, note: "
            + json.dumps(EVIL_NOTE) + "}\n", encoding="utf-8")
    (root / "documents").mkdir(exist_ok=True)
    (root / "documents" / "policy.txt").write_text("policy\n", encoding="utf-8")
    (root / "documents.yaml").write_text(
        "documents:\n  - {path: policy.txt, kind: privacy_policy, date: 2024-01-10, "
        "language: en}\n", encoding="utf-8")
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    rows = ["request_id,received_at,actioned_at,category,requester,action,country"]
    for i in range(events):
        received = start + dt.timedelta(hours=step_hours * i)
        # every third late (30 h), every seventh never handled, the rest within 5 h
        if i % 7 == 0:
            done = ""
        else:
            done = (received + dt.timedelta(hours=30 if i % 3 == 0 else 5)).isoformat()
        rows.append(f"R{i},{received.isoformat()},{done},personal_data_leak,authority,"
                    f"channel_closed,IQ")
    (logs / "moderation.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows = ["request_id,authority,country,received_at,responded_at,kind,legal_basis,outcome"]
    for i in range(6):
        received = start + dt.timedelta(days=5 * i)
        basis = "judicial_decision" if i % 3 else "none"
        rows.append(f"A{i},MoI,IQ,{received.isoformat()},"
                    f"{(received + dt.timedelta(days=2)).isoformat()},user_data,{basis},disclosed")
    (logs / "authority_requests.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def lo_convert(path: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """Open ``path`` in LibreOffice headless and convert it; fails on a conversion error."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: workbook not checked in a real "
                    "client (apt-get install libreoffice-calc-nogui)")
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=180)
    out = outdir / (path.stem + "." + fmt.split(":")[0])
    assert proc.returncode == 0 and out.is_file() and out.stat().st_size > 0, (
        f"LibreOffice could not convert {path.name}: {proc.stdout} {proc.stderr}")
    return out


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture
def report(tmp_path: Path, run: Any) -> tuple[Path, dict[str, Any]]:
    pack = make_pack(tmp_path / "pack")
    args = [pack, "-c", "iq.telegram-2023", "-c", "eu.dsa", "--as-of", "2024-12-31"]
    code, out, err = run("assess", *args, "-o", tmp_path / "gaps.xlsx")
    assert code == 0, err
    assert "wrote" in err and "wrote" not in out  # status on stderr
    code, _, err = run("assess", *args, "-o", tmp_path / "result.json")
    assert code == 0, err
    return tmp_path / "gaps.xlsx", json.loads((tmp_path / "result.json").read_text())


def _rows(ws: Any, first: int = 2) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(
        v is not None for v in r)]


def test_sheets_rows_and_headers_match_json(report: tuple[Path, dict[str, Any]]) -> None:
    import openpyxl

    from audit.reports.xlsx import GAP_HEADERS, METRIC_HEADERS, REQ_HEADERS

    path, result = report
    wb = openpyxl.load_workbook(path)
    # Data quality: since issue 23 it also holds the row ledger, so a run that reads logs has it
    assert wb.sheetnames == ["Summary", "Gaps", "Requirements", "Metrics", "D leak-takedown",
                             "Evidence", "Matrix", "Data quality"]
    reqs = result["requirements"]
    gaps = [r for r in reqs if r["status"] in GAP_STATUSES]
    ws = wb["Gaps"]
    assert [c.value for c in ws[1]] == GAP_HEADERS
    rows = _rows(ws)
    assert len(rows) == len(gaps) > 0
    assert {r[2] for r in rows} == {g["id"] for g in gaps}
    gap = {h: i for i, h in enumerate(GAP_HEADERS)}
    assert rows[0][gap["severity"]] == "critical"  # worst first
    assert all(r[gap["priority"]] in ("P1", "P2", "P3", "P4") for r in rows)
    assert all(r[gap["owner"]] is None and r[gap["due date"]] is None
               and r[gap["tracking status"]] is None and r[gap["comments"]] is None
               for r in rows)  # owner, due date, tracking status, comments: to fill in
    ws = wb["Requirements"]
    assert [c.value for c in ws[1]] == REQ_HEADERS
    rows = _rows(ws)
    assert len(rows) == len(reqs)
    by_id = {r["id"]: r for r in reqs}
    from audit.labels import status_label

    req = {h: i for i, h in enumerate(REQ_HEADERS)}
    for row in rows:
        assert row[req["status"]] == status_label(by_id[row[0]]["status"])
        assert row[req["score"]] == pytest.approx(by_id[row[0]]["score"])
    ws = wb["Metrics"]
    assert [c.value for c in ws[1]] == METRIC_HEADERS
    leak = by_id["iq.telegram-2023:leak-takedown"]["figures"]
    row = next(r for r in _rows(ws) if r[0] == "iq.telegram-2023:leak-takedown")
    assert row[5:10] == (leak["events"], leak["on_time"], leak["late"], leak["missing"],
                         leak["pending"])
    from audit.i18n import format_hours

    assert row[12] == format_hours(leak["p50_hours"])  # "21.5 h", "60.6 days": for people
    assert any(r[1] == "share" for r in _rows(ws))
    ws = wb["D leak-takedown"]
    offending = leak["late"] + leak["missing"]
    assert f"{offending} of {offending} offending events shown" in ws["A2"].value
    assert len(_rows(ws, first=4)) == offending
    assert ws.freeze_panes == "A4"
    ws = wb["Evidence"]
    assert len(_rows(ws, first=3)) == len(result["evidence"])
    assert {r[3] for r in _rows(ws, first=3)} == {e["sha256"] for e in result["evidence"]}
    ws = wb["Matrix"]
    assert [c.value for c in ws[1]] == ["theme", "EU", "IQ"]


def test_layout_validations_and_formats(report: tuple[Path, dict[str, Any]]) -> None:
    import openpyxl

    path, _ = report
    wb = openpyxl.load_workbook(path)
    for name in ("Gaps", "Requirements", "Metrics", "Matrix"):
        assert wb[name].freeze_panes in ("A2", "B2"), name
        assert wb[name].auto_filter.ref, name
    ws = wb["Gaps"]
    dvs = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert dvs["list"].formula1 == '"open,in progress,done,accepted risk"'
    assert str(dvs["list"].sqref).startswith("O2:O")
    assert wb.defined_names["gaps_comments"].attr_text.startswith("'Gaps'!$P$1:$P$")
    assert wb.defined_names["gaps_requirement_id"].attr_text.startswith("'Gaps'!$C$1:$C$")
    assert dvs["date"].sqref and str(dvs["date"].sqref).startswith("N2:N")
    assert ws.column_dimensions["H"].width <= 60  # finding
    assert ws["H2"].alignment.wrap_text
    assert ws.conditional_formatting  # status fills
    assert wb["Requirements"]["F2"].number_format == "0.00"  # score
    assert not wb["Summary"].sheet_view.rightToLeft
    assert wb["Summary"]._charts or zipfile.ZipFile(path).namelist().count(
        "xl/charts/chart1.xml") == 1


def test_evidence_text_never_becomes_a_formula(report: tuple[Path, dict[str, Any]]) -> None:
    import openpyxl

    path, _ = report
    wb = openpyxl.load_workbook(path)
    assert wb["Summary"]["B3"].value == "=1+1"
    assert wb["Summary"]["B3"].data_type == "s"
    assert wb["Summary"]["A1"].value == "Gap workbook: =1+1"
    note_cells = [c for ws in wb for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and "HYPERLINK" in c.value]
    for c in note_cells:
        assert c.data_type == "s" and not c.value.startswith("=")
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert ws.title == "Summary", (ws.title, c.coordinate, c.value)
                    assert "1+1" not in c.value and "HYPERLINK" not in c.value
        assert not ws._hyperlinks
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name).decode()
                assert "HYPERLINK" not in xml.split("<f>")[-1] or "<f>" not in xml
                for formula in xml.split("<f>")[1:]:
                    body = formula.split("</f>")[0]
                    assert "HYPERLINK" not in body and "1+1" not in body
        assert not any("hyperlink" in n.lower() for n in zf.namelist())


def test_cell_neutralises_every_trigger() -> None:
    from openpyxl import Workbook

    from audit.reports.xlsx_style import cell

    ws = Workbook(write_only=True).create_sheet()
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"):
        c = cell(ws, text)
        assert c.data_type == "s" and c.value == text
        assert bool(c.quotePrefix) == (text != "plain")
    assert cell(ws, "a\x00b").value == "ab"  # XML-illegal characters dropped
    assert cell(ws, 3).data_type == "n"


def test_summary_formulas_recomputed_by_libreoffice(report: tuple[Path, dict[str, Any]],
                                                    tmp_path: Path, lo_profile: Path) -> None:
    import openpyxl

    path, result = report
    converted = lo_convert(path, "xlsx", tmp_path / "lo", lo_profile)
    ws = openpyxl.load_workbook(converted, data_only=True)["Summary"]
    labels: dict[str, tuple[Any, ...]] = {}
    for row in ws.iter_rows(values_only=True):
        if isinstance(row[0], str):
            labels.setdefault(row[0], row)
    from audit.labels import area_label, status_label

    for label, key in (("overall, with waivers", "with_waivers"),
                       ("overall, without waivers", "without_waivers")):
        expected = result["scoring"][key]
        row = labels[label]
        assert row[1] == pytest.approx(expected["score"], abs=1e-6)
        assert row[2] == pytest.approx(expected["numerator"], abs=1e-6)
        assert row[3] == pytest.approx(expected["denominator"], abs=1e-6)
        assert row[4] == expected["counted"]
    for area, expected in result["by_area"].items():
        row = labels[area_label(area)]
        if expected["score"] is None:
            assert row[1] == "n/a"
        else:
            assert row[1] == pytest.approx(expected["score"], abs=1e-6)
        assert row[4] == expected["counted"]
    for jur, expected in result["by_jurisdiction"].items():
        assert labels[jur][1] == pytest.approx(expected["score"], abs=1e-6)
    # status rows: the first table whose label is a status word
    for status, count in result["counts"].items():
        row = labels[status_label(status)]
        assert row[1] == count and row[2] == result["counts_without_waivers"][status]
    assert labels["all"][1] == len(result["requirements"])


def test_arabic_workbook_is_right_to_left(tmp_path: Path, run: Any) -> None:
    import openpyxl

    pack = make_pack(tmp_path / "pack", name="منصة", language="ar", events=10)
    code, _, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                       "-o", tmp_path / "ar.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "ar.xlsx")
    # the pack's language picks the report language: Arabic sheets, labels and content
    assert wb.sheetnames[:4] == ["الملخص", "الفجوات", "المتطلبات", "المقاييس"]
    assert "المصفوفة" not in wb.sheetnames  # one jurisdiction
    for ws in wb:
        assert ws.sheet_view.rightToLeft, ws.title
    summary = wb["الملخص"]
    assert summary["B3"].value == "منصة"
    assert summary["B3"].font.name == "Arial"
    assert summary["A1"].value == "مصنف الفجوات: منصة"
    gaps = wb["الفجوات"]
    assert gaps["A2"].alignment.horizontal in ("right", None) and gaps.sheet_view.rightToLeft
    texts = [c.value for row in gaps.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "غير مستوفى" in texts  # status label, not the token not_met
    assert not any(t in ("not_met", "no_evidence", "in_force") for t in texts)
    # requirement titles come from the Arabic translation of the module
    assert any(t.startswith("إغلاق القنوات التي تنشر البيانات الشخصية") for t in texts)


def test_detail_sheet_is_capped_and_says_so(tmp_path: Path, run: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from audit.reports import xlsx

    monkeypatch.setattr(xlsx, "DETAIL_CAP", 5)
    pack = make_pack(tmp_path / "pack")
    code, _, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                       "-o", tmp_path / "capped.xlsx")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "capped.xlsx")["D leak-takedown"]
    assert ws["A2"].value.startswith("5 of ")
    assert "capped at 5 rows" in ws["A2"].value
    assert len(_rows(ws, first=4)) == 5


def test_sheet_titles_are_unique_and_short() -> None:
    from audit.reports.xlsx_style import safe_sheet_title

    taken: set[str] = set()
    a = safe_sheet_title("D " + "x" * 40, taken)
    b = safe_sheet_title("D " + "x" * 40, taken)
    c = safe_sheet_title("D a/b:c?", taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert c == "D a_b_c_"


def test_priority_formula() -> None:
    from audit.reports.xlsx import priority

    class R:  # a stand-in with the attributes priority() reads
        def __init__(self, severity: str, status: str, score: float) -> None:
            from audit.model import Severity, Status

            self.requirement = type("Q", (), {"severity": Severity(severity)})()
            self.status = Status(status)
            self.finding = type("F", (), {"score": score})()

    assert priority(R("critical", "not_met", 0)) == "P1"  # type: ignore[arg-type]
    assert priority(R("critical", "partial", 0.8)) == "P3"  # type: ignore[arg-type]
    assert priority(R("high", "partial", 0.5)) == "P2"  # type: ignore[arg-type]
    assert priority(R("medium", "manual_review", 0)) == "P3"  # type: ignore[arg-type]
    assert priority(R("low", "partial", 0.5)) == "P4"  # type: ignore[arg-type]


def test_xlsx_needs_an_output_file(tmp_path: Path, run: Any) -> None:
    pack = make_pack(tmp_path / "pack", events=5)
    code, _, err = run("assess", pack, "-c", "iq.telegram-2023", "--format", "xlsx")
    assert code == 2 and "needs an output file" in err


def test_scope_and_waivers_rows_fit_their_wrapped_text(tmp_path: Path, run: Any) -> None:
    """Rows of the "Scope and waivers" sheet whose detail wraps are as tall as its lines
    (without a stored height Excel shows one line and hides the rest)."""
    import openpyxl

    from audit.reports.xlsx_style import row_height, wrapped_lines

    root = Path(__file__).resolve().parent.parent
    code, _, err = run("assess", root / "examples" / "after-remediation", "-c",
                       "iq.telegram-2023", "-c", "eu.gdpr", "-q", "-o", tmp_path / "g.xlsx")
    assert code == 0, err
    ws = openpyxl.load_workbook(tmp_path / "g.xlsx")["Scope and waivers"]
    width = ws.column_dimensions["C"].width
    wrapped = 0
    for (c,) in ws.iter_rows(min_row=3, min_col=3, max_col=3):
        lines = wrapped_lines(str(c.value or ""), width)
        if lines > 1:
            assert c.alignment.wrap_text
            assert (ws.row_dimensions[c.row].height or 0) >= row_height(lines), c.coordinate
            wrapped += 1
    assert wrapped >= 2

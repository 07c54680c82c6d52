"""The evidence workbook round trip an auditor makes: ``audit template``, filled by hand,
read back by ``audit assess``. Every problem of a workbook is reported in one run, each at
the cell to fix, in words; the same value in the workbook and platform.yaml agrees; the
template checks the as-of date and shows an input message on every checked cell."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "examples" / "after-remediation"  # its platform.yaml: as_of 2024-12-31


@pytest.fixture
def template(run: Any, tmp_path: Path) -> Path:
    out = tmp_path / "template.xlsx"
    code, _stdout, err = run("template", "-c", "eu.gdpr", "-o", out)
    assert code == 0, err
    return out


def _row_of(ws: Any, field: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == field)


def _filled(template: Path, out: Path, **profile: object) -> Any:
    import openpyxl

    wb = openpyxl.load_workbook(template)
    ws = wb["Profile"]
    for field, value in profile.items():
        ws.cell(_row_of(ws, field.replace("__", ".")), 2).value = value
    return wb


def test_the_same_as_of_in_both_is_accepted(run: Any, template: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    _filled(template, filled, name="Rafidain Chat", as_of=dt.datetime(2024, 12, 31)).save(filled)
    code, _stdout, err = run("assess", PACK, filled, "-c", "eu.gdpr", "-q",
                             "-o", tmp_path / "r.json")
    assert code == 0, err
    text = tmp_path / "text.xlsx"  # typed as text, not a date cell: the same day
    _filled(template, text, as_of="2024-12-31").save(text)
    code, _stdout, err = run("assess", PACK, text, "-c", "eu.gdpr", "-q", "-o", tmp_path / "s.json")
    assert code == 0, err


def test_a_different_as_of_is_said_in_words(run: Any, template: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    wb = _filled(template, filled, as_of=dt.datetime(2025, 1, 31), users__EU=1000)
    wb.save(filled)
    code, _stdout, err = run("assess", PACK, filled, "-c", "eu.gdpr", "-q")
    assert code == 2
    row = _row_of(wb["Profile"], "as_of")
    users = _row_of(wb["Profile"], "users.EU")
    assert err.splitlines() == [
        f"{filled}: Profile!B{row}: as_of is 2025-01-31 here but 2024-12-31 in the pack's "
        "platform.yaml",
        f"{filled}: Profile!B{users}: users.EU is 1000 here but 7319800 in the pack's "
        "platform.yaml"]


def test_every_problem_in_one_run_at_its_cell(run: Any, template: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    wb = _filled(template, filled, name="Rafidain Chat", users__EU="many", as_of="31/12/2024")
    ws = wb["Profile"]
    first_blank = next(r for r in range(2, ws.max_row + 1)
                       if ws.cell(r, 1).value is None and ws.cell(r, 2).value is None)
    typo, bad_name = first_blank, first_blank + 1
    ws.cell(typo, 1).value, ws.cell(typo, 2).value = "usres.IQ", 5000  # misspelt field
    ws.cell(bad_name, 1).value, ws.cell(bad_name, 2).value = "users IQ", 5  # not a name
    wb["Answers"]["D2"] = "maybe"
    wb["Answers"]["H2"] = "soon"  # a bad date beside a bad answer: both named in one run
    wb["Representatives"]["A2"] = "Claire Exemple"
    wb["Representatives"]["F2"] = "yesterday"
    wb.save(filled)
    code, _stdout, err = run("assess", filled, "-c", "eu.gdpr", "-q")
    assert code == 2
    users, as_of = _row_of(ws, "users.EU"), _row_of(ws, "as_of")
    lines = err.splitlines()
    assert sorted(line.split(": ", 2)[1] for line in lines) == sorted([
        f"Profile!B{users}", f"Profile!B{as_of}", f"Profile!A{typo}", f"Profile!A{bad_name}",
        "Answers!D2", "Answers!H2", "Representatives!F2", "Representatives!C2"])
    assert f"filled.xlsx: Profile!A{typo}: usres: unknown key; did you mean 'users'?" in lines
    assert (f"filled.xlsx: Profile!B{as_of}: as_of: expected a date YYYY-MM-DD, got "
            "'31/12/2024'") in lines
    assert not [line for line in lines if "datetime." in line or "Profile!B2:" in line]


def test_the_template_checks_dates_and_prompts_every_checked_cell(template: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(template)
    ws = wb["Profile"]
    as_of = f"B{_row_of(ws, 'as_of')}"
    dates = [dv for dv in ws.data_validations.dataValidation if as_of in dv.sqref]
    assert len(dates) == 1 and dates[0].type == "date" and dates[0].showErrorMessage
    assert dates[0].prompt == "Date the evidence describes, YYYY-MM-DD (default: today)"
    for sheet in ("Profile", "Representatives", "Answers", "Reviews"):
        for dv in wb[sheet].data_validations.dataValidation:
            assert dv.showInputMessage and dv.prompt, (sheet, dv.sqref)
            assert len(dv.prompt) <= 255 and len(dv.promptTitle or "") <= 32


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_cell_reads_as_the_yaml_date(day: dt.date) -> None:
    from audit.evidence.workbook_profile import coerce_field, same_value, shown

    for cell in (day, dt.datetime.combine(day, dt.time()), day.isoformat(),
                 f"  {day.isoformat()} "):
        value, error = coerce_field("as_of", cell)
        assert error is None and value == day
        assert same_value(value, day) and same_value(day.isoformat(), value)
    assert shown(day) == day.isoformat()
    assert not same_value(day, day + dt.timedelta(days=1))


def test_a_pack_without_a_workbook_problem_is_untouched(run: Any, template: Path,
                                                       tmp_path: Path) -> None:
    """Inputs are never modified, even when a workbook is refused."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    before = (pack / "platform.yaml").read_bytes()
    filled = tmp_path / "filled.xlsx"
    _filled(template, filled, as_of="not a date").save(filled)
    code, _stdout, err = run("assess", pack, filled, "-c", "eu.gdpr", "-q")
    assert code == 2 and "as_of: expected a date YYYY-MM-DD, got 'not a date'" in err
    assert (pack / "platform.yaml").read_bytes() == before


def test_a_date_serial_no_spreadsheet_holds_is_one_line_at_its_cell(
        run: Any, template: Path, tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    """A date cell whose serial number lies beyond any date (typed, or pasted from another
    program): openpyxl's Python warning about it is not shown; where the tool reads the cell,
    its check names the sheet and cell; where it does not, the cell is nobody's concern."""
    filled = tmp_path / "filled.xlsx"
    wb = _filled(template, filled, name="Rafidain Chat")
    wb["Answers"]["D2"] = "yes"
    for where in ("H2", "K9"):  # the answer's date; a cell no column names
        wb["Answers"][where] = 3.1442169374603e16
        wb["Answers"][where].number_format = "yyyy-mm-dd"
    wb.save(filled)
    code, _stdout, err = run("assess", filled, "-c", "eu.gdpr", "-q")
    assert code == 2
    assert err.splitlines() == ["filled.xlsx: Answers!H2: expected a date YYYY-MM-DD, got '#VALUE!'"]
    wb["Answers"]["H2"] = None
    wb.save(filled)
    code, _stdout, err = run("assess", filled, "-c", "eu.gdpr", "-q", "-o", tmp_path / "r.json")
    assert code == 0 and err == "", err
    assert not [w for w in recwarn if "marked as a date" in str(w.message)]

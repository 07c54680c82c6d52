"""`audit template` and the workbook evidence loader: the template's layout, the round trip
to the same findings as a YAML pack, errors naming sheet and cell, and the input limits."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from test_xlsx import EVIL_NOTE, lo_convert, lo_profile, make_pack  # noqa: F401 (fixture)

MODULES = ("iq.telegram-2023", "eu.dsa")
ANSWERS = {"disclosure-policy-judicial": ("yes", "policy.txt"),
           "dsa-user-contact-human": ("partial", None),
           "dsa-order-feedback": ("no", None),
           "dsa-notice-mechanism": ("n/a", None),
           "dsa-complaint-window-months": (6, None)}
PROFILE = {"name": "Test Messenger", "users.IQ": 1000000, "users.EU": 50000000,
           "features.public_channels": "yes", "designations.vlop": "no"}


def make_template(tmp_path: Path, modules: tuple[str, ...] = MODULES) -> Path:
    from audit.commands.template import template_command

    out = tmp_path / "evidence.xlsx"
    message = template_command(modules, out)
    assert message.startswith(f"wrote {out}")
    return out


def fill(template: Path, out: Path, answers: dict[str, tuple[Any, str | None]],
         profile: dict[str, Any], note: str | None = None,
         reps: list[tuple[str, str, str, str]] = ()) -> Path:  # type: ignore[assignment]
    """Fill a template as an auditor would (text typed as text)."""
    import openpyxl

    wb = openpyxl.load_workbook(template)
    ws = wb["Answers"]
    for row in ws.iter_rows(min_row=2):
        key = row[2].value
        if key in answers:
            value, document = answers[key]
            row[3].value = value
            row[4].value = document
            if note:
                row[5].value = note
                row[5].data_type = "s"  # typed with a leading apostrophe
    ws = wb["Profile"]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        if row[0].value in profile:
            row[1].value = profile[row[0].value]
            seen.add(row[0].value)
    for field in set(profile) - seen:
        ws.append([field, profile[field]])
    ws = wb["Representatives"]
    for name, role, country, contact in reps:
        for row in ws.iter_rows(min_row=2):
            if row[1].value == role:
                row[0].value, row[2].value, row[3].value = name, country, contact
                break
    wb.save(out)
    return out


def yaml_pack(root: Path) -> Path:
    root.mkdir()
    (root / "platform.yaml").write_text(
        "name: Test Messenger\nusers: {IQ: 1000000, EU: 50000000}\n"
        "features: {public_channels: true}\ndesignations: {vlop: false}\n"
        "representatives:\n  - {name: Layla Hassan, role: authority_contact_iq, country: IQ, "
        "contact: iq@test.example}\n", encoding="utf-8")
    lines = []
    for key, (value, document) in ANSWERS.items():
        entry = {"answer": value}
        if document:
            entry["document"] = document
        lines.append(f"{key}: {json.dumps(entry)}")
    (root / "answers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def outcome(result: dict[str, Any]) -> dict[str, tuple[str, float]]:
    return {r["id"]: (r["status"], r["score"]) for r in result["requirements"]}


def assess_json(run: Any, out: Path, *inputs: Path,
                modules: tuple[str, ...] = MODULES) -> dict[str, Any]:
    args = [a for m in modules for a in ("-c", m)]
    code, _, err = run("assess", *inputs, *args, "--as-of", "2024-12-31", "-o", out)
    assert code == 0, err
    return json.loads(out.read_text())


def test_template_layout(tmp_path: Path) -> None:
    import openpyxl

    from audit.evidence.workbook import ANSWER_HEADERS

    wb = openpyxl.load_workbook(make_template(tmp_path))
    assert wb.sheetnames == ["Instructions", "Profile", "Representatives", "Answers", "Supply", "Reviews"]
    ws = wb["Answers"]
    assert tuple(c.value for c in ws[1]) == ANSWER_HEADERS
    keys = [r[2] for r in ws.iter_rows(min_row=2, values_only=True) if r[2] is not None]
    assert "disclosure-policy-judicial" in keys and "dsa-complaint-window-months" in keys
    assert len(keys) == len(set(keys))
    assert ws.freeze_panes == "D2"
    dvs = ws.data_validations.dataValidation
    lists = [dv for dv in dvs if dv.type == "list" and dv.showErrorMessage]
    assert lists[0].formula1 == '"yes,partial,no,n/a"'
    row = keys.index("disclosure-policy-judicial") + 2
    assert f"D{row}" in lists[0].sqref
    numbers = [dv for dv in dvs if dv.type == "decimal"]
    assert f"D{keys.index('dsa-complaint-window-months') + 2}" in numbers[0].sqref
    assert any(dv.type == "date" for dv in dvs)
    profile = {r[0]: i for i, r in enumerate(wb["Profile"].iter_rows(values_only=True), 1)}
    assert {"name", "users.IQ", "users.EU", "features.public_channels"} <= set(profile)
    pdv = {dv.type: dv for dv in wb["Profile"].data_validations.dataValidation
           if dv.formula1 != '"Asia/Baghdad,Europe/Brussels,UTC"'}  # not the zone list
    assert f"B{profile['features.public_channels']}" in pdv["list"].sqref
    assert f"B{profile['users.IQ']}" in pdv["whole"].sqref
    roles = [r[1] for r in wb["Representatives"].iter_rows(min_row=2, values_only=True)]
    assert "authority_contact_iq" in roles


def test_template_marks_inputs_protects_the_rest_and_lists_the_supply(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.worksheet.cell_range import CellRange

    from audit.reports.template_workbook import BLANK_ROWS, INPUT_FILL

    wb = openpyxl.load_workbook(make_template(tmp_path))
    for ws in wb:  # every sheet protected, without a password
        assert ws.protection.sheet and not ws.protection.password, ws.title
    ws = wb["Answers"]
    last = ws.max_row
    n_keys = sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[2] is not None)
    assert last == 1 + n_keys + BLANK_ROWS
    for row in ws.iter_rows(min_row=2, max_row=last):
        answer, question = row[3], row[1]
        assert answer.protection.locked is False and answer.fill.fgColor.rgb.endswith(INPUT_FILL)
        assert question.protection.locked is not False  # the law and the question stay put
    # every answer cell down to the last blank row has a dropdown or a number check
    covered = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            r = CellRange(str(rng))
            if r.min_col == 4:
                covered.update(range(r.min_row, r.max_row + 1))
    assert covered >= set(range(2, last + 1))
    profile = wb["Profile"]
    tz = next(r for r in profile.iter_rows(min_row=2) if r[0].value == "timezone")
    assert tz[1].protection.locked is False
    supply = [r for r in wb["Supply"].iter_rows(min_row=3, values_only=True) if r[0]]
    what = {r[1]: r for r in supply}
    assert "logs/moderation.csv" in what and "logs/authority_requests.csv" in what
    assert "received_at" in what["logs/moderation.csv"][2]  # the columns the rules read
    assert any(r[1].startswith("documents/") and "privacy_policy" in r[1] for r in supply)
    assert "iq.telegram-2023:leak-takedown" in what["logs/moderation.csv"][3]


def test_template_time_zone_is_checked_once_with_its_cell(tmp_path: Path, run: Any) -> None:
    filled = fill(make_template(tmp_path, ("iq.telegram-2023",)), tmp_path / "filled.xlsx",
                  {}, {"name": "X", "timezone": "Baghdad"})
    logs = make_pack(tmp_path / "pack", answers=False)
    code, _out, err = run("assess", logs, filled, "-c", "iq.telegram-2023",
                          "--as-of", "2024-12-31")
    assert code == 2
    # every problem of the workbook comes in one run (here also the name, which disagrees
    # with the pack's platform.yaml); the time zone is among them once, at its cell
    lines = [line for line in err.splitlines() if "time zone" in line]
    assert len(lines) == 1, err
    assert "filled.xlsx" in lines[0] and "Profile!B" in lines[0]
    assert "unknown time zone 'Baghdad'" in lines[0] and "Asia/Baghdad" in lines[0]
    assert "filled.xlsx: Profile!B2: name is 'X' here but '=1+1' in the pack's platform.yaml" \
        in err.splitlines()


def test_arabic_template(tmp_path: Path) -> None:
    import openpyxl

    from audit.commands.template import template_command

    out = tmp_path / "ar.xlsx"
    template_command(("iq.telegram-2023",), out, language="ar")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Instructions", "Profile", "Representatives", "Answers", "Supply",
                             "Reviews"]
    assert all(ws.sheet_view.rightToLeft for ws in wb)
    assert wb["Instructions"]["A1"].value == "كيفية ملء مصنف الأدلة هذا"
    ws = wb["Answers"]
    from audit.evidence.workbook import ANSWER_HEADERS

    assert tuple(c.value for c in ws[1]) == ANSWER_HEADERS  # read back as they are
    questions = [r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]
    assert any("قرار قضائي" in q for q in questions)


def test_filled_template_round_trips_to_the_yaml_findings(tmp_path: Path, run: Any) -> None:
    filled = fill(make_template(tmp_path), tmp_path / "filled.xlsx", ANSWERS, PROFILE,
                  reps=[("Layla Hassan", "authority_contact_iq", "IQ", "iq@test.example")])
    from_yaml = assess_json(run, tmp_path / "a.json", yaml_pack(tmp_path / "pack"))
    from_xlsx = assess_json(run, tmp_path / "b.json", filled)
    assert outcome(from_xlsx) == outcome(from_yaml)
    assert from_xlsx["scoring"] == from_yaml["scoring"]
    statuses = {s for s, _ in outcome(from_xlsx).values()}
    assert {"met", "not_met", "manual_review", "no_evidence"} <= statuses
    assert any(e["role"] == "workbook" for e in from_xlsx["evidence"])


def test_workbook_beside_a_pack_directory(tmp_path: Path, run: Any, lo_profile: Path) -> None:
    import openpyxl

    yaml = make_pack(tmp_path / "full")
    logs_only = make_pack(tmp_path / "pack", answers=False)
    template = make_template(tmp_path, ("iq.telegram-2023",))
    lo_convert(template, "pdf", tmp_path / "lo", lo_profile)  # a real client opens it
    filled = fill(template, tmp_path / "filled.xlsx",
                  {"disclosure-policy-judicial": ("yes", "policy.txt")}, {}, note=EVIL_NOTE)
    expected = assess_json(run, tmp_path / "a.json", yaml, modules=("iq.telegram-2023",))
    merged = assess_json(run, tmp_path / "b.json", logs_only, filled,
                         modules=("iq.telegram-2023",))
    assert outcome(merged) == outcome(expected)
    # the answer's note (a formula lookalike) reaches the gap workbook as text only
    code, _, err = run("assess", logs_only, filled, "-c", "iq.telegram-2023", "--as-of",
                       "2024-12-31", "-o", tmp_path / "gaps.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "gaps.xlsx")
    assert any(EVIL_NOTE in str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert not (c.data_type == "f" and "HYPERLINK" in str(c.value))


def test_blank_answers_mean_no_evidence(tmp_path: Path, run: Any) -> None:
    filled = fill(make_template(tmp_path), tmp_path / "filled.xlsx", {}, PROFILE)
    result = assess_json(run, tmp_path / "r.json", filled)
    status = outcome(result)["eu.dsa:orders-feedback"][0]
    assert status == "no_evidence"


def test_errors_name_sheet_and_cell(tmp_path: Path, run: Any) -> None:
    template = make_template(tmp_path)
    filled = fill(template, tmp_path / "filled.xlsx",
                  {"disclosure-policy-judicial": ("maybe", None),
                   "dsa-complaint-window-months": ("six", None)},
                  {**PROFILE, "users.IQ": "lots"})
    code, out, err = run("assess", filled, "-c", "iq.telegram-2023", "-c", "eu.dsa")
    assert code == 2
    lines = err.strip().splitlines()
    import openpyxl

    keys = [r[2] for r in openpyxl.load_workbook(filled)["Answers"].iter_rows(values_only=True)]
    row = keys.index("disclosure-policy-judicial") + 1
    assert (f"filled.xlsx: Answers!D{row}: expected yes/partial/no/n/a, got 'maybe'"
            in lines)
    row = keys.index("dsa-complaint-window-months") + 1
    assert f"filled.xlsx: Answers!D{row}: expected a number, got 'six'" in lines
    assert any(line.startswith("filled.xlsx: Profile!B") and "users.IQ: expected a whole "
               "number, got 'lots'" in line for line in lines)
    assert "Traceback" not in err


def test_missing_platform_name_is_located(tmp_path: Path, run: Any) -> None:
    filled = fill(make_template(tmp_path), tmp_path / "filled.xlsx", {},
                  {"users.IQ": 5})
    code, _, err = run("assess", filled, "-c", "iq.telegram-2023")
    assert code == 2
    assert "filled.xlsx" in err and "name" in err and "Traceback" not in err


def test_defusedxml_is_used() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def _one_line_error(run: Any, path: Path) -> str:
    code, _, err = run("assess", path, "-c", "iq.telegram-2023")
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def test_malformed_workbook(tmp_path: Path, run: Any) -> None:
    bad = tmp_path / "evidence.xlsx"
    bad.write_bytes(bytes(range(256)) * 8)
    assert "not an .xlsx workbook" in _one_line_error(run, bad)
    fake = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<not-a-workbook")
    assert "not a readable .xlsx workbook" in _one_line_error(run, fake)


def test_oversize_workbook_refused_before_parsing(tmp_path: Path, run: Any) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    assert "the limit is 20 MB" in _one_line_error(run, big)


def test_zip_bomb_refused(tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from audit.evidence import xlsx_guard

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    assert "(possible zip bomb)" in _one_line_error(run, bomb)
    assert "compresses" in _one_line_error(run, bomb)
    monkeypatch.setattr(xlsx_guard, "MAX_UNCOMPRESSED_BYTES", 1024)
    monkeypatch.setattr(xlsx_guard, "MAX_RATIO", 10 ** 9)
    assert "inflates to" in _one_line_error(run, bomb)
    monkeypatch.setattr(xlsx_guard, "MAX_MEMBERS", 1)
    assert "holds 2 files" in _one_line_error(run, bomb)


def test_template_command_refuses_to_overwrite(tmp_path: Path) -> None:
    import click

    from audit.errors import OutputError, UsageError
    from audit.commands.template import template as template_cmd, template_command

    out = make_template(tmp_path)
    with pytest.raises(OutputError, match="already exists"):
        template_command(["iq.telegram-2023"], out)
    with pytest.raises(UsageError, match=r"\*\.xlsx"):
        template_command(["iq.telegram-2023"], tmp_path / "x.csv")
    assert isinstance(template_cmd, click.Command) and template_cmd.name == "template"
    from click.testing import CliRunner

    from audit.cli import cli

    # through the group, as `audit template` runs: click keeps the help option of the first
    # context a command is run in, so running it alone would drop the group's `-h` from
    # its help for the rest of the process
    res = CliRunner().invoke(cli, ["template", "-c", "iq.telegram-2023", "-o",
                                   str(tmp_path / "t2.xlsx")])
    assert res.exit_code == 0 and "wrote" in res.output

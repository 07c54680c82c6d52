"""Hostile inputs, one test per class of issue 17: each refusal is exit 2 with one line naming
the file and the place, nothing is overwritten, and nothing costs more than its limit allows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from packs import MODERATION, moderation_rows, write_pack

CHECK = ["--checklist", "iq.telegram-2023", "--as-of", "2024-12-31"]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run() -> Run:
    """The CLI in-process, keeping the plugin registry and checklist library loaded between
    calls of one test (the autouse fixture still resets them for every test)."""
    from test_properties import invoke

    return invoke


def digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` (or ``root`` itself) with its SHA-256: inputs must not change."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def _result_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from test_properties import invoke

    root = tmp_path_factory.mktemp("result")
    out = root / "old.json"
    code, _, err = invoke("assess", write_pack(root / "p"), *CHECK, "-o", out)
    assert code == 0, err
    return out.read_bytes()


@pytest.fixture
def result_json(_result_bytes: bytes, tmp_path: Path) -> Path:
    """A JSON result of the minimal pack (tmp_path/p), written once per module."""
    write_pack(tmp_path / "p")
    out = tmp_path / "old.json"
    out.write_bytes(_result_bytes)
    return out


# -- an input overwritten ----------------------------------------------------------------------

def test_diff_refuses_to_overwrite_either_input(run: Run, result_json: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    new.write_bytes(result_json.read_bytes())
    before = {**digest(result_json), **digest(new)}
    for target in (result_json, new):
        code, out, err = run("diff", result_json, new, "-o", target)
        line = one_line_error(code, err)
        assert str(target) in line and "inputs are never overwritten" in line
    assert {**digest(result_json), **digest(new)} == before


def test_assess_refuses_an_output_inside_the_pack_or_over_the_baseline(
        run: Run, result_json: Path, tmp_path: Path) -> None:
    pack = tmp_path / "p"
    before = {**digest(pack), **digest(result_json)}
    for target in (pack / "platform.yaml", pack / "report.json", result_json):
        code, _, err = run("assess", pack, *CHECK, "--baseline", result_json, "-o", target)
        assert "is one of the inputs" in one_line_error(code, err)
    assert {**digest(pack), **digest(result_json)} == before


def test_template_refuses_a_checklist_file_as_its_output(run: Run, tmp_path: Path) -> None:
    from audit.reports.base import refuse_overwriting_inputs
    from audit.errors import OutputError

    checklist = tmp_path / "module.xlsx"
    checklist.write_bytes(b"not really")
    with pytest.raises(OutputError, match="inputs are never overwritten"):
        refuse_overwriting_inputs(checklist, [checklist])


# -- impossible and out-of-range dates ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2024-02-30", "'2024-02-30' is not a real date (day is out of range for month)"),
    ("2024-13-01", "'2024-13-01' is not a real date (month must be in 1..12)"),
    ("0000-01-01", "'0000-01-01' is not a real date (year 0 is out of range)"),
    ("9999-12-31", "date 9999-12-31 is outside the accepted years 1900-2200"),
])
def test_impossible_dates_in_every_yaml_input_are_located(run: Run, tmp_path: Path, text: str,
                                                          expected: str) -> None:
    cases = {
        "platform.yaml": (f"name: X\nusers: {{IQ: 5}}\nas_of: {text}\n", "as_of"),
        "answers.yaml": (f"iq-contact-point:\n  answer: yes\n  date: {text}\n",
                         "iq-contact-point.date"),
        "waivers.yaml": ("waivers:\n  - requirement: iq.telegram-2023/leak-takedown\n"
                         "    justification: x\n    approved_by: y\n"
                         f"    expires: {text}\n", "waivers[0].expires"),
    }
    for name, (body, place) in cases.items():
        pack = write_pack(tmp_path / name.split(".")[0])
        (pack / name).write_text(body, "utf-8")
        before = digest(pack)
        code, _, err = run("assess", pack, *CHECK)
        line = one_line_error(code, err)
        assert line.startswith(f"{pack.name}/{name}:") and place in line and expected in line, line
        assert digest(pack) == before


def test_impossible_date_in_a_checklist_version(run: Run, tmp_path: Path) -> None:
    from conftest import ROOT

    source = (ROOT / "checklists" / "iq" / "iq.telegram-2023.yaml").read_text("utf-8")
    bad = tmp_path / "iq.telegram-2023.yaml"
    bad.write_text(source.replace("from: 2023-08-13", "from: 2023-02-30", 1), "utf-8")
    code, _, err = run("checklists", "validate", bad)
    assert code == 2 and "Traceback" not in err
    assert "'2023-02-30' is not a real date" in err and f"{bad}:" in err


def test_quoted_impossible_date_is_a_schema_problem(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "platform.yaml").write_text("name: X\nas_of: '2199-02-29'\n", "utf-8")
    code, _, err = run("assess", pack, *CHECK)
    assert "as_of" in one_line_error(code, err)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_as_of_option_outside_the_years_is_refused(run: Run, tmp_path: Path, value: str) -> None:
    pack = write_pack(tmp_path / "p")
    code, _, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", value)
    line = one_line_error(code, err)
    assert "--as-of" in line and "1900-2200" in line


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00+00:00",
                                   "1850-06-01T10:00:00+03:00"])
def test_log_timestamps_outside_the_years_are_located(run: Run, tmp_path: Path,
                                                      stamp: str) -> None:
    rows = moderation_rows([1, 2, 3])
    rows[2][1] = stamp
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    code, _, err = run("assess", pack, *CHECK)
    assert code == 2 and "Traceback" not in err  # one line per problem; the range one first
    line = err.strip().splitlines()[0]
    assert line.startswith("p/logs/moderation.csv: column received_at:")
    assert "1900-2200" in line and "row(s) 3" in line


# -- numbers and nesting -----------------------------------------------------------------------

def test_five_thousand_digit_integer(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "platform.yaml").write_text("name: X\nusers: {IQ: " + "9" * 5000 + "}\n", "utf-8")
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert "users.IQ: a number with 5,000 digits" in line


def test_yaml_nested_a_thousand_deep(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "answers.yaml").write_text("a: " + "[" * 1000 + "]" * 1000 + "\n", "utf-8")
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line.startswith("p/answers.yaml:") and "nest" in line


def test_yaml_nested_beyond_the_limit_names_the_place(tmp_path: Path) -> None:
    from audit.limits import MAX_NESTING
    from audit.yamlio import YamlProblem, parse_yaml

    text = "top:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_NESTING + 5))
    with pytest.raises(YamlProblem, match=f"nested more than {MAX_NESTING} levels"):
        parse_yaml(text, "deep.yaml")


@pytest.mark.parametrize("text, expected", [
    ("[" * 1000 + "]" * 1000, "nested more than 100 levels deep"),
    ('{"schema": "platform-audit/result", "n": ' + "9" * 5000 + "}", "5,000 digits"),
])
def test_result_json_nesting_and_integers(run: Run, result_json: Path, tmp_path: Path,
                                          text: str, expected: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, "utf-8")
    line = one_line_error(*run("diff", bad, result_json)[::2])
    assert line.startswith(f"audit: error: {bad}:") and expected in line


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(checklists="x"),
    lambda d: d.update(scoring=[]),
    lambda d: d.update(as_of=5),
    lambda d: d["requirements"][0].update(figures=[1, 2]),
    lambda d: d["requirements"][0].update(waiver="yes"),
    lambda d: d["requirements"][0].update(checklist_version={"a": 1}),
    lambda d: d.update(tool=5),
    lambda d: d.update(by_area=5),
    lambda d: d["checklists"][0].update(id=[]),
    lambda d: d.update(scoring={"with_waivers": "x"}),
    lambda d: d.update(verdict=[1]),
    lambda d: d["requirements"][0].update(title=None, area=7),
    lambda d: d.update(areas="x"),
])
def test_result_json_with_wrong_types(run: Run, result_json: Path, tmp_path: Path,
                                      mutate: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(result_json.read_text("utf-8"))
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), "utf-8")
    for args in ((bad, result_json), (result_json, bad)):
        code, _, err = run("diff", *args)
        assert code in (0, 2) and "Traceback" not in err and "internal error" not in err, err
    pack = tmp_path / "p"
    code, _, err = run("assess", pack, *CHECK, "--baseline", bad, "--format", "markdown")
    assert code in (0, 2) and "internal error" not in err, err


def test_oversized_result_is_refused_before_reading(run: Run, result_json: Path,
                                                    tmp_path: Path) -> None:
    from audit.limits import MAX_RESULT_BYTES

    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: the size is checked before a byte is read
        fh.truncate(173 * 1024 * 1024)
    started = time.perf_counter()
    line = one_line_error(*run("diff", big, result_json)[::2])
    assert time.perf_counter() - started < 5
    assert line == (f"audit: error: {big}: file is {173 * 1024 * 1024:,} bytes; result files are limited to "
                    f"{MAX_RESULT_BYTES:,}")


# -- logs: header size and columns --------------------------------------------------------------

def test_fifty_megabyte_csv_header(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    with (pack / "logs" / "moderation.csv").open("w", encoding="utf-8") as fh:
        fh.write("a" * (50 * 1024 * 1024) + "\n1\n")
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line.startswith("p/logs/moderation.csv: line 1: header line is longer")


def test_csv_with_a_hundred_thousand_columns_is_refused_quickly(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    header = ",".join(f"c{i}" for i in range(100_000))
    (pack / "logs" / "moderation.csv").write_text(header + "\n" + "," * 99_999 + "\n", "utf-8")
    started = time.perf_counter()
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert time.perf_counter() - started < 5
    assert line.endswith("line 1: 100,000 columns; logs are limited to 2,000")


def test_business_day_calendar_covers_the_judged_period_only(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    from audit.durations import parse_duration
    from audit.logs import metrics
    from audit.engine.duckdb_engine import DuckDBEngine

    rows = moderation_rows([5, 5, 5])
    rows[0][1], rows[0][2] = "1901-01-02T10:00:00+00:00", "1901-01-03T10:00:00+00:00"
    rows[2][1], rows[2][2] = "2199-06-01T10:00:00+00:00", "2199-06-02T10:00:00+00:00"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    store = DuckDBEngine()
    store.load("moderation", pack / "logs" / "moderation.csv", "moderation.csv")
    spans: list[tuple[dt.date, dt.date]] = []
    real = metrics._business_table

    def spy(store: Any, calendar: str, days: int, first: dt.date, last: dt.date) -> Any:
        spans.append((first, last))
        return real(store, calendar, days, first, last)

    monkeypatch.setattr(metrics, "_business_table", spy)
    as_of = dt.date(2024, 6, 30)
    spec = metrics.DeadlineSpec(
        log="moderation", where={}, start="received_at", end="actioned_at",
        versions=[(None, None, parse_duration("3 business days"), 1.0)], calendar="BR",
        timezone="UTC", lookback=parse_duration("12 months"), as_of=as_of, key="t")
    result = metrics.measure_deadline(store, spec)
    assert result.total == 1 and result.outside == 2
    (first, last), = spans
    assert first >= dt.date(2023, 6, 30) and last <= as_of
    # without a lookback, a version in force from a date judges nothing before it
    import dataclasses

    metrics.measure_deadline(store, dataclasses.replace(
        spec, lookback=None,
        versions=[(dt.date(2020, 1, 1), None, parse_duration("3 business days"), 1.0)]))
    first, last = spans[-1]
    assert first >= dt.date(2020, 1, 1) and last <= as_of


# -- workbooks ----------------------------------------------------------------------------------

@pytest.fixture
def workbook(run: Run, tmp_path: Path) -> Path:
    out = tmp_path / "evidence.xlsx"
    code, _, err = run("template", "-c", "iq.telegram-2023", "-o", out)
    assert code == 0, err
    return out


def _rewrite(path: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy the workbook's zip members through ``change`` (None drops the member)."""
    with zipfile.ZipFile(path) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            new = change(info.filename, data)
            if new is not None:
                zf.writestr(info.filename, new)


def _answers_part(path: Path) -> str:
    from audit.evidence.xlsx_guard import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)["Answers"]


def test_workbook_declaring_sixteen_thousand_columns(run: Run, workbook: Path) -> None:
    import re

    part = _answers_part(workbook)
    # what Excel writes first in a sheet part; openpyxl sizes its rows by it
    _rewrite(workbook, lambda name, data: re.sub(rb"(</sheetPr>|<sheetViews>)",
                                                 rb'\1<dimension ref="A1:XFD40"/>', data, count=1)
             if name == part else data)
    line = one_line_error(*run("assess", workbook, *CHECK)[::2])
    assert line.startswith(f"{workbook.name}: Answers!A1:XFD40: the sheet declares 40 rows x 16,384 "
                           "columns")


def test_workbook_without_its_answers_part(run: Run, workbook: Path) -> None:
    part = _answers_part(workbook)
    _rewrite(workbook, lambda name, data: None if name == part else data)
    before = digest(workbook)
    line = one_line_error(*run("assess", workbook, *CHECK)[::2])
    assert line.startswith(f"{workbook.name}: Answers: the sheet's part {part} is missing")
    assert digest(workbook) == before


# -- links --------------------------------------------------------------------------------------

def test_link_in_logs_to_a_file_outside_the_pack(run: Run, tmp_path: Path) -> None:
    outside = write_pack(tmp_path / "other", logs={"moderation": (MODERATION, moderation_rows([1]))})
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.csv").symlink_to(outside / "logs" / "moderation.csv")
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line.startswith("p/logs/moderation.csv: a link to a file outside")


def test_linked_folder_under_documents_is_refused(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", documents=[{"path": "policy.txt", "kind": "privacy_policy"}])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "policy-ar.txt").write_text("x", "utf-8")
    (pack / "documents" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line.startswith("p/documents/more: a link to a folder")


# -- outputs ------------------------------------------------------------------------------------

def test_output_into_a_read_only_directory(run: Run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    if os.geteuid() == 0:  # root writes anywhere on a writable file system
        target = Path("/sys/report.json")
        if not Path("/sys").is_dir():
            pytest.skip("no read-only file system to write into")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "report.json"
    line = one_line_error(*run("assess", pack, *CHECK, "-o", target)[::2])
    assert line.startswith(f"audit: error: {target}: cannot write:")


def test_dash_writes_text_to_stdout_and_status_to_stderr(run: Run, result_json: Path,
                                                         tmp_path: Path) -> None:
    pack = tmp_path / "p"
    code, out, err = run("assess", pack, *CHECK, "-o", "-", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["schema"] == "platform-audit/result" and "wrote" not in err
    assert not (Path.cwd() / "-").exists()
    code, out, err = run("diff", result_json, result_json, "-o", "-", "--format", "markdown")
    assert code == 0 and out.startswith("#"), err
    code, out, err = run("assess", pack, *CHECK, "-o", tmp_path / "r.md")
    assert code == 0 and "wrote" in err and "wrote" not in out


@pytest.mark.parametrize("command", [
    ["assess", "{pack}", *CHECK, "--format", "xlsx", "-o", "-"],
    ["diff", "{old}", "{old}", "--format", "xlsx", "-o", "-"],
    ["template", "-c", "iq.telegram-2023", "-o", "-"],
])
def test_dash_is_refused_for_workbooks(run: Run, result_json: Path, tmp_path: Path,
                                       command: list[str]) -> None:
    args = [a.format(pack=tmp_path / "p", old=result_json) for a in command]
    line = one_line_error(*run(*args)[::2])
    assert "standard output" in line


# -- author mistakes ----------------------------------------------------------------------------

MODULE = """\
schema_version: 1
id: xx.typos
jurisdiction: IQ
title: Typos
version: 1
status: in_force
language: en
provider: tests
sources:
  - {id: law, title: A law, url: https://example.org}
requirements:
  - id: r1
    area: moderation
    title: Act on requests
    citation: {source: law, article: "1"}
    severity: high
    remediation: Fix it.
    rule: {type: deadline, log: moderaton, start: received_at, end: actioned_at, within: 24h,
           target: 0.9}
  - id: r2
    area: moderation
    title: Act on requests
    citation: {source: law, article: "2"}
    severity: high
    remediation: Fix it.
    rule: {type: share, log: moderation, where: {categroy: x}, match: {action: removed},
           target: 0.9}
  - id: r3
    area: transparency
    title: Publish a policy
    citation: {source: law, article: "3"}
    severity: high
    remediation: Fix it.
    rule: {type: document, kind: privacy_polcy}
  - id: r4
    area: governance
    title: Name a contact
    citation: {source: law, article: "4"}
    severity: high
    remediation: Fix it.
    rule: {type: officer, role: authority_contct_iq}
  - id: r5
    area: governance
    title: Keep logs
    citation: {source: law, article: "5"}
    severity: high
    remediation: Fix it.
    rule: {type: threshold, field: platform.retention_days.access_logs, op: gte, value: 1}
  - id: r6
    area: governance
    title: Only where there are users
    citation: {source: law, article: "6"}
    severity: high
    remediation: Fix it.
    applies_if: {all: [{field: platform.users.IQ, gte: 1}, {not: {field: platform.user.EU, gte: 1}}]}
    rule: {type: attestation, key: xx-attest}
"""


def test_validate_names_unknown_logs_columns_kinds_roles_and_fields(run: Run,
                                                                    tmp_path: Path) -> None:
    module = tmp_path / "xx.typos.yaml"
    module.write_text(MODULE, "utf-8")
    code, _, err = run("checklists", "validate", module)
    assert code == 2, err
    problems = err.strip().splitlines()
    expected = [
        ("requirements[0].rule.log", "no loader or evidence schema knows a log 'moderaton'; "
                                     "did you mean 'moderation'?"),
        ("requirements[1].rule.where.categroy", "the moderation log has no column 'categroy'; "
                                                "did you mean 'category'?"),
        ("requirements[2].rule.kind", "document kind 'privacy_polcy'; did you mean "
                                      "'privacy_policy'?"),
        ("requirements[3].rule.role", "officer role 'authority_contct_iq'; did you mean "
                                      "'authority_contact_iq'?"),
        ("requirements[4].rule.field", "no field 'retention_days'; did you mean 'retention'?"),
        ("requirements[5].applies_if.all[1].not.field", "no field 'user'; did you mean 'users'?"),
    ]
    for place, message in expected:
        assert any(f": {place}: " in p and message in p and p.startswith(f"{module}:")
                   for p in problems), (place, problems)
    assert len(problems) == len(expected), problems


def test_a_plugin_log_without_a_column_list_accepts_any_column() -> None:
    from audit.registry import Registry
    from audit.vocabulary_check import rule_name_problems
    from audit.yamlio import parse_yaml

    registry = Registry()
    from audit.default_plugins import evaluators as builtin

    builtin.audit_register_evaluators(registry)
    doc = parse_yaml(MODULE.replace("log: moderaton", "log: channel_report")
                     .replace("log: moderation", "log: channel_report"), "m.yaml")
    places = {p.place for p in rule_name_problems(doc, registry)}
    # unlike every known log: the author's own (e.g. a table a log mapping defines)
    assert not any(p.startswith(("requirements[0]", "requirements[1]")) for p in places)
    registry.vocabulary.add_log("channel_reports", ["report_id"])
    places = {p.place for p in rule_name_problems(doc, registry)}
    assert "requirements[0].rule.log" in places and "requirements[1].rule.log" in places
    registry.vocabulary.add_log("channel_report")  # a plugin's log: any column
    places = {p.place for p in rule_name_problems(doc, registry)}
    assert not any(p.startswith(("requirements[0]", "requirements[1]")) for p in places)
    registry.vocabulary.add_log("channel_report", ["received_at"])  # already open: stays open
    assert registry.vocabulary.column_problem("channel_report", "anything") is None


def test_bundled_and_first_party_modules_use_only_known_names(run: Run) -> None:
    import importlib

    from audit.default_plugins.checklists import bundled_checklists_dir

    # the installed copies, so the ids are the installed modules' own (no clash with a checkout)
    dirs = [bundled_checklists_dir(), *(
        Path(str(importlib.import_module(m).__file__)).parent / "checklists"
        for m in ("audit_iq_leaks", "audit_dsa_transparency"))]
    from audit import plugins

    os.environ["AUDIT_LOAD_PLUGINS"] = "dsa_transparency,iq_leaks"
    plugins.reset()
    try:
        code, out, err = run("checklists", "validate", *dirs)
    finally:
        del os.environ["AUDIT_LOAD_PLUGINS"]
    assert code == 0, err


def test_workbook_dates_outside_the_years(run: Run, workbook: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    wb["Profile"]["B2"] = "Filled Messenger"
    answers = wb["Answers"]
    answers["D2"] = "yes"
    answers["H2"] = dt.datetime(9999, 12, 31)
    wb.save(workbook)
    code, _, err = run("assess", workbook, *CHECK)
    assert code == 2 and "Traceback" not in err
    assert f"{workbook.name}: Answers!H2: date 9999-12-31 is outside the accepted years" in err


@pytest.mark.parametrize("within", ["99999999999 days", "101 years", "9" * 5000 + "h"])
def test_durations_beyond_a_century_are_located(run: Run, tmp_path: Path, within: str) -> None:
    from conftest import ROOT

    source = (ROOT / "checklists" / "iq" / "iq.telegram-2023.yaml").read_text("utf-8")
    module = tmp_path / "iq.telegram-2023.yaml"
    module.write_text(source.replace("within: 24h", f"within: {within}", 1), "utf-8")
    line = one_line_error(*run("checklists", "validate", module)[::2])
    assert line.startswith(f"{module}:") and "rule.versions[0].within" in line
    assert "longer than 100 years" in line


def test_assess_refuses_to_overwrite_a_checklist_file(run: Run, tmp_path: Path) -> None:
    from conftest import ROOT

    module = tmp_path / "own.yaml"
    module.write_bytes((ROOT / "checklists" / "iq" / "iq.telegram-2023.yaml").read_bytes()
                       .replace(b"id: iq.telegram-2023", b"id: own.telegram", 1))
    before = digest(module)
    pack = write_pack(tmp_path / "p")
    code, _, err = run("assess", pack, "-c", module, "--as-of", "2024-12-31", "--format", "json",
                       "-o", module)
    assert "is one of the inputs" in one_line_error(code, err)
    assert digest(module) == before


def test_python_api_refuses_an_as_of_outside_the_years(tmp_path: Path) -> None:
    from audit.api import assess
    from audit.errors import UsageError

    with pytest.raises(UsageError, match="outside the accepted years"):
        assess(write_pack(tmp_path / "p"), ["iq.telegram-2023"], as_of="2999-01-01")


@pytest.mark.parametrize("quoted, expected", [
    ("'2023-02-30'", "expected a date (YYYY-MM-DD), got '2023-02-30'"),
    ("'2250-01-01'", "date 2250-01-01 is outside the accepted years 1900-2200"),
])
def test_quoted_checklist_version_dates_are_located(run: Run, tmp_path: Path, quoted: str,
                                                    expected: str) -> None:
    from conftest import ROOT

    source = (ROOT / "checklists" / "iq" / "iq.telegram-2023.yaml").read_text("utf-8")
    module = tmp_path / "iq.telegram-2023.yaml"
    module.write_text(source.replace("from: 2023-08-13", f"from: {quoted}", 1), "utf-8")
    line = one_line_error(*run("checklists", "validate", module)[::2])
    assert line.startswith(f"{module}:") and line.endswith(
        f"requirements[0].rule.versions[0].from: {expected}")


def test_mapped_csv_with_a_hundred_thousand_columns_is_refused_quickly(tmp_path: Path) -> None:
    from test_mapping import load_error, pack_with

    header = ",".join(f"c{i}" for i in range(100_000))
    pack = pack_with(tmp_path, {"table": "things", "files": "wide.csv", "columns": {"id": "c0"}},
                     {"wide.csv": header + "\n" + "," * 99_999 + "\n"})
    started = time.perf_counter()
    lines = load_error(pack)
    assert time.perf_counter() - started < 5
    assert lines == ["pack/logs/wide.csv: line 1: 100,000 columns; logs are limited to 2,000"]


def test_mapping_with_an_empty_file_list(tmp_path: Path) -> None:
    from test_mapping import load_error, pack_with

    pack = pack_with(tmp_path, {"table": "things", "files": [], "columns": {"id": "id"}}, {})
    assert load_error(pack) == ["pack/logs/test.mapping.yaml:2: files: expected at least one "
                                "file name or glob"]

"""Outputs a reader's tools accept and never execute (docs/limits.md#faults): every CSV cell
a spreadsheet would evaluate is neutralised, XML holds nothing XML 1.0 forbids, side files are
staged and renamed with their report and removed when no longer written, and measuring text
for a workbook row or a terminal table costs the same for a 10 MB word as for a short one."""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit.reports.safe_csv import FORMULA_STARTS, neutral, write_rows
from packs import MODERATION, moderation_rows, write_pack

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"
CHECK = ["--checklist", "iq.telegram-2023", "--as-of", "2024-12-31"]
LIVE = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=5),
                max_size=20))
def test_no_written_cell_starts_a_formula(rows: list[list[Any]]) -> None:
    """Whatever the values, no text cell read back starts with = + - @ TAB or CR, and each
    neutralised one is the original with an apostrophe in front."""
    out = io.StringIO()
    width = max((len(r) for r in rows), default=0)
    padded = [r + [None] * (width - len(r)) for r in rows]
    write_rows(out, [f"c{i}" for i in range(width)], padded)
    read = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert len(read) == len(rows) + 1
    for written, original in zip(read[1:], padded, strict=True):
        for cell, value in zip(written, original, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(FORMULA_STARTS)
                assert cell == (("'" + value) if value.startswith(FORMULA_STARTS) else value)
            else:
                assert cell == ("" if value is None else str(value))


def test_numbers_stay_numbers() -> None:
    assert neutral(-5) == -5 and neutral(1.5) == 1.5 and neutral("-5") == "'-5"


def test_side_csv_and_html_events_are_neutralised(run: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Event ids a spreadsheet would run, in the workbook's full list beside it and in the
    HTML report's event list: written with a leading apostrophe, never live."""
    from audit.reports import xlsx

    monkeypatch.setattr(xlsx, "DETAIL_CAP", 3)
    rows = moderation_rows([30] * len(LIVE))
    for row, value in zip(rows, LIVE, strict=True):
        row[0] = value
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    for output in ("gaps.xlsx", "report.html"):
        code, _out, err = run("assess", pack, *CHECK, "-o", tmp_path / output)
        assert code == 0, err
    (side,) = tmp_path.glob("gaps.*.offending.csv")
    (events,) = tmp_path.glob("report.*.events.csv")
    for listed in (_read_csv(side), _read_csv(events)):
        ids = sorted(r[0] for r in listed[1:])
        assert ids == sorted("'" + v for v in LIVE)


def _hostile_notes(tmp_path: Path) -> tuple[Path, Path]:
    """The example pack with BEL and other control characters in an answer note and in the
    platform's name, and a review whose reasoning holds them too."""
    pack = tmp_path / "bel"
    shutil.copytree(BEFORE, pack)
    answers = yaml.safe_load((pack / "answers.yaml").read_text("utf-8"))
    answers["disclosure-policy-judicial"]["note"] = "ring\x07the\x01bell\x1b[31m"
    (pack / "answers.yaml").write_text(yaml.safe_dump(answers), "utf-8")
    profile = yaml.safe_load((pack / "platform.yaml").read_text("utf-8"))
    profile["name"] = "Bell\x07 Messenger"
    (pack / "platform.yaml").write_text(yaml.safe_dump(profile), "utf-8")
    reviews = tmp_path / "reviews.yaml"
    reviews.write_text(yaml.safe_dump({"reviews": [{
        "requirement": "iq.telegram-2023:leak-takedown", "decision": "met",
        "reasoning": "seen on site\x07\x0b", "reviewer": "A. Auditor",
        "date": "2023-09-10"}]}), "utf-8")
    return pack, reviews


def test_junit_and_workbook_hold_no_xml_forbidden_character(run: Any, tmp_path: Path) -> None:
    """A BEL in an answer note, a review's reasoning or the platform's name: the JUnit report
    parses (CI parsers reject such a file), the workbook opens and serves as a baseline."""
    import openpyxl

    pack, reviews = _hostile_notes(tmp_path)
    junit = tmp_path / "r.junit.xml"
    gaps = tmp_path / "gaps.xlsx"
    for output in (junit, gaps):
        code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--reviews", reviews,
                              "-o", output)
        assert code == 0, err
    text = junit.read_text("utf-8")
    assert not any(ch in text for ch in "\x07\x01\x1b\x0b")
    root = ET.fromstring(text)
    shown = ET.tostring(root, encoding="unicode")
    assert "ringthebell[31m" in shown and "seen on site" in shown
    assert "Bell Messenger" in root.get("name", "")
    book = openpyxl.load_workbook(gaps)
    assert {p.name: p.value for p in book.custom_doc_props.props}[
        "platform-audit.platform"] == "Bell Messenger"
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--baseline", gaps, "-q")
    assert code == 0, err


def test_side_files_are_replaced_with_their_report_and_removed_when_gone(
        run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later run that writes no full list removes the one beside its workbook, and only
    its own: ``gaps.v2.xlsx``'s list beside it stays. No temporary file is left."""
    from audit.reports import xlsx

    monkeypatch.setattr(xlsx, "DETAIL_CAP", 3)
    many = write_pack(tmp_path / "many", logs={"moderation": (MODERATION,
                                                              moderation_rows([30] * 6))})
    few = write_pack(tmp_path / "few", logs={"moderation": (MODERATION,
                                                            moderation_rows([30, 1]))})
    out = tmp_path / "out"
    out.mkdir()
    for name in ("gaps.xlsx", "gaps.v2.xlsx"):
        code, _o, err = run("assess", many, *CHECK, "-o", out / name)
        assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "gaps.leak-takedown.offending.csv", "gaps.v2.leak-takedown.offending.csv",
        "gaps.v2.xlsx", "gaps.xlsx"]
    code, _o, err = run("assess", few, *CHECK, "-o", out / "gaps.xlsx")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "gaps.v2.leak-takedown.offending.csv", "gaps.v2.xlsx", "gaps.xlsx"]


def test_a_failed_report_leaves_its_side_files_as_they_were(tmp_path: Path) -> None:
    """Side files and report are staged, then renamed together: a report that fails while
    rendering leaves the old side file in place and no temporary file."""
    from audit.errors import OutputError
    from audit.reports.base import write_together

    side, report = tmp_path / "r.x.events.csv", tmp_path / "r.html"
    side.write_text("old\n", "utf-8")

    def broken(fh: Any) -> None:
        fh.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"r\.html: cannot write: No space left on device"):
        write_together([(side, lambda fh: fh.write("new\n"), False), (report, broken, False)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.x.events.csv"]
    assert side.read_text("utf-8") == "old\n"


def test_measuring_a_ten_megabyte_word_is_fast() -> None:
    """Row heights and terminal tables measure at most what they show: a 9.5 MB single word
    took over two minutes to wrap; now milliseconds."""
    from audit.reports.wrap import WRAP_CAP, fill
    from audit.reports.xlsx_style import MAX_TEXT, wrapped_lines

    word = "x" * 9_500_000
    started = time.perf_counter()
    lines = wrapped_lines(word, 30)
    wrapped = fill(word, 60)
    assert time.perf_counter() - started < 1.0
    assert lines == wrapped_lines("x" * MAX_TEXT, 30)
    assert len(wrapped.replace("\n", "")) < WRAP_CAP + 10 and wrapped.endswith("[…]")


@pytest.mark.parametrize("output", ["gaps.xlsx", "-"])
def test_a_ten_megabyte_answer_is_written_quickly(run: Any, tmp_path: Path, output: str) -> None:
    """End to end: the example pack with a 9.5 MB single-word answer note, to the workbook
    and to the terminal (before: over 120 s each)."""
    pack = tmp_path / "big"
    shutil.copytree(BEFORE, pack)
    answers = yaml.safe_load((pack / "answers.yaml").read_text("utf-8"))
    answers["disclosure-policy-judicial"]["note"] = "x" * 9_500_000
    (pack / "answers.yaml").write_text(yaml.safe_dump(answers, width=1 << 30), "utf-8")
    target = str(tmp_path / output) if output != "-" else output
    started = time.perf_counter()
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "-o", target, "-q")
    assert code == 0, err
    assert time.perf_counter() - started < 30
    if output == "-":
        assert "x" * 60 in out and len(out) < 100_000  # the note, cut for the terminal

"""The detail sheets' block-at-a-time fast path (``xlsx_details._plain_rows``) must send
every value exactly where the value-by-value path (``_plain``) sends it: a value openpyxl
would read as a formula, one holding an XML-illegal character, an over-long text or a type
openpyxl does not take as it is becomes a cell of ours; everything else is appended as it
came."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from audit.reports import xlsx_details
from audit.reports.bidi import isolating
from packs import MODERATION, moderation_rows, write_pack

_TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x0b", "\x1f", "a", " ", "ع"]
texts = st.one_of(
    st.text(max_size=12),
    st.lists(st.sampled_from(_TRIGGERS), max_size=6).map("".join),
    st.builds(lambda a, b: a + "\n" + b, st.text(max_size=5), st.sampled_from(_TRIGGERS)))
values = st.one_of(texts, st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                   st.datetimes(timezones=st.just(dt.timezone.utc)), st.dates())
rows = st.lists(st.lists(values, min_size=1, max_size=4).map(tuple), max_size=30)


def _shape(value: Any) -> tuple[Any, ...]:
    if isinstance(value, Cell):
        return ("cell", value.value, value.data_type, bool(value.quotePrefix),
                bool(value.alignment.wrap_text))
    return ("as is", type(value), value)


def _compare(block_rows: list[tuple[Any, ...]], rtl: bool, block: int) -> None:
    ws = Workbook(write_only=True).create_sheet()
    font = Font()
    original = xlsx_details._BLOCK
    xlsx_details._BLOCK = block
    fitted: list[int] = []
    try:
        fast = list(xlsx_details._plain_rows(block_rows, ws, font, rtl,
                                             lambda at, _row: fitted.append(at)))
    finally:
        xlsx_details._BLOCK = original
    slow = [xlsx_details._plain(r, ws, font, rtl) for r in block_rows]
    assert [[_shape(v) for v in r] for r in fast] == [[_shape(v) for v in r] for r in slow]
    # every row holding a line break has its height fitted, no other
    assert fitted == [i for i, r in enumerate(block_rows)
                      if any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in r)]


@settings(max_examples=300, deadline=None)
@given(rows, st.sampled_from([1, 3, 2048]))
def test_block_path_sends_each_value_where_the_value_path_does(
        block_rows: list[tuple[Any, ...]], block: int) -> None:
    _compare(block_rows, rtl=False, block=block)


@settings(max_examples=100, deadline=None)
@given(rows)
def test_right_to_left_text_is_isolated_value_by_value(block_rows: list[tuple[Any, ...]]) -> None:
    with isolating(True):
        _compare(block_rows, rtl=True, block=2048)


def test_an_unsafe_text_anywhere_in_a_block_sends_only_that_block_the_careful_way() -> None:
    ws = Workbook(write_only=True).create_sheet()
    safe: list[tuple[object, ...]] = [("R1", "2024-01-01T00:00:00+00:00", 30.0, "late")] * 5
    unsafe: list[tuple[object, ...]] = [("R2", "=HYPERLINK(\"x\")", None, "late")]
    xlsx_details._BLOCK, original = 3, xlsx_details._BLOCK
    try:
        out = list(xlsx_details._plain_rows(safe + unsafe, ws, Font()))
    finally:
        xlsx_details._BLOCK = original
    assert out[:3] == safe[:3]  # the first block as it came (tuples, not rebuilt)
    formula = out[5][1]
    assert isinstance(formula, Cell) and formula.data_type == "s" and formula.quotePrefix
    assert out[3:5] == [list(r) for r in safe[3:5]]  # its block mates, value by value


def test_an_over_long_text_becomes_a_cell_of_ours() -> None:
    ws = Workbook(write_only=True).create_sheet()
    long = "x" * (xlsx_details._MAX_TEXT + 1)
    (out,) = xlsx_details._plain_rows([("R1", long)], ws, Font())
    assert out[0] == "R1" and isinstance(out[1], Cell)


def test_event_ids_that_look_like_formulas_stay_text_in_the_detail_sheet(
        tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: a log whose late events carry ids a spreadsheet would read as formulas (or
    that hold a control character or a line break) among plain ones, with blocks of 4 rows so
    some blocks are plain and go as they came: every id is a text cell with its own value,
    the formula-like ones quote-prefixed, no cell of the detail sheet is a formula, and the
    one with a line break shows both its lines."""
    monkeypatch.setattr(xlsx_details, "_BLOCK", 4)
    tricky = ["=1+1", "@SUM(A1)", "+7", "-x", "ok\x01bad", "R1\n=2"]
    rows = moderation_rows([30.0] * 20)
    for row, new_id in zip(rows[8:14], tricky, strict=True):
        row[0] = new_id
    pack = write_pack(tmp_path / "pack", logs={"moderation": (MODERATION, rows)})
    out = tmp_path / "gaps.xlsx"
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                          "-o", out)
    assert code == 0, err  # the workbook is written (a gap exits 0 without --fail-on)
    (sheet,) = [ws for ws in load_workbook(out) if ws.title.startswith("D ")]
    cells = {c.value: c for (c, *_rest) in sheet.iter_rows(min_row=4) if c.value is not None}
    assert len(cells) == 20
    for text in tricky:
        shown = text.replace("\x01", "")  # XML cannot hold it: dropped, as everywhere
        assert cells[shown].data_type == "s"
        assert bool(cells[shown].quotePrefix) == shown.startswith(("=", "@", "+", "-"))
    assert cells["R00000"].data_type == "s" and not cells["R00000"].quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # the id with a line break wraps, in a row tall enough for both its lines: a spreadsheet
    # would otherwise show its last line, "=2", alone
    broken = cells["R1\n=2"]
    assert broken.alignment.wrap_text
    assert (sheet.row_dimensions[broken.row].height or 0) > 2 * 12


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["L", "a", "1", " ", "ع", "م", "-", ":"]), max_size=60))
def test_isolated_text_stays_within_the_cell_limit(text: str) -> None:
    """In a right-to-left workbook the isolating marks are characters of the cell: the text is
    cut so that text and marks together stay within the limit (here 20 instead of 32,767)."""
    from audit.reports import xlsx_style

    original = xlsx_style.MAX_TEXT
    xlsx_style.MAX_TEXT = 20
    try:
        with isolating(True):
            shown = xlsx_style.shown_text(text)
            fits = len(xlsx_style.isolate_cell_text(text)) <= 20
    finally:
        xlsx_style.MAX_TEXT = original
    assert len(shown) <= 20
    if fits:  # nothing cut when it fitted
        with isolating(True):
            assert shown == xlsx_style.isolate_cell_text(text)
    else:
        assert shown.rstrip("\u2069").endswith("…")


def test_a_right_to_left_cell_never_exceeds_excel_s_limit() -> None:
    ws = Workbook(write_only=True).create_sheet()
    with isolating(True):
        long = xlsx_details.cell(ws, "L" * 40_000)
        (row,) = xlsx_details._plain_rows([("L" * xlsx_details._MAX_TEXT,)], ws, Font(), rtl=True)
    assert len(long.value) <= xlsx_details._MAX_TEXT
    assert len(row[0]) <= xlsx_details._MAX_TEXT


def test_every_known_log_s_id_column_has_a_label_in_every_language() -> None:
    """The detail sheets' first column is the log's event id: a label, not the raw column
    name (the breaches log's ``incident_id`` was shown as "incident id", in English only)."""
    from audit.i18n import use_language
    from audit.labels import DETAIL_COLUMN, detail_column_label
    from audit.logs.tables import KNOWN_LOGS

    for table in KNOWN_LOGS.values():
        if table.name == "reported":  # aggregate figures: no events, no detail sheet
            continue
        assert table.id_column in DETAIL_COLUMN, table.name
        for language in ("ar", "tr"):
            with use_language(language):
                label = detail_column_label(table.id_column)
            assert label != DETAIL_COLUMN[table.id_column], (language, table.id_column)

"""The main example's gap workbook (English and Arabic) and its evidence template, printed by a
real client: LibreOffice renders them to PDF once, and recalculates the two workbooks once (two
conversions shared by every assertion).

Page budgets for examples/before-negotiation with iq.telegram-2023 and iq.law (measured 15
pages in English and in Arabic, the Data quality sheet included, since the Gaps and
Requirements sheets print at about 80 % instead of 40 %; the template 6): at most 17 pages per
workbook and 8 for the template, and the Gaps sheet on two pages, its printed columns as wide
as the paper (fit to width: every column of the print area on each page).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from test_xlsx import lo_profile, soffice  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "before-negotiation"
MODULES = ("-c", "iq.telegram-2023", "-c", "iq.law")
BUDGET = {"en": 17, "ar": 17, "template": 8}


def _pdftotext(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines()
                    if line.startswith("Pages:")))


def _calibration(path: Path) -> Path:
    """A workbook of 10-point text printed at 100 %: the size every scale is measured by."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from audit.reports.xlsx_style import ARABIC_FONT, LATIN_FONT

    wb = Workbook()
    ws = wb.active
    for row, font in enumerate((LATIN_FONT, ARABIC_FONT), start=1):
        ws.cell(row=row, column=1, value="calibration words of ten point text").font = Font(
            name=font, size=10)
    ws.page_setup.scale = 100
    wb.save(path)
    return path


def _word_height(pdf: Path, page: int) -> float:
    """The median height of the words on ``page`` (headers and footers, smaller, excluded
    by the median: the body text outnumbers them)."""
    import re
    import statistics

    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf),
                          "-"], capture_output=True, text=True, check=True).stdout
    heights = [float(y2) - float(y1) for y1, y2 in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">', out)]
    return statistics.median(heights)


# words of each sheet's printed header row, by language (without lam-alef ligatures, which
# PDF text extraction splits): remediation is Gaps' own column, legal status Requirements'
_SHEET_WORDS = {("Gaps", "en"): ("priority", "remediation"),
                ("Gaps", "ar"): ("الخطورة", "المعالجة"),
                ("Requirements", "en"): ("legal status", "finding"),
                ("Requirements", "ar"): ("الوضع", "النتيجة")}


def _sheet_pages(pdf: Path, sheet: str, book: str, numbers: bool = False) -> list[Any]:
    """The pages (their text, or with ``numbers`` their numbers) printing ``sheet``: those
    whose repeated header row holds the sheet's words."""
    found = []
    for n in range(1, _pages(pdf) + 1):
        text = _pdftotext(pdf, n)
        remediation = _SHEET_WORDS[("Gaps", book)][1]
        if all(w in text for w in _SHEET_WORDS[(sheet, book)]) and (
                sheet == "Gaps" or remediation not in text):
            found.append(n if numbers else text)
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from audit.cli import main

    exe = soffice()
    if exe is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils are needed to print the workbooks")
    out = tmp_path_factory.mktemp("render")
    books = {"en": out / "en.xlsx", "ar": out / "ar.xlsx", "template": out / "template.xlsx",
             "calibration": _calibration(out / "calibration.xlsx")}
    for args in (["assess", str(EXAMPLE), *MODULES, "-q", "-o", str(books["en"])],
                 ["assess", str(EXAMPLE), *MODULES, "-q", "--lang", "ar", "-o",
                  str(books["ar"])],
                 ["template", *MODULES, "-o", str(books["template"])]):
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 0, args
    profile = tmp_path_factory.mktemp("lo-render")
    proc = subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--norestore", "--convert-to", "pdf", "--outdir", str(out),
                           *map(str, books.values())], capture_output=True, text=True,
                          timeout=300)
    pdfs = {k: out / f"{v.stem}.pdf" for k, v in books.items()}
    assert proc.returncode == 0 and all(p.is_file() for p in pdfs.values()), proc.stderr
    # the same two workbooks opened and saved by LibreOffice: every formula recalculated
    recalculated = out / "recalculated"
    proc = subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--norestore", "--convert-to", "xlsx", "--outdir",
                           str(recalculated), str(books["en"]), str(books["ar"])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with pytest.raises(SystemExit) as done:
        main(["assess", str(EXAMPLE), *MODULES, "-q", "--format", "json", "-o",
              str(out / "result.json")])
    assert done.value.code == 0
    return pdfs | {f"{k}.xlsx": v for k, v in books.items()} | {
        "en.recalculated": recalculated / "en.xlsx", "ar.recalculated": recalculated / "ar.xlsx",
        "json": out / "result.json"}


@pytest.mark.parametrize("book", ["en", "ar", "template"])
def test_page_budget(rendered: dict[str, Path], book: str) -> None:
    assert 1 <= _pages(rendered[book]) <= BUDGET[book]


@pytest.mark.parametrize("book, first, last", [
    ("en", "priority", "remediation"),
    # (words without the lam-alef ligature, which PDF text extraction splits)
    ("ar", "الخطورة", "المعالجة"),
])
def test_gaps_sheet_prints_its_columns_one_page_wide(rendered: dict[str, Path], book: str,
                                                     first: str, last: str) -> None:
    """The printed columns (priority to remediation) on every Gaps page; the tracking columns
    (owner to comments) stay on screen."""
    pages = _sheet_pages(rendered[book], "Gaps", book)
    assert len(pages) == 2  # ten gaps at a legible size: two pages
    for text in pages:
        assert first in text and last in text  # the first and last printed columns
    assert any("P1" in text for text in pages)
    assert not any(word in text for text in pages for word in ("comments", "التعليقات"))


@pytest.mark.parametrize("book", ["en", "ar"])
@pytest.mark.parametrize("sheet", ["Gaps", "Requirements"])
def test_long_sheets_print_at_70_percent_or_more(rendered: dict[str, Path], book: str,
                                                 sheet: str) -> None:
    """The printed scale of a sheet is the height of its words on paper against the height of
    the same 10-point font printed at 100 % (the calibration workbook, in the same
    conversion): at least 70 %, and the same on every page of the sheet."""
    full = _word_height(rendered["calibration"], 1)
    pages = _sheet_pages(rendered[book], sheet, book, numbers=True)
    assert pages
    scales = [_word_height(rendered[book], n) / full for n in pages]
    assert min(scales) >= 0.70, scales
    assert max(scales) - min(scales) < 0.02, scales


@pytest.mark.parametrize("book", ["en.xlsx", "ar.xlsx"])
def test_page_breaks_fall_between_requirements(rendered: dict[str, Path], book: str) -> None:
    """A spreadsheet breaks pages between rows and never inside one that fits a page: every
    requirement's row on Gaps and Requirements is shorter than the printable height of an A4
    landscape page at the scale those sheets print at (so no row is cut)."""
    import openpyxl

    printable = (595 - 2 * 0.6 * 72) / 0.70  # points of row height at 70 %
    wb = openpyxl.load_workbook(rendered[book])
    for ws in wb.worksheets[1:3]:  # Gaps, Requirements (in any language)
        heights = [ws.row_dimensions[r].height or 12.9 for r in range(2, ws.max_row + 1)]
        assert heights and max(heights) < printable, (ws.title, max(heights))


def test_header_and_footer_on_every_page(rendered: dict[str, Path]) -> None:
    pdf = rendered["en"]
    n = _pages(pdf)
    for page in range(1, n + 1):
        text = _pdftotext(pdf, page)
        assert "Rafidain Chat" in text and "As of 31 Aug 2023" in text
        assert f"Page {page} of {n}" in text


def test_arabic_pages_are_arabic(rendered: dict[str, Path]) -> None:
    first = _pdftotext(rendered["ar"], 1)
    for word in ("مصنف الفجوات", "غير ممتثل", "كيفية قراءة هذا المصنف", "آب"):
        assert word in first, word
    assert "NON-COMPLIANT" not in first and "not_met" not in first


def test_wrapped_rows_are_tall_enough(rendered: dict[str, Path]) -> None:
    """Every wrapped cell's text fits the height stored for its row, measured with the
    width LibreOffice gives average text (1.2 characters per unit of column width at 10 pt,
    DejaVu Sans standing in for Calibri and Arial) and 12.9 points a line."""
    import textwrap

    import openpyxl
    from openpyxl.utils import get_column_letter

    checked = 0
    for book in ("en.xlsx", "ar.xlsx", "template.xlsx"):
        wb = openpyxl.load_workbook(rendered[book])
        for ws in wb:
            merged = {r.min_row * 1000 + r.min_col: r for r in ws.merged_cells.ranges}
            for row in ws.iter_rows():
                for c in row:
                    if not (isinstance(c.value, str) and c.alignment.wrap_text):
                        continue
                    span = merged.get(c.row * 1000 + c.column)
                    cols = range(c.column, (span.max_col if span else c.column) + 1)
                    width = sum(ws.column_dimensions[get_column_letter(i)].width or 8.43
                                for i in cols)
                    per_line = int(width * 1.2)
                    lines = sum(max(1, len(textwrap.wrap(p, per_line)))
                                for p in c.value.splitlines() or [""])
                    height = ws.row_dimensions[c.row].height or 12.9
                    assert height >= lines * 12.9 - 0.5, (book, ws.title, c.coordinate,
                                                          lines, height)
                    checked += 1
    assert checked > 100


def test_every_sheet_prints_landscape_one_page_wide(rendered: dict[str, Path]) -> None:
    import openpyxl

    for book in ("en.xlsx", "ar.xlsx", "template.xlsx"):
        for ws in openpyxl.load_workbook(rendered[book]):
            assert ws.page_setup.orientation == "landscape", (book, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (book, ws.title)
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
            assert "&P" in ws.oddFooter.center.text
    wb = openpyxl.load_workbook(rendered["en.xlsx"])
    assert wb["Gaps"].print_title_rows in ("1:1", "$1:$1")
    assert wb["Requirements"].print_title_rows in ("1:1", "$1:$1")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_recalculated_summary_equals_the_json(rendered: dict[str, Path], lang: str) -> None:
    """The Summary's formulas (over a Requirements sheet named in the report language)
    recalculated by LibreOffice give the JSON result's figures."""
    import json

    import openpyxl

    from audit.i18n import _, use_language
    from audit.labels import area_label, status_label

    result = json.loads(rendered["json"].read_text(encoding="utf-8"))
    with use_language(lang):
        ws = openpyxl.load_workbook(rendered[f"{lang}.recalculated"], data_only=True)[
            _("Summary")]
        labels = {}
        for row in ws.iter_rows(values_only=True):
            if isinstance(row[0], str):
                labels.setdefault(row[0], row)
        for label, key in ((_("overall, with waivers"), "with_waivers"),
                           (_("overall, without waivers"), "without_waivers")):
            expected = result["scoring"][key]
            assert labels[label][1] == pytest.approx(expected["score"], abs=1e-6)
            assert labels[label][2] == pytest.approx(expected["numerator"], abs=1e-6)
            assert labels[label][4] == expected["counted"]
        for area, expected in result["by_area"].items():
            assert labels[area_label(area)][1] == pytest.approx(expected["score"], abs=1e-6)
        for status, count in result["counts"].items():
            assert labels[status_label(status)][1] == count


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_formulas_carry_the_values_libreoffice_computes(rendered: dict[str, Path],
                                                        lang: str) -> None:
    """Every Summary formula stores its computed value, so readers that do not recalculate
    (``openpyxl`` with ``data_only``, pandas) see the figures LibreOffice computes."""
    import openpyxl
    import pandas as pd

    from audit.i18n import _, use_language

    with use_language(lang):
        title = _("Summary")
    formulas = openpyxl.load_workbook(rendered[f"{lang}.xlsx"])[title]
    ours = openpyxl.load_workbook(rendered[f"{lang}.xlsx"], data_only=True)[title]
    theirs = openpyxl.load_workbook(rendered[f"{lang}.recalculated"], data_only=True)[title]
    checked = 0
    for row in formulas.iter_rows():
        for c in row:
            if c.data_type != "f":
                continue
            expected = theirs[c.coordinate].value
            assert expected is not None, c.coordinate
            stored = ours[c.coordinate].value
            if isinstance(expected, (int, float)):
                assert stored == pytest.approx(expected, abs=1e-9), (c.coordinate, c.value)
            else:
                assert stored == expected, (c.coordinate, c.value)
            checked += 1
    assert checked > 40
    frame = pd.read_excel(rendered[f"{lang}.xlsx"], sheet_name=title, header=None)
    numbers = frame.map(lambda v: isinstance(v, (int, float)) and not pd.isna(v))
    assert int(numbers.to_numpy().sum()) >= checked  # pandas sees every figure

"""The main example's gap workbook (English and Arabic) and its evidence template, printed by a
real client: LibreOffice renders them to PDF once, and recalculates the two workbooks once (two
conversions shared by every assertion).

Page budgets for examples/before-negotiation with iq.telegram-2023 and iq.law (measured 12
pages in English and in Arabic, the Data quality sheet included; the template 6): at most 14
pages per workbook and 8 for the template, and the Gaps sheet on one page, as wide as the paper
(fit to width: every column of its header on it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
import pytest

from test_xlsx import lo_profile, soffice  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "before-negotiation"
MODULES = ("-c", "iq.telegram-2023", "-c", "iq.law")
BUDGET = {"en": 14, "ar": 14, "template": 8}


def _pdftotext(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines()
                    if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from audit.cli import main

    exe = soffice()
    if exe is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils are needed to print the workbooks")
    out = tmp_path_factory.mktemp("render")
    books = {"en": out / "en.xlsx", "ar": out / "ar.xlsx", "template": out / "template.xlsx"}
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


@pytest.mark.parametrize("book, owner, last", [
    ("en", "owner", "comments"),
    # (words without the lam-alef ligature, which PDF text extraction splits)
    ("ar", "المسؤول", "التعليقات"),
])
def test_gaps_sheet_is_one_page_one_page_wide(rendered: dict[str, Path], book: str,
                                              owner: str, last: str) -> None:
    pdf = rendered[book]
    pages = [_pdftotext(pdf, p) for p in range(1, _pages(pdf) + 1)]
    # the Gaps sheet: the only one with requirement ids and the tracking columns
    gaps = [text for text in pages if "iq.law:disclosure-judicial" in text and owner in text]
    assert len(gaps) == 1  # ten gaps: one page
    # the last column is on the page with the first ones: one page wide
    assert last in gaps[0] and "P1" in gaps[0]


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

"""Left-to-right runs in right-to-left reports (audit/reports/bidi.py): every Latin-script run
of the Arabic gap workbook and HTML page is isolated (LRI ... PDI in cells, ``<bdi>`` or a
``dir`` in the page), the score equation reads left to right, and the isolates do not reach
what is read back."""

from __future__ import annotations

import dataclasses
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.reports.bidi import LRI, PDI, isolate, ltr_spans

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "examples" / "before-negotiation"
# three modules, eu.gdpr among them (issue 28)
MODULES = ("iq.telegram-2023", "iq.law", "eu.gdpr")


def bare_ltr(text: str) -> list[str]:
    """The Latin-script characters of ``text`` outside any isolate (LRI/RLI/FSI ... PDI)."""
    depth, bare = 0, []
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == PDI:
            depth = max(0, depth - 1)
        elif depth == 0 and unicodedata.bidirectional(ch) == "L":
            bare.append(ch)
    return bare


@pytest.mark.parametrize("text, expected", [
    ("the platform answers no.", "<the platform answers no.>"),
    ("64 من 94 erasure requests completed خلال شهر واحد",
     "64 من 94 <erasure requests completed> خلال شهر واحد"),
    ("بلا (ملاحظة: written request is enough)؛ 25 من 78",
     "بلا (ملاحظة: <written request is enough>)؛ 25 من 78"),
    ("26.1% = 31.814 / 122 على 23 متطلباً", "<26.1% = 31.814 / 122> على 23 متطلباً"),
    ("المادة 40 (Constitution of Iraq).", "المادة 40 <(Constitution of Iraq)>."),
    ("في الدور 'authority_contact_iq' في", "في الدور <'authority_contact_iq'> في"),
    ("iq.telegram-2023:leak-takedown", "<iq.telegram-2023:leak-takedown>"),
    ("كلها عربية", "كلها عربية"),
])
def test_runs(text: str, expected: str) -> None:
    assert isolate(text).replace(LRI, "<").replace(PDI, ">") == expected


@given(st.text(alphabet=st.sampled_from(list("ab1 .()'%=/") + ["ع", "ب", "؛"]), max_size=40))
def test_every_latin_letter_is_isolated_and_nothing_is_lost(text: str) -> None:
    out = isolate(text)
    assert not bare_ltr(out)
    assert out.replace(LRI, "").replace(PDI, "") == text
    spans = ltr_spans(text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from audit.cli import main

    out = tmp_path_factory.mktemp("bidi")
    paths = {"xlsx": out / "ar.xlsx", "html": out / "ar.html"}
    for path in paths.values():
        args = ["assess", str(PACK), *[a for m in MODULES for a in ("-c", m)], "--lang", "ar",
                "-q", "-o", str(path)]
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 0
    return paths


def test_arabic_workbook_isolates_every_latin_run(arabic: dict[str, Path]) -> None:
    import openpyxl

    checked = 0
    for ws in openpyxl.load_workbook(arabic["xlsx"]):
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.data_type != "f":
                    assert not bare_ltr(c.value), (ws.title, c.coordinate, c.value)
                    checked += 1
    assert checked > 1000


def test_arabic_score_equation_reads_left_to_right(arabic: dict[str, Path]) -> None:
    import openpyxl

    ws = openpyxl.load_workbook(arabic["xlsx"]).worksheets[0]
    scores = [row[1] for row in ws.iter_rows(values_only=True)
              if isinstance(row[1], str) and "% = " in row[1]]
    assert scores
    for text in scores:  # the whole equation in one left-to-right isolate
        assert text.startswith(LRI) and PDI in text
        equation = text[1:text.index(PDI)]
        percent, earned, counted = equation.replace("%", "").replace("=", "/").split("/")
        assert float(earned) / float(counted) == pytest.approx(float(percent) / 100, abs=6e-4)


class _Runs(HTMLParser):
    """Text of the page's body with the elements it sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.bare: list[tuple[str, str]] = []
        self.english: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "meta", "input", "img", "link"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        tags = [t for t, _a in self.stack]
        if not any(unicodedata.bidirectional(ch) == "L" for ch in data) or {
                "script", "style", "title"} & set(tags):
            return
        isolated = any(t == "bdi" or a.get("dir") in ("ltr", "auto") for t, a in self.stack)
        if not isolated:
            self.bare.append(("/".join(tags[-3:]), data))
        if any(a.get("lang") == "en" for _t, a in self.stack):
            self.english.append(data)


def test_arabic_page_isolates_every_latin_run(arabic: dict[str, Path]) -> None:
    parser = _Runs()
    parser.feed(arabic["html"].read_text(encoding="utf-8"))
    assert not parser.bare[:10]
    # English module text is marked English, for screen readers
    assert any("platform" in text for text in parser.english)


def test_isolates_are_not_read_back(arabic: dict[str, Path], tmp_path: Path) -> None:
    """The next run reads the Arabic workbook's ids and platform name without the marks."""
    from audit.i18n import use_language
    from audit.remediation_read import read_workbook

    with use_language("ar"):
        previous = read_workbook(arabic["xlsx"])
    assert previous.gaps and all(LRI not in g and PDI not in g for g in previous.gaps)
    assert "iq.law:disclosure-judicial-decision" in previous.gaps
    assert previous.result is not None
    ids = {r["id"] for r in previous.result["requirements"]}
    assert "eu.gdpr:erasure" in ids and all(LRI not in i and PDI not in i for i in ids)


def test_english_html_is_left_alone(tmp_path: Path) -> None:
    from test_html import assess_pack, render

    a: Any = assess_pack(PACK, ("iq.law",))
    html = render(dataclasses.replace(a, language="en"))
    assert 'lang="en">' not in html.split("<body>", 1)[1]

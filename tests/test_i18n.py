"""The report catalogue: every ``_()`` string of audit/ is in the Arabic and Turkish catalogues,
translations keep their placeholders, the shipped .mo files match the .po sources, and
numbers, dates, durations and plurals follow the report language."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "audit" / "locale"
LANGUAGES = ("ar", "tr")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _extracted() -> set[str | tuple[str, str]]:
    """Every message the code and the HTML template mark, extracted the way
    tools/catalogues.py does (same babel.cfg mapping)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = dict(DEFAULT_KEYWORDS, N_=None)
    out: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        out.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return out


def _catalogue(lang: str):  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with open(LOCALE / lang / "LC_MESSAGES" / "audit.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, str]]:
    return _extracted()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_report_string_is_translated(lang: str, extracted: set) -> None:
    catalogue = _catalogue(lang)
    translated = {m.id for m in catalogue if m.id and all(
        m.string if isinstance(m.string, tuple) else [m.string])}
    missing = sorted(str(m) for m in extracted - translated)
    assert not missing, f"{lang}: not in the catalogue or untranslated: {missing[:10]}"
    assert not [m.id for m in catalogue if m.id and m.fuzzy]


def test_the_html_template_strings_are_extracted(extracted: set) -> None:
    """The Jinja template's own sentences reach the catalogues, not only the Python ones."""
    template = (ROOT / "audit" / "reports" / "templates" / "report.html.j2").read_text("utf-8")
    marked = set(re.findall(r'\b_\("([^"\\]+)"', template))
    assert marked, "the template marks no string"
    assert marked <= extracted, sorted(marked - extracted)[:10]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang: str) -> None:
    for m in _catalogue(lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        plural = isinstance(m.id, tuple)
        for text in (m.string if plural else (m.string,)):
            found = set(PLACEHOLDER.findall(text))
            # a plural form may leave out the count ("one requirement"), nothing else
            counts = {"n", "count"} if plural else set()
            assert found <= wanted and wanted - found <= counts, (lang, m.id, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_shipped_mo_matches_the_po(lang: str) -> None:
    import gettext

    catalogue = _catalogue(lang)
    with open(LOCALE / lang / "LC_MESSAGES" / "audit.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for m in catalogue:
        if m.id and isinstance(m.id, str):
            assert mo.gettext(m.id) == m.string, (lang, m.id)
        elif m.id:
            for n, form in ((1, 1), (2, 2), (5, 3)) if lang == "ar" else ((1, 0), (5, 1)):
                assert mo.ngettext(m.id[0], m.id[1], n) == m.string[form], (lang, m.id, n)


def test_language_switch_and_fallback() -> None:
    from audit.i18n import _, current_language, is_rtl, ngettext, use_language

    assert current_language() == "en" and _("Summary") == "Summary"
    with use_language("ar"):
        assert _("Summary") == "الملخص" and is_rtl()
        assert ngettext("{n} day", "{n} days", 1) == "يوم واحد"
        assert ngettext("{n} day", "{n} days", 2) == "يومان"
        assert ngettext("{n} day", "{n} days", 5) == "5 أيام"
        assert ngettext("{n} day", "{n} days", 11) == "11 يوماً"
        assert _("a sentence nobody translated") == "a sentence nobody translated"
    with use_language("ar-IQ"):
        assert current_language() == "ar_IQ" and _("Gaps") == "الفجوات"
    with use_language("tr"):
        assert _("Page {page} of {pages}", page=2, pages=9) == "Sayfa 2 / 9"
        assert not is_rtl()
    assert current_language() == "en"


def test_formatting_per_locale() -> None:
    from audit.durations import parse_duration
    from audit.i18n import (format_date, format_duration, format_hours, format_number,
                            format_percent, use_language)

    day = dt.date(2024, 12, 31)
    assert format_hours(1455.494) == "60.6 days"  # not raw hours
    assert format_hours(21.5) == "21.5 h" and format_hours(0.5) == "30 min"
    assert format_percent(0.6064) == "60.6%" and format_percent(None) == "n/a"
    assert format_date(day) == "31 Dec 2024"
    assert format_number(1234567) == "1,234,567"
    assert format_duration(parse_duration("3 business days")) == "3 business days"
    with use_language("ar"):
        # Iraqi month names (ar_IQ), Latin digits as in the workbook's numeric cells
        assert format_date(day) == "31 كانون الأول 2024"
        assert format_hours(1455.494) == "60.6 يوم"
        assert format_duration(parse_duration("24h")) == "24 ساعة"
    with use_language("ar_SA"):
        assert format_date(day) == "31 ديسمبر 2024"
    with use_language("tr"):
        assert format_number(1234.5) == "1.234,5"
        assert format_percent(0.606) == "%60,6"
        assert format_date(day) == "31 Ara 2024"


def test_cli_help_does_not_import_babel() -> None:
    code = ("import sys; from audit.cli import cli; "
            "print('babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_report_language_option(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from packs import write_pack

    pack = write_pack(tmp_path / "p")
    code, out, err = run("assess", pack, "-c", "iq.law", "--as-of", "2024-12-31",
                         "--lang", "ar")
    assert code == 0, err
    assert "الحكم:" in out and "Verdict" not in out
    code, out, err = run("assess", pack, "-c", "iq.law", "--as-of", "2024-12-31",
                         "--lang", "xx")
    assert code == 2 and "no report catalogue for 'xx'" in err and "ar, en, tr" in err


def test_turkish_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    from packs import write_pack

    pack = write_pack(tmp_path / "p")
    code, _out, err = run("assess", pack, "-c", "iq.law", "--as-of", "2024-12-31",
                          "--lang", "tr", "-o", tmp_path / "tr.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "tr.xlsx")
    assert wb.sheetnames[:3] == ["Özet", "Eksiklikler", "Gereklilikler"]
    assert not wb["Özet"].sheet_view.rightToLeft
    texts = {c.value for row in wb["Özet"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "Bu çalışma kitabı nasıl okunur" in texts and "31 Aralık 2024" in texts

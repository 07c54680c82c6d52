"""Report language: every user-facing report string goes through this one module.

Writers and findings call ``_("{count} gap(s)", count=n)`` with *named* parameters (never
concatenated tokens), so a translator sees whole sentences. The active language is a context
variable set once per run (``use_language("ar")``); numbers, percentages, dates and durations
are formatted for the same language by the ``format_*`` helpers (through Babel; English
numbers and percentages as Babel writes them, without loading its locale data).

Catalogues are GNU gettext catalogues managed with Babel: sources under
``audit/locale/<lang>/LC_MESSAGES/audit.po``, compiled ``audit.mo`` shipped beside them (a test
checks they match). English is the source language and needs no catalogue. Babel and the
catalogues are loaded on first use, never at import, so ``audit --help`` stays fast.
See docs/translations.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import gettext
import math
import re
from pathlib import Path
from typing import Iterator

from audit.durations import Duration

DEFAULT_LANGUAGE = "en"
DOMAIN = "audit"
LOCALE_DIR = Path(__file__).parent / "locale"
# The regional convention used for a bare language code when formatting dates and numbers.
# Arabic reports follow Iraq's (Babel ``ar_IQ``: Syriac-derived month names such as
# "كانون الأول"), since the bundled Arabic content is Iraqi; digits stay Latin (CLDR's
# default numbering system for ``ar``), as in the workbook's numeric cells. ``--lang ar_SA``
# picks another convention with the same catalogue.
REGIONAL_DEFAULTS = {"ar": "ar_IQ", "pt": "pt_BR", "tr": "tr_TR"}
RTL = frozenset({"ar", "fa", "he", "ur", "ku", "ckb", "ps", "yi", "dv"})

_language: contextvars.ContextVar[str] = contextvars.ContextVar("audit_language",
                                                                default=DEFAULT_LANGUAGE)


def normalise(language: str) -> str:
    """``ar-IQ``/``ar_iq`` -> ``ar_IQ``; ``AR`` -> ``ar``."""
    parts = language.replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(p.upper() for p in parts[1:])])


def base_language(language: str | None = None) -> str:
    """The ISO 639 part of ``language`` (default: the current one): ``ar_IQ`` -> ``ar``."""
    return normalise(language or _language.get()).split("_")[0]


def current_language() -> str:
    """The language reports are being written in (an ISO 639-1 code such as ``en``, ``ar``)."""
    return _language.get()


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Write reports in ``language`` inside the ``with`` block (``None`` keeps the current one)."""
    token = _language.set(normalise(language) if language else _language.get())
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def available_languages() -> list[str]:
    """Languages with a compiled catalogue, plus English (the source language)."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return sorted(found | {DEFAULT_LANGUAGE})


def report_language(pack_language: object, module_languages: list[str]) -> str:
    """The report language when none is asked for: the pack's, else the modules' common one,
    provided a catalogue exists for it; else English."""
    known = available_languages()
    if isinstance(pack_language, str) and base_language(pack_language) in known:
        return base_language(pack_language)
    common = {base_language(m) for m in module_languages}
    if len(common) == 1 and next(iter(common)) in known:
        return next(iter(common))
    return DEFAULT_LANGUAGE


@functools.lru_cache(maxsize=None)
def _catalogue(language: str) -> gettext.NullTranslations:
    if base_language(language) == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR),
                               languages=[normalise(language), base_language(language)],
                               fallback=True)


def _translate(message: str, language: str) -> str:
    return _catalogue(language).gettext(message)


def _(message: str, /, **params: object) -> str:
    """Translate ``message`` into the current language, then fill its ``{named}`` parameters."""
    text = _translate(message, _language.get())
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """Singular or plural form of a message for count ``n`` (``n`` is passed as ``{n}``);
    languages with more forms (Arabic has six) pick theirs from the catalogue."""
    text = _catalogue(_language.get()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (labels in tables)."""
    return message


def is_rtl(language: str | None = None) -> bool:
    """Whether ``language`` (default: the current one) is written right to left."""
    return base_language(language) in RTL


# -- locale-aware formatting (Babel, imported on first use) -----------------------------------

def babel_locale(language: str | None = None) -> str:
    """The Babel locale used to format for ``language`` (see REGIONAL_DEFAULTS)."""
    lang = normalise(language or _language.get())
    return REGIONAL_DEFAULTS.get(lang, lang) if "_" not in lang else lang


def _english(value: float | int, digits: int | None, scale: int = 1) -> str | None:
    """``value`` (times ``scale``) as Babel writes it for ``en`` with ``digits`` fixed
    decimals (an integer alone needs none), without Babel: loading its locale data costs
    every run ~30 ms of CPU, most of a JSON assess's formatting. Babel rounds the value's
    shortest decimal form half to even and groups by commas, as here (tests/test_i18n_english.py
    compares the two). None where Babel decides: another language, a value that is not
    finite, a fraction without fixed decimals, a result that rounds to minus zero."""
    if babel_locale() != "en" or isinstance(value, bool):
        return None
    if digits is None:
        return f"{value * scale:,}" if isinstance(value, int) else None
    if not math.isfinite(value):
        return None
    exact = decimal.Decimal(str(value)) * scale
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_EVEN)
    if rounded.is_signed() and rounded.is_zero():
        return None
    return f"{rounded:,f}"


def format_number(value: float | int, digits: int | None = None) -> str:
    """``1234.5`` -> ``1,234.5`` (en), ``1.234,5`` (tr); ``digits`` fixes the decimals."""
    english = _english(value, digits)
    if english is not None:
        return english
    from babel.numbers import format_decimal

    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=babel_locale())
    return format_decimal(value, locale=babel_locale())


def format_percent(share: float | None, digits: int = 1) -> str:
    """``0.6064`` -> ``60.6%`` (en), ``%60,6`` (tr); ``None`` -> "n/a" in the language."""
    if share is None:
        return _("n/a")
    english = _english(share, digits, scale=100)
    if english is not None:
        return english + "%"
    from babel import Locale
    from babel.numbers import format_percent as fmt

    locale = Locale.parse(babel_locale())
    # the locale's own pattern (``%60,6`` in Turkish), with the decimals asked for
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    pattern = re.sub(r"0(\.0+)?", "0" + ("." + "0" * digits if digits else ""), pattern,
                     count=1)
    return fmt(share, format=pattern, locale=locale)


DATE_PATTERN = "d MMM y"  # day, month in words, year: unambiguous in every language


def format_date(value: dt.date | str | None, style: str = DATE_PATTERN) -> str:
    """A date for people: ``31 Dec 2024`` (en), ``31 كانون الأول 2024`` (ar)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    from babel.dates import format_date as fmt

    return fmt(day, format=style, locale=babel_locale())


def format_hours(hours: float | None) -> str:
    """A duration given in hours, in the unit a person would use: minutes under an hour,
    hours under three days, days beyond (``1455.494`` -> ``60.6 days``)."""
    if hours is None:
        return _("n/a")
    if hours < 1:
        return _("{value} min", value=format_number(round(hours * 60), 0))
    if hours < 72:
        return _("{value} h", value=format_number(hours, 1))
    return _("{value} days", value=format_number(hours / 24, 1))


def format_duration(duration: Duration) -> str:
    """A legal clock (``audit.durations.Duration``) in words: ``24 hours``, ``3 أيام عمل``."""
    # one literal call per unit, so the catalogue extractor sees every form
    forms = {
        "minutes": lambda n: ngettext("{n} minute", "{n} minutes", n),
        "hours": lambda n: ngettext("{n} hour", "{n} hours", n),
        "days": lambda n: ngettext("{n} day", "{n} days", n),
        "business_days": lambda n: ngettext("{n} business day", "{n} business days", n),
        "weeks": lambda n: ngettext("{n} week", "{n} weeks", n),
        "months": lambda n: ngettext("{n} month", "{n} months", n),
        "years": lambda n: ngettext("{n} year", "{n} years", n),
    }
    unit = getattr(getattr(duration, "unit", None), "value", None)
    if unit not in forms:
        return str(duration)
    return forms[unit](int(duration.amount))

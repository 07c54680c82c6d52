"""Report language: every user-facing report string goes through this one module.

Writers and findings call ``_("{count} gap(s)", count=n)`` with *named* parameters (never
concatenated tokens), so a translator sees whole sentences. The active language is a context
variable set once per run (``use_language("ar")``); formatting of numbers, percentages and dates
follows the same language.

This first version translates nothing (English is the source language); the catalogue backend
(gettext catalogues compiled with Babel) replaces ``_translate`` without changing the call sites.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

DEFAULT_LANGUAGE = "en"
_language: contextvars.ContextVar[str] = contextvars.ContextVar("audit_language",
                                                                default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language reports are being written in (an ISO 639-1 code such as ``en``, ``ar``)."""
    return _language.get()


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Write reports in ``language`` inside the ``with`` block (``None`` keeps the current one)."""
    token = _language.set(language or _language.get())
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def _translate(message: str, language: str) -> str:
    return message


def _(message: str, **params: Any) -> str:
    """Translate ``message`` into the current language, then fill its ``{named}`` parameters."""
    text = _translate(message, _language.get())
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """Singular or plural form of a message for count ``n`` (``n`` is passed as ``{n}``)."""
    text = _translate(singular if n == 1 else plural, _language.get())
    return text.format(n=n, **params)


def is_rtl(language: str | None = None) -> bool:
    """Whether ``language`` (default: the current one) is written right to left."""
    return (language or _language.get()).split("-")[0].split("_")[0].lower() in {
        "ar", "fa", "he", "ur", "ku", "ckb", "ps", "yi", "dv"}

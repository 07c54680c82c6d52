"""One cell of a filled evidence workbook, read the way people type into spreadsheets: text, a
date, a number, an answer word or a time zone.

Kept apart from the loader (:mod:`audit.evidence.workbook`, which knows the sheets and the
profile schema) because none of it needs openpyxl, a sheet or a schema: these are the tolerant
conversions (``1,000``, ``3.0``, ``Yes``, a datetime where a date is meant) and their error
messages, each usable on a bare value. A cell
holds whatever openpyxl read (text, a number, a boolean, a date or time, or nothing), so each
function takes an ``object``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from audit import limits

ANSWER_WORDS = ("yes", "partial", "no", "n/a")

Answered = str | int | float  # an answer as the evaluators read it: a word or a number


def cell_text(value: object) -> str | None:
    """The cell as trimmed text (``3.0`` reads ``3``), or None when it is blank."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def cell_date(value: object) -> dt.date | None | str:
    """A date, None when blank, or an error message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return f"expected a date YYYY-MM-DD, got {str(value)!r}"
    return limits.date_problem(value) or value


def cell_number(value: object) -> int | float | None:
    """A number (whole when it is one; ``1,000`` and ``1_000`` read as 1000), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    try:
        text = str(value).strip().replace(",", "").replace("_", "")
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def parse_answer(value: object, expected: str = "") -> tuple[Answered | None, str | None]:
    """An answer cell as the evaluators expect it; ``expected`` is the template's hint
    (``yes/partial/no/n/a``, ``a number``, or blank for either)."""
    words = "/".join(ANSWER_WORDS)
    wants_number = expected.startswith("a number")
    wants_word = expected.startswith("yes")
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, (int, float)):
        if wants_word:
            return None, f"expected {words}, got {value!r}"
        return cell_number(value), None
    text = str(value).strip()
    if text.lower() in ANSWER_WORDS and not wants_number:
        return text.lower(), None
    number = cell_number(text)
    if number is not None and not wants_word:
        return number, None
    if wants_number:
        return None, f"expected a number, got {text!r}"
    if wants_word:
        return None, f"expected {words}, got {text!r}"
    return None, f"expected {words} or a number, got {text!r}"


def cell_timezone(value: object) -> tuple[str | None, str | None]:
    """An IANA zone name, checked here so a bad one is one located error, not one per log."""
    text = cell_text(value)
    try:
        if text is None or text.startswith("/") or ".." in text:
            raise ValueError(text)
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None, (f"unknown time zone {str(value)!r}; expected an IANA name such as "
                      "Asia/Baghdad")
    return text, None

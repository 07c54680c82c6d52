"""English numbers and percentages are written without Babel (its locale data costs every run
~30 ms of start-up, audit/i18n.py ``_english``); what they say must be exactly what Babel
writes for ``en``: the same rounding (half to even, from the value's shortest decimal form),
grouping and signs, on edge cases and on a seeded sample."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest
from babel import Locale
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent

from audit.i18n import _english, format_number, format_percent, use_language

EDGES: list[float | int] = [0, 1, -1, 999, 1000, -1234567, 10**15, 0.0, -0.0, 0.5, 1.5, 2.5,
                            -2.5, 2.675, 1.005, 0.125, -0.04, -0.05, 0.05, 1e-9, 0.0005,
                            0.9995, 99.95, 123456.789, 1e16, 2.5e-5, 1 / 3, 2 / 3, -1 / 7]


def _sample() -> list[float | int]:
    rng = random.Random(27)
    values: list[float | int] = list(EDGES)
    for _ in range(20_000):
        values += [rng.randint(-10**9, 10**9), round(rng.uniform(-1e5, 1e5), rng.randint(0, 6)),
                   rng.random(), rng.randint(0, 2000) / rng.choice([3, 7, 8, 16, 1000])]
    return values


def _babel_number(value: float | int, digits: int | None) -> str:
    if digits is None:
        return format_decimal(value, locale="en")
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""),
                          locale="en")


def _babel_percent(share: float, digits: int) -> str:
    locale = Locale.parse("en")
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    pattern = re.sub(r"0(\.0+)?", "0" + ("." + "0" * digits if digits else ""), pattern, count=1)
    return babel_percent(share, format=pattern, locale=locale)


def test_english_numbers_are_babels() -> None:
    written = 0
    for value in _sample():
        for digits in (None, 0, 1, 2, 3):
            assert format_number(value, digits) == _babel_number(value, digits), (value, digits)
            written += _english(value, digits) is not None
    assert written > 100_000  # the fast path did the writing, not Babel behind it


def test_english_percentages_are_babels() -> None:
    for value in _sample():
        share = value / 1000 if isinstance(value, int) else value
        for digits in (0, 1, 2):
            assert format_percent(share, digits) == _babel_percent(share, digits), (share, digits)


@pytest.mark.parametrize("value", [-0.0, -0.04, float("nan"), float("inf")])
def test_what_english_leaves_to_babel(value: float) -> None:
    """Minus zero after rounding and values that are not finite go to Babel."""
    assert _english(value, 1) is None
    assert format_number(value, 1) == _babel_number(value, 1)


def test_a_boolean_is_no_number() -> None:
    assert _english(True, None) is None and _english(False, 1) is None


def test_other_languages_use_babel() -> None:
    with use_language("tr"):
        assert _english(1234.5, 1) is None
        assert format_number(1234.5, 1) == "1.234,5"
    with use_language("en_GB"):
        assert _english(1234, None) is None


def test_english_figures_do_not_load_babel() -> None:
    """A count, a share and a duration in English, as a JSON assess writes them: no Babel."""
    code = ("import sys\nfrom audit.i18n import format_number, format_percent, format_hours\n"
            "print(format_number(21), format_percent(0.3333), format_hours(27.25))\n"
            "print('babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:2] == ["21 33.3% 27.2 h", "False"]

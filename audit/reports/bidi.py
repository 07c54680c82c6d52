"""Left-to-right runs inside right-to-left text, isolated so the bidi algorithm keeps them whole.

In an Arabic report an English module text, a requirement id, a URL or the score equation
sits inside an Arabic sentence or an Arabic (right-to-left) cell. Left to itself the Unicode
bidi algorithm scrambles it: the full stop of an English sentence jumps to its start, a bracket
pair splits, ``45.5 / 75 = 60.6%`` reads backwards. Each such run is isolated: in a workbook
cell with the Unicode isolates LRI ... PDI (U+2066, U+2069), in the HTML page with
``<bdi dir="ltr" lang="…">`` (so a screen reader also reads it in its own language).

:func:`ltr_spans` finds the runs once, for both. A run starts at a strong left-to-right
character (a Latin letter) and ends at its last strong left-to-right character before the next
right-to-left one, with the digits and signs attached to it (``2023``, ``44.9%``), the
brackets and quotes it opens and closes, and, when no right-to-left text follows, everything
up to the end (an English sentence keeps its full stop). A sequence of numbers joined by
``=``, ``/`` or ``×`` (the score equation) is a run of its own. Readers of the workbook drop
the isolates again (``audit.sheet_input.text``).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import unicodedata
from collections.abc import Iterator

from audit.i18n import is_rtl

LRI = "\u2066"
PDI = "\u2069"
_STRONG_RTL = frozenset({"R", "AL"})
_ATTACHED = frozenset({"EN", "ES", "CS", "ET", "L"})  # digits and signs that stay with a run
_PAIRS = {")": "(", "]": "[", "}": "{", "»": "«", "”": "“", "’": "‘"}
_QUOTES = "\"'"
# numbers (with a decimal separator, a per cent sign) joined by operators: an equation
_EQUATION = re.compile(r"\d[\d.,٫٬]*%?(?:\s*[=/×+−]\s*\d[\d.,٫٬]*%?)+")

_ISOLATED = re.compile(f"({LRI}[^{PDI}]*{PDI})")

_isolating: contextvars.ContextVar[bool] = contextvars.ContextVar("isolating", default=False)


@contextlib.contextmanager
def isolating(on: bool = True) -> Iterator[None]:
    """Within the block, :func:`isolate_cell_text` isolates (a right-to-left workbook)."""
    token = _isolating.set(on)
    try:
        yield
    finally:
        _isolating.reset(token)


def isolate_cell_text(text: str) -> str:
    """``text`` with its left-to-right runs isolated while :func:`isolating` is on."""
    return isolate(text) if _isolating.get() else text


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each left-to-right run of ``text``, in order, not overlapping."""
    if text.isascii() and not any(ch.isalpha() or ch.isdigit() for ch in text):
        return []
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    rtl = [i for i, k in enumerate(kinds) if k in _STRONG_RTL]
    if not rtl and "L" not in kinds:
        return [m.span() for m in _EQUATION.finditer(text)]
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if kinds[i] != "L":
            i += 1
            continue
        start = i
        stop = i  # the next right-to-left character, or the end
        last = i
        while stop < n and kinds[stop] not in _STRONG_RTL:
            if kinds[stop] == "L":
                last = stop
            stop += 1
        end = last + 1
        while end < n and not text[end].isspace() and kinds[end] in _ATTACHED:
            end += 1
        while end > last + 1 and kinds[end - 1] in ("CS", "ES"):
            end -= 1  # a colon or comma after the run is the sentence's, not the run's
        if not any(k in _STRONG_RTL for k in kinds[:start]):
            start = len(text) - len(text.lstrip())
        if stop == n:  # the rest is the run's, up to a bracket opened before it
            tail_end = len(text.rstrip())
            while end < tail_end and not (text[end] in _PAIRS and (
                    text[start:end].count(_PAIRS[text[end]])
                    <= text[start:end].count(text[end]))):
                end += 1
        start, end = _with_brackets(text, start, end, stop)
        spans.append((start, end))
        i = max(stop, end)
    return _with_equations(text, spans)


def _with_brackets(text: str, start: int, end: int, limit: int) -> tuple[int, int]:
    """Widen a run over the brackets and quotes it closes or that enclose it."""
    n = len(text)
    while end < min(n, limit + 1):
        ch = text[end]
        if ch in _PAIRS and text[start:end].count(_PAIRS[ch]) > text[start:end].count(ch):
            end += 1
        elif ch in _QUOTES and text[start:end].count(ch) % 2 == 1:
            end += 1
        else:
            break
    while start > 0 and end < n:
        before, after = text[start - 1], text[end]
        if _PAIRS.get(after) == before or (before in _QUOTES and after == before):
            start, end = start - 1, end + 1
        else:
            break
    return start, end


def _with_equations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs plus each equation outside them, in order."""
    out = list(spans)
    for match in _EQUATION.finditer(text):
        a, b = match.span()
        if not any(s <= a < e or s < b <= e for s, e in spans):
            out.append((a, b))
    return sorted(out)


def isolate(text: str) -> str:
    """``text`` with each left-to-right run between LRI and PDI (Unicode isolates); a part
    already isolated (:func:`ltr_value`) is kept as it is, not split again."""
    if LRI in text:
        return "".join(part if part.startswith(LRI) else isolate(part)
                       for part in _ISOLATED.split(text) if part)
    spans = ltr_spans(text)
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        parts += [text[at:start], LRI, text[start:end], PDI]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def ltr_value(text: str) -> str:
    """A value that is left to right as a whole (a timestamp such as ``2026-12-24 14:20``,
    which has no Latin letter for :func:`ltr_spans` to start a run at), isolated when the
    report language is right to left; unchanged otherwise."""
    return f"{LRI}{text}{PDI}" if text and is_rtl() else text

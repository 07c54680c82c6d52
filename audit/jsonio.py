"""JSON reading with the input limits: nesting depth and integer size, refused before use.

The standard library's parser recurses once per nesting level and converts any integer
literal, so a hostile file could raise ``RecursionError`` or spend its time converting a
5,000-digit number; here both are refused with a message fit for one located line.
"""

from __future__ import annotations

import json
from typing import Any

from audit.limits import MAX_INT_DIGITS, MAX_NESTING


class JsonLimitError(ValueError):
    """The JSON text is well formed but exceeds a limit of :mod:`audit.limits`."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise JsonLimitError(f"a number with {digits:,} digits; numbers are limited to "
                             f"{MAX_INT_DIGITS} digits")
    return int(text)


def _depth(value: object) -> int:
    """Nesting depth of parsed JSON, walked without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_NESTING:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, (dict, list)))
    return deepest


def parse_json(text: str) -> Any:
    """``json.loads`` with the limits; raises ``JSONDecodeError`` or ``JsonLimitError``."""
    try:
        data = json.loads(text, parse_int=_parse_int)
    except RecursionError:  # the parser recurses once per level
        raise JsonLimitError(f"nested more than {MAX_NESTING} levels deep; refused") from None
    if _depth(data) > MAX_NESTING:
        raise JsonLimitError(f"nested more than {MAX_NESTING} levels deep; refused")
    return data

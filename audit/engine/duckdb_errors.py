"""DuckDB's errors said in one line, with the data line to fix where one can be found.

DuckDB's messages run over several lines and, for a byte that is not UTF-8, name a line
number its parallel reader cannot know; these helpers turn them into the one line a user
reads (``line 12: expected 7 fields, found 8``). Used by the DuckDB engine and by the
mapping reader, which asks DuckDB for its verdict on a date format.
"""

from __future__ import annotations

import re
from pathlib import Path

NOT_UTF8 = "not UTF-8 text"


def first_bad_utf8_line(path: Path) -> int | None:
    """The 1-based line of a file's first invalid UTF-8 byte, or None; for error messages only.

    DuckDB's own message for such a byte names no usable line, so on that error path (only)
    the file is read once more, line by line in bytes, to point at the row to fix.
    """
    try:
        with path.open("rb") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


def not_utf8(text: str) -> str:
    """'line N: not UTF-8 text', N found by reading the file DuckDB names (error path only).

    DuckDB's line number for an invalid byte is not reliable (its parallel reader counts
    from where its chunk started), so the file is scanned for the first line that does not
    decode; its own number is the fallback.
    """
    file = re.search(r"^\s*file = (.+)$", text, re.MULTILINE)
    number = first_bad_utf8_line(Path(file.group(1).strip())) if file else None
    if number is None:
        found = re.search(r"CSV Error on Line: (\d+)", text)
        number = int(found.group(1)) if found else None
    return f"line {number}: {NOT_UTF8}" if number else NOT_UTF8


def first_line(exc: BaseException) -> str:
    """DuckDB's error as one line; CSV structure errors as 'line N: expected X fields, ...'."""
    text = str(exc).strip()
    if "Invalid unicode" in text or "not utf-8 encoded" in text:
        return not_utf8(text)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and cols:
        return (f"line {line.group(1)}: expected {cols.group(1)} fields, found {cols.group(2)}")
    if line:
        detail = text.splitlines()[0].split(":", 1)[-1].strip()
        return f"line {line.group(1)}: {detail}"
    lines = text.splitlines()
    return lines[0] if lines else type(exc).__name__

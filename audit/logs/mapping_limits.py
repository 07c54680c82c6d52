"""The limits of a log mapping, checked before any data is read (docs/limits.md).

A few bytes of mapping can ask for a great deal of work: ``skip: 1000000000`` lines, a value
map of 400,000 entries compiled into one SQL ``CASE``, a ``where`` list of 300,000 values, a
``.gz`` file a thousand times its size. Each count, list and map a mapping declares is held
to a limit of :mod:`audit.limits` here, once the schema has vouched for the mapping's shape,
so the refusal names the mapping key before the engine starts; a compressed data file is held
to the compression ratio a zipped log member is, before it is unpacked or scanned.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from audit.limits import (MAX_DATE_FORMATS, MAX_MAPPING_BYTES, MAX_GZIP_PROBE_BYTES, MAX_GZIP_RATIO,
                          MAX_LOG_COLUMNS, MAX_MAPPING_FILES, MAX_MAPPING_PATTERNS,
                          MAX_MAPPING_SKIP, MAX_VALUE_MAP_ENTRIES, MAX_WHERE_COLUMNS,
                          MAX_WHERE_VALUES)
from audit.schemas.common import PathKey

# A compressed data file is held to the ratio only above this many bytes inflated (as zips)
RATIO_FLOOR = 1 << 20


def mapping_limit_problems(data: object) -> list[tuple[PathKey, str]]:
    """Each count, list and map of a mapping beyond its limit, by mapping key. Checked before
    the schema, whose own check of a 400,000-entry map would be the cost refused, so any
    shape is taken (the schema then names what is wrong with it)."""
    problems: list[tuple[PathKey, str]] = []
    if not isinstance(data, Mapping):
        return problems

    def over(key: PathKey, found: object, limit: int, what: str) -> None:
        if isinstance(found, (list, dict)) and len(found) > limit:
            problems.append((key, f"{len(found):,} {what}; a mapping may give at most "
                                  f"{limit:,} (docs/limits.md)"))

    skip = data.get("skip")
    if isinstance(skip, int) and skip > MAX_MAPPING_SKIP:  # compared, never looped over
        problems.append((("skip",), f"{skip:,} lines to skip; at most {MAX_MAPPING_SKIP:,} "
                                    "(docs/limits.md)"))
    over(("files",), data.get("files"), MAX_MAPPING_PATTERNS, "file names or globs")
    columns = data.get("columns")
    over(("columns",), columns, MAX_LOG_COLUMNS, "columns")
    for target, spec in (columns.items() if isinstance(columns, dict) else ()):
        if isinstance(spec, dict):
            over(("columns", target, "format"), spec.get("format"), MAX_DATE_FORMATS,
                 "date formats")
            over(("columns", target, "map"), spec.get("map"), MAX_VALUE_MAP_ENTRIES,
                 "value map entries")
    where = data.get("where")
    over(("where",), where, MAX_WHERE_COLUMNS, "filtered columns")
    for column, cond in (where.items() if isinstance(where, dict) else ()):
        for key, values in _where_lists(column, cond):
            over(("where",) + key, values, MAX_WHERE_VALUES, "values in one list")
    return problems


def _where_lists(column: str, cond: object) -> Iterator[tuple[PathKey, list[Any]]]:
    """The value lists of one ``where`` entry: ``[a, b]`` or an operator's list."""
    if isinstance(cond, list):
        yield (column,), cond
    elif isinstance(cond, Mapping):
        for op, value in cond.items():
            if isinstance(value, list):
                yield (column, op), value


def mapping_size_problem(path: Path) -> str | None:
    """Why a mapping file is too large to parse, or None (an unreadable one is YAML's to say)."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size <= MAX_MAPPING_BYTES:
        return None
    return (f"file is {size:,} bytes; a mapping is limited to {MAX_MAPPING_BYTES:,} "
            "(docs/limits.md)")


def selected_files_problem(count: int) -> str | None:
    """Why ``count`` data files are too many for one mapping, or None."""
    if count <= MAX_MAPPING_FILES:
        return None
    return (f"selects {count:,} data files; a mapping may read at most {MAX_MAPPING_FILES:,} "
            "(docs/limits.md)")


def gzip_problem(file: Path) -> str | None:
    """Why a ``.gz`` data file is refused as a possible decompression bomb, or None.

    Two looks, both cheap: the ratio of what its first bytes inflate to (at most
    ``MAX_GZIP_PROBE_BYTES``), member after member, and the size the gzip trailer declares
    (its last four bytes: the last member's size, modulo 4 GiB), believed only of a stream
    whose start inflated cleanly (a corrupt file's last bytes are noise). A file that cannot
    be read or inflated is left for the engine to name."""
    try:
        size = file.stat().st_size
        with file.open("rb") as fh:
            inflated, consumed = _probe(fh)
            if inflated > RATIO_FLOOR and inflated > MAX_GZIP_RATIO * max(consumed, 1):
                return _ratio_message(inflated / max(consumed, 1))
            if size >= 18 and consumed < size:  # a header and a trailer, not all inflated
                fh.seek(-4, 2)
                declared = struct.unpack("<I", fh.read(4))[0]
                if declared > RATIO_FLOOR and declared > MAX_GZIP_RATIO * size:
                    return _ratio_message(declared / size)
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _probe(fh: Any) -> tuple[int, int]:  # Any: a binary file object (BufferedReader)
    """(bytes inflated, compressed bytes consumed) over the start of a gzip stream, member
    after member, stopping as soon as the ratio so far is over the limit or the probe's
    budget is spent."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    inflated = read = 0
    pending = b""
    while inflated < MAX_GZIP_PROBE_BYTES:
        if not pending:
            pending = fh.read(1 << 14)
            read += len(pending)
            if not pending:
                break
        inflated += len(inflate.decompress(pending, 1 << 20))
        pending = inflate.unconsumed_tail
        if inflate.eof:  # the next member starts in what this one left over
            pending = inflate.unused_data or fh.read(1 << 14)
            read += 0 if inflate.unused_data else len(pending)
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            if pending and pending[:2] != b"\x1f\x8b":  # trailing bytes, not a member: the engine's
                break
        consumed = read - len(pending)
        if inflated > RATIO_FLOOR and inflated > MAX_GZIP_RATIO * max(consumed, 1):
            break
    return inflated, read - len(pending)


def _ratio_message(ratio: float) -> str:
    return (f"compressed {ratio:,.0f}:1, more than {MAX_GZIP_RATIO:,}:1; refused as a "
            "possible decompression bomb (docs/limits.md)")

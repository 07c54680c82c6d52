"""A log as a typed view: the SQL every engine runs to read one, and what is known about it.

A log is a view over its file: ``*_at`` columns parse as TIMESTAMPTZ, other columns stay as
they are, and a ``_bad_<col>`` flag marks a timestamp that does not parse or lies outside the
accepted years. This module writes that SQL (in the rules' one dialect, DuckDB's) and the
per-row check terms validation sums; it runs nothing, so both engines build the same view
from the same text (``audit/engine/log_views.py`` runs it). See docs/performance.md.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from audit.errors import EvidenceError, Problem
from audit.limits import MAX_CSV_HEADER_BYTES, MAX_LOG_COLUMNS, MAX_YEAR, MIN_YEAR
from audit.logs.sql import literal, quote
from audit.logs.tables import KNOWN_LOGS

# An explicit offset (Z, +03, +03:00, +0300) at the end of an ISO 8601 timestamp.
OFFSET_RE = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
MAX_PROBLEM_ROWS = 5
# Numeric types as DuckDB's DESCRIBE names them (a DECIMAL with its precision after "(")
NUMBER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                          "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
                          "DECIMAL"})


# The hidden column of a mapped log whose rows per data file its first full read counts
# (``FileRowsOwed``): the file each row came from, as the engine names it.
FILE_COLUMN = "_audit_file"


@dataclass(frozen=True)
class FileRowsOwed:
    """Rows per data file, owed by a mapped log's first full read (the rules' one pass, or
    the validation scan of a log no rule reads) instead of a scan of the mapping's own.

    A mapping with nothing to check row by row (no ``where``, no de-duplication, no text to
    parse) would otherwise read every file once just to count its rows for the row ledger;
    its view carries ``FILE_COLUMN`` instead. ``name`` turns the engine's (file, rows) pairs
    into the ledger's, named as the mapping names its files; ``locate`` turns an engine's read
    error into the problem naming the data file at fault, as the mapping's scan would have.
    """

    name: Callable[[Sequence[tuple[str, int]]], list[tuple[str, int]]]
    locate: Callable[[BaseException], EvidenceError]


class Validates(Protocol):
    """The engine a log belongs to, as far as the log itself needs it (its row count)."""

    def ensure_valid(self, name: str) -> None: ...


@dataclass
class LogInfo:
    """One loaded log: where it came from, its columns, and how far it has been checked."""

    name: str
    path: str
    row_count: int | None  # known once the log is validated
    columns: list[str]
    format: str
    # "reader" (the raw relation), "types" (column -> DuckDB type name), and what loaders and
    # mappings attach (e.g. "mappings": what the result records)
    extra: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # timestamp columns with a _bad_ flag
    validated: bool = False
    reads: int = 0  # rule scans so far (a text log read twice is copied, DuckDB only)
    store: Validates | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> int:
        """Data rows of the log; asking before any rule has scanned it validates it (a scan)."""
        if self.row_count is None and self.store is not None:
            self.store.ensure_valid(self.name)
        return self.row_count or 0

    @property
    def reader(self) -> str:
        """The raw relation the view reads (the file, before types): error paths rescan it."""
        return str(self.extra["reader"])

    @property
    def types(self) -> Mapping[str, str]:
        """Each source column's type as DuckDB names it (Spark's translated)."""
        types: Mapping[str, str] = self.extra.get("types") or {}
        return types


def outside(expr: str) -> str:
    """SQL: a timestamp outside the accepted years (audit.limits)."""
    return (f"NOT (({expr}) >= TIMESTAMPTZ '{MIN_YEAR}-01-01 00:00:00+00' AND ({expr}) < "
            f"TIMESTAMPTZ '{MAX_YEAR + 1}-01-01 00:00:00+00')")


def ordered(info: LogInfo) -> list[tuple[str, str]]:
    """The (start, end) column pairs of the log's table where the end must not come first."""
    spec = KNOWN_LOGS.get(info.name)
    return [(s, e) for s, e in (spec.ordered if spec else ())
            if s in info.columns and e in info.columns]


def typed_kind(ctype: str) -> str | None:
    """What a column of this type (as DuckDB names it; Spark's are translated) holds, when it
    is typed: ``instant`` (TIMESTAMP WITH TIME ZONE, Spark's TimestampType), ``local`` (a
    TIMESTAMP without a zone, Spark's TimestampNTZ), ``date`` or ``number``; None for text
    and anything else, which mappings read as text."""
    name = ctype.upper()
    if name.startswith("TIMESTAMP WITH TIME ZONE") or name == "TIMESTAMPTZ":
        return "instant"
    if name.startswith("TIMESTAMP"):  # TIMESTAMP, TIMESTAMP_NS, _MS, _S: no zone
        return "local"
    if name == "DATE":
        return "date"
    if name.split("(")[0] in NUMBER_TYPES:
        return "number"
    return None


def timestamp_sql(q: str, ctype: str, display: str, col: str,
                  timezone: str | None) -> tuple[str, str]:
    """SQL for the typed value, and for a flag marking values that do not parse or lie
    outside the accepted years (docs/limits.md): date arithmetic on year 1 or 9999
    overflows, and a business-day calendar over millennia costs gigabytes.

    An offset as exports write it (+03:00, -05:00) is recognised by a LIKE (a fraction of
    a regular expression's cost); other values by OFFSET_RE on the value without trailing
    blanks. DuckDB's cast ignores surrounding blanks and reads a blank value as NULL, and a
    digit-less "+ab:cd" does not cast: the same values parse, to the same instants, as with
    OFFSET_RE alone.
    """
    if ctype.startswith("TIMESTAMP WITH TIME ZONE"):
        return q, f"{q} IS NOT NULL AND {outside(q)}"
    if ctype.startswith("TIMESTAMP") or ctype == "DATE":
        if not timezone:
            raise EvidenceError(problems=[Problem(
                display, f"column {col}", "timestamps have no offset (naive); give them an "
                "offset or declare the pack's 'timezone' in platform.yaml")])
        expr = f"timezone({literal(timezone)}, CAST({q} AS TIMESTAMP))"
        return expr, f"{q} IS NOT NULL AND {outside(expr)}"
    text = q if ctype == "VARCHAR" else f"CAST({q} AS VARCHAR)"
    cast = f"TRY_CAST({text} AS TIMESTAMPTZ)"
    expr = (f"CASE WHEN {text} LIKE '%+__:__' OR {text} LIKE '%-__:__' THEN {cast} "
            f"WHEN regexp_matches(rtrim({text}), {literal(OFFSET_RE)}) THEN {cast} ")
    if timezone:
        expr += f"ELSE timezone({literal(timezone)}, TRY_CAST({text} AS TIMESTAMP)) "
    expr += "END"
    return expr, (f"{text} IS NOT NULL AND CASE WHEN ({expr}) IS NULL THEN "
                  f"trim({text}) <> '' ELSE {outside(expr)} END")


@dataclass(frozen=True)
class TypedView:
    """The SELECT of a log's typed view over its raw relation, and what it holds."""

    select: str
    columns: list[str]
    flags: list[str]


def typed_view(name: str, reader: str, types: Mapping[str, str], fmt: str, display: str,
               needed: set[str] | None, timezone: str | None) -> TypedView:
    """The view of a log: the columns rules read (``needed``; ``None``: all) plus those its
    table's checks compare, timestamps typed, each with its ``_bad_`` flag."""
    columns = [c for c in types if not c.startswith("_")]
    check_columns(name, columns, display)
    hidden = [quote(FILE_COLUMN)] if FILE_COLUMN in types else []
    if needed is not None:
        spec = KNOWN_LOGS.get(name)
        keep = set(needed)
        if spec:
            keep.add(spec.id_column)
            keep.update(c for pair in spec.ordered for c in pair)
        columns = [c for c in columns if c in keep]
    inner: list[str] = []
    outer: list[str] = []
    flags: list[str] = []
    for col in columns:
        q = quote(col)
        ctype = types[col]
        outer.append(q)
        if col.endswith("_at"):
            expr, _bad = timestamp_sql(q, ctype, display, col, timezone)
            inner.append(f"{expr} AS {q}")
            flag = quote("_bad_" + col)
            if ctype.startswith("TIMESTAMP") or ctype == "DATE":  # typed: years only
                outer.append(f"({q} IS NOT NULL AND {outside(q)}) AS {flag}")
            else:  # text: present but unparseable, or outside the years
                raw = quote("_raw_" + col)
                inner.append(f"{q if ctype == 'VARCHAR' else f'CAST({q} AS VARCHAR)'} AS {raw}")
                outer.append(f"({raw} IS NOT NULL AND CASE WHEN {q} IS NULL THEN "
                             f"trim({raw}) <> '' ELSE {outside(q)} END) AS {flag}")
            flags.append(col)
        elif ctype == "VARCHAR" and fmt != "csv":  # the CSV reader already gives NULL for ''
            inner.append(f"NULLIF({q}, '') AS {q}")
        elif ctype.endswith("[]") or ctype.startswith("STRUCT") or ctype == "JSON":
            inner.append(f"CAST({q} AS VARCHAR) AS {q}")
        else:
            inner.append(q)
    # A log no rule reads, of a table without known columns: the view still counts rows.
    inner = (inner or ["NULL AS _none"]) + hidden
    outer = (outer or ["_none"]) + hidden
    return TypedView(f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM "
                     f"{reader})", columns, flags)


def check_terms(info: LogInfo) -> list[str]:
    """Per-row 0/1 terms whose sums validate the log: rows, flags, missing ids, ends before
    starts (the first term is ``1``: its sum counts rows). Empty once validated."""
    if info.validated:
        return []
    spec = KNOWN_LOGS.get(info.name)
    out = ["1"]
    out += [f"CAST({quote('_bad_' + c)} AS INTEGER)" for c in info.flags]
    if spec and spec.id_column in info.columns:
        out.append(f"CASE WHEN {quote(spec.id_column)} IS NULL THEN 1 ELSE 0 END")
    out += [f"CASE WHEN {quote(e)} < {quote(s)} THEN 1 ELSE 0 END" for s, e in ordered(info)]
    return out


def check_columns(name: str, columns: list[str], display: str) -> None:
    """A known table's required columns are present (a close name is offered as a hint)."""
    spec = KNOWN_LOGS.get(name)
    if spec is None:
        return
    problems = []
    for col in (c for c in spec.required if c not in columns):
        close = difflib.get_close_matches(col, [c for c in columns
                                                if c not in spec.required], n=1)
        hint = f" (found '{close[0]}': misspelt?)" if close else ""
        problems.append(Problem(display, f"column {col}", f"required column is missing{hint}"))
    if problems:
        raise EvidenceError(problems=problems)


def csv_header(path: Path, display: str) -> list[str]:
    """The header of a CSV log, checked: UTF-8, within the limits, every column named once.

    Only the header line is decoded here (a text-mode read would decode a whole buffer and
    blame line 1 for a byte in a later row); the rows are the engine's to read."""
    with path.open("rb") as fh:
        raw = fh.readline(MAX_CSV_HEADER_BYTES + 1)
    if len(raw) > MAX_CSV_HEADER_BYTES:
        raise EvidenceError(problems=[Problem(display, "line 1", "header line is longer than "
                                              f"{MAX_CSV_HEADER_BYTES:,} characters")])
    try:
        first = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EvidenceError(problems=[Problem(display, "line 1", "not UTF-8 text")]) from None
    # limits before any parsing or schema detection (docs/limits.md)
    if len(first) > MAX_CSV_HEADER_BYTES:
        raise EvidenceError(problems=[Problem(display, "line 1", "header line is longer than "
                                              f"{MAX_CSV_HEADER_BYTES:,} characters")])
    try:
        names = next(csv.reader([first]), [])
    except csv.Error as exc:
        raise EvidenceError(problems=[Problem(display, "line 1", f"malformed header ({exc})")]
                            ) from None
    if len(names) > MAX_LOG_COLUMNS:
        raise EvidenceError(problems=[Problem(display, "line 1", f"{len(names):,} columns; logs "
                                              f"are limited to {MAX_LOG_COLUMNS:,}")])
    names = [n.strip() for n in names]
    if not names or not any(names):
        raise EvidenceError(problems=[Problem(display, "line 1", "no header row")])
    seen: set[str] = set()
    for n in names:
        if not n:
            raise EvidenceError(problems=[Problem(display, "line 1", "a column has no name")])
        if n in seen:
            raise EvidenceError(problems=[Problem(display, "line 1", f"column '{n}' appears "
                                                  "twice in the header")])
        seen.add(n)
    return names

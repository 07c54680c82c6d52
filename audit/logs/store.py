"""Event logs in an embedded DuckDB database: each file scanned once, validated in SQL.

A log is loaded into one typed table (``log_<name>``): ``*_at`` columns become TIMESTAMPTZ,
everything else stays text, and ``_row`` numbers the data rows from 1 in file order. Every rule
then runs one aggregate query against that table instead of re-reading the file (re-scanning
costs ~1.8x per rule, measured in DESIGN.md). Values never travel to Python row by row.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from audit.errors import EvidenceError, Problem
from audit.logs.tables import KNOWN_LOGS, LOG_SUFFIXES

# An explicit offset (Z, +03, +03:00, +0300) at the end of an ISO 8601 timestamp.
OFFSET_RE = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
MAX_PROBLEM_ROWS = 5
DEFAULT_MEMORY_LIMIT = "768MB"  # peak RSS stays under 1 GiB on a 10M-row log (benchmarks/)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class LogInfo:
    name: str
    path: str
    rows: int
    columns: list[str]
    format: str
    extra: dict[str, Any] = field(default_factory=dict)


class LogStore:
    """The run's DuckDB connection and the logs loaded into it."""

    def __init__(self, timezone: str | None = None, memory_limit: str | None = None,
                 temp_directory: str | None = None, threads: int | None = None,
                 progress: Any = None) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"SET memory_limit = {literal(memory_limit or DEFAULT_MEMORY_LIMIT)}")
        if not temp_directory:
            # Spill space for logs larger than the memory limit: our own temporary directory
            # (DuckDB's default would create .tmp/ in the working directory), removed on close.
            import shutil
            import tempfile
            import weakref

            temp_directory = tempfile.mkdtemp(prefix="audit-duckdb-")
            weakref.finalize(self, shutil.rmtree, temp_directory, True)
        self.con.execute(f"SET temp_directory = {literal(temp_directory)}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        # Loading does not need file order (row numbers are recomputed on the error path),
        # and keeping it costs ~20 % of a parallel CSV scan.
        self.con.execute("SET preserve_insertion_order = false")
        self.timezone = timezone
        self.progress = progress  # audit.progress.TerminalProgress or None
        if progress is not None:
            self.con.execute("SET enable_progress_bar = true")
            self.con.execute("SET enable_progress_bar_print = false")
        self.logs: dict[str, LogInfo] = {}

    # -- queries --------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.logs

    def path_of(self, name: str) -> str:
        return self.logs[name].path

    def table(self, name: str) -> str:
        return quote(f"log_{name}")

    def columns(self, name: str) -> list[str]:
        return self.logs[name].columns

    def id_column(self, name: str) -> str | None:
        """The log's event id column, when it is a known table (used to name offending rows)."""
        spec = KNOWN_LOGS.get(name)
        if spec and spec.id_column in self.logs[name].columns:
            return spec.id_column
        return None

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def stream(self, sql: str, batch: int = 2048) -> Iterator[tuple[Any, ...]]:
        cur = self.con.execute(sql)
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield from rows

    # -- loading --------------------------------------------------------------------------

    def load(self, name: str, path: Path, display: str,
             needed: set[str] | None = None, transform: str | None = None,
             reader: str | None = None) -> LogInfo:
        """Load one log file (CSV, Parquet or JSON Lines) and validate it in SQL.

        ``needed`` names the columns rules will read; only those (plus the id column and the
        timestamps the table's checks compare) are materialised, so a log with thousands of
        extra columns costs little more than one with seven. ``None`` keeps every column.
        """
        if name in self.logs:
            raise EvidenceError(problems=[Problem(display, "", f"a second '{name}' log; the "
                                                  f"first is {self.logs[name].path}")])
        suffix = path.suffix.lower()
        source = literal(str(path))
        if reader is not None:
            fmt = suffix.lstrip(".") or "custom"
        elif suffix == ".csv":
            # strict parsing: a row with the wrong number of fields is an error with its line
            # The header is read here and the dialect given (RFC 4180, UTF-8), so DuckDB does
            # not sniff: a malformed row is then reported with its line number.
            names = _csv_header(path, display)
            column_types = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names)
            reader = (f"read_csv({source}, header = true, auto_detect = false, "
                      f"columns = {{{column_types}}}, delim = ',', quote = '\"', escape = '\"', "
                      "encoding = 'utf-8')")
            fmt = "csv"
        elif suffix == ".parquet":
            reader = f"read_parquet({source})"
            fmt = "parquet"
        elif suffix in (".jsonl", ".ndjson"):
            reader = f"read_json({source}, format = 'newline_delimited')"
            fmt = "jsonl"
        else:
            raise EvidenceError(problems=[Problem(display, "", "unsupported log format; use "
                                                  + ", ".join(LOG_SUFFIXES))])
        if transform is not None:
            reader = f"({transform.format(source=reader)})"
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        except Exception as exc:  # DuckDB reports the reason, with a line where it can
            raise EvidenceError(problems=[Problem(display, "", "cannot read log: "
                                                  + _first_line(exc))]) from None
        types = {row[0]: str(row[1]).upper() for row in described}
        from audit.limits import MAX_LOG_COLUMNS

        if len(types) > MAX_LOG_COLUMNS:  # Parquet and JSON Lines: before any data is read
            raise EvidenceError(problems=[Problem(display, "", f"{len(types):,} columns; logs are "
                                                  f"limited to {MAX_LOG_COLUMNS:,}")])
        columns = [c for c in types if not c.startswith("_")]
        self._check_columns(name, columns, display)
        if needed is not None:
            spec = KNOWN_LOGS.get(name)
            keep = set(needed)
            if spec:
                keep.add(spec.id_column)
                keep.update(c for pair in spec.ordered for c in pair)
            columns = [c for c in columns if c in keep]
        select: list[str] = []
        flags: list[tuple[str, str, str]] = []  # (column, flag column, raw-value test)
        for col in columns:
            q = quote(col)
            ctype = types[col]
            if col.endswith("_at"):
                expr, bad = self._timestamp(q, ctype, display, col)
                select.append(f"{expr} AS {q}")
                if bad:
                    flag = f"_bad_{col}"
                    select.append(f"({bad}) AS {quote(flag)}")
                    flags.append((col, flag, bad))
            elif ctype == "VARCHAR" and fmt != "csv":  # the CSV reader already gives NULL for ''
                select.append(f"NULLIF({q}, '') AS {q}")
            elif ctype.endswith("[]") or ctype.startswith("STRUCT") or ctype == "JSON":
                select.append(f"CAST({q} AS VARCHAR) AS {q}")
            else:
                select.append(q)
        if not select:
            # No assessed rule reads this log (an unknown table, say): keep only its row
            # count, so it is still read and validated and a data-quality note can name it.
            select.append("TRUE AS _unread")
        table = self.table(name)
        # One scan of the file: typed values plus a flag per timestamp column. No row numbers
        # on this path (a window over the whole file serialises the scan); they are computed
        # by a second scan only when there is a problem to report.
        try:
            sql = f"CREATE TABLE {table} AS SELECT {', '.join(select)} FROM {reader}"
            if self.progress is not None:
                with self.progress.track(self.con, f"reading {display}"):
                    self.con.execute(sql)
            else:
                self.con.execute(sql)
        except Exception as exc:
            raise EvidenceError(problems=[Problem(display, "", "cannot read log: "
                                                  + _first_line(exc))]) from None
        info = LogInfo(name, display, 0, columns, fmt, {"reader": reader})
        problems, rows = self._validate(name, table, flags, info)
        if problems:
            self.con.execute(f"DROP TABLE {table}")
            raise EvidenceError(problems=problems)
        info.rows = rows
        self.logs[name] = info
        return info

    def _check_columns(self, name: str, columns: list[str], display: str) -> None:
        spec = KNOWN_LOGS.get(name)
        if spec is None:
            return
        missing = [c for c in spec.required if c not in columns]
        problems = []
        for col in missing:
            close = difflib.get_close_matches(col, [c for c in columns
                                                   if c not in spec.required], n=1)
            hint = f" (found '{close[0]}': misspelt?)" if close else ""
            problems.append(Problem(display, f"column {col}", f"required column is missing{hint}"))
        if problems:
            raise EvidenceError(problems=problems)

    def _timestamp(self, q: str, ctype: str, display: str, col: str) -> tuple[str, str | None]:
        """SQL for the typed value, and for a flag marking values that do not parse or lie
        outside the accepted years (docs/limits.md): date arithmetic on year 1 or 9999
        overflows, and a business-day calendar over millennia costs gigabytes."""
        from audit.limits import MAX_YEAR, MIN_YEAR

        def outside(expr: str) -> str:
            return (f"NOT (({expr}) >= TIMESTAMPTZ '{MIN_YEAR}-01-01 00:00:00+00' AND ({expr}) < "
                    f"TIMESTAMPTZ '{MAX_YEAR + 1}-01-01 00:00:00+00')")

        if ctype.startswith("TIMESTAMP WITH TIME ZONE"):
            return q, f"{q} IS NOT NULL AND {outside(q)}"
        if ctype.startswith("TIMESTAMP") or ctype == "DATE":
            if not self.timezone:
                raise EvidenceError(problems=[Problem(
                    display, f"column {col}", "timestamps have no offset (naive); give them an "
                    "offset or declare the pack's 'timezone' in platform.yaml")])
            expr = f"timezone({literal(self.timezone)}, CAST({q} AS TIMESTAMP))"
            return expr, f"{q} IS NOT NULL AND {outside(expr)}"
        text = f"NULLIF(TRIM(CAST({q} AS VARCHAR)), '')"
        if self.timezone:
            expr = (f"CASE WHEN regexp_matches({text}, {literal(OFFSET_RE)}) "
                    f"THEN TRY_CAST({text} AS TIMESTAMPTZ) "
                    f"ELSE timezone({literal(self.timezone)}, TRY_CAST({text} AS TIMESTAMP)) END")
        else:
            expr = (f"CASE WHEN regexp_matches({text}, {literal(OFFSET_RE)}) "
                    f"THEN TRY_CAST({text} AS TIMESTAMPTZ) END")
        bad = f"{text} IS NOT NULL AND (({expr}) IS NULL OR {outside(expr)})"
        return expr, bad

    def _validate(self, name: str, table: str, flags: list[tuple[str, str, str]],
                  info: LogInfo) -> tuple[list[Problem], int]:
        """Every check in one aggregate scan of the loaded table; row numbers only on error."""
        spec = KNOWN_LOGS.get(name)
        checks = ["count(*)"]
        checks += [f"count(*) FILTER (WHERE {quote(flag)})" for _c, flag, _b in flags]
        idc = quote(spec.id_column) if spec else None
        ordered = [(s, e) for s, e in (spec.ordered if spec else ())
                   if s in info.columns and e in info.columns]
        if idc:
            checks += [f"count({idc}) - count(DISTINCT {idc})", f"count(*) - count({idc})"]
        checks += [f"count(*) FILTER (WHERE {quote(e)} < {quote(s)})" for s, e in ordered]
        counts = list(self.con.execute(f"SELECT {', '.join(checks)} FROM {table}").fetchone()
                      or ())
        rows = counts.pop(0)
        problems: list[Problem] = []
        display = info.path
        for (col, _flag, bad), count in zip(flags, counts[:len(flags)], strict=False):
            if count:
                from audit.limits import year_range

                expect = (f"an ISO 8601 timestamp in the years {year_range()}" if self.timezone
                          else "an ISO 8601 timestamp with an offset, e.g. "
                          f"2024-05-01T09:30:00+03:00, in the years {year_range()} (or declare "
                          "'timezone' in platform.yaml)")
                problems.append(Problem(display, f"column {col}",
                                        f"{count:,} value(s) are not {expect}; first at data "
                                        f"row(s) {self._first_rows(info, bad)}"))
        counts = counts[len(flags):]
        if idc:
            duplicates, missing = counts[0], counts[1]
            counts = counts[2:]
            if duplicates:
                dup = self.con.execute(
                    f"SELECT {idc}, count(*) FROM {table} WHERE {idc} IS NOT NULL GROUP BY {idc} "
                    f"HAVING count(*) > 1 ORDER BY {idc} LIMIT {MAX_PROBLEM_ROWS}").fetchall()
                shown = ", ".join(f"{d[0]} ({d[1]} times)" for d in dup)
                problems.append(Problem(display, f"column {spec.id_column}",  # type: ignore[union-attr]
                                        f"{duplicates:,} duplicate id(s), e.g. {shown}"))
            if missing:
                problems.append(Problem(display, f"column {spec.id_column}",  # type: ignore[union-attr]
                                        f"{missing:,} row(s) without an id; first at data row(s) "
                                        f"{self._first_rows(info, f'NULLIF(TRIM(CAST({idc} AS VARCHAR)), {literal(chr(32))}) IS NULL')}"))
        for (s, e), count in zip(ordered, counts, strict=False):
            if count:
                cond = (f"{self._typed(info, e)} < {self._typed(info, s)}")
                problems.append(Problem(display, f"column {e}",
                                        f"{count:,} row(s) end before {s}; first at data "
                                        f"row(s) {self._first_rows(info, cond)}"))
        return problems, rows

    def _typed(self, info: LogInfo, col: str) -> str:
        expr, _bad = self._timestamp(quote(col), "VARCHAR", info.path, col)
        return expr

    def _first_rows(self, info: LogInfo, condition: str) -> str:
        """Error path only: rescan the file with row numbers to point at offending rows."""
        reader = info.extra["reader"]
        self.con.execute("SET preserve_insertion_order = true")
        try:
            rows = self.con.execute(
                f"SELECT r FROM (SELECT row_number() OVER () AS r, ({condition}) AS hit "
                f"FROM {reader}) WHERE hit ORDER BY r LIMIT {MAX_PROBLEM_ROWS}").fetchall()
        finally:
            self.con.execute("SET preserve_insertion_order = false")
        return ", ".join(str(r[0]) for r in rows)


def _csv_header(path: Path, display: str) -> list[str]:
    import csv

    from audit.limits import MAX_CSV_HEADER_BYTES, MAX_LOG_COLUMNS

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline(MAX_CSV_HEADER_BYTES + 1)
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


def _first_line(exc: BaseException) -> str:
    """DuckDB's error as one line; CSV structure errors as 'line N: expected X fields, ...'."""
    text = str(exc).strip()
    line = re.search(r"CSV Error on Line: (\d+)", text)
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and cols:
        return (f"line {line.group(1)}: expected {cols.group(1)} fields, found {cols.group(2)}")
    if line:
        detail = text.splitlines()[0].split(":", 1)[-1].strip()
        return f"line {line.group(1)}: {detail}"
    lines = text.splitlines()
    return lines[0] if lines else type(exc).__name__


def log_name(path: Path) -> str:
    """``logs/moderation.csv`` -> ``moderation``."""
    return re.sub(r"[^a-z0-9_]", "_", path.stem.lower())

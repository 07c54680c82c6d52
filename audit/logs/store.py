"""Event logs read in place by an embedded DuckDB: a typed view over each file, no copy.

A log is a view (``log_<name>``) over its file: ``*_at`` columns parse as TIMESTAMPTZ, other
columns stay as they are, and a ``_bad_<col>`` flag marks a timestamp that does not parse.
Nothing is read when the log is registered (beyond the CSV header or the Parquet schema).
Validation (timestamps parse, ids present, ends not before starts) is owed once per log and is
paid in the first scan a rule makes of it (``checks``/``settle``: the rule's aggregate query
carries the checks' counts), or by one scan of its own (``ensure_valid``) for a rule that does
not fold them in and for logs no rule reads. Offending rows are located by a second, targeted
scan only when a check fails. Parquet is scanned with projection and filter pushdown; CSV is
read with its columns declared, so nothing is sniffed. See docs/performance.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    row_count: int | None  # known once the log is validated
    columns: list[str]
    format: str
    extra: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # timestamp columns with a _bad_ flag
    validated: bool = False
    reads: int = 0  # rule scans so far (see LogStore._read_again)
    store: Any = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> int:
        """Data rows of the log; asking before any rule has scanned it validates it (a scan)."""
        if self.row_count is None and self.store is not None:
            self.store.ensure_valid(self.name)
        return self.row_count or 0


class LogStore:
    """The run's DuckDB connection and the logs loaded into it."""

    def __init__(self, timezone: str | None = None, memory_limit: str | None = None,
                 temp_directory: str | None = None, threads: int | None = None,
                 progress: Any = None, unique_ids: str = "judged") -> None:
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
        # "judged": ids unique among the events each rule judges (what figures need);
        # "log": also across the whole log, one more distinct count per log (docs/performance.md)
        self.unique_ids = unique_ids
        self.progress = progress  # audit.progress.TerminalProgress or None
        # DuckDB's own bar prints to standard output on long queries, into a JSON report;
        # ours (audit.progress) draws on standard error from query_progress() instead.
        self.con.execute("SET enable_progress_bar_print = false")
        self.con.execute(f"SET enable_progress_bar = {progress is not None}")
        self.logs: dict[str, LogInfo] = {}
        self.keep_alive: Any = None  # whatever owns files the views read (e.g. unzipped parts)
        # data-lake locations read (Spark only): the files listed for each, by location
        self.listings: dict[tuple[str, ...], list[str]] = {}

    # -- queries --------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.logs

    def path_of(self, name: str) -> str:
        return self.logs[name].path

    def table(self, name: str) -> str:
        """The log's typed view, validated first (one scan, if no rule has paid it yet)."""
        self.ensure_valid(name)
        self.scan(name, "SELECT 1")  # counts the read; copies a text log read twice
        return self.relation(name)

    def relation(self, name: str) -> str:
        """The log's typed view, unvalidated: for a query that folds in ``checks(name)``."""
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

    def read_source(self, source: Any, display: str) -> str:
        """A relation reading ``source`` (``audit.logs.sources.Source``): for DuckDB, its table
        function; nothing is read yet. ``display`` names the source in a problem."""
        from audit.logs.sources import duckdb_relation

        try:
            return duckdb_relation(source)
        except ValueError as exc:
            raise EvidenceError(problems=[Problem(display, "", str(exc))]) from None

    def check_ready(self) -> None:
        """Raise an ``AuditError`` if this engine can no longer answer queries (DuckDB always
        can while the result is alive)."""

    def format_problem(self, fmt: str) -> str | None:
        """Why this engine cannot read dates in the strptime format ``fmt`` as DuckDB does
        (None: it can; DuckDB's own verdict is given when the mapping is read)."""
        return None

    def source_problem(self, source: Any) -> tuple[str, str] | None:
        """(path, why) when this engine does not read ``source`` at all (DuckDB: lake
        locations and Delta tables), so the caller can say it where it can be fixed."""
        from audit.logs.sources import duckdb_refusal

        return duckdb_refusal(source)

    def query_errors(self) -> tuple[type[BaseException], ...]:
        """What a query over unreadable data raises on this engine."""
        import duckdb

        return (duckdb.Error,)

    def reason(self, exc: BaseException) -> str:
        """An engine error as one line, with the data line where the engine gives one."""
        return _first_line(exc)

    def export_csv(self, sql: str, path: Path) -> None:
        """The rows of ``sql`` as a CSV file with a header (a capped sheet's full list)."""
        self.con.execute(f"COPY ({sql}) TO {literal(str(path))} (FORMAT csv, HEADER true)")

    def has_table(self, name: str) -> bool:
        """Whether a small constant table (a business-day calendar) exists already."""
        row = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                               [name]).fetchone()
        return bool(row and row[0])

    def create_table(self, name: str, columns: dict[str, Sequence[Any]],
                     types: dict[str, str]) -> None:
        """A small constant table from columns of Python values (``types``: SQL types)."""
        cols = ", ".join(f"unnest(?::{types[c]}[]) AS {quote(c)}" for c in columns)
        self.con.execute(f"CREATE TABLE {quote(name)} AS SELECT {cols}", list(columns.values()))

    # -- validation, owed once per log ------------------------------------------------------

    def checks(self, name: str) -> list[str]:
        """Per-row 0/1 terms whose sums validate the log, for a query to fold into its scan.

        Empty once the log is validated. The first term is ``1`` (the sum counts rows); pass
        the sums, in order, to ``settle``. Terms read the view's columns.
        """
        info = self.logs[name]
        if info.validated:
            return []
        spec = KNOWN_LOGS.get(name)
        out = ["1"]
        out += [f"CAST({quote('_bad_' + c)} AS INTEGER)" for c in info.flags]
        if spec and spec.id_column in info.columns:
            out.append(f"CASE WHEN {quote(spec.id_column)} IS NULL THEN 1 ELSE 0 END")
        out += [f"CASE WHEN {quote(e)} < {quote(s)} THEN 1 ELSE 0 END" for s, e in _ordered(info)]
        return out

    def scan(self, name: str, sql: str, rule: bool = True) -> list[tuple[Any, ...]]:
        """Run a query that reads the log's file; a file DuckDB cannot read is bad evidence.

        ``rule``: the query is a rule's measurement (counted for ``_read_again``), not a
        check or a date range.
        """
        import duckdb

        try:
            if rule:
                self._read_again(name)
            if self.progress is not None:
                with self.progress.track(self.con, f"reading {self.logs[name].path}"):
                    return self.con.execute(sql).fetchall()
            return self.con.execute(sql).fetchall()
        except (duckdb.InvalidInputException, duckdb.ConversionException,
                duckdb.IOException) as exc:  # a malformed CSV row, an unreadable file
            raise EvidenceError(problems=[Problem(self.logs[name].path, "", "cannot read log: "
                                                  + _first_line(exc))]) from None

    def _read_again(self, name: str) -> None:
        """A text log (CSV, JSON Lines) read by a second rule is parsed once more into a table.

        One rule over a log costs one scan of its file; parsing a large CSV again for every
        further rule would cost a scan each, so the second reader copies the view's columns
        (typed, flags included) into a table once, and the view then reads that table.
        Parquet is always read in place (a scan of a few columns is cheaper than a copy).
        """
        info = self.logs[name]
        info.reads += 1
        if info.reads < 2 or info.format == "parquet" or info.extra.get("copied"):
            return
        view, copy = self.relation(name), quote(f"_copy_{name}")
        self.con.execute(f"CREATE TABLE {copy} AS SELECT * FROM {view}")
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {copy}")
        info.extra["copied"] = True

    def ensure_valid(self, name: str) -> None:
        """Validate a log not yet validated, in one aggregate scan of the columns checked."""
        checks = self.checks(name)
        if not checks:
            return
        sums = ", ".join(f"coalesce(sum({t}), 0)" for t in checks)
        values = self.scan(name, f"SELECT {sums} FROM {self.relation(name)}", rule=False)[0]
        self.settle(name, [int(v) for v in values])

    def validate_all(self) -> None:
        """Validate every log not yet validated; every problem of every log reported together."""
        problems: list[Problem] = []
        for name in list(self.logs):
            try:
                self.ensure_valid(name)
            except EvidenceError as exc:
                problems.extend(exc.problems)
        if problems:
            raise EvidenceError(problems=problems)

    def settle(self, name: str, values: list[Any] | None,
               duplicates: tuple[int, str] | None = None) -> None:
        """Turn the checks' counts into located problems (raised), or mark the log valid.

        ``values`` are the results of ``checks(name)`` (``None`` when it returned none);
        ``duplicates`` is (count, SQL of the judged rows' ``id`` column) from a rule that
        checks ids are unique among the events it judges.
        """
        info = self.logs[name]
        problems: list[Problem] = []
        display = info.path
        spec = KNOWN_LOGS.get(name)
        counts = list(values or [])
        if counts:
            info.row_count = int(counts.pop(0))
            for col in info.flags:
                count = counts.pop(0)
                if count:
                    from audit.limits import year_range

                    _expr, bad = self._timestamp(quote(col), info.extra["types"][col], display,
                                                 col)
                    expect = (f"an ISO 8601 timestamp in the years {year_range()}"
                              if self.timezone else "an ISO 8601 timestamp with an offset, e.g. "
                              f"2024-05-01T09:30:00+03:00, in the years {year_range()} (or "
                              "declare 'timezone' in platform.yaml)")
                    problems.append(Problem(display, f"column {col}",
                                            f"{count:,} value(s) are not {expect}; first at data "
                                            f"row(s) {self._first_rows(info, bad)}"))
        if (values is not None and self.unique_ids == "log" and spec
                and spec.id_column in info.columns and not (duplicates and duplicates[0])):
            idc = quote(spec.id_column)  # the optional whole-log check, once per log
            whole = self.scan(name, f"SELECT count({idc}) - count(DISTINCT {idc}) FROM "
                                    f"{self.relation(name)}", rule=False)[0][0]
            duplicates = (int(whole), f"SELECT {idc} AS id FROM {self.relation(name)}")
        if duplicates and duplicates[0] and spec:
            shown = ", ".join(f"{d[0]} ({d[1]} times)" for d in self.con.execute(
                f"SELECT id, count(*) FROM ({duplicates[1]}) WHERE id IS NOT NULL GROUP BY id "
                f"HAVING count(*) > 1 ORDER BY id LIMIT {MAX_PROBLEM_ROWS}").fetchall())
            problems.append(Problem(display, f"column {spec.id_column}",
                                    f"{duplicates[0]:,} duplicate id(s), e.g. {shown}"))
        if counts and spec and spec.id_column in info.columns:
            missing = counts.pop(0)
            if missing:
                idc = quote(spec.id_column)
                blank = f"NULLIF(TRIM(CAST({idc} AS VARCHAR)), {literal(chr(32))}) IS NULL"
                problems.append(Problem(display, f"column {spec.id_column}",
                                        f"{missing:,} row(s) without an id; first at data "
                                        f"row(s) {self._first_rows(info, blank)}"))
        for (s, e), count in zip(_ordered(info), counts, strict=False):
            if count:
                cond = f"{self._typed(info, e)} < {self._typed(info, s)}"
                problems.append(Problem(display, f"column {e}",
                                        f"{count:,} row(s) end before {s}; first at data "
                                        f"row(s) {self._first_rows(info, cond)}"))
        if values is not None:
            info.validated = True
        if problems:
            raise EvidenceError(problems=problems)

    # -- loading --------------------------------------------------------------------------

    def load(self, name: str, path: Path, display: str,
             needed: set[str] | None = None, transform: str | None = None,
             reader: str | None = None) -> LogInfo:
        """Register one log file (CSV, Parquet or JSON Lines) as a typed view; read nothing.

        ``needed`` names the columns rules will read; only those (plus the id column and the
        timestamps the table's checks compare) are in the view, so a log with thousands of
        extra columns costs little more than one with seven. ``None`` keeps every column, an
        empty set only what validation reads. ``reader`` is a relation expression to read
        instead of the file (``{source}`` in ``transform`` is replaced by it).
        """
        if name in self.logs:
            raise EvidenceError(problems=[Problem(display, "", f"a second '{name}' log; the "
                                                  f"first is {self.logs[name].path}")])
        from audit.logs.sources import Source

        suffix = path.suffix.lower()
        if reader is not None:
            fmt = suffix.lstrip(".") or "custom"
        elif suffix == ".csv":
            # The header is read here and the dialect given (RFC 4180, UTF-8), so DuckDB does
            # not sniff: a malformed row is then reported with its line number.
            names = _csv_header(path, display)
            reader = self.read_source(Source((str(path),), "csv", header=tuple(names)), display)
            fmt = "csv"
        elif suffix == ".parquet":
            reader = self.read_source(Source((str(path),), "parquet"), display)
            fmt = "parquet"
        elif suffix in (".jsonl", ".ndjson"):
            reader = self.read_source(Source((str(path),), "jsonl"), display)
            fmt = "jsonl"
        else:
            raise EvidenceError(problems=[Problem(display, "", "unsupported log format; use "
                                                  + ", ".join(LOG_SUFFIXES))])
        if transform is not None:
            reader = f"({transform.format(source=reader)})"
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        except self.query_errors() as exc:  # the engine's reason, with a line where it can
            raise EvidenceError(problems=[Problem(display, "", "cannot read log: "
                                                  + self.reason(exc))]) from None
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
        inner: list[str] = []
        outer: list[str] = []
        flags: list[str] = []
        for col in columns:
            q = quote(col)
            ctype = types[col]
            outer.append(q)
            if col.endswith("_at"):
                expr, _bad = self._timestamp(q, ctype, display, col)
                inner.append(f"{expr} AS {q}")
                flag = quote("_bad_" + col)
                if ctype.startswith("TIMESTAMP") or ctype == "DATE":  # typed: years only
                    outer.append(f"({q} IS NOT NULL AND {_outside(q)}) AS {flag}")
                else:  # text: present but unparseable, or outside the years
                    raw = quote("_raw_" + col)
                    inner.append(f"{q if ctype == 'VARCHAR' else f'CAST({q} AS VARCHAR)'} AS {raw}")
                    outer.append(f"({raw} IS NOT NULL AND CASE WHEN {q} IS NULL THEN "
                                 f"trim({raw}) <> '' ELSE {_outside(q)} END) AS {flag}")
                flags.append(col)
            elif ctype == "VARCHAR" and fmt != "csv":  # the CSV reader already gives NULL for ''
                inner.append(f"NULLIF({q}, '') AS {q}")
            elif ctype.endswith("[]") or ctype.startswith("STRUCT") or ctype == "JSON":
                inner.append(f"CAST({q} AS VARCHAR) AS {q}")
            else:
                inner.append(q)
        # A log no rule reads, of a table without known columns: the view still counts rows.
        inner = inner or ["NULL AS _none"]
        outer = outer or ["_none"]
        view = self.relation(name)
        self.con.execute(f"CREATE VIEW {view} AS SELECT {', '.join(outer)} FROM "
                         f"(SELECT {', '.join(inner)} FROM {reader})")
        info = LogInfo(name, display, None, columns, fmt, {"reader": reader, "types": types},
                       flags=flags, store=self)
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

    def _timestamp(self, q: str, ctype: str, display: str, col: str) -> tuple[str, str]:
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
            return q, f"{q} IS NOT NULL AND {_outside(q)}"
        if ctype.startswith("TIMESTAMP") or ctype == "DATE":
            if not self.timezone:
                raise EvidenceError(problems=[Problem(
                    display, f"column {col}", "timestamps have no offset (naive); give them an "
                    "offset or declare the pack's 'timezone' in platform.yaml")])
            expr = f"timezone({literal(self.timezone)}, CAST({q} AS TIMESTAMP))"
            return expr, f"{q} IS NOT NULL AND {_outside(expr)}"
        text = q if ctype == "VARCHAR" else f"CAST({q} AS VARCHAR)"
        cast = f"TRY_CAST({text} AS TIMESTAMPTZ)"
        expr = (f"CASE WHEN {text} LIKE '%+__:__' OR {text} LIKE '%-__:__' THEN {cast} "
                f"WHEN regexp_matches(rtrim({text}), {literal(OFFSET_RE)}) THEN {cast} ")
        if self.timezone:
            expr += f"ELSE timezone({literal(self.timezone)}, TRY_CAST({text} AS TIMESTAMP)) "
        expr += "END"
        return expr, (f"{text} IS NOT NULL AND CASE WHEN ({expr}) IS NULL THEN "
                      f"trim({text}) <> '' ELSE {_outside(expr)} END")

    def _typed(self, info: LogInfo, col: str) -> str:
        expr, _bad = self._timestamp(quote(col), "TEXT", info.path, col)
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


def _outside(expr: str) -> str:
    """SQL: a timestamp outside the accepted years (audit.limits)."""
    from audit.limits import MAX_YEAR, MIN_YEAR

    return (f"NOT (({expr}) >= TIMESTAMPTZ '{MIN_YEAR}-01-01 00:00:00+00' AND ({expr}) < "
            f"TIMESTAMPTZ '{MAX_YEAR + 1}-01-01 00:00:00+00')")


def _ordered(info: LogInfo) -> list[tuple[str, str]]:
    spec = KNOWN_LOGS.get(info.name)
    return [(s, e) for s, e in (spec.ordered if spec else ())
            if s in info.columns and e in info.columns]


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


def _csv_header(path: Path, display: str) -> list[str]:
    import csv

    from audit.limits import MAX_CSV_HEADER_BYTES, MAX_LOG_COLUMNS

    # Only the header line is decoded here (a text-mode read would decode a whole buffer and
    # blame line 1 for a byte in a later row); rows are DuckDB's, see ``first_bad_utf8_line``.
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


NOT_UTF8 = "not UTF-8 text"


def _not_utf8(text: str) -> str:
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


def _first_line(exc: BaseException) -> str:
    """DuckDB's error as one line; CSV structure errors as 'line N: expected X fields, ...'."""
    text = str(exc).strip()
    if "Invalid unicode" in text or "not utf-8 encoded" in text:
        return _not_utf8(text)
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

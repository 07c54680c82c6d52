"""What both engines do alike: logs as typed views, their checks owed once, located problems.

Nothing is read when a log is registered (beyond a CSV header or a Parquet schema).
Validation (timestamps parse, ids present, ends not before starts) is owed once per log and is
paid in the log's one pass, where every planned rule's aggregates are computed together
(``audit.logs.plan``; ``checks``/``settle``: the pass carries the checks' counts), or in the
first scan of a rule that scans alone, or by one scan of its own (``ensure_valid``) for a rule
that does not fold them in and for logs no rule reads. Offending rows are located by a second, targeted
scan only when a check fails. See docs/performance.md.

``LogViews`` holds that logic once; an engine subclasses it and supplies the typed statements
it rests on (``query``, ``scan``, ``describe``, ``create_view``, ``file_order``, ...), each in
its own way. The SQL text is the rules' one dialect, so neither engine can drift from the
other, and neither engine has to recognise a statement from its text.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from audit.engine.base import Connection, Row
from audit.errors import EvidenceError, Problem
from audit.limits import MAX_LOG_COLUMNS, year_range
from audit.logs.sources import Listing, Source
from audit.logs.sql import literal, quote
from audit.logs.tables import KNOWN_LOGS, LOG_SUFFIXES
from audit.logs.views import (
    FILE_COLUMN,
    MAX_PROBLEM_ROWS,
    FileRowsOwed,
    LogInfo,
    check_terms,
    csv_header,
    ordered,
    timestamp_sql,
    typed_view,
)


class LogViews(abc.ABC):
    """The logs of one run as typed views, validated once each; the engine runs the SQL."""

    name: str
    shares_common_tables = True  # see LogEngine.shares_common_tables

    def __init__(self, timezone: str | None, unique_ids: str) -> None:
        self.timezone = timezone
        # "judged": ids unique among the events each rule judges (what figures need);
        # "log": also across the whole log, one more distinct count per log (docs/performance.md)
        self.unique_ids = unique_ids
        self.logs: dict[str, LogInfo] = {}
        self.keep_alive: object | None = None  # whatever owns files the views read
        # data-lake locations and catalog tables read (Spark only): the files listed for each
        self.listings: dict[tuple[str, ...], Listing] = {}

    # -- what each engine runs its own way ------------------------------------------------

    @property
    @abc.abstractmethod
    def con(self) -> Connection:
        """DuckDB SQL in, rows out: for plugins' loaders (docs/plugins/hooks.md)."""

    @abc.abstractmethod
    def view_name(self, name: str) -> str:
        """The unquoted name of the log's view in this engine."""

    @abc.abstractmethod
    def create_view(self, view: str, select: str) -> None:
        """A view named ``view`` (unquoted) over ``select``; nothing is read."""

    @abc.abstractmethod
    def describe(self, select: str) -> list[tuple[str, str]]:
        """(column, DuckDB type name) of each column ``select`` returns; reads a schema only."""

    @abc.abstractmethod
    def query(self, sql: str) -> list[Row]:
        """Every row of ``sql``."""

    @abc.abstractmethod
    def scan(self, name: str, sql: str, rule: bool = True) -> list[Row]:
        """A query that reads the log's file; a file the engine cannot read is bad evidence.

        ``rule``: the query is a rule's measurement (counted), not a check or a date range."""

    @abc.abstractmethod
    def file_order(self) -> AbstractContextManager[None]:
        """While open, ``row_number() OVER ()`` numbers rows in file order."""

    @abc.abstractmethod
    def stream(self, sql: str, batch: int = 2048) -> Iterator[Row]:
        """The rows of ``sql`` in batches, never all in memory."""

    @abc.abstractmethod
    def read_source(self, source: Source, display: str) -> str:
        """A relation reading ``source``; ``display`` names it in a problem."""

    @abc.abstractmethod
    def query_errors(self) -> tuple[type[BaseException], ...]:
        """What a query over unreadable data raises on this engine."""

    @abc.abstractmethod
    def reason(self, exc: BaseException) -> str:
        """An engine error as one line, with the data line where the engine gives one."""

    # -- queries --------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.logs

    def path_of(self, name: str) -> str:
        return self.logs[name].path

    def relation(self, name: str) -> str:
        """The log's typed view, unvalidated: for a query that folds in ``checks(name)``."""
        return quote(self.view_name(name))

    def table(self, name: str) -> str:
        """The log's typed view, validated first (one scan, if no rule has paid it yet)."""
        self.ensure_valid(name)
        self.scan(name, "SELECT 1")  # counts the read (DuckDB copies a text log read twice)
        return self.relation(name)

    def columns(self, name: str) -> list[str]:
        return self.logs[name].columns

    def id_column(self, name: str) -> str | None:
        """The log's event id column, when it is a known table (used to name offending rows)."""
        spec = KNOWN_LOGS.get(name)
        if spec and spec.id_column in self.logs[name].columns:
            return spec.id_column
        return None

    # -- validation, owed once per log ------------------------------------------------------

    def checks(self, name: str) -> list[str]:
        """Per-row 0/1 terms whose sums validate the log, for a query to fold into its scan.

        Empty once the log is validated. The first term is ``1`` (the sum counts rows); pass
        the sums, in order, to ``settle``. Terms read the view's columns.
        """
        return check_terms(self.logs[name])

    def ensure_valid(self, name: str) -> None:
        """Validate a log not yet validated, in one aggregate scan of the columns checked;
        its rows per data file counted in the same scan when it owes them."""
        checks = self.checks(name)
        files = self.file_column(name)
        if files is None:
            if not checks:
                return
            sums = ", ".join(f"coalesce(sum({t}), 0)" for t in checks)
            values = self.scan(name, f"SELECT {sums} FROM {self.relation(name)}", rule=False)[0]
            self.settle(name, [int(v) for v in values])
            return
        sums = "".join(f", coalesce(sum({t}), 0)" for t in checks)  # summed over the files
        rows = self.scan(name, f"SELECT {quote(files)}, count(*){sums} FROM "
                               f"{self.relation(name)} GROUP BY 1", rule=False)
        self.files_counted(name, [(str(r[0]), int(r[1])) for r in rows])
        if checks:
            self.settle(name, [sum(int(r[2 + k]) for r in rows) for k in range(len(checks))])

    # -- rows per data file, owed by a mapped log's first full read --------------------------

    def file_column(self, name: str) -> str | None:
        """The hidden column naming each row's data file while the log owes its rows per file
        (``FileRowsOwed``): the query that reads every row groups by it once, and hands the
        counts to ``files_counted``. None when nothing is owed."""
        owed = self.logs[name].extra.get("file_rows_owed")
        return FILE_COLUMN if isinstance(owed, FileRowsOwed) else None

    def files_counted(self, name: str, counted: Sequence[tuple[str, int]]) -> None:
        """Record the rows read per data file (the row ledger's ``file_rows``), once."""
        info = self.logs[name]
        owed = info.extra.pop("file_rows_owed", None)
        if isinstance(owed, FileRowsOwed):
            info.extra["file_rows"] = [list(pair) for pair in owed.name(counted)]

    def read_failed(self, name: str, exc: BaseException, reason: str) -> EvidenceError:
        """The problem for a scan the engine could not read: ``reason`` at the log, or, for a
        mapped log not read in full yet, at the data file at fault (``FileRowsOwed.locate``)."""
        owed = self.logs[name].extra.get("file_rows_owed")
        if isinstance(owed, FileRowsOwed):
            return owed.locate(exc)
        return EvidenceError(problems=[Problem(self.logs[name].path, "", reason)])

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

    def settle(self, name: str, values: Sequence[int] | None,
               duplicates: tuple[int, str] | None = None, whole: int | None = None) -> None:
        """Turn the checks' counts into located problems (raised), or mark the log valid.

        ``values`` are the results of ``checks(name)`` (``None`` when it returned none);
        ``duplicates`` is (count, SQL of the judged rows' ``id`` column) from a rule that
        checks ids are unique among the events it judges; ``whole`` the log's duplicate ids
        when the scan that counted ``values`` counted them too (``--unique-ids log``),
        else they are counted by a scan of their own.
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
                    _expr, bad = timestamp_sql(quote(col), info.types[col], display, col,
                                               self.timezone)
                    expect = (f"an ISO 8601 timestamp in the years {year_range()}"
                              if self.timezone else "an ISO 8601 timestamp with an offset, e.g. "
                              f"2024-05-01T09:30:00+03:00, in the years {year_range()} (or "
                              "declare 'timezone' in platform.yaml)")
                    problems.append(Problem(display, f"column {col}",
                                            f"{count:,} value(s) are not {expect}; first at data "
                                            f"row(s) {self.first_rows(name, bad)}"))
        if (values is not None and self.unique_ids == "log" and spec
                and spec.id_column in info.columns and not (duplicates and duplicates[0])):
            idc = quote(spec.id_column)  # the optional whole-log check, once per log
            if whole is None:
                whole = self.scan(name, f"SELECT count({idc}) - count(DISTINCT {idc}) FROM "
                                        f"{self.relation(name)}", rule=False)[0][0]
            duplicates = (int(whole), f"SELECT {idc} AS id FROM {self.relation(name)}")
        if duplicates and duplicates[0] and spec:
            shown = ", ".join(f"{d[0]} ({d[1]} times)" for d in self.query(
                f"SELECT id, count(*) FROM ({duplicates[1]}) WHERE id IS NOT NULL GROUP BY id "
                f"HAVING count(*) > 1 ORDER BY id LIMIT {MAX_PROBLEM_ROWS}"))
            problems.append(Problem(display, f"column {spec.id_column}",
                                    f"{duplicates[0]:,} duplicate id(s), e.g. {shown}"))
        if counts and spec and spec.id_column in info.columns:
            missing = counts.pop(0)
            if missing:
                idc = quote(spec.id_column)
                blank = f"NULLIF(TRIM(CAST({idc} AS VARCHAR)), {literal(chr(32))}) IS NULL"
                problems.append(Problem(display, f"column {spec.id_column}",
                                        f"{missing:,} row(s) without an id; first at data "
                                        f"row(s) {self.first_rows(name, blank)}"))
        for (s, e), count in zip(ordered(info), counts, strict=False):
            if count:
                cond = f"{self._typed(info, e)} < {self._typed(info, s)}"
                problems.append(Problem(display, f"column {e}",
                                        f"{count:,} row(s) end before {s}; first at data "
                                        f"row(s) {self.first_rows(name, cond)}"))
        if values is not None:
            info.validated = True
        if problems:
            raise EvidenceError(problems=problems)

    def first_rows(self, name: str, condition: str) -> str:
        """Error path only: rescan the log's file with row numbers to point at the rows where
        ``condition`` (SQL over the raw columns) holds."""
        with self.file_order():
            rows = self.query(
                f"SELECT r FROM (SELECT row_number() OVER () AS r, ({condition}) AS hit "
                f"FROM {self.logs[name].reader}) WHERE hit ORDER BY r LIMIT {MAX_PROBLEM_ROWS}")
        return ", ".join(str(r[0]) for r in rows)

    def _typed(self, info: LogInfo, col: str) -> str:
        expr, _bad = timestamp_sql(quote(col), "TEXT", info.path, col, self.timezone)
        return expr

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
        suffix = path.suffix.lower()
        if reader is not None:
            fmt = suffix.lstrip(".") or "custom"
        elif suffix == ".csv":
            # The header is read here and the dialect given (RFC 4180, UTF-8), so the engine
            # does not sniff: a malformed row is then reported with its line number.
            names = csv_header(path, display)
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
            described = self.describe(f"SELECT * FROM {reader}")
        except self.query_errors() as exc:  # the engine's reason, with a line where it can
            raise EvidenceError(problems=[Problem(display, "", "cannot read log: "
                                                  + self.reason(exc))]) from None
        types = {column: kind.upper() for column, kind in described}
        if len(types) > MAX_LOG_COLUMNS:  # Parquet and JSON Lines: before any data is read
            raise EvidenceError(problems=[Problem(display, "", f"{len(types):,} columns; logs are "
                                                  f"limited to {MAX_LOG_COLUMNS:,}")])
        view = typed_view(name, reader, types, fmt, display, needed, self.timezone)
        self.create_view(self.view_name(name), view.select)
        info = LogInfo(name, display, None, view.columns, fmt,
                       {"reader": reader, "types": types}, flags=view.flags, store=self)
        self.logs[name] = info
        return info

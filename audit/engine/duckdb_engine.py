"""The default engine: an embedded DuckDB reading each log in place, no copy.

A log is a view (``log_<name>``) over its file (``audit/engine/log_views.py`` writes it).
Parquet is scanned with projection and filter pushdown; CSV is read with its columns declared,
so nothing is sniffed. A text log read by a second rule is parsed once more into a table
(``_read_again``). DuckDB itself is imported when the engine starts, so ``import audit``
stays light. See docs/performance.md.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from audit.engine.base import Connection, Row
from audit.engine.duckdb_errors import first_line
from audit.engine.log_views import LogViews
from audit.errors import EvidenceError, Problem, UsageError
from audit.logs.sources import Source, duckdb_refusal, duckdb_relation, source_files
from audit.logs.sql import literal, quote

if TYPE_CHECKING:  # pragma: no cover
    from audit.progress import TerminalProgress

DEFAULT_MEMORY_LIMIT = "768MB"  # peak RSS stays under 1 GiB on a 10M-row log (benchmarks/)


class DuckDBEngine(LogViews):
    """The run's DuckDB connection and the logs loaded into it."""

    name = "duckdb"

    def __init__(self, timezone: str | None = None, memory_limit: str | None = None,
                 temp_directory: str | None = None, threads: int | None = None,
                 progress: TerminalProgress | None = None, unique_ids: str = "judged") -> None:
        import duckdb

        super().__init__(timezone, unique_ids)
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")
        self.memory_limit = memory_limit or DEFAULT_MEMORY_LIMIT
        self._con.execute(f"SET memory_limit = {literal(self.memory_limit)}")
        if not temp_directory:
            # Spill space for logs larger than the memory limit: our own temporary directory
            # (DuckDB's default would create .tmp/ in the working directory), removed on close.
            temp_directory = tempfile.mkdtemp(prefix="audit-duckdb-")
            weakref.finalize(self, shutil.rmtree, temp_directory, True)
        self._con.execute(f"SET temp_directory = {literal(temp_directory)}")
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        # Loading does not need file order (row numbers are recomputed on the error path),
        # and keeping it costs ~20 % of a parallel CSV scan.
        self._con.execute("SET preserve_insertion_order = false")
        self.progress = progress
        # DuckDB's own bar prints to standard output on long queries, into a JSON report;
        # ours (audit.progress) draws on standard error from query_progress() instead.
        self._con.execute("SET enable_progress_bar_print = false")
        self._con.execute(f"SET enable_progress_bar = {progress is not None and progress.bar}")
        # the INT96 columns of each set of Parquet files read (``_int96_instants``): a mapping
        # reads its source several times (with and without file names), the footers once
        self._int96: dict[tuple[str, ...], list[str]] = {}

    @property
    def con(self) -> Connection:
        """The DuckDB connection itself (plugins' loaders run their checks on it)."""
        connection: Connection = self._con
        return connection

    # -- the typed statements the shared log logic rests on --------------------------------

    def view_name(self, name: str) -> str:
        return f"log_{name}"

    def create_view(self, view: str, select: str) -> None:
        self._con.execute(f"CREATE VIEW {quote(view)} AS {select}")

    def describe(self, select: str) -> list[tuple[str, str]]:
        return [(str(row[0]), str(row[1]))
                for row in self._con.execute(f"DESCRIBE {select}").fetchall()]

    def query(self, sql: str) -> list[Row]:
        rows: list[Row] = self._con.execute(sql).fetchall()
        return rows

    @contextlib.contextmanager
    def file_order(self) -> Iterator[None]:
        self._con.execute("SET preserve_insertion_order = true")
        try:
            yield
        finally:
            self._con.execute("SET preserve_insertion_order = false")

    def stream(self, sql: str, batch: int = 2048) -> Iterator[Row]:
        cur = self._con.execute(sql)
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            yield from rows

    def scan(self, name: str, sql: str, rule: bool = True) -> list[Row]:
        """Run a query that reads the log's file; a file DuckDB cannot read is bad evidence.

        ``rule``: the query is a rule's measurement (counted for ``_read_again``), not a
        check or a date range.
        """
        import duckdb

        try:
            if rule:
                self._read_again(name)
            if self.progress is not None:
                with self.progress.track(self._con, f"reading {self.logs[name].path}"):
                    return self.query(sql)
            return self.query(sql)
        except (duckdb.InvalidInputException, duckdb.ConversionException,
                duckdb.IOException) as exc:  # a malformed CSV row, an unreadable file
            raise self.read_failed(name, exc, "cannot read log: " + first_line(exc)) from None
        except duckdb.OutOfMemoryException:
            # what spills (sorts, hash tables) spilled; what cannot (the exact percentiles'
            # values, every rule's at once) did not fit: a limit the runner set, said as one
            raise UsageError(
                f"{self.logs[name].path}: reading this log for its rules needs more memory "
                f"than the DuckDB memory limit of {self.memory_limit} allows (--memory-limit); "
                f"raise it (for example --memory-limit 2GB) or assess fewer modules per run"
            ) from None

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
        self._con.execute(f"CREATE TABLE {copy} AS SELECT * FROM {view}")
        self._con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {copy}")
        info.extra["copied"] = True

    # -- reading, errors, tables -------------------------------------------------------------

    def read_source(self, source: Source, display: str) -> str:
        """A relation reading ``source``: for DuckDB, its table function; nothing is read yet.
        ``display`` names the source in a problem."""
        try:
            relation = duckdb_relation(source)
        except ValueError as exc:
            raise EvidenceError(problems=[Problem(display, "", str(exc))]) from None
        return self._int96_instants(source, relation) if source.format == "parquet" \
            else relation

    def _int96_instants(self, source: Source, relation: str) -> str:
        """Parquet's legacy INT96 timestamps (Spark's and Hive's default) as instants in UTC.

        Spark writes them normalised to UTC and reads them back as instants; DuckDB reads them
        as a TIMESTAMP without a zone, which a mapping or a log's view would then take as a
        local time in the pack's time zone, shifting every event by its offset (and giving
        figures that differ from Spark's on the same table). Only the footers are read."""
        files = tuple(source_files(source))
        instants = self._int96.get(files)
        if instants is None:
            instants = self._int96[files] = self._int96_columns(files, relation)
        if not instants:
            return relation
        replaced = ", ".join(f"timezone('UTC', {quote(c)}) AS {quote(c)}" for c in instants)
        return f"(SELECT * REPLACE ({replaced}) FROM {relation})"

    def _int96_columns(self, files: tuple[str, ...], relation: str) -> list[str]:
        """The top-level columns of ``files`` stored as INT96 that DuckDB reads as TIMESTAMP."""
        import duckdb  # deferred like every DuckDB import here (the CLI's start-up)

        try:
            legacy = {str(row[0]) for row in self._con.execute(
                "SELECT DISTINCT name FROM parquet_schema(["
                + ", ".join(literal(f) for f in files) + "]) WHERE type = 'INT96'").fetchall()}
            columns = self.describe(f"SELECT * FROM {relation}") if legacy else []
        except duckdb.Error:  # an unreadable footer: the read itself names the file
            return []
        return [c for c, kind in columns if c in legacy and kind == "TIMESTAMP"]

    def source_problem(self, source: Source) -> tuple[str, str] | None:
        """(path, why) when DuckDB does not read ``source`` at all (lake locations and Delta
        tables), so the caller can say it where it can be fixed."""
        return duckdb_refusal(source)

    def format_problem(self, fmt: str) -> str | None:
        """None: DuckDB reads every strptime format it accepts (its own verdict is given when
        the mapping is read)."""
        return None

    def check_ready(self) -> None:
        """DuckDB can always answer while the result is alive."""

    def identity(self) -> dict[str, str]:
        import duckdb

        return {"name": "duckdb", "version": duckdb.__version__}

    def query_errors(self) -> tuple[type[BaseException], ...]:
        import duckdb

        return (duckdb.Error,)

    def reason(self, exc: BaseException) -> str:
        return first_line(exc)

    def export_csv(self, sql: str, path: Path) -> None:
        """The rows of ``sql`` as a CSV file with a header (a capped sheet's full list)."""
        self._con.execute(f"COPY ({sql}) TO {literal(str(path))} (FORMAT csv, HEADER true)")

    def has_table(self, name: str) -> bool:
        """Whether a small constant table (a business-day calendar) exists already."""
        row = self._con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                                [name]).fetchone()
        return bool(row and row[0])

    def create_table(self, name: str, columns: dict[str, Sequence[object]],
                     types: dict[str, str]) -> None:
        """A small constant table from columns of Python values (``types``: SQL types)."""
        cols = ", ".join(f"unnest(?::{types[c]}[]) AS {quote(c)}" for c in columns)
        self._con.execute(f"CREATE TABLE {quote(name)} AS SELECT {cols}",
                          list(columns.values()))

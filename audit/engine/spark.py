"""The Spark engine: the rules' own DuckDB SQL, transpiled, over Spark views of the logs.

``SparkEngine`` is a ``LogStore`` whose connection runs each statement on Spark
(``audit/engine/spark_sql.py``): the typed view of a log, its checks, every rule's aggregate
and the offending rows are the same SQL text as on DuckDB, so the two engines cannot drift
apart. Only reading a file is Spark's own (``spark.read``), and a log is never copied:
Spark re-reads Parquet in place and caches nothing it was not asked to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from audit.engine.base import EngineUnavailable
from audit.engine.spark_session import _first_line, start_session
from audit.errors import EvidenceError, Problem
from audit.logs.store import LogInfo, LogStore, quote

# Spark's type names as DuckDB's DESCRIBE gives them, for the typed view's choices
_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE",
          "timestamp_ntz": "TIMESTAMP", "date": "DATE", "boolean": "BOOLEAN",
          "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE", "float": "FLOAT",
          "smallint": "SMALLINT", "tinyint": "TINYINT"}


def _duck_type(spark_type: str) -> str:
    if spark_type.startswith("array"):
        return "VARCHAR[]"
    if spark_type.startswith(("struct", "map")):
        return "STRUCT"
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    return _TYPES.get(spark_type, spark_type.upper())


# DuckDB's table functions: what a log mapping (audit/logs/mapping.py) compiles to
_DUCKDB_READER = re.compile(r"(?i)\bread_(csv|csv_auto|json|json_auto|ndjson|parquet|text|"
                            r"blob)\s*\(")


class _Cursor:
    """The slice of a DuckDB cursor the store uses, over a Spark DataFrame (or rows)."""

    def __init__(self, frame: Any = None, rows: list[tuple[Any, ...]] | None = None) -> None:
        self._frame = frame
        self._rows: Iterator[Any] | None = iter(rows) if rows is not None else None

    def _iter(self) -> Iterator[Any]:
        if self._rows is None:  # streamed a partition at a time (offending rows)
            self._rows = iter(self._frame.toLocalIterator()) if self._frame is not None \
                else iter(())
        return self._rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._rows is None and self._frame is not None:
            return [tuple(r) for r in self._frame.collect()]  # one job (aggregates)
        return [tuple(r) for r in self._iter()]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = next(self._iter(), None)
        return None if row is None else tuple(row)

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        out = []
        for row in self._iter():
            out.append(tuple(row))
            if len(out) >= size:
                break
        return out


class SparkConnection:
    """Runs the store's DuckDB statements on Spark, transpiled (``spark_sql.to_spark``)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.statements: list[str] = []  # the Spark SQL run, for tests and --debug

    def execute(self, sql: str, params: list[Any] | None = None) -> _Cursor:
        if _stopped(self.session):  # e.g. a notebook stopped it before writing the workbook
            raise EngineUnavailable("the Spark session of this assessment has stopped; assess "
                                    "again on a running session, then write the report")
        if params:
            raise EngineUnavailable("internal: a parameterised statement reached the Spark "
                                    "engine")
        text = sql.strip()
        if _DUCKDB_READER.search(text):
            raise EngineUnavailable(
                "--engine spark cannot run a loader that calls DuckDB's own reader "
                "(read_csv, read_json, ...); the loader should read through "
                "pack.logs.read_source (docs/plugins/hooks.md), or assess with --engine duckdb")
        if re.match(r"(?i)^SET\s", text):
            order = re.match(r"(?i)^SET\s+preserve_insertion_order\s*=\s*(true|false)", text)
            if order:  # the error path numbers rows in file order: no file split in parts
                self._whole_files(order.group(1).lower() == "true")
            return _Cursor()  # other DuckDB settings; the Spark session has its own
        describe = re.match(r"(?i)^DESCRIBE\s+(.*)$", text, re.DOTALL)
        if describe:
            schema = self.session.sql(self.translate(describe.group(1))).schema
            return _Cursor(rows=[(f.name, _duck_type(f.dataType.simpleString()))
                                 for f in schema.fields])
        spark_sql = self.translate(text)
        self.statements.append(spark_sql)
        frame = self.session.sql(spark_sql)
        if re.match(r"(?i)^(CREATE|DROP)\s", text):
            return _Cursor()
        return _Cursor(frame)

    def translate(self, sql: str) -> str:
        """The Spark SQL of one DuckDB statement; a construct without a translation of the
        same meaning is one line saying so."""
        from audit.engine.spark_sql import UntranslatableSQL, to_spark

        try:
            return to_spark(sql)
        except UntranslatableSQL as exc:
            raise EngineUnavailable(f"--engine spark: {exc}") from None

    def _whole_files(self, on: bool) -> None:
        key = "spark.sql.files.maxPartitionBytes"
        if on:
            self._split = self.session.conf.get(key)
            self.session.conf.set(key, str(1 << 40))
        elif getattr(self, "_split", None) is not None:
            self.session.conf.set(key, self._split)
            self._split = None


class SparkEngine(LogStore):
    """Logs as Spark views; the same checks, aggregates and detail queries as DuckDB's."""

    name = "spark"

    def __init__(self, timezone: str | None = None, master: str | None = None,
                 remote: str | None = None, session: Any = None,
                 unique_ids: str = "judged") -> None:
        # LogStore.__init__ opens DuckDB; this engine needs none of it
        self.session = session if session is not None else start_session(master, remote)
        self.spark_con = SparkConnection(self.session)
        self.con = self.spark_con  # type: ignore[assignment]
        self.timezone = timezone
        self.unique_ids = unique_ids
        self.progress = None
        self.logs: dict[str, LogInfo] = {}
        self.keep_alive: Any = None  # as LogStore's: whatever owns files the views read
        self._tables: set[str] = set()
        self._workdir: Path | None = None
        self.listings: dict[tuple[str, ...], list[str]] = {}
        # this run's views: a session may serve several assessments (a notebook's), whose
        # results read their own logs again when a workbook is written
        import uuid

        self._run = uuid.uuid4().hex[:8]

    def relation(self, name: str) -> str:
        """The log's typed view, named for this run (``_audit_<run>_log_<name>``)."""
        return quote(f"_audit_{self._run}_log_{name}")

    def read_source(self, source: Any, display: str) -> str:
        """``source`` as a Spark temporary view (``spark_read``); its schema is read now.

        Local paths are made absolute (a Spark Connect server resolves a relative one against
        its own working directory). A local session finds a missing file when reading; Spark
        Connect plans lazily and finds it when the view is created: both are in one try."""
        from audit.engine.spark_read import UnreadableSource, register

        try:
            view, files = register(self.session, source, self._scratch())
            if source.locations:  # what identifies data this process never reads
                self.listings[tuple(source.locations)] = files
            return view
        except UnreadableSource as exc:
            raise EvidenceError(problems=[Problem(display, "", str(exc))]) from None
        except _spark_errors() as exc:
            raise EvidenceError(problems=[Problem(display, "", "Spark cannot read this log: "
                                                  + self.reason(exc))]) from None

    def export_csv(self, sql: str, path: Path) -> None:
        """The rows streamed a partition at a time into a CSV file, as DuckDB's ``COPY``
        writes it (header, empty for NULL, quotes only where needed)."""
        import csv

        self.check_ready()  # a stopped session is said before a file is opened
        frame = self.session.sql(self.spark_con.translate(sql))
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(frame.columns)
            for row in frame.toLocalIterator():
                out.writerow(["" if v is None else v for v in row])

    def check_ready(self) -> None:
        self.spark_con.execute("SELECT 1")  # says so in one line if the session has stopped

    def source_problem(self, source: Any) -> tuple[str, str] | None:
        return None  # Spark reads every kind of source (a Delta table with the cluster's reader)

    def format_problem(self, fmt: str) -> str | None:
        from audit.engine.spark_sql import UntranslatableSQL, parse_pattern

        try:
            parse_pattern(fmt)
        except UntranslatableSQL as exc:
            return f"--engine spark: {exc}"
        return None

    def query_errors(self) -> tuple[type[BaseException], ...]:
        return _spark_errors()

    def reason(self, exc: BaseException) -> str:
        return _first_line(_cause(exc))

    def _scratch(self) -> Path:
        """A temporary folder for copies Spark needs (CSV without its skipped lines)."""
        if self._workdir is None:
            import shutil
            import tempfile
            import weakref

            self._workdir = Path(tempfile.mkdtemp(prefix="audit-spark-"))
            weakref.finalize(self, shutil.rmtree, self._workdir, True)
        return self._workdir

    def scan(self, name: str, sql: str, rule: bool = True) -> list[tuple[Any, ...]]:
        """A rule's aggregate on Spark; a file Spark cannot read is bad evidence."""
        try:
            if rule:
                self.logs[name].reads += 1
            return self.con.execute(sql).fetchall()
        except _spark_errors() as exc:
            raise EvidenceError(problems=[Problem(self.logs[name].path, "", "Spark cannot "
                                                  "read this log: " + self.reason(exc))]
                                ) from None

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def create_table(self, name: str, columns: dict[str, Sequence[Any]],
                     types: dict[str, str]) -> None:
        from pyspark.sql.types import DateType, StructField, StructType

        kinds = {"DATE": DateType()}
        schema = StructType([StructField(c, kinds[types[c]]) for c in columns])
        rows = list(zip(*columns.values(), strict=True))
        self.session.createDataFrame(rows, schema).createOrReplaceTempView(name)
        self._tables.add(name)


def _stopped(session: Any) -> bool:
    """Whether a session can no longer run queries (a local one's context is gone, or a
    Connect session was released)."""
    if getattr(session, "is_stopped", False) is True:
        return True
    context = getattr(session, "_sc", None)
    return context is not None and getattr(context, "_jsc", True) is None


def _spark_errors() -> tuple[type[BaseException], ...]:
    """Errors Spark raises for a query or a read (the JVM's, and PySpark's own)."""
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    return (Py4JJavaError, PySparkException)


def _cause(exc: BaseException) -> BaseException:
    """The reason in a Spark error, without the JVM's stack trace."""
    text = str(exc)
    if "Malformed records are detected" in text:  # the row itself is not repeated
        return Exception("a malformed CSV row (wrong number of fields or an unterminated "
                         "quote); DuckDB names its line: --engine duckdb")
    if "CSV header does not conform to the schema" in text:
        return Exception("its CSV parts have different headers, and Spark matches a "
                         "location's parts by position; give every part the same header")
    if "DATA_SOURCE_NOT_FOUND" in text and "delta" in text.lower():
        return Exception("this Spark has no Delta Lake reader; run on a cluster that has "
                         "it, or start Spark with the delta-spark package (docs/spark.md)")
    causes = re.findall(r"Caused by: ([^\n]*)", text)
    if causes:  # a failed task: the innermost reason, not the stage's
        return Exception(_without_class(causes[-1].strip()))
    for pattern in (r"(\[PATH_NOT_FOUND\][^\n]*)",
                    r"(\[UNABLE_TO_INFER_SCHEMA\][^\n]*)", r"([A-Za-z.]*Exception: [^\n]*)"):
        found = re.search(pattern, text)
        if found:
            return Exception(_without_class(found.group(1)))
    return exc


def _without_class(reason: str) -> str:
    """``java.lang.RuntimeException: x is not a Parquet file`` -> ``x is not a Parquet file``:
    the reader needs the reason, not the JVM's class name."""
    return re.sub(r"^(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error): ", "", reason)

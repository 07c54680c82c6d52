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
from audit.logs.tables import LOG_SUFFIXES

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
        from audit.engine.spark_sql import to_spark

        if params:
            raise EngineUnavailable("internal: a parameterised statement reached the Spark "
                                    "engine")
        text = sql.strip()
        if _DUCKDB_READER.search(text):
            raise EngineUnavailable(
                "--engine spark cannot run log mappings (*.mapping.yaml) or a loader's own "
                "DuckDB reader yet; assess this pack with --engine duckdb (docs/spark.md)")
        if re.match(r"(?i)^SET\s", text):
            return _Cursor()  # DuckDB settings; the Spark session has its own
        describe = re.match(r"(?i)^DESCRIBE\s+(.*)$", text, re.DOTALL)
        if describe:
            schema = self.session.sql(to_spark(describe.group(1))).schema
            return _Cursor(rows=[(f.name, _duck_type(f.dataType.simpleString()))
                                 for f in schema.fields])
        spark_sql = to_spark(text)
        self.statements.append(spark_sql)
        frame = self.session.sql(spark_sql)
        if re.match(r"(?i)^(CREATE|DROP)\s", text):
            return _Cursor()
        return _Cursor(frame)


class SparkEngine(LogStore):
    """Logs as Spark views; the same checks, aggregates and detail queries as DuckDB's."""

    name = "spark"

    def __init__(self, timezone: str | None = None, master: str | None = None,
                 remote: str | None = None, session: Any = None,
                 unique_ids: str = "judged") -> None:
        # LogStore.__init__ opens DuckDB; this engine needs none of it
        self.session = session if session is not None else start_session(master, remote)
        self.con = SparkConnection(self.session)  # type: ignore[assignment]
        self.timezone = timezone
        self.unique_ids = unique_ids
        self.progress = None
        self.logs: dict[str, LogInfo] = {}
        self.keep_alive: Any = None  # as LogStore's: whatever owns files the views read
        self._tables: set[str] = set()

    def load(self, name: str, path: Path, display: str, needed: set[str] | None = None,
             transform: str | None = None, reader: str | None = None) -> LogInfo:
        """Register the file as a Spark view, then the same typed view as on DuckDB."""
        if reader is not None:
            raise EvidenceError(problems=[Problem(display, "", "this log is read through a "
                                                  "mapping or a loader's own DuckDB reader; "
                                                  "assess it with --engine duckdb")])
        source = f"_src_{name}"
        self._register(path, display, source)
        return super().load(name, path, display, needed, transform, reader=quote(source))

    def _register(self, path: Path, display: str, view: str) -> None:
        """The file as a Spark view. The path is absolute: a Spark Connect server resolves a
        relative one against its own working directory. A local session finds a missing file
        when reading; Spark Connect plans lazily and finds it when the view is created, so
        both steps are one try."""
        location = str(path.resolve())
        suffix = path.suffix.lower()
        read = self.session.read
        if suffix not in (".csv", ".parquet", ".jsonl", ".ndjson"):
            raise EvidenceError(problems=[Problem(display, "", "unsupported log format; use "
                                                  + ", ".join(LOG_SUFFIXES))])
        try:
            if suffix == ".csv":
                # every column as text, as DuckDB's declared reader; a malformed row fails
                frame = (read.option("header", True).option("inferSchema", False)
                         .option("mode", "FAILFAST").option("multiLine", True)
                         .option("escape", '"').option("encoding", "UTF-8").csv(location))
            elif suffix == ".parquet":
                frame = read.parquet(location)
            else:
                frame = read.json(location)
            frame.createOrReplaceTempView(view)
        except _spark_errors() as exc:
            raise EvidenceError(problems=[Problem(display, "", "Spark cannot read this log: "
                                                  + _first_line(_cause(exc)))]) from None

    def scan(self, name: str, sql: str, rule: bool = True) -> list[tuple[Any, ...]]:
        """A rule's aggregate on Spark; a file Spark cannot read is bad evidence."""
        try:
            if rule:
                self.logs[name].reads += 1
            return self.con.execute(sql).fetchall()
        except _spark_errors() as exc:
            raise EvidenceError(problems=[Problem(self.logs[name].path, "", "Spark cannot "
                                                  "read this log: "
                                                  + _first_line(_cause(exc)))]) from None

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
    causes = re.findall(r"Caused by: ([^\n]*)", text)
    if causes:  # a failed task: the innermost reason, not the stage's
        return Exception(causes[-1].strip())
    for pattern in (r"(\[PATH_NOT_FOUND\][^\n]*)",
                    r"(\[UNABLE_TO_INFER_SCHEMA\][^\n]*)", r"([A-Za-z.]*Exception: [^\n]*)"):
        found = re.search(pattern, text)
        if found:
            return Exception(found.group(1))
    return exc

"""The Spark engine's connection as plugins use it: DuckDB statements in, Spark rows out.

A plugin's loader checks a file with ``pack.logs.con.execute(sql)`` (docs/plugins/hooks.md),
written in DuckDB's SQL as every query of this tool is. ``SparkConnection`` runs each such
statement on Spark: ``spark_sql.statement`` says from the parsed tree what it is (a query, a
view, a column listing, a DuckDB setting) and gives its Spark SQL; this module only runs it.
The engine's own calls are typed (``audit/engine/spark.py``) and do not come through here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import ContextManager

from audit.engine.base import EngineUnavailable, Row
from audit.engine.spark_session import Frame, Session
from audit.engine.spark_sql import Statement, UntranslatableSQL, duckdb_type, statement


# the run's settings held while a statement is planned and read (``Meaning.held``)
Held = Callable[[], ContextManager[None]]


class Cursor:
    """The rows of one statement: a Spark DataFrame read on demand (under ``held``: the
    settings the figures need), or rows already known."""

    def __init__(self, frame: Frame = None, rows: list[Row] | None = None,
                 held: Held = contextlib.nullcontext) -> None:
        self._frame = frame
        self._held = held
        self._rows: Iterator[Row] | None = iter(rows) if rows is not None else None

    def _streamed(self) -> Iterator[Row]:
        with self._held():  # a partition at a time (offending rows)
            for row in self._frame.toLocalIterator():
                yield tuple(row)

    def _iter(self) -> Iterator[Row]:
        if self._rows is None:
            self._rows = self._streamed() if self._frame is not None else iter(())
        return self._rows

    def fetchall(self) -> list[Row]:
        if self._rows is None and self._frame is not None:
            with self._held():
                return [tuple(r) for r in self._frame.collect()]  # one job (aggregates)
        return list(self._iter())

    def fetchone(self) -> Row | None:
        return next(self._iter(), None)

    def fetchmany(self, size: int = 1) -> list[Row]:
        out = []
        for row in self._iter():
            out.append(row)
            if len(out) >= size:
                break
        return out


class FileOrder:
    """Spark keeps each file in one task while rows are numbered in file order (error paths):
    its split size is raised meanwhile, then given back."""

    KEY = "spark.sql.files.maxPartitionBytes"

    def __init__(self, session: Session) -> None:
        self.session = session
        self._split: str | None = None
        self._on = False

    def whole_files(self, on: bool) -> None:
        if on and not self._on:
            self._split = self.session.conf.get(self.KEY, None)  # None: not set
            self.session.conf.set(self.KEY, str(1 << 40))
            self._on = True
        elif not on and self._on:
            if self._split is None:
                self.session.conf.unset(self.KEY)
            else:
                self.session.conf.set(self.KEY, self._split)
            self._split, self._on = None, False


def stopped(session: Session) -> bool:
    """Whether a session can no longer run queries (a local one's context is gone, or a
    Connect session was released)."""
    if getattr(session, "is_stopped", False) is True:
        return True
    context = getattr(session, "_sc", None)
    return context is not None and getattr(context, "_jsc", True) is None


def check_running(session: Session) -> None:
    """One line, before anything is read, when the session has stopped."""
    if stopped(session):  # e.g. a notebook stopped it before writing the workbook
        raise EngineUnavailable("the Spark session of this assessment has stopped; assess "
                                "again on a running session, then write the report")


def translated(sql: str, approximate: bool = False) -> Statement:
    """The Spark form of one DuckDB statement; a construct without a translation of the
    same meaning is one line saying so."""
    try:
        return statement(sql, approximate)
    except UntranslatableSQL as exc:
        text = str(exc)
        raise EngineUnavailable(text if text.startswith("--engine spark")
                                else f"--engine spark: {text}") from None


def columns_of(session: Session, spark_select: str) -> list[tuple[str, str]]:
    """(column, DuckDB type name) of a Spark SELECT, from its schema (nothing is read)."""
    schema = session.sql(spark_select).schema
    return [(f.name, duckdb_type(f.dataType.simpleString())) for f in schema.fields]


class SparkConnection:
    """Runs DuckDB statements on Spark, translated (``spark_sql.statement``), each under
    ``held``; the views and tables it defines are named in ``made`` (the run drops them)."""

    def __init__(self, session: Session, order: FileOrder | None = None,
                 held: Held = contextlib.nullcontext, approximate: bool = False,
                 made: set[str] | None = None) -> None:
        self.session = session
        self.order = order or FileOrder(session)
        self.held = held
        self.approximate = approximate
        self.made = made if made is not None else set()

    def execute(self, query: str, parameters: list[object] | None = None) -> Cursor:
        check_running(self.session)
        if parameters:
            raise EngineUnavailable("internal: a parameterised statement reached the Spark "
                                    "engine")
        found = translated(query, self.approximate)
        if found.kind == "setting":  # DuckDB's; the Spark session has its own settings
            if found.name == "preserve_insertion_order":
                self.order.whole_files(found.value == "true")
            return Cursor()
        with self.held():  # planned under the run's settings, as it is read
            if found.kind == "describe":
                return Cursor(rows=list(columns_of(self.session, found.spark)))
            frame = self.session.sql(found.spark)
        if found.kind == "define":
            if found.name:
                self.made.add(found.name)
            return Cursor()
        return Cursor(frame, held=self.held)

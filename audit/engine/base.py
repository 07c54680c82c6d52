"""The engine boundary: what rules, mappings and loaders ask of the engine that holds the logs.

Rules (``audit/logs/metrics.py``, ``audit/evaluators/``) write their queries once, in DuckDB's
SQL, and call the few methods below; an engine runs that text over its own view of each log.
DuckDB runs it as written (``audit/engine/duckdb_engine.py``); Spark runs it translated by
SQLGlot (``audit/engine/spark_sql.py``, the one module that knows two dialects). What is not
a query (a view, a column listing, rows numbered in file order) is a typed call here, never a
statement an engine has to recognise. ``audit/engine/conformance.py`` holds both engines to
this Protocol under mypy. See docs/spark.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from audit.errors import AuditError, EvidenceError
from audit.logs.sources import Listing, Source
from audit.logs.views import LogInfo

# A row as an engine returns it: its values are whatever the engine's driver gives (int,
# float, str, date, datetime, Decimal, None), so they stay loosely typed.
Row = tuple[Any, ...]


class EngineUnavailable(AuditError):
    """The engine asked for cannot run here (not installed, no Java, cluster unreachable)."""


class Cursor(Protocol):
    """The rows of one statement run through ``Connection.execute``."""

    def fetchall(self) -> list[Row]: ...

    def fetchone(self) -> Row | None: ...

    def fetchmany(self, size: int = ...) -> list[Row]: ...


class Connection(Protocol):
    """The engine's connection as plugins' loaders use it (``pack.logs.con``,
    ``check_source(con, ...)``, docs/plugins/hooks.md): DuckDB SQL in, rows out."""

    def execute(self, query: str, parameters: list[object] | None = None) -> Cursor: ...


@runtime_checkable
class LogEngine(Protocol):
    """Load/map, validate, aggregate, stream: the calls rules make (docs/performance.md)."""

    name: str
    timezone: str | None
    # the loaded logs by name (columns, rows once validated, what the result records)
    logs: dict[str, LogInfo]
    # data-lake locations read (Spark): the files listed for each, what identifies them
    listings: dict[tuple[str, ...], Listing]
    # whatever owns files the views read (a pack's unpacked zip members): kept alive with it
    keep_alive: object | None
    # a WITH table two branches of one query read is computed once (DuckDB), or each branch
    # reads the log again (Spark): the one-pass plan then shapes its query as one aggregate
    shares_common_tables: bool

    # for plugins' loaders: DuckDB SQL, run (translated) on this engine
    @property
    def con(self) -> Connection: ...

    # read: a relation over files, folders or lake locations, with the engine's own reader
    def read_source(self, source: Source, display: str) -> str: ...

    def source_problem(self, source: Source) -> tuple[str, str] | None: ...

    def format_problem(self, fmt: str) -> str | None: ...

    def describe(self, select: str) -> list[tuple[str, str]]: ...

    # load / map: a typed relation over the file (or a mapped relation); nothing read yet
    def load(self, name: str, path: Path, display: str, needed: set[str] | None = None,
             transform: str | None = None, reader: str | None = None) -> LogInfo: ...

    def has(self, name: str) -> bool: ...

    def path_of(self, name: str) -> str: ...

    def columns(self, name: str) -> list[str]: ...

    def id_column(self, name: str) -> str | None: ...

    def relation(self, name: str) -> str: ...

    def table(self, name: str) -> str: ...

    # validate: per-row 0/1 terms folded into the log's one pass, then located problems
    def checks(self, name: str) -> list[str]: ...

    def settle(self, name: str, values: Sequence[int] | None,
               duplicates: tuple[int, str] | None = None, whole: int | None = None) -> None: ...

    def ensure_valid(self, name: str) -> None: ...

    def validate_all(self) -> None: ...

    def first_rows(self, name: str, condition: str) -> str: ...

    # rows per data file a mapped log owes the row ledger, counted by its first full read
    def file_column(self, name: str) -> str | None: ...

    def files_counted(self, name: str, counted: Sequence[tuple[str, int]]) -> None: ...

    # a scan the engine could not read, as bad evidence (at the data file at fault when known)
    def read_failed(self, name: str, exc: BaseException, reason: str) -> EvidenceError: ...

    # aggregate: one query over a log, its read errors reported as bad evidence
    def scan(self, name: str, sql: str, rule: bool = True) -> list[Row]: ...

    def query(self, sql: str) -> list[Row]: ...

    # rows numbered in file order (error paths): no file split between tasks meanwhile
    def file_order(self) -> AbstractContextManager[None]: ...

    # offending rows: streamed in batches, never materialised; or written as CSV
    def stream(self, sql: str, batch: int = 2048) -> Iterator[Row]: ...

    def export_csv(self, sql: str, path: Path) -> None: ...

    # the engine's errors: which exceptions mean unreadable data, said in one line
    def query_errors(self) -> tuple[type[BaseException], ...]: ...

    def reason(self, exc: BaseException) -> str: ...

    def check_ready(self) -> None: ...

    def identity(self) -> dict[str, str]:
        """The engine's name and version, and for a cluster where it runs (``master`` or
        ``remote``, without secrets): recorded in the result's provenance."""
        ...

    # a small constant table (business-day calendars)
    def has_table(self, name: str) -> bool: ...

    def create_table(self, name: str, columns: dict[str, Sequence[object]],
                     types: dict[str, str]) -> None: ...


def public_url(url: str) -> str:
    """A Spark master or Connect URL without what may be secret: a Connect URL's parameters
    (``sc://host:15002/;token=...``) and any ``user:password@``."""
    bare = re.sub(r"//[^/@;]*@", "//", url.split(";", 1)[0])
    return bare.rstrip("/") if bare.startswith("sc://") else bare

"""The engine boundary: what a rule asks of the engine that holds the logs.

Rules (``audit/logs/metrics.py``, ``audit/evaluators/``) build DuckDB SQL and call the few
methods below; an engine runs that SQL over its own view of each log. DuckDB runs it as
written (``DuckDBEngine`` is the existing ``LogStore``); Spark runs the same text transpiled
(``audit/engine/spark_sql.py``), so there is one definition of each rule's query. See
docs/spark.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from audit.errors import AuditError

ENGINES = ("duckdb", "spark")


class EngineUnavailable(AuditError):
    """The engine asked for cannot run here (not installed, no Java, cluster unreachable)."""


@runtime_checkable
class LogEngine(Protocol):
    """Load/map, validate, aggregate, stream: the calls rules make (docs/performance.md)."""

    timezone: str | None
    # data-lake locations read (Spark): the files listed for each, what identifies them
    listings: dict[tuple[str, ...], list[str]]

    # read: a relation over files, folders or lake locations, with the engine's own reader
    def read_source(self, source: Any, display: str) -> str: ...

    def source_problem(self, source: Any) -> str | None: ...

    def format_problem(self, fmt: str) -> str | None: ...

    # load / map: a typed relation over the file (or a mapped relation); nothing read yet
    def load(self, name: str, path: Path, display: str, needed: set[str] | None = None,
             transform: str | None = None, reader: str | None = None) -> Any: ...

    def has(self, name: str) -> bool: ...

    def path_of(self, name: str) -> str: ...

    def columns(self, name: str) -> list[str]: ...

    def id_column(self, name: str) -> str | None: ...

    def relation(self, name: str) -> str: ...

    def table(self, name: str) -> str: ...

    # validate: per-row 0/1 terms folded into a rule's scan, then located problems
    def checks(self, name: str) -> list[str]: ...

    def settle(self, name: str, values: list[Any] | None,
               duplicates: tuple[int, str] | None = None) -> None: ...

    def ensure_valid(self, name: str) -> None: ...

    def validate_all(self) -> None: ...

    # aggregate: one query over a log, its read errors reported as bad evidence
    def scan(self, name: str, sql: str, rule: bool = True) -> list[tuple[Any, ...]]: ...

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]: ...

    # offending rows: streamed in batches, never materialised; or written as CSV
    def stream(self, sql: str, batch: int = 2048) -> Iterator[tuple[Any, ...]]: ...

    def export_csv(self, sql: str, path: Path) -> None: ...

    # the engine's errors: which exceptions mean unreadable data, said in one line
    def query_errors(self) -> tuple[type[BaseException], ...]: ...

    def reason(self, exc: BaseException) -> str: ...

    def check_ready(self) -> None: ...

    # a small constant table (business-day calendars)
    def has_table(self, name: str) -> bool: ...

    def create_table(self, name: str, columns: dict[str, Sequence[Any]],
                     types: dict[str, str]) -> None: ...


def public_url(url: str) -> str:
    """A Spark master or Connect URL without what may be secret: a Connect URL's parameters
    (``sc://host:15002/;token=...``) and any ``user:password@``."""
    bare = re.sub(r"//[^/@;]*@", "//", url.split(";", 1)[0])
    return bare.rstrip("/") if bare.startswith("sc://") else bare

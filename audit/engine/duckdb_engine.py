"""The default engine: DuckDB in process, through the existing ``LogStore``."""

from __future__ import annotations

from audit.logs.store import LogStore


class DuckDBEngine(LogStore):
    """``LogStore`` is the DuckDB engine; this name is what ``audit.engine`` hands out."""

    name = "duckdb"

"""Engines that run the rules' queries over the logs: DuckDB (default) and Apache Spark."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.engine.base import ENGINES, EngineUnavailable, LogEngine

if TYPE_CHECKING:
    from audit.logs.store import LogStore

__all__ = ["ENGINES", "EngineUnavailable", "LogEngine", "create_engine"]


def create_engine(engine: str = "duckdb", timezone: str | None = None,
                  **options: Any) -> LogStore:
    """The log engine for a run; Spark is imported only when asked for.

    Both engines are ``LogStore``s (Spark's with a transpiling connection), and so satisfy
    ``LogEngine``.

    ``options`` are the engine's own (``LogStore``'s for DuckDB; ``spark_session`` (a running
    session to use), ``spark_master``, ``spark_remote`` and ``unique_ids`` for Spark);
    DuckDB's memory settings mean nothing to Spark and are ignored there.
    """
    if engine == "spark":
        from audit.engine.spark import SparkEngine

        session = options.get("spark_session")
        if session is not None:
            from audit.engine.spark_session import prepare_session

            prepare_session(session)
        return SparkEngine(timezone=timezone, master=options.get("spark_master"),
                           remote=options.get("spark_remote"), session=session,
                           unique_ids=options.get("unique_ids") or "judged")
    if engine != "duckdb":
        raise EngineUnavailable(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    from audit.engine.duckdb_engine import DuckDBEngine

    keep = {k: v for k, v in options.items() if not k.startswith("spark_")}
    return DuckDBEngine(timezone=timezone, **keep)

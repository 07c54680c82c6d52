"""Engines that run the rules' queries over the logs: DuckDB (default) and Apache Spark.

``create_engine`` is the one place an engine is chosen, from the run's ``EngineSettings``;
everything above it holds the result as a ``LogEngine`` (``audit/engine/base.py``).
"""

from __future__ import annotations

from audit.engine.base import EngineUnavailable, LogEngine
from audit.engine.duckdb_engine import DuckDBEngine
from audit.engine.settings import ENGINES, EngineSettings
from audit.progress import TerminalProgress

__all__ = ["ENGINES", "EngineSettings", "EngineUnavailable", "LogEngine", "create_engine"]


def create_engine(settings: EngineSettings | str = "duckdb", timezone: str | None = None,
                  progress: TerminalProgress | None = None) -> LogEngine:
    """The log engine for a run; Spark (PySpark, SQLGlot) is imported only when asked for.

    ``settings`` is the run's engine choice (a bare name, e.g. ``"spark"``, for its defaults).
    DuckDB reads ``memory_limit``, ``temp_directory``; Spark reads ``spark_session`` (a
    running session to use), ``spark_master`` or ``spark_remote``, ``spark_conf`` and
    ``spark_percentiles``; both read ``unique_ids`` and draw ``progress``.
    """
    if isinstance(settings, str):
        settings = EngineSettings(engine=settings)
    if settings.engine == "spark":
        from audit.engine.spark import SparkEngine  # deferred: pyspark, sqlglot

        return SparkEngine(timezone=timezone, master=settings.spark_master,
                           remote=settings.spark_remote, session=settings.spark_session,
                           unique_ids=settings.unique_ids or "judged", conf=settings.conf,
                           percentiles=settings.spark_percentiles, progress=progress)
    if settings.engine != "duckdb":
        raise EngineUnavailable(f"unknown engine '{settings.engine}' "
                                f"(known: {', '.join(ENGINES)})")
    return DuckDBEngine(timezone=timezone, memory_limit=settings.memory_limit,
                        temp_directory=settings.temp_directory, progress=progress,
                        unique_ids=settings.unique_ids)

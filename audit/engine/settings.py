"""Which engine runs the rules, and its settings: one frozen value from the command line (or
the Python API) down to the engine, so no stage passes an untyped bag of options along.

``audit verify`` reads the same value back from the pack (``EvidencePack.engine_settings``) to
name the engine a result was computed on, without a second way of spelling the options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENGINES = ("duckdb", "spark")
UNIQUE_ID_SCOPES = ("judged", "log")


@dataclass(frozen=True)
class EngineSettings:
    """The engine and what it is told. DuckDB reads ``memory_limit`` and ``temp_directory``;
    Spark reads ``spark_master``, ``spark_remote`` or a running ``spark_session``; both read
    ``unique_ids`` (where event ids must be unique: among judged events, or the whole log)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: str | None = None
    unique_ids: str = "judged"
    spark_master: str | None = None
    spark_remote: str | None = None
    # a running SparkSession (a notebook's ``spark``); typed loosely because PySpark is an
    # optional dependency whose classes cannot be named where it is not installed
    spark_session: object | None = field(default=None, compare=False, repr=False)

    @property
    def is_spark(self) -> bool:
        return self.engine == "spark"


# The default: DuckDB with its own memory limit and spill folder (a shared, frozen value)
DEFAULT_ENGINE = EngineSettings()

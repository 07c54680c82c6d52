"""Which engine runs the rules, and its settings: one frozen value from the command line (or
the Python API) down to the engine, so no stage passes an untyped bag of options along.

:func:`settings_for` is the one place the choices are checked and combined; the command line
(``audit.commands.options``) and the Python API (``audit.api``) both call it, naming the
options in their own spelling (``--spark-master`` or ``spark_master``) in its errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from audit.errors import UsageError
from audit.logs.locations import prefix_problem

ENGINES = ("duckdb", "spark")
UNIQUE_ID_SCOPES = ("judged", "log")


@dataclass(frozen=True)
class EngineSettings:
    """The engine and what it is told. DuckDB reads ``memory_limit`` and ``temp_directory``;
    Spark reads ``spark_master``, ``spark_remote`` or a running ``spark_session``; both read
    ``unique_ids`` (where event ids must be unique: among judged events, or the whole log).
    ``allow_locations``: the location prefixes (``s3a://bucket/path/``) under which a pack's
    mapping may name data for Spark to read (:mod:`audit.logs.locations`)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: str | None = None
    unique_ids: str = "judged"
    spark_master: str | None = None
    spark_remote: str | None = None
    # data-lake location prefixes a pack's mapping may name (the runner's, never the pack's)
    allow_locations: tuple[str, ...] = ()
    # a running SparkSession (a notebook's ``spark``); typed loosely because PySpark is an
    # optional dependency whose classes cannot be named where it is not installed
    spark_session: object | None = field(default=None, compare=False, repr=False)

    @property
    def is_spark(self) -> bool:
        return self.engine == "spark"


# The default: DuckDB with its own memory limit and spill folder (a shared, frozen value)
DEFAULT_ENGINE = EngineSettings()


def settings_for(engine: str = "duckdb", *, spark_master: str | None = None,
                 spark_remote: str | None = None, spark_session: object | None = None,
                 memory_limit: str | None = None, temp_directory: str | None = None,
                 unique_ids: str = "judged", allow_locations: Sequence[str] = (),
                 spelling: Callable[[str], str] = lambda name: name) -> EngineSettings:
    """The checked engine settings. ``spelling`` turns a parameter name into the way the
    caller's user typed it (``--spark-master`` on the command line), so the error names it.

    DuckDB's memory limit and spill folder are kept with Spark too: a Spark run still stages
    archives and writes reports on this machine, and ``audit verify`` records what was asked.
    """
    if engine not in ENGINES:
        raise UsageError(f"{spelling('engine')}={engine!r}: expected one of "
                         f"{', '.join(ENGINES)}")
    if unique_ids not in UNIQUE_ID_SCOPES:
        raise UsageError(f"{spelling('unique_ids')}: expected one of "
                         f"{', '.join(UNIQUE_ID_SCOPES)}, got {unique_ids!r}")
    spark_given = [name for name, value in (("spark_master", spark_master),
                                            ("spark_remote", spark_remote),
                                            ("spark_session", spark_session)) if value]
    if engine != "spark" and spark_given:
        raise UsageError(f"{' and '.join(spelling(n) for n in spark_given)} need "
                         f"{spelling('engine')} spark")
    if len(spark_given) > 1:
        raise UsageError(f"give one of {', '.join(spelling(n) for n in spark_given)}, "
                         "not several")
    if isinstance(allow_locations, str):  # one prefix given bare would be split into letters
        allow_locations = [allow_locations]
    for prefix in allow_locations:
        why = prefix_problem(prefix) if isinstance(prefix, str) else "expected text"
        if why:
            raise UsageError(f"{spelling('allow_locations')}: {why}")
    return EngineSettings(engine, memory_limit=memory_limit, temp_directory=temp_directory,
                          unique_ids=unique_ids, spark_master=spark_master,
                          spark_remote=spark_remote, spark_session=spark_session,
                          allow_locations=tuple(dict.fromkeys(allow_locations)))

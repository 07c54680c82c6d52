"""Which engine runs the rules, and its settings: one frozen value from the command line (or
the Python API) down to the engine, so no stage passes an untyped bag of options along.

:func:`settings_for` is the one place the choices are checked and combined; the command line
(``audit.commands.options``) and the Python API (``audit.api``) both call it, naming the
options in their own spelling (``--spark-master`` or ``spark_master``) in its errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from audit.errors import UsageError
from audit.logs.locations import prefix_problem

ENGINES = ("duckdb", "spark")
UNIQUE_ID_SCOPES = ("judged", "log")
PERCENTILE_METHODS = ("exact", "approximate")
# What both engines' figures depend on, set by the Spark engine while its own queries run:
# UTC as DuckDB's connection, casts that give NULL (not an error) on a value that does not
# parse, as DuckDB's TRY_CAST, and a date that does not fit its format NULL (DuckDB's
# try_strptime), never an error asking which parser to use. Not the runner's to change.
MEANING = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false",
           "spark.sql.legacy.timeParserPolicy": "CORRECTED"}
# a Spark setting's name: spark.<part>.<part>... (spark.hadoop.* included)
_SPARK_KEY = re.compile(r"spark(\.[A-Za-z0-9_-]+)+")


@dataclass(frozen=True)
class EngineSettings:
    """The engine and what it is told. DuckDB reads ``memory_limit`` and ``temp_directory``;
    Spark reads ``spark_master``, ``spark_remote`` or a running ``spark_session``; both read
    ``unique_ids`` (where event ids must be unique: among judged events, or the whole log).
    ``allow_locations``: the location prefixes (``s3a://bucket/path/``) under which a pack's
    mapping may name data for Spark to read (:mod:`audit.logs.locations`). ``spark_conf``:
    Spark settings the runner gives (``--spark-conf KEY=VALUE``), in order, over the
    cluster's; ``spark_percentiles``: ``exact`` or ``approximate`` (docs/spark.md)."""

    engine: str = "duckdb"
    memory_limit: str | None = None
    temp_directory: str | None = None
    unique_ids: str = "judged"
    spark_master: str | None = None
    spark_remote: str | None = None
    # data-lake location prefixes a pack's mapping may name (the runner's, never the pack's)
    allow_locations: tuple[str, ...] = ()
    spark_conf: tuple[tuple[str, str], ...] = ()
    spark_percentiles: str = "exact"
    # a running SparkSession (a notebook's ``spark``); typed loosely because PySpark is an
    # optional dependency whose classes cannot be named where it is not installed
    spark_session: object | None = field(default=None, compare=False, repr=False)

    @property
    def is_spark(self) -> bool:
        return self.engine == "spark"

    @property
    def conf(self) -> dict[str, str]:
        """``spark_conf`` as a mapping (a later value of a key replaces an earlier one)."""
        return dict(self.spark_conf)


# The default: DuckDB with its own memory limit and spill folder (a shared, frozen value)
DEFAULT_ENGINE = EngineSettings()


def settings_for(engine: str = "duckdb", *, spark_master: str | None = None,
                 spark_remote: str | None = None, spark_session: object | None = None,
                 memory_limit: str | None = None, temp_directory: str | None = None,
                 unique_ids: str = "judged", allow_locations: Sequence[str] = (),
                 spark_conf: Mapping[str, object] | Sequence[str] = (),
                 spark_percentiles: str = "exact",
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
    conf = spark_pairs(spark_conf, spelling("spark_conf"))
    if spark_percentiles not in PERCENTILE_METHODS:
        raise UsageError(f"{spelling('spark_percentiles')}: expected one of "
                         f"{', '.join(PERCENTILE_METHODS)}, got {spark_percentiles!r}")
    tuned = [name for name, value in (("spark_conf", conf), ("spark_percentiles",
                                      spark_percentiles != "exact")) if value]
    if engine != "spark" and tuned:
        raise UsageError(f"{' and '.join(spelling(n) for n in tuned)} "
                         f"{'need' if len(tuned) > 1 else 'needs'} {spelling('engine')} spark")
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
                          allow_locations=tuple(dict.fromkeys(allow_locations)),
                          spark_conf=conf, spark_percentiles=spark_percentiles)


def spark_pairs(given: Mapping[str, object] | Sequence[str],
                name: str) -> tuple[tuple[str, str], ...]:
    """Spark settings as (key, value) pairs: ``KEY=VALUE`` texts (the command line) or a
    mapping (the Python API). A key is a Spark setting's name (``spark.`` and dotted parts);
    the value is any text, ``=`` included; nothing is checked against Spark's own list, which
    a cluster may extend."""
    if isinstance(given, str):  # one setting given bare would be split into letters
        given = [given]
    items: list[tuple[str, object]] = []
    if isinstance(given, Mapping):
        items = [(str(k), v) for k, v in given.items()]
    else:
        for text in given:
            key, equals, typed = str(text).partition("=")
            if not equals:
                raise UsageError(f"{name} {text!r}: expected KEY=VALUE, e.g. "
                                 "spark.sql.shuffle.partitions=400")
            items.append((key.strip(), typed))
    pairs = []
    for key, value in items:
        if key in MEANING:
            raise UsageError(f"{name} {key}: the run sets it to {MEANING[key]} for its own "
                             "queries, since both engines' figures depend on it")
        if not _SPARK_KEY.fullmatch(key):
            raise UsageError(f"{name} {key!r}: expected a Spark setting's name such as "
                             "spark.sql.shuffle.partitions (spark. and dotted parts)")
        if value is None or isinstance(value, (dict, list, tuple, set)):
            raise UsageError(f"{name} {key}: expected a text, number or true/false value")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if "\n" in text or "\r" in text:
            raise UsageError(f"{name} {key}: a value must be one line")
        pairs.append((key, text))
    return tuple(pairs)

"""Starting (or reaching) Spark: local by default, a cluster master, or Spark Connect.

Everything that can fail before the first query is checked here and reported in one line
that says how to fix it: PySpark or SQLGlot not installed, no Java, a Spark Connect server
that does not answer. Spark's own log output is off (ERROR with ``--debug``), its start-up notes too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audit.engine.base import EngineUnavailable

INSTALL = 'pip install "platform-audit[spark]"'
DEFAULT_MASTER = "local[*]"
# Session settings both engines' figures depend on: UTC as DuckDB's connection, casts that
# give NULL (not an error) on a value that does not parse, as DuckDB's TRY_CAST.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    # a date that does not fit its format is NULL (DuckDB's try_strptime), never an error
    # asking which parser to use
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
}
MEANING = ("spark.sql.session.timeZone", "spark.sql.ansi.enabled",
           "spark.sql.legacy.timeParserPolicy")


def _import_pyspark() -> Any:
    try:
        import pyspark.sql  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        raise EngineUnavailable(f"--engine spark needs PySpark and SQLGlot: {INSTALL}") from None
    from pyspark.sql import SparkSession

    return SparkSession


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


@contextlib.contextmanager
def _quiet_stderr(debug: bool) -> Iterator[None]:
    """The JVM prints its start-up notes (log level, native libraries) to standard error
    before any logging setting applies; they go nowhere unless ``--debug``."""
    if debug:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def start_session(master: str | None = None, remote: str | None = None,
                  conf: dict[str, str] | None = None) -> Any:
    """A Spark session for the run (an existing one with the same master is reused)."""
    SparkSession = _import_pyspark()
    settings = {**SESSION_CONF, **(conf or {})}
    debug = bool(os.environ.get("AUDIT_DEBUG"))
    if remote:
        if not remote.startswith("sc://"):
            raise EngineUnavailable(f"--spark-remote {remote}: expected a Spark Connect URL "
                                    "such as sc://host:15002")
        try:
            import pyspark.sql.connect.session  # noqa: F401  (needs grpcio, pandas, pyarrow)
        except ImportError:
            raise EngineUnavailable('--spark-remote needs the Spark Connect client: pip install '
                                    '"platform-audit[spark-connect]"') from None
        builder = SparkSession.builder.remote(remote)
        for key in MEANING:
            builder = builder.config(key, settings[key])
        try:
            session = builder.getOrCreate()
            session.sql("SELECT 1").collect()  # Connect is lazy: prove the server answers
        except Exception as exc:
            if debug:
                raise
            raise EngineUnavailable(f"cannot reach Spark Connect at {remote}: "
                                    f"{_first_line(exc)}; check the URL and that the server "
                                    "runs (sbin/start-connect-server.sh)") from None
        return session
    if not _java_found():
        raise EngineUnavailable("--engine spark needs Java 17 or newer: apt-get install "
                                "openjdk-17-jre-headless (or set JAVA_HOME)")
    builder = SparkSession.builder.master(master or DEFAULT_MASTER).appName("platform-audit")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        with _quiet_stderr(debug):
            session = builder.getOrCreate()
    except Exception as exc:
        if debug:
            raise
        raise EngineUnavailable(f"cannot start Spark (master {master or DEFAULT_MASTER}): "
                                f"{_first_line(exc)}; check --spark-master and JAVA_HOME") from None
    session.sparkContext.setLogLevel("ERROR" if debug else "OFF")
    for key in MEANING:  # a reused session still computes the same figures
        session.conf.set(key, settings[key])
    return session


def prepare_session(session: Any) -> None:
    """A session the caller already runs (a notebook's ``spark``) gets the settings the
    figures depend on (``MEANING``); they stay set, since detail rows are read from the
    session later, when a workbook is written (docs/spark.md)."""
    for key in MEANING:
        session.conf.set(key, SESSION_CONF[key])

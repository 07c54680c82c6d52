"""Starting (or reaching) Spark: local by default, a cluster master, or Spark Connect.

Everything that can fail before the first query is checked here and reported in one line
that says how to fix it: PySpark or SQLGlot not installed, no Java, a Spark Connect server
that does not answer. Spark's own log output is off (ERROR with ``--debug``), its start-up notes too.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from audit.engine.base import EngineUnavailable, public_url

# PySpark is an optional dependency: its classes (a session, local or Spark Connect, a
# DataFrame, a reader, a Connect client) cannot be named where it is not installed, so they
# stay loosely typed under these names.
Session = Any
Frame = Any
Client = Any

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
# PySpark's Python loggers that print a failed query's JSON record (with the JVM stack trace)
# to standard error before the error is raised; the run reports the error in one line
QUERY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")
# Spark Connect: retries of the first requests (50 ms, x4 each time: about 4 s in all)
PROBE_RETRIES = 4


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


def first_line(exc: BaseException) -> str:
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


@contextlib.contextmanager
def _quiet_warnings(debug: bool) -> Iterator[None]:
    """PySpark's notes on standard error that are not the auditor's business (``--debug``
    shows them): a pandas newer than PySpark was tested with (the spark-connect extra pins
    one it supports), and the Connect client's retries running out."""
    with warnings.catch_warnings():
        if not debug:
            warnings.filterwarnings("ignore", message=r"PySpark does not yet fully support",
                                    category=FutureWarning)
            # the Connect client's note before it raises the error reported instead
            warnings.filterwarnings("ignore", message=r"\[RETRIES_EXCEEDED\]")
        yield


def _connect(remote: str, settings: dict[str, str], debug: bool) -> Session:
    """A new Spark Connect session on the server at ``remote``.

    PySpark's own builder is not used: in a process that already runs a local Spark it
    refuses to connect (``SESSION_ALREADY_EXIST``), and it returns whichever Connect session
    the process made first, whatever its URL. The Connect client's builder makes a session
    for this URL, so each run has its own temporary views on the server.
    """
    if not remote.startswith("sc://"):
        raise EngineUnavailable(f"--spark-remote {public_url(remote)}: expected a Spark Connect URL "
                                "such as sc://host:15002")
    try:
        with _quiet_warnings(debug):  # needs grpcio, pandas, pyarrow
            from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError:
        raise EngineUnavailable('--spark-remote needs the Spark Connect client: pip install '
                                '"platform-audit[spark-connect]"') from None
    with _quiet_warnings(debug):
        # no request sent yet: PySpark 3.5's builder would send the URL as a setting at once,
        # with the client's ten-minute patience, so there the session is made directly
        session = ConnectSession(connection=remote) if not _has_retry_policies() else \
            ConnectSession.builder.remote(remote).create()
    client = session.client
    # The client retries an unreachable server for about ten minutes; the first requests
    # give up after a few seconds instead, later ones (a long scan) keep the client's patience.
    restore = _retry_at_most(client, PROBE_RETRIES)
    try:
        with _quiet_warnings(debug):
            for key in MEANING:
                session.conf.set(key, settings[key])
            session.sql("SELECT 1").collect()  # Connect is lazy: prove the server answers
    except Exception as exc:
        with contextlib.suppress(Exception):
            client.close()  # else its clean-up at exit retries the dead server for minutes
        if debug:
            raise
        raise EngineUnavailable(f"cannot reach Spark Connect at {public_url(remote)}: {_rpc_reason(exc)}; "
                                "check the URL and that the server runs "
                                "(sbin/start-connect-server.sh)") from None
    restore()
    atexit.register(_release_at_exit, client, debug)  # runs before the client's own clean-up
    return session


def _has_retry_policies() -> bool:
    """Whether this PySpark's Connect client takes retry policies (4.x; 3.5 has a dict)."""
    from pyspark.sql.connect.client import SparkConnectClient  # deferred: the Connect extra

    return hasattr(SparkConnectClient, "set_retry_policies")


def _retry_at_most(client: Client, retries: int) -> Callable[[], None]:
    """Make the Connect client retry a request at most ``retries`` times; returns what puts
    its own policy back. PySpark 4 keeps a list of retry policies; 3.5 one dict of settings
    (``_retry_policy``, read on every request), with no setter."""
    if _has_retry_policies():
        from pyspark.sql.connect.client.retries import DefaultPolicy  # PySpark 4 only

        before = client.get_retry_policies()
        client.set_retry_policies([DefaultPolicy(max_retries=retries)] if retries else [])
        return lambda: client.set_retry_policies(before)
    policy: dict[str, Any] = client._retry_policy
    kept = dict(policy)
    policy["max_retries"] = retries
    return lambda: policy.update(kept)


def _release_at_exit(client: Client, debug: bool) -> None:
    """Release the run's session on the server (its temporary views go with it), one try:
    the client's own clean-up at exit retries for minutes if the server went away during the
    run, holding the process; it skips a client that is closed already."""
    _retry_at_most(client, 0)
    with _quiet_warnings(debug), contextlib.suppress(Exception):
        client.release_session()  # PySpark 4 (3.5's client has none)
    with contextlib.suppress(Exception):
        client.close()


def _rpc_reason(exc: BaseException) -> str:
    """A gRPC failure's own reason: its text is a multi-line dump of the call."""
    found = re.search(r'details = "([^"\n]*)"', str(exc))
    return found.group(1)[:300] if found else first_line(exc)


def start_session(master: str | None = None, remote: str | None = None,
                  conf: dict[str, str] | None = None) -> Session:
    """A Spark session for the run: the process's local or cluster session if it has one
    (the settings the figures need applied again), or a new session on a Spark Connect
    server, which gets only those settings (partitions and the like are the server's)."""
    SparkSession = _import_pyspark()
    settings = {**SESSION_CONF, **(conf or {})}
    debug = bool(os.environ.get("AUDIT_DEBUG"))
    for name in QUERY_LOGGERS:  # PySpark 4 logs each failed query, JVM trace and all
        logging.getLogger(name).disabled = not debug
    if remote:
        return _connect(remote, settings, debug)
    if not _java_found():
        raise EngineUnavailable("--engine spark needs Java 17 or newer: apt-get install "
                                "openjdk-17-jre-headless (or set JAVA_HOME)")
    _check_master(master)
    builder = SparkSession.builder.master(master or DEFAULT_MASTER).appName("platform-audit")
    for key, value in settings.items():
        builder = builder.config(key, value)
    # Spark's default catalogue folder is ./spark-warehouse: nothing is stored in it, but an
    # audit must not leave folders where it was run
    builder = builder.config("spark.sql.warehouse.dir", _scratch_warehouse())
    try:
        with _quiet_stderr(debug):
            session = builder.getOrCreate()
    except Exception as exc:
        if debug:
            raise
        raise EngineUnavailable(f"cannot start Spark (master {master or DEFAULT_MASTER}): "
                                f"{first_line(exc)}; check --spark-master and JAVA_HOME") from None
    session.sparkContext.setLogLevel("ERROR" if debug else "OFF")
    for key in MEANING:  # a reused session still computes the same figures
        session.conf.set(key, settings[key])
    return session


def _scratch_warehouse() -> str:
    folder = tempfile.mkdtemp(prefix="audit-spark-warehouse-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _check_master(master: str | None) -> None:
    """A standalone master (spark://host:port[,host:port]) that does not answer is said in a
    second; Spark itself retries for about a minute and then names no reason."""
    if not master or not master.startswith("spark://"):
        return
    reasons = []
    for hostport in master[len("spark://"):].split(","):
        host, _, port = hostport.rpartition(":")
        try:
            with socket.create_connection((host or hostport, int(port or 7077)), timeout=3):
                return
        except (OSError, ValueError) as exc:
            reasons.append(f"{hostport}: {getattr(exc, 'strerror', None) or exc}")
    raise EngineUnavailable(f"cannot reach the Spark master at {master} ({'; '.join(reasons)}); "
                            "check --spark-master and that the master runs")


def prepare_session(session: Session) -> None:
    """A session the caller already runs (a notebook's ``spark``) gets the settings the
    figures depend on (``MEANING``); they stay set, since detail rows are read from the
    session later, when a workbook is written (docs/spark.md)."""
    for key in MEANING:
        session.conf.set(key, SESSION_CONF[key])


def connect_url(session: Session) -> str | None:
    """Where a Spark Connect session runs: its client keeps host and port only on its private
    channel builder (PySpark 3.5 and 4 alike), so this is the one place that reads it."""
    builder = getattr(getattr(session, "client", None), "_builder", None)
    endpoint = getattr(builder, "endpoint", None)
    return f"sc://{endpoint}" if isinstance(endpoint, str) else None


def session_identity(session: Session, remote: str | None = None) -> dict[str, str]:
    """Name, version and place of a running session, for the result's provenance: the master
    of a classic session, the server of a Spark Connect one (whose client keeps its host and
    port only on a private channel builder). URL parameters (a token) are dropped."""
    record = {"name": "spark", "version": str(session.version)}
    if type(session).__module__.startswith("pyspark.sql.connect"):
        remote = remote or connect_url(session)
        if remote:
            record["remote"] = public_url(remote)
            return record
        record["master"] = ""
        return record
    record["master"] = public_url(str(session.sparkContext.master))
    return record

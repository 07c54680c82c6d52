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
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from audit.engine.base import EngineUnavailable, public_url
from audit.engine.spark_master import check_master
from audit.engine.settings import MEANING
from audit.progress import TerminalProgress

# PySpark is an optional dependency: its classes (a session, local or Spark Connect, a
# DataFrame, a reader, a Connect client) cannot be named where it is not installed, so they
# stay loosely typed under these names.
Session = Any
Frame = Any
Client = Any

INSTALL = 'pip install "platform-audit[spark]"'
DEFAULT_MASTER = "local[*]"
# Chosen only where nothing (spark-defaults.conf, --spark-conf) set them, and only for the
# local default master: a laptop's eight shuffle tasks, no web UI on port 4040
LOCAL_DEFAULTS = {"spark.sql.shuffle.partitions": "8", "spark.ui.enabled": "false"}
# Spark's own console bar would draw over the run's progress line (audit/progress.py)
QUIET_DEFAULTS = {"spark.ui.showConsoleProgress": "false"}
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
def _quiet_stderr(debug: bool) -> Iterator[IO[str] | None]:
    """The JVM prints its start-up notes (log level, native libraries) to standard error
    before any logging setting applies; they go nowhere unless ``--debug``. Yields a stream
    on the real standard error meanwhile (None with ``--debug``: it is not redirected)."""
    if debug:
        yield None
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null, \
                open(os.dup(saved), "w", encoding="utf-8", errors="replace") as real:
            os.dup2(null.fileno(), 2)
            yield real
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Starting:
    """What a cluster master's start waits for, said after a few seconds (``progress``):
    Spark gives a new application up to ``spark.scheduler.maxRegisteredResourcesWaitingTime``
    (30 s by default) for executors to join before anything runs, and says nothing."""

    def __init__(self, master: str) -> None:
        self.master = public_url(master)
        self.since = time.monotonic()

    def stalled(self) -> str | None:
        return (f"waiting for executors: Spark is still starting on {self.master} after "
                f"{time.monotonic() - self.since:.0f} s (no executor has given this "
                "application its cores yet; Spark waits up to 30 s for them, "
                "spark.scheduler.maxRegisteredResourcesWaitingTime)")


@contextlib.contextmanager
def interruptible() -> Iterator[list[int]]:
    """Ctrl-C while the JVM is busy surfaces as whichever error the Java bridge makes of it;
    the signal is remembered so the caller can end the run as interrupted (exit 130)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    before = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)
        if callable(before):
            before(signum, frame)  # PySpark's own: cancels the jobs
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, before)


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


def _connect(remote: str, conf: dict[str, str], debug: bool) -> Session:
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
            for key, value in {**MEANING, **conf}.items():
                session.conf.set(key, value)
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
                  conf: dict[str, str] | None = None,
                  progress: TerminalProgress | None = None) -> Session:
    """A Spark session for the run: the process's local or cluster session if it has one, or
    a new session on a Spark Connect server.

    The cluster's settings stand: ``spark-defaults.conf`` (and its ``spark.master`` when
    ``master`` is not given) is Spark's own to apply; ``conf`` (``--spark-conf``) is set over
    it; the tool adds ``LOCAL_DEFAULTS`` only for the local default master, and only the keys
    nothing set, as ``SparkConf`` reports them once the JVM has read its defaults."""
    SparkSession = _import_pyspark()
    conf = dict(conf or {})
    debug = bool(os.environ.get("AUDIT_DEBUG"))
    for name in QUERY_LOGGERS:  # PySpark 4 logs each failed query, JVM trace and all
        logging.getLogger(name).disabled = not debug
    if remote:
        return _connect(remote, conf, debug)
    if not _java_found():
        raise EngineUnavailable("--engine spark needs Java 17 or newer: apt-get install "
                                "openjdk-17-jre-headless (or set JAVA_HOME)")
    check_master(master)
    builder = SparkSession.builder.appName("platform-audit")
    if master:
        builder = builder.master(master)
    try:
        with _quiet_stderr(debug) as real, interruptible() as stopped, \
                contextlib.ExitStack() as notes:
            if progress is not None and master and not master.startswith("local"):
                notes.enter_context(progress.watch(_Starting(master), real
                                                   if progress.stream is sys.stderr else None))
            for key, value in {**conf, **_unset_defaults(master, conf)}.items():
                builder = builder.config(key, value)
            # Spark's default catalogue folder is ./spark-warehouse: nothing is stored in
            # it, but an audit must not leave folders where it was run
            builder = builder.config("spark.sql.warehouse.dir", _scratch_warehouse())
            session = builder.getOrCreate()
    except Exception as exc:
        if stopped:
            raise KeyboardInterrupt from None
        if debug:
            raise
        raise EngineUnavailable(f"cannot start Spark (master {master or DEFAULT_MASTER}): "
                                f"{first_line(exc)}; check --spark-master, --spark-conf and "
                                "JAVA_HOME") from None
    session.sparkContext.setLogLevel("ERROR" if debug else "OFF")
    return session


def _unset_defaults(master: str | None, conf: dict[str, str]) -> dict[str, str]:
    """The tool's own choices for keys nobody set: none for a session the process already
    runs (its settings are its owner's), ``LOCAL_DEFAULTS`` for the local default master."""
    from pyspark import SparkConf, SparkContext

    if SparkContext._active_spark_context is not None:
        return {}
    SparkContext._ensure_initialized()  # the JVM, which reads spark-defaults.conf
    found = SparkConf()  # loadDefaults: the spark.* properties the JVM was started with
    chosen = dict(QUIET_DEFAULTS)
    if not master and found.get("spark.master", DEFAULT_MASTER) == DEFAULT_MASTER:
        chosen.update(LOCAL_DEFAULTS)
    return {k: v for k, v in chosen.items() if k not in conf and not found.contains(k)}


class Meaning:
    """The settings the figures need (``MEANING``), on a session only while the run's own
    statements are planned and run; the session's previous values (or their absence) are put
    back when the outermost of them ends, so a notebook's session keeps its ANSI mode and
    time zone between and after the run's queries. Re-entrant: a detail-row stream that
    stays open while an aggregate runs keeps them set once."""

    def __init__(self, session: Session, always: bool,
                 conf: dict[str, str] | None = None) -> None:
        self.session = session
        self.always = always  # the run's own session: set once, nothing to put back
        # a lent session's: the runner's spark_conf too, under the same rule
        self.settings = {**(conf or {}), **MEANING}
        self._depth = 0
        self._saved: dict[str, str | None] = {}
        if always:
            for key, value in MEANING.items():
                session.conf.set(key, value)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self.always:
            yield
            return
        if self._depth == 0:
            self._saved = {}
            for key, value in self.settings.items():
                before = self.session.conf.get(key, None)  # None: not set in this session
                if before != value:
                    self._saved[key] = before
                    self.session.conf.set(key, value)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.restore()

    def restore(self) -> None:
        for key, before in self._saved.items():
            if before is None:
                self.session.conf.unset(key)
            else:
                self.session.conf.set(key, before)
        self._saved = {}


def _scratch_warehouse() -> str:
    folder = tempfile.mkdtemp(prefix="audit-spark-warehouse-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


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

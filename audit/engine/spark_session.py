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
import struct
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audit.engine.base import EngineUnavailable, public_url
from audit.engine.settings import MEANING

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
    from pyspark.sql.connect.client.retries import DefaultPolicy

    with _quiet_warnings(debug):
        session = ConnectSession.builder.remote(remote).create()  # no request sent yet
    client = session.client
    retries = client.get_retry_policies()
    # The client retries an unreachable server for about ten minutes; the first requests
    # give up after a few seconds instead, later ones (a long scan) keep the client's patience.
    client.set_retry_policies([DefaultPolicy(max_retries=PROBE_RETRIES)])
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
    client.set_retry_policies(retries)
    atexit.register(_release_at_exit, client, debug)  # runs before the client's own clean-up
    return session


def _release_at_exit(client: Client, debug: bool) -> None:
    """Release the run's session on the server (its temporary views go with it), one try:
    the client's own clean-up at exit retries for minutes if the server went away during the
    run, holding the process; it skips a client that is closed already."""
    client.set_retry_policies([])
    with _quiet_warnings(debug), contextlib.suppress(Exception):
        client.release_session()
    with contextlib.suppress(Exception):
        client.close()


def _rpc_reason(exc: BaseException) -> str:
    """A gRPC failure's own reason: its text is a multi-line dump of the call."""
    found = re.search(r'details = "([^"\n]*)"', str(exc))
    return found.group(1)[:300] if found else first_line(exc)


def start_session(master: str | None = None, remote: str | None = None,
                  conf: dict[str, str] | None = None) -> Session:
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
    _check_master(master)
    builder = SparkSession.builder.appName("platform-audit")
    if master:
        builder = builder.master(master)
    try:
        with _quiet_stderr(debug):
            for key, value in {**conf, **_unset_defaults(master, conf)}.items():
                builder = builder.config(key, value)
            # Spark's default catalogue folder is ./spark-warehouse: nothing is stored in
            # it, but an audit must not leave folders where it was run
            builder = builder.config("spark.sql.warehouse.dir", _scratch_warehouse())
            session = builder.getOrCreate()
    except Exception as exc:
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


def _check_master(master: str | None) -> None:
    """A standalone master (spark://host:port[,host:port]) that does not answer, or a port
    that answers but is not a Spark master (its web UI, another service), is said in a few
    seconds; Spark itself retries for about a minute and then names no reason."""
    if not master or not master.startswith("spark://"):
        return
    reasons = []
    for hostport in master[len("spark://"):].split(","):
        host, _, port = hostport.rpartition(":")
        try:
            why = _not_spark_rpc(host or hostport, int(port or 7077))
        except (OSError, ValueError) as exc:
            reasons.append(f"{hostport}: {getattr(exc, 'strerror', None) or exc}")
            continue
        if why is None:
            return
        reasons.append(f"{hostport} answers but is not a Spark master: {why}")
    raise EngineUnavailable(f"cannot reach the Spark master at {master} ({'; '.join(reasons)}); "
                            "check --spark-master (a master's RPC port, 7077 by default, not "
                            "its web UI) and that the master runs")


# Spark's RPC frames: length (8 bytes, the frame's own included), type (1 byte), then the
# message; an RPC request carries its id (8 bytes) and its body's size (4 bytes).
_RPC_REQUEST, _RPC_RESPONSE, _RPC_FAILURE = 3, 4, 5
PROBE_SECONDS = 3.0


def _not_spark_rpc(host: str, port: int) -> str | None:
    """Why ``host:port`` is not a Spark RPC server, or None if it is (or may be).

    One RPC request with an empty body: Spark's RPC server answers it with a failure frame
    naming the same request id (it cannot decode the body; the master logs one warning). A
    web server answers HTTP, a silent service nothing. A server that closes the connection
    without a word may be a master that requires authentication first: Spark is left to
    try."""
    body = b"\0\0\0\0"
    message = struct.pack(">bqi", _RPC_REQUEST, 0x61756469, len(body)) + body
    with socket.create_connection((host, port), timeout=PROBE_SECONDS) as sock:
        sock.sendall(struct.pack(">q", 8 + len(message)) + message)
        reply = b""
        try:
            while len(reply) < 17:
                chunk = sock.recv(17 - len(reply))
                if not chunk:
                    break
                reply += chunk
        except TimeoutError:
            if not reply:
                return f"no reply to a Spark RPC request within {PROBE_SECONDS:g} s"
    if not reply:
        return None
    if len(reply) == 17:
        kind, request = struct.unpack(">bq", reply[8:17])
        if kind in (_RPC_RESPONSE, _RPC_FAILURE) and request == 0x61756469:
            return None
    text = reply.split(b"\r\n", 1)[0].decode("ascii", "replace")
    return ("it answered HTTP (a web UI?)" if text.startswith("HTTP/")
            else "its reply is not Spark's RPC")


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

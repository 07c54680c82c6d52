"""The Spark engine: the rules' own DuckDB SQL, translated, over Spark views of the logs.

``SparkEngine`` shares with DuckDB what no dialect touches (``LogViews``: the typed view of a
log, its checks, located problems) and runs each query translated by SQLGlot
(``audit/engine/spark_sql.py``), so the two engines compute every figure from the same SQL
text. Only reading a file is Spark's own (``spark.read``, ``spark_read.py``), and a log is
never copied: Spark re-reads Parquet in place and caches nothing it was not asked to.

A session the engine starts is the run's; a session it is given (a notebook's) is lent: the
settings the figures need (and ``spark_conf``'s) are on it only while the run's statements
are planned and read (``Meaning``), and ``close()`` drops the views and tables the run made
(docs/spark.md, "From a notebook or a job").
"""

from __future__ import annotations

import contextlib
import csv
import re
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from audit.engine.base import Connection, EngineUnavailable, Row
from audit.engine.log_views import LogViews
from audit.engine.spark_connection import (
    FileOrder,
    SparkConnection,
    check_running,
    columns_of,
    translated,
)
from audit.engine.spark_footers import footer_rows, unreadable_part
from audit.engine.spark_progress import StageProgress
from audit.engine.spark_read import Reads, UnreadableSource, register
from audit.engine.spark_session import (
    Frame,
    Meaning,
    Session,
    first_line,
    interruptible,
    session_identity,
    start_session,
)
from audit.engine.spark_sql import ACCURACY, UntranslatableSQL, parse_pattern
from audit.errors import EvidenceError, Problem
from audit.logs.sources import Source
from audit.logs.sql import quote
from audit.progress import TerminalProgress


class SparkEngine(LogViews):
    """Logs as Spark views; the same checks, aggregates and detail queries as DuckDB's."""

    name = "spark"
    # Spark plans each reference to a WITH table as its own scan of the log
    shares_common_tables = False

    def __init__(self, timezone: str | None = None, master: str | None = None,
                 remote: str | None = None, session: Session = None,
                 unique_ids: str = "judged", conf: Mapping[str, str] | None = None,
                 percentiles: str = "exact", progress: TerminalProgress | None = None) -> None:
        super().__init__(timezone, unique_ids)
        conf = dict(conf or {})
        self._own = session is None
        self.session = start_session(master, remote, conf, progress) if self._own else session
        if not self._own:
            _check_modifiable(self.session, conf)
        self._remote = remote
        self.percentiles = percentiles
        # what every report's note states (audit/quality.py): None for exact percentiles
        self.percentile_accuracy = ACCURACY if percentiles == "approximate" else None
        self._meaning = Meaning(self.session, self._own, None if self._own else conf)
        self._order = FileOrder(self.session)
        # what the run made in the session: its views, source views and tables, dropped by
        # close() (a lent session's), or when the engine is collected
        self._made: set[str] = set()
        self._connection = SparkConnection(self.session, self._order, self._meaning.held,
                                           percentiles == "approximate", self._made)
        self._tables: set[str] = set()
        self._workdir: Path | None = None
        self._closed = False
        self.progress = progress
        self._watched = False
        # a classic session's status tracker; a Spark Connect client has none
        classic = not type(self.session).__module__.startswith("pyspark.sql.connect")
        self._stages = StageProgress(self.session) \
            if progress is not None and classic and hasattr(self.session, "sparkContext") \
            else None
        self._reads: Reads = {}  # each source read once: one listing of a lake folder
        # this run's views: a session may serve several assessments (a notebook's), whose
        # results read their own logs again when a workbook is written
        self._run = uuid.uuid4().hex[:8]
        if not self._own:
            self._finalizer = weakref.finalize(self, _drop, self.session, self._made)
            self._finalizer.atexit = False  # at exit the session goes too

    @property
    def con(self) -> Connection:
        """DuckDB statements run on Spark, for plugins' loaders (``SparkConnection``)."""
        return self._connection

    def close(self) -> None:
        """Give a lent session back as it was: the run's views and tables dropped, its
        settings as before. Detail rows cannot be read after it (a workbook is written
        before). A session the engine started is left to the process's end."""
        if self._closed or self._own:
            return
        self._closed = True
        self._meaning.restore()
        self._order.whole_files(False)
        self._finalizer()

    # -- the typed statements the shared log logic rests on --------------------------------

    def _frame(self, sql: str) -> Frame:
        """The DataFrame of one DuckDB query, translated; nothing is read yet. Called under
        ``_meaning.held()``: the settings must hold while it is planned and read."""
        if self._closed:
            raise EngineUnavailable("this assessment was closed (audit.close): its views are "
                                    "gone from the Spark session; assess again, then write "
                                    "the report before closing")
        check_running(self.session)
        spark = translated(sql, self.percentiles == "approximate").spark
        return self.session.sql(spark)

    @contextlib.contextmanager
    def _working(self, label: str | None = None) -> Iterator[None]:
        """The run's settings held; and, with progress, stage progress drawn (``label``) and
        a note when tasks wait for executors."""
        check_running(self.session)  # a stopped session is said before its settings are
        with self._meaning.held(), interruptible() as stopped, contextlib.ExitStack() as stack:
            if self.progress is not None and self._stages is not None and not self._watched:
                self._watched = True  # the outermost block watches (a stream left open)
                stack.callback(setattr, self, "_watched", False)
                stack.enter_context(self.progress.watch(self._stages))
                if label:
                    stack.enter_context(self.progress.track(self._stages, label))
            try:
                yield
            except Exception:
                if stopped:  # Ctrl-C, whatever error the Java bridge made of it
                    raise KeyboardInterrupt from None
                raise

    def view_name(self, name: str) -> str:
        """The log's view, named for this run (``_audit_<run>_log_<name>``)."""
        return f"_audit_{self._run}_log_{name}"

    def create_view(self, view: str, select: str) -> None:
        with self._working():
            self._frame(f"CREATE VIEW {quote(view)} AS {select}")
        self._made.add(view)

    def describe(self, select: str) -> list[tuple[str, str]]:
        check_running(self.session)
        with self._working():
            return columns_of(self.session, translated(select).spark)

    def query(self, sql: str) -> list[Row]:
        with self._working():
            return [tuple(r) for r in self._frame(sql).collect()]  # one job (aggregates)

    @contextlib.contextmanager
    def file_order(self) -> Iterator[None]:
        """Each file in one task, so ``row_number() OVER ()`` follows the file's rows."""
        self._order.whole_files(True)
        try:
            yield
        finally:
            self._order.whole_files(False)

    def stream(self, sql: str, batch: int = 2048) -> Iterator[Row]:
        """A partition at a time (``toLocalIterator``): never the whole list in memory. The
        run's settings hold until the stream ends or is closed."""
        with self._working():
            for row in self._frame(sql).toLocalIterator():
                yield tuple(row)

    def file_column(self, name: str) -> str | None:
        """The hidden file column while the log owes its rows per file; none when every file
        it reads is Parquet: each footer's row count settles the debt now (``footer_rows``),
        so the pass is one global aggregate with no row paired with a per-file count."""
        column = super().file_column(name)
        if column is None:
            return None
        with self._working():
            counted = footer_rows(self.session, self.session.table(self.view_name(name)))
        if counted is None:
            return column
        self.files_counted(name, counted)
        return None

    def scan(self, name: str, sql: str, rule: bool = True) -> list[Row]:
        """A rule's aggregate on Spark; a file Spark cannot read is bad evidence."""
        try:
            if rule:
                self.logs[name].reads += 1
            with self._working(f"reading {self.logs[name].path}"):
                return self.query(sql)
        except _spark_errors() as exc:
            raise self.read_failed(name, exc, "Spark cannot read this log: "
                                   + self.reason(exc)) from None

    # -- reading, errors, tables -------------------------------------------------------------

    def read_source(self, source: Source, display: str) -> str:
        """``source`` as a Spark temporary view (``spark_read``); its schema is read now.

        Local paths are made absolute (a Spark Connect server resolves a relative one against
        its own working directory). A local session finds a missing file when reading; Spark
        Connect plans lazily and finds it when the view is created: both are in one try."""
        try:
            with self._working():
                view, listed = register(self.session, source, self._scratch(), self._reads)
            self._made.add(view.strip('"'))
            if listed is not None:  # what identifies data this process never reads
                self.listings[source.listing_key] = listed
            return view
        except UnreadableSource as exc:
            raise EvidenceError(problems=[Problem(display, "", str(exc))]) from None
        except _spark_errors() as exc:
            part = unreadable_part(self.session, source)
            raise EvidenceError(problems=[Problem(display, "", "Spark cannot read this log: "
                                                  + self.reason(exc)
                                                  + (f" (part {part!r})" if part else ""))]
                                ) from None

    def source_problem(self, source: Source) -> tuple[str, str] | None:
        return None  # Spark reads every kind of source (a Delta table with the cluster's reader)

    def format_problem(self, fmt: str) -> str | None:
        try:
            parse_pattern(fmt)
        except UntranslatableSQL as exc:
            return f"--engine spark: {exc}"
        return None

    def export_csv(self, sql: str, path: Path) -> None:
        """The rows streamed a partition at a time into a CSV file, as DuckDB's ``COPY``
        writes it (header, empty for NULL, quotes only where needed)."""
        self.check_ready()  # a stopped session is said before a file is opened
        with self._working(), path.open("w", newline="", encoding="utf-8") as fh:
            frame = self._frame(sql)
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(frame.columns)
            for row in frame.toLocalIterator():
                out.writerow(["" if v is None else v for v in row])

    def identity(self) -> dict[str, str]:
        """The session's name, version and place, how percentiles were computed, and the
        shuffle partitions the run's aggregates used (the cluster's or ``--spark-conf``'s)."""
        record = session_identity(self.session, self._remote)
        record["percentiles"] = ("exact" if self.percentiles == "exact" else
                                 f"approximate (percentile_approx, accuracy {ACCURACY}: each "
                                 f"percentile's rank within n/{ACCURACY} of the exact rank, "
                                 "not interpolated)")
        key = "spark.sql.shuffle.partitions"  # a lent session's spark_conf, or its own
        with contextlib.suppress(Exception):  # a stopped session still has an identity
            record["shuffle_partitions"] = str(self._meaning.settings.get(key)
                                               or self.session.conf.get(key))
        return record

    def check_ready(self) -> None:
        """One line if the session has stopped (a notebook's, before writing a workbook)."""
        with self._working():
            self._frame("SELECT 1")

    def query_errors(self) -> tuple[type[BaseException], ...]:
        return _spark_errors()

    def reason(self, exc: BaseException) -> str:
        return first_line(_cause(exc))

    def _scratch(self) -> Path:
        """A temporary folder for copies Spark needs (CSV without its skipped lines)."""
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="audit-spark-"))
            weakref.finalize(self, shutil.rmtree, self._workdir, True)
        return self._workdir

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def create_table(self, name: str, columns: dict[str, Sequence[object]],
                     types: dict[str, str]) -> None:
        from pyspark.sql.types import DateType, StructField, StructType

        kinds = {"DATE": DateType()}
        schema = StructType([StructField(c, kinds[types[c]]) for c in columns])
        rows = list(zip(*columns.values(), strict=True))
        with self._working():
            self.session.createDataFrame(rows, schema).createOrReplaceTempView(name)
        self._tables.add(name)
        self._made.add(name)


def _check_modifiable(session: Session, conf: Mapping[str, str]) -> None:
    """``spark_conf`` on a running session: only settings a session can change (SQL ones);
    a cluster setting (executor memory) is set where the session starts."""
    for key in conf:
        if not session.conf.isModifiable(key):
            raise EngineUnavailable(f"spark_conf {key}: a running session cannot change it; "
                                    "set it where the session is started")


def _drop(session: Session, made: set[str]) -> None:
    """Drop the run's temporary views and tables from a lent session (nothing if it has
    stopped: they went with it)."""
    for name in sorted(made):
        with contextlib.suppress(Exception):
            session.catalog.dropTempView(name)
    made.clear()


def _spark_errors() -> tuple[type[BaseException], ...]:
    """Errors Spark raises for a query or a read (the JVM's, and PySpark's own)."""
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    return (Py4JJavaError, PySparkException)


def _cause(exc: BaseException) -> BaseException:
    """The reason in a Spark error, without the JVM's stack trace."""
    text = str(exc)
    if "Malformed records are detected" in text:  # the row itself is not repeated
        return Exception("a malformed CSV row (wrong number of fields or an unterminated "
                         "quote); DuckDB names its line: --engine duckdb")
    if "CSV header does not conform to the schema" in text:
        return Exception("its CSV parts have different headers, and Spark matches a "
                         "location's parts by position; give every part the same header")
    if "DATA_SOURCE_NOT_FOUND" in text and "delta" in text.lower():
        return Exception("this Spark has no Delta Lake reader; run on a cluster that has "
                         "it, or start Spark with the delta-spark package (docs/spark.md)")
    causes = re.findall(r"Caused by: ([^\n]*)", text)
    if causes:  # a failed task: the innermost reason, not the stage's
        return Exception(_without_class(causes[-1].strip()))
    for pattern in (r"(\[PATH_NOT_FOUND\][^\n]*)",
                    r"(\[UNABLE_TO_INFER_SCHEMA\][^\n]*)", r"([A-Za-z.]*Exception: [^\n]*)"):
        found = re.search(pattern, text)
        if found:
            return Exception(_without_class(found.group(1)))
    return exc


def _without_class(reason: str) -> str:
    """``java.lang.RuntimeException: x is not a Parquet file`` -> ``x is not a Parquet file``:
    the reader needs the reason, not the JVM's class name."""
    return re.sub(r"^(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error): ", "", reason)

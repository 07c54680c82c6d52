"""Spark's reading of a ``Source``: local files, folders and data-lake locations as a view.

The DuckDB engine reads a ``Source`` with a table function (``audit.logs.sources``); Spark
with ``spark.read``, whose options are chosen to give the same rows and the same text values:

- CSV: a header, every value as text, RFC 4180 quoting, a malformed row fails the read
  (``FAILFAST``), ``multiLine`` for quoted line breaks (which also keeps each file in one task,
  so rows keep their file order). A header shared by every file is declared (as on DuckDB);
  files with different headers are read one by one and stacked by column name.
- Parquet in place (schemas merged by name); JSON Lines; a JSON document (an array of
  records or one object) as ``multiLine`` JSON; a Delta table through Spark's Delta Lake
  reader (the cluster's ``delta-spark``).
- ``records``: the list at that dotted path, one row per element, its fields as columns.
- ``skip`` (lines before a CSV header): a local file is copied without them into the run's
  temporary folder (Spark's CSV reader cannot skip lines); a data-lake file cannot be.

A folder (or a lake location naming one) is read whole, with ``key=value`` sub-folders as
partition columns, as DuckDB's ``hive_partitioning`` does.
"""

from __future__ import annotations

import gzip
import itertools
import re
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit.engine.spark_session import Frame, Session
from audit.logs.sources import SUFFIXES, ListedFile, Listing, Source, folder_files, is_location
from audit.logs.sql import quote

_VIEWS = itertools.count(1)


class UnreadableSource(ValueError):
    """Spark cannot read a path of the source; the message says which and why."""


def spark_path(path: str) -> str:
    """A local path as Spark reads it (absolute); a location as given."""
    return path if is_location(path) else str(Path(path).resolve())


# frames this run read, by source without its ``filename`` column and records path
Reads = dict[Source, Frame]


def read_frame(session: Session, source: Source, scratch: Path | None = None,
               reads: Reads | None = None) -> Frame:
    """The DataFrame of ``source``; schema errors surface here, row errors when it is read.

    ``reads``: what this run read already. The same data read again with its ``filename``
    column (the mapping's per-file scan, or its view when the pass counts rows per file) is
    taken from the first read, so Spark lists the folder once: a lake's listing is requests
    to its store, and two listings could differ. CSV names each file's rows before its files
    are stacked (``_csv``), in a hidden column the first read keeps for the second."""
    fmt = source.format
    key = replace(source, with_file=False, records=None)
    frame = (reads or {}).get(key)
    if frame is None:
        frame = _read(session, key, scratch)
        if reads is not None:
            reads[key] = frame
    # DataFrame methods and SQL expressions rather than pyspark.sql.functions: the same call
    # on a local session and on Spark Connect
    if fmt == "csv":
        frame = (frame.withColumnRenamed(_CSV_FILE, "filename") if source.with_file
                 else frame.drop(_CSV_FILE))
    elif source.with_file:
        frame = _with_file(frame)
    if source.records:
        keep = ["filename"] if source.with_file else []
        frame = (frame.selectExpr(f"explode({_dotted(source.records)}) AS _r", *keep)
                 .selectExpr("_r.*", *keep))
    return frame


def _read(session: Session, source: Source, scratch: Path | None) -> Frame:
    """``spark.read`` of the source's paths, or its catalog table, as they are."""
    if source.table:
        return _table(session, source)
    paths = [spark_path(p) for p in _skipped(source, scratch)]
    read = _filtered(session.read, source)
    fmt = source.format
    if fmt == "csv":
        return _csv(session, source, paths)
    if fmt == "parquet":
        return read.option("mergeSchema", True).parquet(*paths)
    if fmt == "jsonl":
        return read.json(paths)
    if fmt == "json":
        return read.option("multiLine", True).json(paths)
    if fmt == "delta":
        if len(paths) != 1:
            raise UnreadableSource("a Delta table is one location; give one path per mapping")
        if source.pin:  # Delta's time travel: versionAsOf / timestampAsOf
            read = read.option(f"{source.pin[0]}AsOf", source.pin[1])
        return read.format("delta").load(paths[0])
    raise UnreadableSource(f"unknown format {fmt!r}")


def _table(session: Session, source: Source) -> Frame:
    """A table of the cluster's catalog (Hive metastore, Unity, Glue, Iceberg's or Delta's
    catalog), pinned with SQL's ``VERSION AS OF`` / ``TIMESTAMP AS OF`` when the mapping
    pins it (Delta and Iceberg both take it)."""
    name = ".".join(f"`{part}`" for part in str(source.table).split("."))
    if not source.pin:
        return session.table(name)
    kind, value = source.pin
    pinned = str(int(value)) if kind == "version" else "'" + value.replace("'", "''") + "'"
    return session.sql(f"SELECT * FROM {name} {kind.upper()} AS OF {pinned}")


def register(session: Session, source: Source, scratch: Path | None = None,
             reads: Reads | None = None) -> tuple[str, Listing | None]:
    """``source`` as a temporary view: its name, quoted for SQL, and for a lake location or a
    catalog table the files Spark read (for Delta, those of the version read), with what
    identifies each (:func:`listing`); None for local files, which are hashed instead, and
    for a source this run read already (again with its file names: the same read, listed
    when it was first made)."""
    name = f"_audit_src_{next(_VIEWS)}"
    again = reads is not None and replace(source, with_file=False, records=None) in reads
    frame = read_frame(session, source, scratch, reads)
    frame.createOrReplaceTempView(name)
    found = listing(session, frame, source) if source.listing_key and not again else None
    return quote(name), found


def _csv(session: Session, source: Source, paths: list[str]) -> Frame:
    """CSV as DuckDB reads it: one declared header for files that share it; otherwise each
    file with its own header, stacked by column name (a local folder's files one by one,
    its partition folders kept through ``basePath``). Spark's own folder read would take
    the first file's header for every file, by position; ``enforceSchema`` off makes a
    lake folder whose parts differ an error instead of columns silently swapped."""
    from pyspark.sql.types import StringType, StructField, StructType

    def reader() -> Frame:
        return (_filtered(session.read, source).option("header", True)
                .option("inferSchema", False).option("enforceSchema", False)
                .option("mode", "FAILFAST").option("multiLine", True)
                .option("quote", '"').option("escape", '"').option("sep", source.delimiter)
                .option("encoding", source.encoding))

    if source.header:
        schema = StructType([StructField(n, StringType()) for n in source.header])
        return _with_file(reader().schema(schema).csv(paths), _CSV_FILE)
    parts: list[tuple[str, str | None]] = []
    for path in paths:
        if not is_location(path) and Path(path).is_dir():
            parts += [(spark_path(f), path) for f in folder_files(path, "csv")]
        else:
            parts.append((path, None))
    frames = [(reader().option("basePath", base) if base else reader()).csv(part)
              for part, base in parts]
    # each file's name before stacking: a union has no file metadata of its own
    frames = [_with_file(f, _CSV_FILE) for f in frames]
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionByName(other, allowMissingColumns=True)
    return frame


# CSV's hidden column: the file each row came from, named while the files are read
_CSV_FILE = "_audit_csv_file"


def _with_file(frame: Frame, column: str = "filename") -> Frame:
    """The frame with the file each row came from, as DuckDB's ``filename = true`` (a CSV
    frame's in ``_CSV_FILE``, pruned from a scan that drops it)."""
    return frame.selectExpr("*", f"_metadata.file_path AS {column}")


def _filtered(read: Frame, source: Source) -> Frame:
    """Folders and locations: only files of the format, as DuckDB's folder listing takes
    (``folder_files``): a README beside Parquet parts is not a part. Partition folders are
    still discovered (``pathGlobFilter`` filters file names only)."""
    suffix = SUFFIXES.get(source.format)
    whole = all(is_location(p) or Path(p).is_dir() for p in source.paths)
    return read.option("pathGlobFilter", f"*{suffix}*") if suffix and whole else read


def _dotted(path: str) -> str:
    return ".".join(f"`{p}`" for p in path.split("."))


def _skipped(source: Source, scratch: Path | None) -> list[str]:
    """The source's paths, with a local CSV's first ``skip`` lines dropped into a copy."""
    if not source.skip or source.format != "csv":
        return list(source.paths)
    out: list[str] = []
    for path in source.paths:
        if is_location(path) or Path(path).is_dir():
            raise UnreadableSource(f"{path}: 'skip' needs a local CSV file (Spark's reader "
                                   "cannot skip lines); remove the lines before the header")
        folder = scratch or Path(tempfile.mkdtemp(prefix="audit-spark-"))
        target = folder / f"skipped-{len(out)}-{Path(path).name}"
        opener: Any = gzip.open if path.lower().endswith(".gz") else open
        with opener(path, "rb") as src, opener(target, "wb") as dst:
            for _ in range(source.skip):
                src.readline()
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
        out.append(str(target))
    return out


# -- what identifies data this process never reads --------------------------------------------

CONNECT_NAMES_ONLY = ("none: Spark Connect gives the client file names only (no sizes, times "
                      "or checksums)")
_DELTA_COMMIT = re.compile(r"(\d{20})\.json$")


def listing(session: Session, frame: Frame, source: Source) -> Listing:
    """The files ``frame`` reads, each with its size, modification time and, where the
    filesystem offers one, its ETag or checksum (Hadoop's ``FileSystem`` through the JVM).

    The sizes and times come from the listing Spark made to plan the read (its file index),
    not from a second one; only a reader without such an index (Delta's, a catalog's
    partitions) has each file's status asked for by name. Over Spark Connect the client has
    no JVM: the names alone, and the record says so."""
    jdf = getattr(frame, "_jdf", None)
    version = delta_version(session, source) if source.format == "delta" or source.table \
        else None
    if jdf is None:
        names = sorted(frame.inputFiles())
        return Listing(tuple(ListedFile(n) for n in names), CONNECT_NAMES_ONLY, version)
    conf = session._jsparkSession.sessionState().newHadoopConf()
    jvm = session._jvm
    statuses = indexed(jvm, jdf)
    if statuses is None:
        statuses = []
        for name in sorted(frame.inputFiles()):
            path = jvm.org.apache.hadoop.fs.Path(name)
            statuses.append(path.getFileSystem(conf).getFileStatus(path))
    files, kinds = [], set()
    systems: dict[str, Any] = {}  # one Hadoop FileSystem per scheme and authority
    etags = _etag_source(jvm)
    for status in statuses:
        checksum, kind = _checksum(status, conf, systems, etags)
        kinds.add(kind)
        modified = datetime.fromtimestamp(int(status.getModificationTime()) / 1000, timezone.utc)
        files.append(ListedFile(str(status.getPath().toString()), int(status.getLen()),
                                modified.isoformat(timespec="milliseconds")
                                .replace("+00:00", "Z"), checksum))
    files.sort(key=lambda f: f.path)
    return Listing(tuple(files), "; ".join(sorted(kinds)) or "none: no file", version)


def indexed(jvm: Any, jdf: Any) -> list[Any] | None:
    """The Hadoop ``FileStatus`` of every file the plan reads, from the file index each of
    its relations listed when it was read (``PartitioningAwareFileIndex.allFiles``: no new
    listing); None when a relation has another index (Delta's) or none."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]  # PySpark's, deferred

    listed = jvm.java.lang.Class.forName(
        "org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex")
    leaves = jdf.queryExecution().analyzed().collectLeaves()
    statuses: list[Any] = []
    for i in range(leaves.size()):
        try:
            index = leaves.apply(i).relation().location()
        except Py4JError:  # not a file relation
            return None
        if not listed.isInstance(index):
            return None
        found = index.allFiles()
        statuses += [found.apply(j) for j in range(found.size())]
    return statuses


def _etag_source(jvm: Any) -> Any | None:
    """Hadoop's ``EtagSource`` interface (3.3.5 and later), to ask a status whether it
    carries an ETag without a failed call per file; None on an older Hadoop."""
    from py4j.protocol import Py4JError  # PySpark's, deferred

    try:
        return jvm.java.lang.Class.forName("org.apache.hadoop.fs.EtagSource")
    except Py4JError:
        return None


def _checksum(status: Any, conf: Any, systems: dict[str, Any],
              etags: Any | None) -> tuple[str | None, str]:
    """(checksum, its kind) of one file: an object store's ETag when its status carries one
    (S3A, ABFS), else the filesystem's own checksum (HDFS's MD5 of CRCs); a local disk and
    most object stores by default offer none, and the kind says which filesystem did not.
    ``systems`` keeps each filesystem asked for (one per scheme and authority)."""
    from py4j.protocol import Py4JError  # PySpark's, deferred

    if etags is None or etags.isInstance(status):
        try:
            etag = status.getEtag()
            if etag:
                return str(etag), "ETag"
        except Py4JError:  # not an EtagSource status
            pass
    path = status.getPath()
    uri = path.toUri()
    key = f"{uri.getScheme()}://{uri.getAuthority()}"
    system = systems.get(key)
    if system is None:
        system = systems[key] = path.getFileSystem(conf)
    try:
        found = system.getFileChecksum(path)
    except Py4JError:
        found = None
    if found is None:
        return None, f"none: {system.getClass().getSimpleName()} offers no checksum"
    return bytes(found.getBytes()).hex(), str(found.getAlgorithmName())


def delta_version(session: Session, source: Source) -> int | None:
    """The Delta version read: the pin, or the table's latest commit (its history's first
    row; for a location, the newest commit file in its ``_delta_log``). None when the table
    is not Delta or its history cannot be read."""
    if source.pin and source.pin[0] == "version":
        return int(source.pin[1])
    if source.pin:  # a timestamp: the history says which version it resolved to
        return None
    if source.table:
        from py4j.protocol import Py4JError  # PySpark's
        from pyspark.errors import PySparkException  # deferred: pyspark is an extra

        name = ".".join(f"`{part}`" for part in source.table.split("."))
        try:
            detail = session.sql(f"DESCRIBE DETAIL {name}").collect()
            if not detail or str(detail[0]["format"]).lower() != "delta":
                return None
            return int(session.sql(f"DESCRIBE HISTORY {name} LIMIT 1").collect()[0]["version"])
        except (Py4JError, PySparkException):  # no Delta reader, no history
            return None
    return latest_commit(_delta_log_names(session, source.paths[0]))


def _delta_log_names(session: Session, location: str) -> list[str]:
    """The file names in a Delta location's ``_delta_log`` (classic session: Hadoop's
    ``FileSystem``; a local folder: the disk)."""
    jvm = getattr(session, "_jvm", None)
    if not is_location(location):
        folder = Path(location) / "_delta_log"
        return [f.name for f in folder.iterdir()] if folder.is_dir() else []
    if jvm is None:
        return []
    conf = session._jsparkSession.sessionState().newHadoopConf()
    path = jvm.org.apache.hadoop.fs.Path(location.rstrip("/") + "/_delta_log")
    statuses = path.getFileSystem(conf).listStatus(path)
    return [str(s.getPath().getName()) for s in statuses]


def latest_commit(names: list[str]) -> int | None:
    """The newest version among a ``_delta_log``'s commit files (``00..012.json``)."""
    found = [int(m.group(1)) for m in map(_DELTA_COMMIT.match, names) if m]
    return max(found) if found else None

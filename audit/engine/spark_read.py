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
import tempfile
from pathlib import Path
from typing import Any

from audit.engine.spark_session import Frame, Session
from audit.logs.sources import SUFFIXES, Source, folder_files, is_location
from audit.logs.sql import quote

_VIEWS = itertools.count(1)


class UnreadableSource(ValueError):
    """Spark cannot read a path of the source; the message says which and why."""


def spark_path(path: str) -> str:
    """A local path as Spark reads it (absolute); a location as given."""
    return path if is_location(path) else str(Path(path).resolve())


def read_frame(session: Session, source: Source, scratch: Path | None = None) -> Frame:
    """The DataFrame of ``source``; schema errors surface here, row errors when it is read."""
    paths = [spark_path(p) for p in _skipped(source, scratch)]
    read = _filtered(session.read, source)
    fmt = source.format
    if fmt == "csv":
        frame = _csv(session, source, paths)
    elif fmt == "parquet":
        frame = read.option("mergeSchema", True).parquet(*paths)
    elif fmt == "jsonl":
        frame = read.json(paths)
    elif fmt == "json":
        frame = read.option("multiLine", True).json(paths)
    elif fmt == "delta":
        if len(paths) != 1:
            raise UnreadableSource("a Delta table is one location; give one path per mapping")
        frame = read.format("delta").load(paths[0])
    else:
        raise UnreadableSource(f"unknown format {fmt!r}")
    # SQL expressions rather than pyspark.sql.functions: the same call on a local session and
    # on Spark Connect
    if source.with_file and fmt != "csv":  # CSV adds it per file read (``_csv``)
        frame = _with_file(frame)
    if source.records:
        keep = ["filename"] if source.with_file else []
        frame = (frame.selectExpr(f"explode({_dotted(source.records)}) AS _r", *keep)
                 .selectExpr("_r.*", *keep))
    return frame


def register(session: Session, source: Source, scratch: Path | None = None
             ) -> tuple[str, list[str]]:
    """``source`` as a temporary view: its name, quoted for SQL, and the files Spark lists
    for it (a lake location's parts; for Delta, the files of the version read)."""
    name = f"_audit_src_{next(_VIEWS)}"
    frame = read_frame(session, source, scratch)
    frame.createOrReplaceTempView(name)
    files = sorted(frame.inputFiles()) if source.locations else []
    return quote(name), files


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
        frame = reader().schema(schema).csv(paths)
        return _with_file(frame) if source.with_file else frame
    parts: list[tuple[str, str | None]] = []
    for path in paths:
        if not is_location(path) and Path(path).is_dir():
            parts += [(spark_path(f), path) for f in folder_files(path, "csv")]
        else:
            parts.append((path, None))
    frames = [(reader().option("basePath", base) if base else reader()).csv(part)
              for part, base in parts]
    # each file's name before stacking: a union has no file metadata of its own
    frames = [_with_file(f) for f in frames] if source.with_file else frames
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionByName(other, allowMissingColumns=True)
    return frame


def _with_file(frame: Frame) -> Frame:
    """The frame with the file each row came from, as DuckDB's ``filename = true``."""
    return frame.selectExpr("*", "_metadata.file_path AS filename")


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

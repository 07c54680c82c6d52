"""What an engine reads: data files, folders or data-lake locations, as one raw relation.

A ``Source`` says *what* to read (files, format, CSV dialect, where the records sit in a JSON
document) and nothing about *how*; each engine turns it into a relation its SQL can select
from (``LogEngine.read_source``): DuckDB into a table function (``duckdb_relation`` below),
Spark into a temporary view over ``spark.read`` (``audit/engine/spark_read.py``). The plain
log files of a pack, a log mapping's data (``audit/logs/mapping.py``) and a plugin loader's
file all go through it, so one loader serves both engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from audit.logs.sql import literal, quote

# A data-lake location (s3a://bucket/path, hdfs://host/path, abfss://..., file:///...):
# read by Spark where it lies, never by the audit process.
LOCATION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
SUFFIXES = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl", "parquet": ".parquet"}


def is_location(name: str | Path) -> bool:
    """Whether ``name`` is a URI for Spark (``s3a://...``) rather than a local path."""
    return isinstance(name, str) and bool(LOCATION_RE.match(name))


@dataclass(frozen=True)
class Source:
    """Data to read as one relation; every CSV value is text (types come later, in SQL).

    ``paths`` are local files, local folders (every file of the format below them, with
    ``key=value`` folders as partition columns) or data-lake locations. ``header``: the CSV
    header every file shares, declared to the reader so nothing is sniffed (``None``: match
    columns by name across files). ``records``: the dotted path of the list of records inside
    each JSON document. ``with_file`` adds a ``filename`` column (error paths name the file).
    """

    paths: tuple[str, ...]
    format: str
    delimiter: str = ","
    encoding: str = "utf-8"
    skip: int = 0
    header: tuple[str, ...] | None = None
    records: str | None = None
    with_file: bool = False
    # a table in the Spark cluster's catalog (``catalog.db.table``), read instead of paths
    table: str | None = None
    # a Delta time-travel pin: ("version", "12") or ("timestamp", "2024-06-30 00:00:00")
    pin: tuple[str, str] | None = None

    @property
    def locations(self) -> list[str]:
        return [p for p in self.paths if is_location(p)]

    @property
    def listing_key(self) -> tuple[str, ...]:
        """What the engine's listing of this source is filed under (``LogEngine.listings``):
        its lake locations, or ``table:<name>`` for a catalog table; empty for local files,
        which are hashed instead."""
        return (f"table:{self.table}",) if self.table else tuple(self.locations)

    @property
    def folders(self) -> list[str]:
        return [p for p in self.paths if not is_location(p) and Path(p).is_dir()]


@dataclass(frozen=True)
class ListedFile:
    """One file as the lake's filesystem listed it: what identifies its content without
    reading it. ``size`` and ``modified`` (ISO 8601, UTC) are None where the listing gave
    names only (Spark Connect); ``checksum`` is None where the filesystem offers none."""

    path: str
    size: int | None = None
    modified: str | None = None
    checksum: str | None = None


@dataclass(frozen=True)
class Listing:
    """The files Spark read for a lake location or a catalog table, and how far each
    is identified: ``checksums`` names the kind (``ETag``, the filesystem's checksum
    algorithm) or says why there is none; ``version`` is a Delta table's version read."""

    files: tuple[ListedFile, ...]
    checksums: str
    version: int | None = None


def local_name(reported: str) -> str:
    """A file name as an engine reports it (DuckDB: as given; Spark: a URI such as
    ``file:/tmp/a%20b.csv``), as a local path where it is one."""
    parsed = urlparse(reported)
    return unquote(parsed.path) if parsed.scheme == "file" else reported


def duckdb_refusal(source: Source) -> tuple[str, str] | None:
    """(path, why) when DuckDB does not read ``source``: a data-lake location (s3/hdfs need
    DuckDB extensions this tool does not install; the lake is Spark's) or a Delta table."""
    if source.locations:
        return source.locations[0], ("a data-lake location, which DuckDB does not read "
                                     "(local files only): assess with --engine spark "
                                     "(docs/spark.md)")
    if source.format == "delta":
        return source.paths[0], ("a Delta table, read by Spark's Delta Lake reader: assess "
                                 "with --engine spark (docs/spark.md)")
    return None


def duckdb_relation(source: Source) -> str:
    """The DuckDB table function reading ``source`` (every CSV value as text)."""
    refused = duckdb_refusal(source)
    if refused:
        raise ValueError(refused[1])
    files = source_files(source)
    # one plain file is read as on every log's fast path; several are matched by column name
    names = literal(files[0]) if len(files) == 1 and not source.folders else \
        "[" + ", ".join(literal(f) for f in files) + "]"
    by_name = len(files) > 1 or bool(source.folders)
    hive = ", hive_partitioning = true" if source.folders else ""
    extra = (", filename = true" if source.with_file else "") + hive
    if source.format == "csv":
        dialect = (f"delim = {literal(source.delimiter)}, quote = '\"', escape = '\"', "
                   f"encoding = {literal(source.encoding)}, skip = {int(source.skip)}{extra}")
        if source.header:
            cols = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in source.header)
            rel = (f"read_csv({names}, header = true, auto_detect = false, "
                   f"columns = {{{cols}}}, {dialect})")
        else:  # headers differ between files: match columns by name
            rel = (f"read_csv({names}, header = true, all_varchar = true, "
                   f"union_by_name = true, {dialect})")
    elif source.format == "parquet":
        rel = f"read_parquet({names}{', union_by_name = true' if by_name else ''}{extra})"
    else:
        kind = "newline_delimited" if source.format == "jsonl" else "auto"
        union = ", union_by_name = true" if by_name else ""
        rel = f"read_json({names}, format = {literal(kind)}{union}{extra})"
    if source.records:
        path = ".".join(quote(p) for p in source.records.split("."))
        keep = ", filename" if source.with_file else ""
        rel = f"(SELECT unnest(_r){keep} FROM (SELECT unnest({path}) AS _r{keep} FROM {rel}))"
    return rel


def source_files(source: Source) -> list[str]:
    """The local files DuckDB reads for ``source``: its files, and those of its folders."""
    return [f for p in source.paths for f in folder_files(p, source.format)]


def folder_files(path: str, fmt: str) -> list[str]:
    """A folder is every file of the format below it (parts of a dump, ``key=value``
    partitions), as Spark lists it: names starting with ``.`` or ``_`` are not data
    (``_SUCCESS``, ``.crc`` checksums, ``_delta_log``). A file is itself."""
    folder = Path(path)
    if not folder.is_dir():
        return [path]
    return [str(file) for file in sorted(folder.rglob("*"))
            if file.is_file() and is_data_part(file.relative_to(folder).as_posix(), fmt)]


def is_data_part(relative: str, fmt: str) -> bool:
    """Whether a file below a folder, by its path inside it (``dt=1/part-0.parquet``), is a
    part of the data: no folder or name starting with ``.`` or ``_`` (``_SUCCESS``, ``.crc``
    checksums, ``_delta_log``), and the format's suffix among its name's (``.csv.gz``)."""
    parts = [p for p in relative.split("/") if p]
    return bool(parts) and not any(p.startswith((".", "_")) for p in parts) \
        and SUFFIXES.get(fmt, "") in "".join(PurePosixPath(parts[-1]).suffixes).lower()

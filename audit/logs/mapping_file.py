"""A log mapping file, read and checked: which table it builds and which data files it reads.

A mapping (``logs/<name>.mapping.yaml``, schema in ``audit.schemas.mapping``) names its data
files (globs, parts of a dump, ``.gz``, ``.zip``, folders, data-lake locations) and per
target column how to take it from the data. This module validates the file and resolves its
``files``, reading no data; ``audit/logs/mapping_data.py`` reads the data and
``audit/logs/mapping.py`` compiles the mapping to SQL. Problems name the mapping file and key.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from audit.engine.duckdb_errors import first_line
from audit.errors import EvidenceError, Problem
from audit.logs.filters import check_where
from audit.logs.locations import location_problem, table_problem
from audit.logs.mapping_limits import (gzip_problem, mapping_limit_problems,
                                       mapping_size_problem, selected_files_problem)
from audit.logs.sources import Listing, folder_files, is_location
from audit.logs.views import FileRowsOwed
from audit.schemas.common import PathKey, validate
from audit.schemas.mapping import MAPPING
from audit.yamlio import YamlDocument, YamlProblem, load_yaml

SUFFIX = ".mapping.yaml"
_GLOB = re.compile(r"[*?\[]")
_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".parquet": "parquet"}

# How a pack names a file in messages (``EvidencePack.display``)
DisplayOf = Callable[[Path], str]


def input_error(problem: Problem) -> EvidenceError:
    """The error for one located problem with a user's input (exit status 2)."""
    return EvidenceError(problems=[problem])


@dataclass
class LogMapping:
    """One validated mapping file and the data files it selected."""

    doc: YamlDocument
    path: Path
    sha256: str
    table: str
    files: list[Path]  # local data files, hashed as the log's evidence (folders listed)
    displays: list[str]  # one per entry of ``reads``
    format: str
    reads: list[str] = field(default_factory=list)  # files, folders, lake locations
    staged: list[str] = field(default_factory=list)  # what the engine reads (zips unpacked)
    header: list[str] | None = None  # CSV: the header shared by every file, when it is
    # rows the mapping left out, by reason (``LogInfo.extra["set_aside"]``, the row ledger)
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    # rows read per data file, by display name, when the mapping's scan counted them
    # (``LogInfo.extra["file_rows"]``, the row ledger); None when it did not scan
    file_rows: list[tuple[str, int]] | None = None
    # or, a mapping with nothing to check row by row: those counts left to the log's first
    # full read (``LogInfo.extra["file_rows_owed"]``; audit.logs.views.FileRowsOwed)
    file_rows_owed: FileRowsOwed | None = None
    # table columns the data cannot give, each with the reason (``LogInfo.extra["absent"]``)
    absent: dict[str, str] = field(default_factory=dict)
    catalog_table: str | None = None  # a table of the Spark cluster's catalog, read by name
    pin: tuple[str, str] | None = None  # Delta's ("version", "12") or ("timestamp", ...)

    @property
    def sources(self) -> list[str]:
        return self.staged or self.reads

    @property
    def locations(self) -> list[str]:
        return [r for r in self.reads if is_location(r)]

    @property
    def listing_key(self) -> tuple[str, ...]:
        """Where the engine filed its listing of this mapping's data (``Source.listing_key``)."""
        return (f"table:{self.catalog_table}",) if self.catalog_table else tuple(self.locations)

    @property
    def spec(self) -> Mapping[str, Any]:
        data: Mapping[str, Any] = self.doc.data
        return data

    def problem(self, key: PathKey, message: str) -> EvidenceError:
        return input_error(self.doc.problem(key, message))

    def record(self, listings: Mapping[tuple[str, ...], Listing] | None = None
               ) -> dict[str, Any]:
        """What the result records so the figure can be reproduced.

        A data-lake location or a catalog table is read by Spark where it lies, so this
        process cannot hash its content; it is identified by the files Spark read for it
        (``listings``, from the engine): the SHA-256 of their sorted names, and per file its
        size, modification time and checksum or ETag where the filesystem gave them
        (``checksums`` says which, or why none); a Delta table's version read, which a re-run
        can pin (docs/spark.md, docs/spark-platforms.md)."""
        out: dict[str, Any] = {"file": self.doc.file, "sha256": self.sha256,
                               "files": list(self.displays)}
        key = self.listing_key
        if key:
            found = (listings or {}).get(key) or Listing((), "none: not listed")
            names = [f.path for f in found.files]
            block: dict[str, Any] = {
                "paths": list(key), "files_listed": len(names),
                "listing_sha256": hashlib.sha256("".join(f"{n}\n" for n in names)
                                                 .encode()).hexdigest(),
                "checksums": found.checksums,
                "listed": [{"path": f.path, "size": f.size, "modified": f.modified,
                            "checksum": f.checksum} for f in found.files]}
            if self.catalog_table:
                block["table"] = self.catalog_table
            if self.pin:
                block["pin"] = {self.pin[0]: self.pin[1] if self.pin[0] == "timestamp"
                                else int(self.pin[1])}
            if found.version is not None:
                block["delta_version"] = found.version
            out["locations"] = block
        return out


def read_mapping(path: Path, display: str, digest: str, display_of: DisplayOf,
                 allowed_locations: Sequence[str] | None = ()) -> LogMapping:
    """Parse and validate one mapping file and resolve its ``files``; no data is read yet.

    ``allowed_locations``: the prefixes under which a data-lake location may be named (the
    runner's ``--allow-location``); None when the engine reads no location at all (DuckDB,
    which refuses them itself, naming ``--engine spark``)."""
    check_mapping_file(path, display_of)
    try:
        doc = load_yaml(path, display)
    except YamlProblem as exc:
        raise input_error(exc.problem) from None
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        # a bare string is shorthand for {from: <source column>}
        data["columns"] = {k: ({"from": v} if isinstance(v, str) else v)
                           for k, v in data["columns"].items()}
    problems = [doc.problem(p, m) for p, m in (mapping_limit_problems(data)
                                                 or validate(data, MAPPING))]
    if problems:
        raise EvidenceError(problems=problems)
    where_problems = check_where(data.get("where"), ("where",), dates=True)
    if where_problems:
        raise EvidenceError(problems=[doc.problem(p, m) for p, m in where_problems])
    table = data.get("table") or re.sub(r"[^a-z0-9_]", "_", path.name[:-len(SUFFIX)].lower())
    pin = _pin(doc)
    if data.get("catalog_table"):
        return _catalog_mapping(doc, path, digest, table, pin, allowed_locations)
    for target, spec in (data.get("columns") or {}).items():
        for i, given in enumerate(formats(spec)):
            message = _format_problem(given)
            if message:
                key = ("columns", target, "format") + ((i,) if isinstance(spec["format"], list)
                                                        else ())
                raise input_error(doc.problem(key, message))
    patterns = data["files"] if isinstance(data["files"], list) else [data["files"]]
    fmt: str | None = data.get("format")
    files: list[Path] = []
    reads: list[str] = []
    displays: list[str] = []
    for i, pattern in enumerate(patterns):
        key = ("files", i) if isinstance(data["files"], list) else ("files",)
        if is_location(pattern):  # read where it lies, by Spark (docs/spark.md)
            _check_location(doc, key, pattern, allowed_locations)
            if pattern not in reads:
                reads.append(pattern)
                displays.append(pattern)
            continue
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise input_error(doc.problem(key, "expected a name, glob or folder inside the "
                                               "mapping's folder, or a location such as "
                                               "s3a://bucket/path"))
        folder = path.parent / pattern
        if not _GLOB.search(pattern) and folder.is_dir():
            _inside_pack(doc, key, path, [folder], display_of)  # before listing what it holds
            fmt = fmt or _folder_format(folder)
            inside = [Path(f) for f in folder_files(str(folder), fmt or "")]
            if fmt == "delta":  # its log decides which parts are live: hashed as evidence
                inside += sorted(f for f in (folder / "_delta_log").rglob("*") if f.is_file())
            if not inside:
                raise input_error(doc.problem(key, f"no {fmt or 'data'} file in "
                                                   f"{display_of(folder)}/"))
            _inside_pack(doc, key, path, inside, display_of)
            reads.append(str(folder))
            displays.append(display_of(folder) + "/")
            files += [f for f in inside if f not in files]
            continue
        found = sorted(p for p in path.parent.glob(pattern) if p.is_file() and not is_mapping(p))
        if not found:
            raise input_error(doc.problem(key, f"no file matches {pattern!r} in "
                                         f"{display_of(path.parent)}/"))
        _inside_pack(doc, key, path, found, display_of)
        for p in found:
            if p not in files:
                files.append(p)
                reads.append(str(p))
                displays.append(display_of(p))
    if not reads:  # files: [] (the schema allows an empty list)
        raise input_error(doc.problem(("files",), "expected at least one file name or glob"))
    fmt = fmt or (_format_of(Path(urlparse(reads[0]).path)) if is_location(reads[0])
                  else _format_of(Path(reads[0])))
    if fmt is None:
        raise input_error(doc.problem(("format",), f"cannot tell the format of {displays[0]}; "
                                             "give format: csv, json, jsonl, parquet or delta"))
    if fmt == "delta" and (len(reads) != 1 or Path(reads[0]).is_file()):
        raise input_error(doc.problem(("files",), "a Delta table is one folder or location; "
                                                  "give just that"))
    if pin and fmt != "delta":
        raise input_error(doc.problem((pin[0],), "a version or time pin is for a Delta table "
                                                 "(format: delta) or a catalog_table"))
    _check_selected(doc, files, display_of)
    return LogMapping(doc, path, digest, table, files, displays, fmt, reads=reads, pin=pin)


def _pin(doc: YamlDocument) -> tuple[str, str] | None:
    """The mapping's Delta time-travel pin, as (``version`` or ``timestamp``, its text)."""
    for kind in ("version", "timestamp"):
        if doc.data.get(kind) is not None:
            return kind, str(doc.data[kind])
    return None


def _catalog_mapping(doc: YamlDocument, path: Path, digest: str, table: str,
                     pin: tuple[str, str] | None,
                     allowed: Sequence[str] | None) -> LogMapping:
    """A mapping of a catalog table: read by Spark by name (``spark.table``), where the
    cluster's catalog says it lies; only where the person running the audit allowed it, as
    a location (``--allow-location table:...``). DuckDB has no catalog of the cluster's."""
    name = doc.data["catalog_table"]
    if allowed is None:
        raise input_error(doc.problem(("catalog_table",), f"{name} is a table of a Spark "
                                      "cluster's catalog, read with --engine spark only "
                                      "(docs/spark-platforms.md)"))
    for key in ("format", "member", "members", "records", "skip", "delimiter", "encoding"):
        if key in doc.data:
            raise input_error(doc.problem((key,), "not used with catalog_table: the catalog "
                                                  "knows the table's format"))
    why = table_problem(name, allowed)
    if why:
        raise input_error(doc.problem(("catalog_table",), why))
    shown = f"table {name}"
    return LogMapping(doc, path, digest, table, [], [shown], "table", reads=[shown],
                      catalog_table=name, pin=pin)


def _inside_pack(doc: YamlDocument, key: PathKey, path: Path, found: list[Path],
                 display_of: DisplayOf) -> None:
    """Refuse a data file or folder that is not inside the pack once every link on its way
    is followed: a link to a file, or a linked folder at any level of a glob (``ext/*.csv``
    with ``logs/ext`` a link elsewhere), could make another system's data pass for this
    platform's, as a plain log's link out of ``logs/`` would."""
    pack_root = path.parent.parent.resolve()
    for p in found:
        if not p.resolve().is_relative_to(pack_root):
            shown = f"{display_of(path.parent)}/{p.relative_to(path.parent).as_posix()}"
            how = (f"is a link to a {'folder' if p.is_dir() else 'file'}" if p.is_symlink()
                   else "lies in a linked folder")
            raise input_error(doc.problem(key, f"{shown} {how} outside the pack; data files "
                                               "must be inside it"))


def _check_location(doc: YamlDocument, key: PathKey, location: str,
                    allowed: Sequence[str] | None) -> None:
    """A location is read only under a prefix the person running the audit allowed."""
    why = None if allowed is None else location_problem(location, allowed)
    if why:
        raise input_error(doc.problem(key, why))


def check_mapping_file(path: Path, display_of: DisplayOf) -> None:
    """A mapping file linked from outside the pack is refused before it is read or hashed:
    its ``files`` would otherwise be chosen by a file the pack does not hold. So is one
    larger than any mapping needs, before YAML spends seconds on it (docs/limits.md)."""
    shown = f"{display_of(path.parent)}/{path.name}"
    if not path.resolve().is_relative_to(path.parent.parent.resolve()):
        raise input_error(Problem(shown, "", "a link to a file outside the pack; mappings must "
                                             "be files inside the pack directory"))
    why = mapping_size_problem(path)
    if why:
        raise input_error(Problem(shown, "", why))


def _check_selected(doc: YamlDocument, files: list[Path], display_of: DisplayOf) -> None:
    """How many data files the mapping selects, and each ``.gz`` one's compression ratio,
    before any is read (docs/limits.md)."""
    too_many = selected_files_problem(len(files))
    if too_many:
        raise input_error(doc.problem(("files",), too_many))
    for file in files:
        if file.name.lower().endswith(".gz"):
            why = gzip_problem(file)
            if why:
                raise input_error(Problem(display_of(file), "", why))


def _folder_format(folder: Path) -> str | None:
    """A folder's format: Delta when it holds a ``_delta_log``, else its first data file's."""
    if (folder / "_delta_log").is_dir():
        return "delta"
    for file in sorted(folder.rglob("*")):
        # a README.txt beside the parts is not a CSV part (.txt means CSV for a named file)
        if file.is_file() and not file.name.startswith((".", "_")) \
                and file.suffix.lower() not in (".txt", ".md"):
            found = _format_of(file)
            if found:
                return found
    return None


def formats(spec: Mapping[str, Any]) -> list[str]:
    fmt = spec.get("format")
    return [] if fmt is None else [fmt] if isinstance(fmt, str) else list(fmt)


def _format_problem(fmt: str) -> str | None:
    """DuckDB's own verdict on a strptime format (its directives differ slightly from C's)."""
    import duckdb  # DuckDB's verdict, whichever engine runs

    if not fmt:
        return "expected a strptime format such as %m/%d/%Y"
    try:
        duckdb.connect().execute("SELECT try_strptime('', ?)", [fmt]).fetchall()
    except duckdb.Error as exc:
        return "not a usable date format: " + first_line(exc).split(":", 1)[-1].strip()
    if not re.search(r"%[YyGCmdjbBhUWV]", fmt) and not re.search(r"%[sxcD]", fmt):
        return "a date format needs a date, e.g. %Y-%m-%d or %m/%d/%Y"
    return None


def _format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".zip"):
        suffixes.pop()
    return _FORMATS.get(suffixes[-1]) if suffixes else ("csv" if path.suffix == ".zip" else None)


def is_mapping(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIX) and not fnmatch.fnmatch(path.name, ".*")

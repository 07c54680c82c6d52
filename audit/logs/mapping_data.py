"""Reading a mapping's data files: zip members, the engine's relation over them, and the
value checks whose problems name the data file and row (used by ``audit.logs.mapping``)."""

from __future__ import annotations

import csv
import gzip
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from audit.engine.base import LogEngine
from audit.engine.duckdb_errors import NOT_UTF8
from audit.errors import EvidenceError, Problem
from audit.limits import MAX_LOG_COLUMNS
from audit.logs.mapping_file import LogMapping, input_error
from audit.logs.mapping_paths import walk
from audit.logs.mapping_zip import unpack
from audit.logs.sources import Source, folder_files, is_location, local_name
from audit.logs.sql import quote
from audit.logs.views import FileRowsOwed

MAX_SHOWN = 5


def loader_failed(store: LogEngine, loader_id: str, display: str, exc: BaseException) -> EvidenceError:
    """An engine error while a loader checks or maps a file, as bad input located at that file.

    The engine says what went wrong: a file it cannot read, or SQL of the loader's that this
    engine does not run. Either way the user gets one line naming the file and the loader
    (exit status 2), not an internal error."""
    return input_error(Problem(display, "", f"the {loader_id} loader failed on the {store.name} "
                                            f"engine: {store.reason(exc)}"))


def stage(mapping: LogMapping, workdir: Path) -> None:
    """Resolve each data file to what DuckDB reads: ``.gz`` as it is (DuckDB decompresses
    while scanning), a ``.zip`` member streamed once into the run's temporary folder."""
    staged: list[str] = []
    displays: list[str] = []
    for read, display in zip(mapping.reads, mapping.displays, strict=True):
        file = Path(read)
        if is_location(read) or file.is_dir() or file.suffix.lower() != ".zip":
            staged.append(read)  # read where it lies (a folder, a lake location, a file)
            displays.append(display)
            continue
        try:
            found = unpack(mapping, file, display, workdir, str(len(staged)))
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise input_error(Problem(display, "", f"not a readable zip archive ({exc})")) from None
        staged += [path for path, _shown in found]
        displays += [shown for _path, shown in found]
    mapping.displays = displays  # one per part read: a zip's members are named
    mapping.staged = staged
    if mapping.format == "csv":
        headers = [_shared_header(f, mapping.spec) for f in staged]
        for header, display in zip(headers, mapping.displays, strict=True):
            if header and len(header) > MAX_LOG_COLUMNS:  # before DuckDB reads the schema
                raise input_error(Problem(display, "line 1", f"{len(header):,} columns; logs are "
                                          f"limited to {MAX_LOG_COLUMNS:,}"))
        same = all(h == headers[0] for h in headers)
        mapping.header = headers[0] if same and headers[0] else None


def _shared_header(staged: str, spec: Mapping[str, Any]) -> list[str] | None:
    """The header of a local CSV file, or the one every CSV file of a local folder shares;
    None for a lake location (Spark then checks each file's header against the first's)."""
    if is_location(staged):
        return None
    found = [csv_header(Path(f), spec) for f in folder_files(staged, "csv")]
    return found[0] if found and all(h == found[0] for h in found) else None


def csv_header(file: Path, spec: Mapping[str, Any]) -> list[str] | None:
    """The header of a CSV file (plain or gzipped), or None when it cannot be read as one.

    With a header known and the same in every file, DuckDB is given the dialect instead of
    sniffing it, so a malformed row is reported with its line number."""
    encoding = {"utf-8": "utf-8-sig"}.get(spec.get("encoding", "utf-8"), spec.get("encoding"))
    try:
        opener = gzip.open if file.name.lower().endswith(".gz") else open
        with opener(file, "rt", encoding=encoding, newline="") as fh:
            for _ in range(int(spec.get("skip", 0))):
                fh.readline(1 << 20)
            first = fh.readline(1 << 20)
        names = next(csv.reader([first], delimiter=spec.get("delimiter", ",")), [])
    except (OSError, EOFError, UnicodeError, csv.Error, zlib.error):
        return None
    names = [n.strip() for n in names]
    if not names or not all(names) or len(set(names)) != len(names):
        return None  # let DuckDB read it and say what is wrong
    return names


def source_of(mapping: LogMapping, files: list[str] | None = None,
              with_file: bool = False) -> Source:
    """What the engine reads for the mapping (every CSV value as text)."""
    spec = mapping.spec
    return Source(tuple(files or mapping.sources), mapping.format,
                  delimiter=spec.get("delimiter", ","), encoding=spec.get("encoding", "utf-8"),
                  skip=int(spec.get("skip", 0)),
                  header=tuple(mapping.header) if mapping.header else None,
                  records=spec.get("records"), with_file=with_file,
                  table=mapping.catalog_table, pin=mapping.pin)


def source_sql(store: LogEngine, mapping: LogMapping, files: list[str] | None = None,
               with_file: bool = False) -> str:
    """The engine's relation over the raw data (a DuckDB table function, a Spark view)."""
    display = mapping.displays[0] if not files or len(files) != 1 else _display(mapping, files[0])
    source = source_of(mapping, files, with_file)
    refused = store.source_problem(source)
    if refused:  # said at the mapping's files, where it can be fixed
        path, why = refused
        shown = _display(mapping, path)
        key = ("files",) if not isinstance(mapping.spec["files"], list) else (
            "files", next((i for i, f in enumerate(mapping.spec["files"]) if f == shown), 0))
        raise mapping.problem(key, f"{shown}: {why}")
    try:
        relation: str = store.read_source(source, display)
    except EvidenceError as exc:
        raise _records_problem(store, mapping, exc) from None
    return relation


def _records_problem(store: LogEngine, mapping: LogMapping,
                     exc: EvidenceError) -> EvidenceError:
    """Spark resolves ``records`` while reading (DuckDB while querying): a path the data
    does not have is the mapping's ``records`` problem, JSON it could not parse the file's."""
    text = " ".join(p.message for p in exc.problems)
    if not mapping.spec.get("records"):
        return exc
    if "_corrupt_record" in text:
        return input_error(Problem(exc.problems[0].file, "", "cannot read: not valid JSON "
                                   "(Spark read it as a corrupt record; --engine duckdb names "
                                   "the byte)"))
    if any(k in text for k in ("FIELD_NOT_FOUND", "UNRESOLVED_COLUMN", "INVALID_EXTRACT")):
        located = records_missing(store, mapping)
        if located is not None:
            return located
        reason = text.split(": ", 1)[-1] if ": " in text else text
        return mapping.problem(("records",), "cannot read: " + reason)
    return exc


def records_missing(store: LogEngine, mapping: LogMapping) -> EvidenceError | None:
    """The first data file whose documents lack a step of ``records``, as the mapping's
    problem naming that file, the step and the keys there (error path only: each file's
    documents are planned alone, without the record path)."""
    dotted = str(mapping.spec.get("records") or "")
    if not dotted:
        return None
    unreadable: tuple[type[BaseException], ...] = (EvidenceError, *store.query_errors())
    for source, display in zip(mapping.sources, mapping.displays, strict=True):
        try:
            relation = store.read_source(replace(source_of(mapping, [source]), records=None),
                                         display)
            columns = [c for c, _t in store.describe(f"SELECT * FROM {relation}")]
        except unreadable:
            continue  # a file that cannot be read at all: said by the caller
        head, *steps = dotted.split(".")
        if head not in columns:
            return mapping.problem(("records",), f"no key {head!r} in {display} (its keys: "
                                                 f"{', '.join(columns[:12])})")
        try:
            walk(store, mapping, relation, head, steps, ("records",), display)
        except EvidenceError as missing:
            return missing
    return None


def _display(mapping: LogMapping, source: str) -> str:
    for given, display in zip(mapping.sources, mapping.displays, strict=True):
        if given == source:
            return display
    return source


def text_sql(col: str) -> str:
    return f"NULLIF(TRIM(CAST({quote(col)} AS VARCHAR)), '')"


@dataclass(frozen=True)
class Target:
    name: str
    expr: str  # typed SQL value
    bad: str | None  # SQL test of a source value the expression cannot take
    expect: str  # what a bad value should have been
    source_text: str = ""  # the source value as text, shown with a bad value


def describe(store: LogEngine, mapping: LogMapping, source: str) -> dict[str, str]:
    """Source column names, in order, with their types as DuckDB names them (Spark's
    translated); a file that cannot be read is named with the engine's reason."""
    try:
        return dict(store.describe(f"SELECT * FROM {source}"))
    except store.query_errors() as exc:
        raise _unreadable(store, mapping, exc) from None


def _unreadable(store: LogEngine, mapping: LogMapping, exc: BaseException) -> EvidenceError:
    """Find which data file is at fault (error path only: each file is tried alone)."""
    if mapping.spec.get("records") and ("Binder" in str(exc) or "FIELD_NOT_FOUND" in str(exc)
                                        or "UNRESOLVED_COLUMN" in str(exc)):
        located = records_missing(store, mapping)
        if located is not None:
            return located
        return mapping.problem(("records",), "cannot read: " + store.reason(exc))
    for source, display in zip(mapping.sources, mapping.displays, strict=True):
        try:
            store.query(f"SELECT count(*) FROM {source_sql(store, mapping, [source])}")
        except store.query_errors() as one:
            return input_error(Problem(display, "", "cannot read: " + _reason(store, one)))
        except EvidenceError as one:
            return one
    return input_error(Problem(mapping.displays[0], "", "cannot read: " + _reason(store, exc)))


def _reason(store: LogEngine, exc: BaseException) -> str:
    """The engine's reason; for a byte that is not UTF-8, the mapping key that fixes it."""
    reason = store.reason(exc)
    if reason.endswith(NOT_UTF8):
        reason += "; declare the file's encoding in the mapping (`encoding: latin-1`)"
    return reason


@dataclass(frozen=True)
class Tally:
    """One reason rows are set aside, and the SQL test counting each row under one reason."""

    stage: str  # "unreadable" or "where" (the row ledger's stages)
    detail: str  # the column (unreadable) or the condition as written (where)
    counts: str


def check_values(store: LogEngine, mapping: LogMapping, targets: list[Target], where: str,
                 tallies: Sequence[Tally] = (), dedupe_key: str | None = None,
                 per_file: bool = True
                 ) -> tuple[list[dict[str, Any]], list[tuple[str, int]] | None]:
    """One aggregate scan counting values each target cannot take and the rows the mapping
    sets aside; rows are looked up only on error and for unreadable values.

    The scan runs even with nothing to count: it reads every file, so a corrupt part or a
    malformed row is reported here, naming its file, before the log is loaded. Returns what
    was set aside (``LogInfo.extra["set_aside"]``): per ``tallies`` entry, and the duplicates
    ``deduplicate`` removes (``dedupe_key``: the key's SQL), each row counted once; and the
    rows read from each data file, from the same scan (grouped by the engine's ``filename``
    column, with the grand total as a second grouping set). ``per_file`` False (the data has
    a column of that name, which the engine's would clash with): no rows per file (None)."""
    checked = [t for t in targets if t.bad]
    source = source_sql(store, mapping, with_file=per_file)
    counts_sql = ", ".join(
        ["count(*)"] + [f"count(*) FILTER (WHERE {t.counts})" for t in tallies]
        + [f"count(*) FILTER (WHERE ({where}) AND ({t.bad}))" for t in checked]
        + ([f"count(*) FILTER (WHERE ({where}) AND ({dedupe_key}) IS NOT NULL)",
            f"count(DISTINCT CASE WHEN {where} THEN {dedupe_key} END)"] if dedupe_key else []))
    try:
        found = store.query(f"SELECT filename IS NULL, filename, {counts_sql} FROM {source} "
                            "GROUP BY GROUPING SETS ((filename), ())") if per_file else \
            [(True, None, *row) for row in store.query(f"SELECT {counts_sql} FROM {source}")]
    except store.query_errors() as exc:
        raise _unreadable(store, mapping, exc) from None
    total = next((row for row in found if row[0]), None)
    counts = list(total[3:] if total else ())
    file_rows = _file_rows(mapping, [(str(row[1]), int(row[2])) for row in found
                                     if not row[0]]) if per_file else None
    set_aside: list[dict[str, Any]] = []
    for tally, count in zip(tallies, counts, strict=False):
        if tally.stage == "unreadable" and not count:
            continue
        entry: dict[str, Any] = {"stage": tally.stage, "detail": tally.detail,
                                 "rows": int(count), "first_rows": []}
        if tally.stage == "unreadable":
            file, first = _first_rows(store, mapping, tally.counts)
            entry.update(first_rows=first, file=file)
        set_aside.append(entry)
    counts = counts[len(tallies):]
    problems = []
    for target, count in zip(checked, counts, strict=False):
        if not count:
            continue
        col = mapping.spec["columns"][target.name]
        shown = target.source_text or text_sql(col["from"])
        with store.file_order():
            rows = store.query(
                f"SELECT filename, r, v FROM (SELECT filename, row_number() OVER (PARTITION BY "
                f"filename) AS r, ({where}) AND ({target.bad}) AS hit, {shown} AS v "
                f"FROM {source_sql(store, mapping, with_file=True)}) WHERE hit "
                f"ORDER BY filename, r LIMIT {MAX_SHOWN}")
        first_file = _file_display(mapping, str(rows[0][0])) if rows else ""
        values = ", ".join(dict.fromkeys(repr(v) for _f, _r, v in rows))
        where_rows = ", ".join(str(r) for f, r, _v in rows if f == rows[0][0])
        problems.append(Problem(
            first_file, f"column {col['from']!r}",
            f"{count:,} value(s) such as {values} are not {target.expect} (mapping "
            f"{mapping.doc.file}: columns.{target.name}); first at data row(s) {where_rows}"))
    if problems:
        raise EvidenceError(problems=problems)
    if dedupe_key:
        keyed, distinct = counts[len(checked):]
        set_aside.append({"stage": "duplicate", "detail": mapping.spec["deduplicate"]["key"],
                          "rows": int(keyed) - int(distinct), "first_rows": []})
    return set_aside, file_rows


def owed_file_rows(store: LogEngine, mapping: LogMapping) -> FileRowsOwed:
    """The rows per data file of a mapping with nothing to check row by row, left to the
    log's first full read (``LogViews.files_counted``) instead of a scan of ``check_values``'s:
    named and located as that scan names and locates them."""
    return FileRowsOwed(name=lambda counted: _file_rows(mapping, list(counted)),
                        locate=lambda exc: _unreadable(store, mapping, exc))


def _file_rows(mapping: LogMapping, counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Rows read per data file, named as the mapping's files are: every plain file the
    mapping selected, then the files of its folders and locations, in name order; a local
    file the engine read no row from (an empty part) with 0."""
    rows: dict[str, int] = {}
    folders: list[Path] = []
    for source, display in zip(mapping.sources, mapping.displays, strict=True):
        if not is_location(source) and Path(source).is_file():
            rows[display] = 0
        elif not is_location(source) and Path(source).is_dir():
            folders.append(Path(source).resolve())
    found = {_file_display(mapping, reported): n for reported, n in counted}
    for file in mapping.files:  # a folder's files, as listed when the mapping was read
        if any(file.resolve().is_relative_to(folder) for folder in folders):
            found.setdefault(_file_display(mapping, str(file)), 0)
    for name, n in sorted(found.items()):
        rows[name] = rows.get(name, 0) + n
    return list(rows.items())


def _first_rows(store: LogEngine, mapping: LogMapping, condition: str) -> tuple[str, list[int]]:
    """The data file where ``condition`` first holds and its first data rows there (a
    rescan, only when there is something to show)."""
    with store.file_order():
        rows = store.query(
            f"SELECT filename, r FROM (SELECT filename, row_number() OVER (PARTITION BY "
            f"filename) AS r, ({condition}) AS hit FROM "
            f"{source_sql(store, mapping, with_file=True)}) WHERE hit "
            f"ORDER BY filename, r LIMIT {MAX_SHOWN}")
    if not rows:
        return mapping.displays[0], []
    return (_file_display(mapping, str(rows[0][0])),
            [int(r) for f, r in rows if f == rows[0][0]])


def _file_display(mapping: LogMapping, reported: str) -> str:
    """The name of the data file an engine reports in its ``filename`` column: a file of a
    local folder as the folder's display plus its path inside it; a lake file as its URI."""
    here = local_name(reported)
    for source, display in zip(mapping.sources, mapping.displays, strict=True):
        if is_location(source):
            given = local_name(source).rstrip("/")
            if here == given or here.startswith(given + "/"):
                return reported
            continue
        src = Path(source).resolve()
        found = Path(here).resolve() if not is_location(here) else None
        if found == src:
            return display
        if found is not None and src.is_dir() and found.is_relative_to(src):
            return display.rstrip("/") + "/" + found.relative_to(src).as_posix()
    return mapping.displays[0]

"""Reading a mapping's data files: zip members, the DuckDB relation over them, and the
value checks whose problems name the data file and row (used by ``audit.logs.mapping``)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.errors import EvidenceError, Problem
from audit.logs.store import NOT_UTF8, _first_line, literal, quote

if TYPE_CHECKING:  # pragma: no cover
    from audit.logs.mapping import LogMapping

MAX_SHOWN = 5


def input_error(problem: Problem) -> EvidenceError:
    """The error for one located problem with a user's input (exit status 2)."""
    return EvidenceError(problems=[problem])


def stage(mapping: LogMapping, workdir: Path) -> None:
    """Resolve each data file to what DuckDB reads: ``.gz`` as it is (DuckDB decompresses
    while scanning), a ``.zip`` member streamed once into the run's temporary folder."""
    staged = []
    for file, display in zip(mapping.files, mapping.displays, strict=True):
        if file.suffix.lower() != ".zip":
            staged.append(file)
            continue
        try:
            with zipfile.ZipFile(file) as archive:
                members = [i for i in archive.infolist() if not i.is_dir()]
                wanted = mapping.spec.get("member")
                if wanted is not None:
                    chosen = next((i for i in members if i.filename == wanted), None)
                    if chosen is None:
                        names = ", ".join(i.filename for i in members[:MAX_SHOWN])
                        raise mapping.problem(("member",), f"{display} has no member {wanted!r} "
                                                           f"(it holds: {names})")
                elif len(members) == 1:
                    chosen = members[0]
                else:
                    names = ", ".join(i.filename for i in members[:MAX_SHOWN])
                    raise mapping.problem(("member",), f"{display} holds {len(members)} files "
                                                       f"({names}); name the one to read")
                from audit.limits import MAX_LOG_ZIP_RATIO

                ratio = chosen.file_size / max(chosen.compress_size, 1)
                if chosen.file_size > 1 << 20 and ratio > MAX_LOG_ZIP_RATIO:
                    raise input_error(Problem(display, chosen.filename, (
                        f"compressed {ratio:,.0f}:1, more than {MAX_LOG_ZIP_RATIO:,}:1; "
                        "refused as a possible zip bomb (docs/limits.md)")))
                target = workdir / f"{len(staged)}-{Path(chosen.filename).name}"
                with archive.open(chosen) as src, target.open("wb") as out:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zlib_error()) as exc:
            raise input_error(Problem(display, "", f"not a readable zip archive ({exc})")) from None
        staged.append(target)
    mapping.staged = staged
    if mapping.format == "csv":
        headers = [csv_header(f, mapping.spec) for f in staged]
        from audit.limits import MAX_LOG_COLUMNS

        for header, display in zip(headers, mapping.displays, strict=True):
            if header and len(header) > MAX_LOG_COLUMNS:  # before DuckDB reads the schema
                raise input_error(Problem(display, "line 1", f"{len(header):,} columns; logs are "
                                          f"limited to {MAX_LOG_COLUMNS:,}"))
        same = all(h == headers[0] for h in headers)
        mapping.header = headers[0] if same and headers[0] else None


def csv_header(file: Path, spec: Any) -> list[str] | None:
    """The header of a CSV file (plain or gzipped), or None when it cannot be read as one.

    With a header known and the same in every file, DuckDB is given the dialect instead of
    sniffing it, so a malformed row is reported with its line number."""
    import csv
    import gzip

    encoding = {"utf-8": "utf-8-sig"}.get(spec.get("encoding", "utf-8"), spec.get("encoding"))
    try:
        opener = gzip.open if file.name.lower().endswith(".gz") else open
        with opener(file, "rt", encoding=encoding, newline="") as fh:
            for _ in range(int(spec.get("skip", 0))):
                fh.readline(1 << 20)
            first = fh.readline(1 << 20)
        names = next(csv.reader([first], delimiter=spec.get("delimiter", ",")), [])
    except (OSError, EOFError, UnicodeError, csv.Error, zlib_error()):
        return None
    names = [n.strip() for n in names]
    if not names or not all(names) or len(set(names)) != len(names):
        return None  # let DuckDB read it and say what is wrong
    return names


def duckdb_error() -> type[Exception]:
    import duckdb

    return duckdb.Error


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def source_sql(mapping: LogMapping, files: list[Path] | None = None,
               with_file: bool = False) -> str:
    """The DuckDB relation over the raw data files (every CSV value as text)."""
    spec = mapping.spec
    names = "[" + ", ".join(literal(str(f)) for f in (files or mapping.staged)) + "]"
    extra = ", filename = true" if with_file else ""
    if mapping.format == "csv":
        dialect = (f"delim = {literal(spec.get('delimiter', ','))}, quote = '\"', escape = '\"', "
                   f"encoding = {literal(spec.get('encoding', 'utf-8'))}, "
                   f"skip = {int(spec.get('skip', 0))}{extra}")
        if mapping.header:
            cols = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in mapping.header)
            rel = (f"read_csv({names}, header = true, auto_detect = false, "
                   f"columns = {{{cols}}}, {dialect})")
        else:  # headers differ between files: match columns by name
            rel = (f"read_csv({names}, header = true, all_varchar = true, "
                   f"union_by_name = true, {dialect})")
    elif mapping.format == "parquet":
        rel = f"read_parquet({names}, union_by_name = true{extra})"
    else:
        kind = "newline_delimited" if mapping.format == "jsonl" else "auto"
        rel = f"read_json({names}, format = {literal(kind)}, union_by_name = true{extra})"
    records = spec.get("records")
    if records:
        path = ".".join(quote(p) for p in records.split("."))
        keep = ", filename" if with_file else ""
        rel = f"(SELECT unnest(_r){keep} FROM (SELECT unnest({path}) AS _r{keep} FROM {rel}))"
    return rel


def text_sql(col: str) -> str:
    return f"NULLIF(TRIM(CAST({quote(col)} AS VARCHAR)), '')"


@dataclass(frozen=True)
class Target:
    name: str
    expr: str  # typed SQL value
    bad: str | None  # SQL test of a source value the expression cannot take
    expect: str  # what a bad value should have been


def describe(con: Any, mapping: LogMapping, source: str) -> list[str]:
    """Source column names; a file that cannot be read is named with DuckDB's reason."""
    try:
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb_error() as exc:
        raise _unreadable(con, mapping, exc) from None


def _unreadable(con: Any, mapping: LogMapping, exc: Exception) -> EvidenceError:
    """Find which data file is at fault (error path only: each file is tried alone)."""
    if mapping.spec.get("records") and "Binder" in str(exc):
        return mapping.problem(("records",), "cannot read: " + _first_line(exc))
    for staged, display in zip(mapping.staged, mapping.displays, strict=True):
        try:
            con.execute(f"SELECT count(*) FROM {source_sql(mapping, [staged])}").fetchall()
        except duckdb_error() as one:
            return input_error(Problem(display, "", "cannot read: " + _reason(one)))
    return input_error(Problem(mapping.displays[0], "", "cannot read: " + _reason(exc)))


def _reason(exc: Exception) -> str:
    """DuckDB's reason; for a byte that is not UTF-8, the mapping key that fixes it."""
    reason = _first_line(exc)
    if reason.endswith(NOT_UTF8):
        reason += "; declare the file's encoding in the mapping (`encoding: latin-1`)"
    return reason


def check_values(con: Any, mapping: LogMapping, targets: list[Target], where: str) -> None:
    """One aggregate scan counting values each target cannot take; rows only on error.

    The scan runs even with nothing to count: it reads every file, so a corrupt part or a
    malformed row is reported here, naming its file, before the log is loaded."""
    checked = [t for t in targets if t.bad]
    source = source_sql(mapping)
    counts_sql = ", ".join(["count(*)"] + [f"count(*) FILTER (WHERE {t.bad})" for t in checked])
    try:
        found = con.execute(f"SELECT {counts_sql} FROM {source} WHERE {where}").fetchone()
        counts = (found or ())[1:]
    except duckdb_error() as exc:
        raise _unreadable(con, mapping, exc) from None
    problems = []
    for target, count in zip(checked, counts, strict=True):
        if not count:
            continue
        col = mapping.spec["columns"][target.name]
        con.execute("SET preserve_insertion_order = true")
        try:
            rows = con.execute(
                f"SELECT filename, r, v FROM (SELECT filename, row_number() OVER (PARTITION BY "
                f"filename) AS r, ({where}) AND ({target.bad}) AS hit, {text_sql(col['from'])} AS v "
                f"FROM {source_sql(mapping, with_file=True)}) WHERE hit "
                f"ORDER BY filename, r LIMIT {MAX_SHOWN}").fetchall()
        finally:
            con.execute("SET preserve_insertion_order = false")
        staged = {str(s): d for s, d in zip(mapping.staged, mapping.displays, strict=True)}
        first_file = staged.get(str(rows[0][0]), mapping.displays[0]) if rows else ""
        values = ", ".join(dict.fromkeys(repr(v) for _f, _r, v in rows))
        where_rows = ", ".join(str(r) for f, r, _v in rows if f == rows[0][0])
        problems.append(Problem(
            first_file, f"column {col['from']!r}",
            f"{count:,} value(s) such as {values} are not {target.expect} (mapping "
            f"{mapping.doc.file}: columns.{target.name}); first at data row(s) {where_rows}"))
    if problems:
        raise EvidenceError(problems=problems)

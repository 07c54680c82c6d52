"""Declarative log mappings: a YAML file turns another shape of data into a log table, in SQL.

A mapping (``logs/<name>.mapping.yaml``, schema in ``audit.schemas.mapping``) names its data
files (globs, parts of a dump, ``.gz``, ``.zip``, nested JSON), a row filter, and per target
column a source column, constant or template, a value map, a date format and a number style.
It is compiled to one SQL relation that ``LogStore.load(reader=...)`` reads like any log: the
data never travels through Python row by row. Problems are reported before anything is
loaded, each naming the mapping file and key, or the data file and row.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from audit.errors import EvidenceError
from audit.logs.mapping_data import (
    Target,
    check_values,
    describe,
    input_error,
    loader_failed,
    source_sql,
    text_sql,
)
from audit.logs.sources import folder_files, is_location
from audit.logs.store import _first_line, literal, quote
from audit.schemas.common import validate
from audit.schemas.mapping import MAPPING
from audit.yamlio import YamlDocument, YamlProblem, load_yaml

SUFFIX = ".mapping.yaml"
_GLOB = re.compile(r"[*?\[]")
_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".parquet": "parquet"}


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

    @property
    def sources(self) -> list[str]:
        return self.staged or self.reads

    @property
    def locations(self) -> list[str]:
        return [r for r in self.reads if is_location(r)]

    @property
    def spec(self) -> Mapping[str, Any]:
        data: Mapping[str, Any] = self.doc.data
        return data

    def problem(self, key: tuple[Any, ...], message: str) -> EvidenceError:
        return input_error(self.doc.problem(key, message))

    def record(self, listings: Mapping[tuple[str, ...], list[str]] | None = None
               ) -> dict[str, Any]:
        """What the result records so the figure can be reproduced.

        A data-lake location is read by Spark where it lies, so this process cannot hash its
        content; it is identified by the files Spark listed for it (``listings``, from the
        engine) and the SHA-256 of that sorted listing (docs/spark.md)."""
        out: dict[str, Any] = {"file": self.doc.file, "sha256": self.sha256,
                               "files": list(self.displays)}
        if self.locations:
            import hashlib

            listed = (listings or {}).get(tuple(self.locations), [])
            out["locations"] = {
                "paths": list(self.locations), "files_listed": len(listed),
                "listing_sha256": hashlib.sha256("".join(f"{f}\n" for f in listed)
                                                 .encode()).hexdigest()}
        return out


def read_mapping(path: Path, display: str, digest: str, display_of: Any) -> LogMapping:
    """Parse and validate one mapping file and resolve its ``files``; no data is read yet."""
    try:
        doc = load_yaml(path, display)
    except YamlProblem as exc:
        raise input_error(exc.problem) from None
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        # a bare string is shorthand for {from: <source column>}
        data["columns"] = {k: ({"from": v} if isinstance(v, str) else v)
                           for k, v in data["columns"].items()}
    problems = [doc.problem(p, m) for p, m in validate(data, MAPPING)]
    if problems:
        raise EvidenceError(problems=problems)
    from audit.evaluators.base import check_where

    where_problems = check_where(data.get("where"), ("where",))
    if where_problems:
        raise EvidenceError(problems=[doc.problem(p, m) for p, m in where_problems])
    table = data.get("table") or re.sub(r"[^a-z0-9_]", "_", path.name[:-len(SUFFIX)].lower())
    for target, spec in (data.get("columns") or {}).items():
        for i, given in enumerate(_formats(spec)):
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
    return LogMapping(doc, path, digest, table, files, displays, fmt, reads=reads)


def _inside_pack(doc: YamlDocument, key: tuple[Any, ...], path: Path, found: list[Path],
                 display_of: Any) -> None:
    pack_root = path.parent.parent.resolve()
    for p in found:
        if p.is_symlink() and not p.resolve().is_relative_to(pack_root):
            # a link could make another system's data pass for this platform's
            shown = f"{display_of(p.parent)}/{p.name}"
            raise input_error(doc.problem(key, f"{shown} is a link to a file outside the pack; "
                                         "data files must be inside it"))


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



def _formats(spec: Mapping[str, Any]) -> list[str]:
    fmt = spec.get("format")
    return [] if fmt is None else [fmt] if isinstance(fmt, str) else list(fmt)


def _format_problem(fmt: str) -> str | None:
    """DuckDB's own verdict on a strptime format (its directives differ slightly from C's)."""
    import duckdb

    if not fmt:
        return "expected a strptime format such as %m/%d/%Y"
    try:
        duckdb.connect().execute("SELECT try_strptime('', ?)", [fmt]).fetchall()
    except duckdb.Error as exc:
        return "not a usable date format: " + _first_line(exc).split(":", 1)[-1].strip()
    if not re.search(r"%[YyGCmdjbBhUWV]", fmt) and not re.search(r"%[sxcD]", fmt):
        return "a date format needs a date, e.g. %Y-%m-%d or %m/%d/%Y"
    return None


def _format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".zip"):
        suffixes.pop()
    return _FORMATS.get(suffixes[-1]) if suffixes else ("csv" if path.suffix == ".zip" else None)


def filter_sql(mapping: LogMapping, columns: list[str]) -> str:
    """The mapping's ``where``, on source columns, with the operators of a rule's ``where``."""
    from audit.logs.metrics import _op_sql

    parts = []
    for col, cond in (mapping.spec.get("where") or {}).items():
        if col not in columns:
            raise mapping.problem(("where", col), _unknown(col, columns, mapping))
        q = quote(col)
        if isinstance(cond, list):
            parts.append(f"CAST({q} AS VARCHAR) IN ({', '.join(literal(str(v)) for v in cond)})")
        elif isinstance(cond, bool):
            words = ("true", "1", "yes") if cond else ("false", "0", "no")
            parts.append(f"lower(CAST({q} AS VARCHAR)) IN ({', '.join(map(literal, words))})")
        elif isinstance(cond, Mapping):
            parts += [_op_sql(q, op, value) for op, value in cond.items()]
        else:
            parts.append(f"CAST({q} AS VARCHAR) = {literal(str(cond))}")
    return " AND ".join(parts) or "TRUE"


def _unknown(col: str, columns: list[str], mapping: LogMapping) -> str:
    close = difflib.get_close_matches(col, columns, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no column {col!r} in {mapping.displays[0]} (columns: {_shown(columns)}){hint}"


def _shown(columns: list[str]) -> str:
    """The first columns of the data, for a message."""
    return ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")


def _targets(mapping: LogMapping, columns: list[str], timezone: str | None,
             store: Any = None) -> list[Target]:
    spec = mapping.spec
    out: list[Target] = []
    for name, col in (spec.get("columns") or {}).items():
        key = ("columns", name)
        if "value" in col:
            out.append(Target(name, literal(col["value"]), None, ""))
            continue
        if "template" in col:
            out.append(Target(name, _template(mapping, key, col["template"], columns), None, ""))
            continue
        if "from" not in col:
            raise mapping.problem(key, "give 'from' (a source column), 'value' or 'template'")
        if col["from"] not in columns:
            raise mapping.problem(key + ("from",), _unknown(col["from"], columns, mapping))
        text = text_sql(col["from"])
        bad: str | None = None
        expect = ""
        if "map" in col:
            whens = " ".join(f"WHEN {literal(k)} THEN {literal(str(v))}"
                             for k, v in col["map"].items())
            policy = col.get("unmapped", "error")
            other = (literal(str(col["default"])) if "default" in col
                     else text if policy in ("keep", "error") else "NULL")
            if policy == "error" and "default" not in col:
                keys = ", ".join(literal(k) for k in col["map"])
                bad = f"{text} IS NOT NULL AND {text} NOT IN ({keys})"
                expect = "a value listed in its map (or set unmapped: keep, null or a default)"
            # an empty cell stays empty: no default invents a value for it
            text = f"(CASE WHEN {text} IS NULL THEN NULL ELSE (CASE {text} {whens} ELSE {other} END) END)"
        kind = col.get("type") or ("timestamp" if col.get("format") and name.endswith("_at")
                                   else "date" if col.get("format") else "text")
        if kind in ("timestamp", "date"):
            fmts = _formats(col) or ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
            for i, fmt in enumerate(_formats(col)):  # a format this engine would read otherwise
                problem = store.format_problem(fmt) if store is not None else None
                if problem:
                    raise mapping.problem(key + ("format",) + ((i,) if isinstance(
                        col["format"], list) else ()), problem)
            parsed = f"try_strptime({text}, [{', '.join(literal(f) for f in fmts)}])"
            zone = col.get("timezone") or spec.get("timezone") or timezone
            if kind == "date":
                expr = f"CAST({parsed} AS DATE)"
            elif any("%z" in f or "%Z" in f for f in fmts):
                expr = parsed
            elif zone is None:
                raise mapping.problem(key + ("format",), "local times need a time zone: give "
                                      "'timezone' here or in the mapping, or in platform.yaml")
            else:
                expr = f"timezone({literal(zone)}, CAST({parsed} AS TIMESTAMP))"
            bad = _either(bad, f"{text} IS NOT NULL AND {parsed} IS NULL")
            expect = expect or "a date/time in the format " + " or ".join(fmts)
        elif kind in ("integer", "number"):
            number = text
            if spec.get("thousands"):
                number = f"replace({number}, {literal(spec['thousands'])}, '')"
            if spec.get("decimal") == ",":
                number = f"replace({number}, ',', '.')"
            sql_type = "BIGINT" if kind == "integer" else "DOUBLE"
            expr = f"TRY_CAST({number} AS {sql_type})"
            bad = _either(bad, f"{text} IS NOT NULL AND {expr} IS NULL")
            expect = expect or ("a whole number" if kind == "integer" else "a number")
        else:
            expr = text
        out.append(Target(name, expr, bad, expect))
    if spec.get("keep"):
        taken = {t.name for t in out} | {c["from"] for c in (spec.get("columns") or {}).values()
                                          if "from" in c}
        out += [Target(c, quote(c), None, "") for c in columns
                if c not in taken and c != "filename" and not c.startswith("_")]
    if not out:
        raise mapping.problem(("columns",), "map at least one column (or set keep: true)")
    return out


def _either(first: str | None, second: str) -> str:
    return second if first is None else f"({first}) OR ({second})"


def _template(mapping: LogMapping, key: tuple[Any, ...], text: str, columns: list[str]) -> str:
    """``orders/{Member State}`` as SQL; ``{{`` and ``}}`` are literal braces. Column names
    are taken whole (they may hold ``:``, ``!`` or ``.``), unlike ``str.format`` fields."""
    parts = []
    for piece in re.split(r"(\{\{|\}\}|\{[^{}]*\})", text):
        if piece in ("{{", "}}"):
            parts.append(literal(piece[0]))
        elif piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name not in columns:
                raise mapping.problem(key + ("template",), _unknown(name, columns, mapping))
            parts.append(f"COALESCE({text_sql(name)}, '')")
        elif "{" in piece or "}" in piece:
            raise mapping.problem(key + ("template",), "unbalanced brace; write {{ or }} for a "
                                                       "literal one")
        elif piece:
            parts.append(literal(piece))
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def compile_mapping(store: Any, mapping: LogMapping, timezone: str | None,
                    loaders: Any = None) -> tuple[str, str | None]:
    """``(reader, transform)`` for ``LogStore.load``, after checking every value in SQL.

    ``store`` is the run's engine (``audit.engine``): DuckDB or Spark reads the data."""
    con = store.con
    source = source_sql(store, mapping)
    columns = describe(store, mapping, source)
    where = filter_sql(mapping, columns)
    selected = f"(SELECT * FROM {source} WHERE {where})"
    via = mapping.spec.get("via")
    if via:
        loader = loaders.get(via) if loaders is not None and via in loaders else None
        if loader is None or not hasattr(loader, "mapping_transform"):
            known = [i for i, ld in (loaders.items() if loaders is not None else [])
                     if hasattr(ld, "mapping_transform")]
            raise mapping.problem(("via",), f"no installed loader {via!r} maps rows "
                                            f"(known: {', '.join(known) or 'none'})")
        # rows are numbered within what the mapping selects, so name that, not one file
        single = len(mapping.files) == 1 and not mapping.spec.get("where")
        display = mapping.displays[0] if single else f"{mapping.doc.file} (selected rows)"
        try:
            if hasattr(loader, "check_source"):
                loader.check_source(con, selected, columns, display)
            transform: str = loader.mapping_transform(columns)
            # planned now, so that SQL this engine cannot run is named with the loader
            con.execute(f"DESCRIBE SELECT * FROM ({transform.format(source=selected)})")
        except store.query_errors() as exc:
            raise loader_failed(store, via, display, exc) from None
        return selected, transform
    targets = _targets(mapping, columns, timezone, store)
    _check_required(mapping, [t.name for t in targets], columns)
    check_values(store, mapping, targets, where)
    sql = (f"SELECT {', '.join(f'{t.expr} AS {quote(t.name)}' for t in targets)} "
           f"FROM {selected}")
    dedupe = mapping.spec.get("deduplicate")
    if dedupe:
        names = {t.name for t in targets}
        for part in ("key", "latest"):
            if dedupe.get(part) and dedupe[part] not in names:
                raise mapping.problem(("deduplicate", part), f"no target column "
                                      f"{dedupe[part]!r} (mapped: {', '.join(sorted(names))})")
        order = f"{quote(dedupe['latest'])} DESC NULLS LAST" if dedupe.get("latest") else "1"
        sql = (f"SELECT * FROM ({sql}) QUALIFY {quote(dedupe['key'])} IS NULL OR row_number() "
               f"OVER (PARTITION BY {quote(dedupe['key'])} ORDER BY {order}) = 1")
    return f"({sql})", None


def _check_required(mapping: LogMapping, names: list[str], read: list[str]) -> None:
    """A standard table's required columns must be mapped (named here, not in the data); the
    columns read are listed, since a wrong ``format`` reads other columns than expected."""
    from audit.logs.tables import KNOWN_LOGS

    spec = KNOWN_LOGS.get(mapping.table)
    missing = [c for c in (spec.required if spec else ()) if c not in names]
    if missing:
        raise mapping.problem(("columns",), f"the {mapping.table} table needs column(s) "
                                            f"{', '.join(missing)}; map them (a constant with "
                                            "'value' will do when the data has none); the "
                                            f"{mapping.format} data read has: {_shown(read)}")


def is_mapping(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIX) and not fnmatch.fnmatch(path.name, ".*")

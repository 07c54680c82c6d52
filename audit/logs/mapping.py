"""A log mapping compiled to SQL: one relation the engine reads like any log.

Per target column of the mapping (``audit/logs/mapping_file.py``): a source column, constant
or template, a value map, a date format and a number style, each a SQL expression over the
source relation (``audit/logs/mapping_data.py``). Every value is checked in SQL before the
log is loaded, so the data never travels through Python row by row; ``LogEngine.load`` then
reads the compiled relation. Problems name the mapping file and key, or the data file and row.
The rows the ``where`` selects, and those it and ``deduplicate`` leave out, counted by reason,
come from ``audit/logs/mapping_where.py``; a dotted ``from`` into nested JSON records from
``audit/logs/mapping_paths.py``; the members of a zip from ``audit/logs/mapping_zip.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from audit.engine.base import LogEngine
from audit.logs.mapping_data import (
    Target,
    check_values,
    describe,
    loader_failed,
    owed_file_rows,
    source_sql,
    text_sql,
)
from audit.logs.mapping_file import LogMapping, formats
from audit.logs.mapping_paths import split_path, walk
from audit.logs.mapping_where import mapping_filter, shown, unknown_column
from audit.logs.numbers import mapped_number_sql
from audit.logs.sql import literal, quote
from audit.logs.tables import KNOWN_LOGS
from audit.logs.views import FILE_COLUMN, timestamp_sql, typed_kind
from audit.registry import Catalog
from audit.schemas.common import PathKey


def _source_text(mapping: LogMapping, columns: list[str], given: str, key: PathKey,
                 store: LogEngine | None, source: str | None) -> str:
    """A source column's value as trimmed text (NULL when empty); a dotted path such as
    ``req.received`` or ``items.0.id`` reaches inside a JSON record's objects and lists."""
    if given in columns:
        return text_sql(given)
    path = split_path(given, columns)
    if path is None or store is None or source is None:
        raise mapping.problem(key, unknown_column(given, columns, mapping))
    expr = walk(store, mapping, source, path[0], path[1], key, mapping.displays[0])
    return f"NULLIF(TRIM(CAST({expr} AS VARCHAR)), '')"


def _targets(mapping: LogMapping, columns: list[str], timezone: str | None,
             store: LogEngine | None = None, source: str | None = None,
             types: Mapping[str, str] | None = None) -> list[Target]:
    """The target columns' SQL; ``types``: the source's typed columns (``_typed_source``)."""
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
        text = _source_text(mapping, columns, col["from"], key + ("from",), store, source)
        zone = col.get("timezone") or spec.get("timezone") or timezone
        held = typed_kind((types or {}).get(col["from"], ""))
        typed = _typed(mapping, key, name, col, held, zone)
        if typed is not None:
            out.append(replace(typed, source_text=text))
            continue
        shown_text = text
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
            fmts = formats(col) or ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
            for i, fmt in enumerate(formats(col)):  # a format this engine would read otherwise
                problem = store.format_problem(fmt) if store is not None else None
                if problem:
                    raise mapping.problem(key + ("format",) + ((i,) if isinstance(
                        col["format"], list) else ()), problem)
            parsed = f"try_strptime({text}, [{', '.join(literal(f) for f in fmts)}])"
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
            expr = mapped_number_sql(text, spec.get("thousands"), spec.get("decimal"), kind)
            bad = _either(bad, f"{text} IS NOT NULL AND {expr} IS NULL")
            expect = expect or ("a whole number" if kind == "integer" else "a number")
        elif name.endswith("_at") and (col.get("timezone") or spec.get("timezone")):
            # ISO text read here, so that local times are in the mapping's zone, not the pack's
            own = col.get("timezone") or spec.get("timezone")
            expr, _flag = timestamp_sql(text, "VARCHAR", mapping.displays[0], col["from"], own)
            bad = _either(bad, f"{text} IS NOT NULL AND ({expr}) IS NULL")
            expect = expect or f"an ISO 8601 date/time (with an offset, or local in {own})"
        else:
            expr = text
        out.append(Target(name, expr, bad, expect, shown_text))
    if spec.get("keep"):
        taken = {t.name for t in out} | {c["from"] for c in (spec.get("columns") or {}).values()
                                          if "from" in c}
        out += [Target(c, quote(c), None, "") for c in columns
                if c not in taken and c != "filename" and not c.startswith("_")]
    if not out:
        raise mapping.problem(("columns",), "map at least one column (or set keep: true)")
    return out


def _typed(mapping: LogMapping, key: PathKey, name: str, col: Mapping[str, Any],
           kind: str | None, zone: str | None) -> Target | None:
    """A typed source column (``typed_kind``) read as its type, or None to read it as text.

    Formats and offsets are for text: an instant (TIMESTAMP WITH TIME ZONE, Spark's
    TimestampType) is taken as it is, whatever ``timezone`` says; a local time without a
    zone (TIMESTAMP, Spark's TimestampNTZ) or a DATE becomes an instant in the column's
    ``timezone``, the mapping's or the pack's (a DATE at the start of its day), as local text
    does; numbers are held to a whole number (``integer``) or a finite one (``number``).
    Without a ``type`` a typed column keeps its own, but a timestamp's ``*_at`` target is an
    instant. Value maps and ``type: text`` read the engine's text of the value; a kind the
    type cannot give (a number as a timestamp) is left to the text parsing, which reports
    the values it cannot read with their rows."""
    declared = col.get("type")
    if kind is None or declared == "text" or "map" in col:
        return None
    q = quote(col["from"])
    if kind == "number":
        value = f"CAST({q} AS DOUBLE)"
        if declared == "integer":
            whole = f"abs({value}) < 9.2e18 AND {value} = floor({value})"
            return Target(name, f"(CASE WHEN {whole} THEN CAST({q} AS BIGINT) END)",
                          f"{q} IS NOT NULL AND NOT ({whole})", "a whole number")
        if declared == "number":
            return Target(name, value, f"{q} IS NOT NULL AND NOT (abs({value}) < 1e308)",
                          "a number")
        return None if declared else Target(name, q, None, "")
    want = declared or ("timestamp" if name.endswith("_at")
                        else "date" if col.get("format") else None)
    if want is None:
        return Target(name, q, None, "")
    if want not in ("timestamp", "date"):
        return None
    if kind == ("instant" if want == "timestamp" else "date"):
        return Target(name, q, None, "")
    if want == "date" and kind == "local":
        return Target(name, f"CAST({q} AS DATE)", None, "")
    if zone is None:
        what = ("the date of an instant depends on the time zone" if kind == "instant"
                else f"{col['from']!r} holds local times without a time zone")
        raise mapping.problem(key, f"{what}: give 'timezone' here or in the mapping, or in "
                                   "platform.yaml")
    if want == "date":  # an instant's day where it happened
        return Target(name, f"CAST(timezone({literal(zone)}, {q}) AS DATE)", None, "")
    return Target(name, f"timezone({literal(zone)}, CAST({q} AS TIMESTAMP))", None, "")


def _either(first: str | None, second: str) -> str:
    return second if first is None else f"({first}) OR ({second})"


def _template(mapping: LogMapping, key: PathKey, text: str, columns: list[str]) -> str:
    """``orders/{Member State}`` as SQL; ``{{`` and ``}}`` are literal braces. Column names
    are taken whole (they may hold ``:``, ``!`` or ``.``), unlike ``str.format`` fields."""
    parts = []
    for piece in re.split(r"(\{\{|\}\}|\{[^{}]*\})", text):
        if piece in ("{{", "}}"):
            parts.append(literal(piece[0]))
        elif piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name not in columns:
                raise mapping.problem(key + ("template",), unknown_column(name, columns, mapping))
            parts.append(f"COALESCE({text_sql(name)}, '')")
        elif "{" in piece or "}" in piece:
            raise mapping.problem(key + ("template",), "unbalanced brace; write {{ or }} for a "
                                                       "literal one")
        elif piece:
            parts.append(literal(piece))
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def compile_mapping(store: LogEngine, mapping: LogMapping, timezone: str | None,
                    loaders: Catalog[Any] | None = None,
                    alone: bool = False) -> tuple[str, str | None]:
    """``(reader, transform)`` for ``LogEngine.load``, after checking every value in SQL.

    ``store`` is the run's engine (``audit.engine``): DuckDB or Spark reads the data;
    ``loaders`` the installed ones (plugins' objects, whose ``mapping_transform`` and
    ``check_source`` are optional), for a mapping's ``via``. ``alone``: the only mapping of
    its table, so that a mapping with nothing to check row by row leaves the row ledger's
    rows per file to the log's first full read (``file_rows_owed``) and costs no scan here."""
    source = source_sql(store, mapping)
    described = describe(store, mapping, source)
    columns = list(described)
    types = _typed_source(mapping, described)
    chosen = mapping_filter(mapping, columns, types, timezone)
    where = chosen.sql
    selected = f"(SELECT * FROM {source} WHERE {where})"
    via = mapping.spec.get("via")
    if via:
        loader = loaders.get(via) if loaders is not None and via in loaders else None
        if loader is None or not hasattr(loader, "mapping_transform"):
            known = [i for i, ld in (loaders.items() if loaders is not None else [])
                     if hasattr(ld, "mapping_transform")]
            raise mapping.problem(("via",), f"no installed loader {via!r} maps rows "
                                            f"(known: {', '.join(known) or 'none'})")
        if chosen.conditions:  # what the where sets aside (the loader maps the rest)
            mapping.set_aside, mapping.file_rows = check_values(
                store, mapping, [], where, chosen.tallies(), per_file=_no_filename(columns))
        # rows are numbered within what the mapping selects, so name that, not one file
        single = len(mapping.sources) == 1 and not mapping.spec.get("where")
        display = mapping.displays[0] if single else f"{mapping.doc.file} (selected rows)"
        try:
            if hasattr(loader, "check_source"):
                found = loader.check_source(store.con, selected, columns, display)
                if isinstance(found, list):  # what the loader sets aside (optional)
                    mapping.set_aside += [dict(entry) for entry in found]
            transform: str = loader.mapping_transform(columns)
            if hasattr(loader, "absent_columns"):  # columns the data cannot give, and why
                mapping.absent = dict(loader.absent_columns(columns))
            # planned now, so that SQL this engine cannot run is named with the loader
            store.describe(f"SELECT * FROM ({transform.format(source=selected)})")
        except store.query_errors() as exc:
            raise loader_failed(store, via, display, exc) from None
        return selected, transform
    targets = _targets(mapping, columns, timezone, store, source, types)
    _check_required(mapping, [t.name for t in targets], columns)
    sql = (f"SELECT {', '.join(f'{t.expr} AS {quote(t.name)}' for t in targets)} "
           f"FROM {selected}")
    dedupe = mapping.spec.get("deduplicate")
    exprs = {t.name: t.expr for t in targets}
    if dedupe:
        for part in ("key", "latest"):
            if dedupe.get(part) and dedupe[part] not in exprs:
                raise mapping.problem(("deduplicate", part), f"no target column "
                                      f"{dedupe[part]!r} (mapped: {', '.join(sorted(exprs))})")
    if (alone and not dedupe and not chosen.conditions and _no_filename(columns)
            and all(t.bad is None for t in targets)):
        # nothing to check row by row: the view names each row's file, and the pass counts
        with_file = source_sql(store, mapping, with_file=True)
        sql = (f"SELECT {', '.join(f'{t.expr} AS {quote(t.name)}' for t in targets)}, "
               f"filename AS {quote(FILE_COLUMN)} FROM {with_file}")
        mapping.file_rows_owed = owed_file_rows(store, mapping)
        return f"({sql})", None
    mapping.set_aside, mapping.file_rows = check_values(
        store, mapping, targets, where, chosen.tallies(),
        exprs[dedupe["key"]] if dedupe else None, per_file=_no_filename(columns))
    if dedupe:
        order = f"{quote(dedupe['latest'])} DESC NULLS LAST" if dedupe.get("latest") else "1"
        sql = (f"SELECT * FROM ({sql}) QUALIFY {quote(dedupe['key'])} IS NULL OR row_number() "
               f"OVER (PARTITION BY {quote(dedupe['key'])} ORDER BY {order}) = 1")
    return f"({sql})", None


def _typed_source(mapping: LogMapping, described: Mapping[str, str]) -> dict[str, str]:
    """The source columns' types where the data itself types them (Parquet, Delta), which
    both engines read alike; none for CSV and JSON, whose text DuckDB would type by guessing
    ("2024-05-01" a DATE) where Spark keeps a string: those are read as text on both."""
    return dict(described) if mapping.format in ("parquet", "delta") else {}


def _no_filename(columns: list[str]) -> bool:
    """The data has no ``filename`` column of its own, so the engine may add the file each
    row came from under that name (the row ledger's rows per file)."""
    return all(c.lower() != "filename" for c in columns)


def _check_required(mapping: LogMapping, names: list[str], read: list[str]) -> None:
    """A standard table's required columns must be mapped (named here, not in the data); the
    columns read are listed, since a wrong ``format`` reads other columns than expected."""
    spec = KNOWN_LOGS.get(mapping.table)
    missing = [c for c in (spec.required if spec else ()) if c not in names]
    if missing:
        raise mapping.problem(("columns",), f"the {mapping.table} table needs column(s) "
                                            f"{', '.join(missing)}; map them (a constant with "
                                            "'value' will do when the data has none); the "
                                            f"{mapping.format} data read has: {shown(read)}")

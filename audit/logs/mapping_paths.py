"""Dotted paths into nested JSON records: ``req.received``, ``items.0.id``.

A JSON record's nested object is one source column (a struct), its list a list column. A
mapping reaches inside with a dotted path in ``from``: a name is a key of an object, a
number an index into a list (0 is the first item, as in JSON). Each step is planned by the
engine before any data is read, so a key the records do not have is a located problem naming
the mapping file, its key and the data file, with the keys that are there, never the
engine's own message. The same walk locates a ``records`` path the documents lack.

SQL is written in the rules' dialect: ``("req")."received"`` and ``("items")[1]`` (DuckDB
counts list items from 1; the Spark translation counts from 0, ``audit/engine/spark_sql.py``).
"""

from __future__ import annotations

import re

from audit.engine.base import LogEngine
from audit.errors import EvidenceError
from audit.logs.mapping_file import LogMapping
from audit.logs.sql import quote
from audit.schemas.common import PathKey

MAX_KEYS_SHOWN = 12


def split_path(dotted: str, columns: list[str]) -> tuple[str, list[str]] | None:
    """``(column, steps)`` for a path into a source column; the longest column name that
    starts the path wins (a column's own name may hold dots). None: no column starts it."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:cut])
        if head in columns and all(parts[cut:]):
            return head, parts[cut:]
    return None


def step_sql(expr: str, step: str) -> str:
    """One step down: a list index (from 0, as JSON counts) or an object's key."""
    if step.isdigit():
        return f"({expr})[{int(step) + 1}]"
    return f"({expr}).{quote(step)}"


def struct_keys(type_text: str) -> list[str]:
    """The keys of a struct as DuckDB's DESCRIBE writes its type (``STRUCT(a VARCHAR, "b c"
    INTEGER)``); empty for any other type, or where an engine names no keys (Spark)."""
    if not type_text.startswith("STRUCT(") or not type_text.endswith(")"):
        return []
    keys, depth, start, inner = [], 0, 0, type_text[len("STRUCT("):-1]
    for i, char in enumerate(inner + ","):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            field = inner[start:i].strip()
            match = re.match(r'"((?:[^"]|"")*)"|(\S+)', field)
            if match:
                keys.append(match.group(1).replace('""', '"') if match.group(1) is not None
                            else match.group(2))
            start = i + 1
    return keys


def walk(store: LogEngine, mapping: LogMapping, relation: str, column: str,
         steps: list[str], key: PathKey, data: str) -> str:
    """The SQL of ``column`` followed by ``steps`` over ``relation``, each step planned;
    a step the data lacks is the mapping's problem at ``key``, naming the data file."""
    expr, shown = quote(column), column
    for step in steps:
        before = _type_of(store, relation, expr)
        ahead = step_sql(expr, step)
        # an index only into a list (DuckDB would slice a text by it)
        wrong = before is None or (step.isdigit() and not before.upper().endswith("[]"))
        if wrong or _type_of(store, relation, ahead) is None:
            raise _missing(mapping, key, shown, step, before or "", data)
        expr, shown = ahead, f"{shown}.{step}"
    return expr


def _type_of(store: LogEngine, relation: str, expr: str) -> str | None:
    """The type of ``expr`` as the engine plans it; None when it cannot be planned."""
    try:
        found = store.describe(f"SELECT {expr} AS v FROM {relation}")
    except store.query_errors():
        return None
    return str(found[0][1]) if found else None


def _missing(mapping: LogMapping, key: PathKey, shown: str, step: str, before: str,
             data: str) -> EvidenceError:
    if step.isdigit() and not before.upper().endswith("[]") and before:
        return mapping.problem(key, f"{shown!r} in {data} is not a list; {step!r} counts "
                                    "list items")
    keys = struct_keys(before)
    listed = (f" (its keys: {', '.join(keys[:MAX_KEYS_SHOWN])}"
              f"{', ...' if len(keys) > MAX_KEYS_SHOWN else ''})") if keys else ""
    return mapping.problem(key, f"no key {step!r} in {shown!r} in {data}{listed}")

"""SQL pieces of the statements-of-reasons mapping that read the same on DuckDB and Spark.

Every expression here is DuckDB SQL that the Spark engine transpiles (SQLGlot); each one
keeps to constructs both engines mean alike, so the loader never asks which engine runs:
regular expressions that RE2 (DuckDB) and Java (Spark) read the same, ``array_length``
rather than ``len`` (which SQLGlot takes for a string length), no ``json_valid``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# An offset after a time of day (a date alone, "2024-03-01", ends in "-01" but has none)
OFFSET_RE = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
# A JSON list of strings (or nulls), as the dump writes list cells: RE2 (DuckDB) and Java
# (Spark) read these patterns alike. A string's body is written "unrolled" (no alternation
# repeated per character) so that Java's matcher does not recurse once per character.
JSON_STRING_RE = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_ELEMENT = r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|null)'
_WS = r"[ \t\n\r]*"
JSON_LIST_RE = rf"^\[{_WS}(?:{_ELEMENT}{_WS}(?:,{_WS}{_ELEMENT}{_WS})*)?\]\z"


@lru_cache(maxsize=1)
def _new_lambda_syntax() -> bool:
    import duckdb

    parts = [int(p) for p in duckdb.__version__.split(".")[:2] if p.isdigit()]
    return tuple(parts) >= (1, 3)  # `lambda x: ...` since 1.3; `x -> ...` removed in 2.x


def lambda_fn(body: str) -> str:
    """A one-argument SQL lambda over ``x`` in the syntax this DuckDB understands."""
    return f"lambda x: {body}" if _new_lambda_syntax() else f"x -> {body}"


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def varchar_array(values: Any) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]::VARCHAR[]"


def list_expr(col: str) -> str:
    """A JSON-list cell ('["AT","BE"]'), a plain value or an empty cell, as VARCHAR[].

    A JSON list of strings is recognised and its strings taken out by regular expressions
    rather than a JSON parser, so that one SQL text means the same on DuckDB and on Spark
    (DuckDB's ``json_valid`` has no Spark counterpart, and the engines' ``from_json`` take
    different schemas). Escapes inside a string are kept as written.
    """
    text = f"NULLIF(TRIM({col}), '')"
    strings = f"regexp_extract_all({text}, {lit(JSON_STRING_RE)}, 1)"
    keep = lambda_fn("x <> ''")  # an empty string, as an empty cell, is no value
    return (f"(CASE WHEN {text} IS NULL THEN []::VARCHAR[] "
            f"WHEN {is_json_list(text)} "
            f"THEN list_filter({strings}, {keep}) "
            f"ELSE list_transform(string_split({text}, ','), {lambda_fn('TRIM(x)')}) END)")


def is_json_list(text: str) -> str:
    return f"regexp_matches({text}, {lit(JSON_LIST_RE)})"


def ts_text(col: str) -> str:
    """ISO 8601 text with an offset; unparseable values pass through for the store to flag."""
    text = f"NULLIF(TRIM({col}), '')"
    return (f"(CASE WHEN {text} IS NULL THEN NULL "
            f"WHEN regexp_matches({text}, {lit(OFFSET_RE)}) THEN {text} "
            f"ELSE COALESCE(strftime(TRY_CAST({text} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S') "
            f"|| '+00:00', {text}) END)")


def case_map(expr: str, mapping: dict[str, str], default: str = "NULL") -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} ELSE {default} END)"

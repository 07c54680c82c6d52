"""SQL text for names and values: the two helpers every query builder shares.

Rules, mappings, loaders and both engines write their queries in one dialect (DuckDB's, which
the Spark engine translates, ``audit/engine/spark_sql.py``); identifiers and constants are
spelt into that text here and nowhere else, so no caller quotes by hand.
"""

from __future__ import annotations


def quote(identifier: str) -> str:
    """An identifier as SQL (any name a log's header may hold)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A constant as SQL: booleans and numbers as such, everything else as a string."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"

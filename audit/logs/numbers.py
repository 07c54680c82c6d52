"""Numbers a rule compares (``where: {col: {gte: 500}}``) are checked like timestamps are."""

from __future__ import annotations

from audit.engine.base import LogEngine
from audit.errors import EvidenceError, Problem
from audit.limits import MAX_INT_DIGITS
from audit.logs.plan import Measurement, Pieces, declare, is_planning, measure
from audit.logs.tallies import count_if
from audit.logs.sql import literal, quote
from audit.logs.tables import KNOWN_LOGS


# Integer types DuckDB may infer for a column: their values cannot exceed the limit.
_BOUNDED = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT"}


# What a compared value may look like: a decimal, optionally with an exponent. The engines'
# own casts accept more, and differently (DuckDB reads "1_000" as 1000, Spark reads "12d" as
# 12.0), so a value is first held to this pattern, which both read alike (RE2 and Java).
# Anchored by \z, the very end ("$" would also match before a final line break in Java).
_PLAIN = r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)"
PLAIN_RE = rf"^{_PLAIN}\z"
NUMBER_RE = rf"^{_PLAIN}([eE][+-]?[0-9]+)?\z"


def bad_number_sql(column: str, max_digits: int, count: bool = False) -> str:
    """SQL: a present value that is no number, or whose whole part has too many digits.

    The same limit as YAML integers and mapped numbers (audit.limits.MAX_INT_DIGITS): a
    43-digit count of records is a data error, not a figure to compare silently. The same
    SQL runs on DuckDB and, transpiled, on Spark, and refuses the same values on both.
    """
    text = f"trim(CAST({column} AS VARCHAR))"
    number = f"TRY_CAST({text} AS DOUBLE)"
    # Plain decimals are judged by their digits (a double cannot tell 30 nines from 1e30);
    # the exponent form by its size.
    whole = f"ltrim(split_part(ltrim({text}, '+-'), '.', 1), '0')"
    over = (f"CASE WHEN regexp_matches({text}, {literal(PLAIN_RE)}) "
            f"THEN length({whole}) > {max_digits} ELSE abs({number}) >= 1e{max_digits} END")
    negative = f" OR {number} < 0" if count else ""
    shape = f"regexp_matches({text}, {literal(NUMBER_RE)})"
    return (f"({text} IS NOT NULL AND {text} <> '' AND (NOT {shape} OR {number} IS NULL "
            f"OR {over}{negative}))")


def check_compared_number(store: LogEngine, log: str, column: str) -> None:
    """Once per log and column: refuse values a numeric comparison would drop or misread.

    Only text columns (CSV, JSON Lines) are read here; typed columns (Parquet numbers, mapped
    ``integer``/``number`` columns) were parsed and limited when they were loaded.
    """
    info = store.logs[log]
    checked: set[str] = info.extra.setdefault("numbers_checked", set())
    kind = str(info.extra.get("types", {}).get(column, "VARCHAR")).upper()
    if column in checked or "reader" not in info.extra or kind in _BOUNDED:
        return
    spec = KNOWN_LOGS.get(log)
    count = bool(spec and column in spec.counts)
    bad = bad_number_sql(quote(column), MAX_INT_DIGITS, count)
    # counted in the log's one pass (audit.logs.plan): declared while the rules are planned
    counted = Measurement(log, lambda n: Pieces(((n("bad"), bad),),
                                                (count_if(n("bad")),)))
    if is_planning(store):
        declare(store, lambda: counted)
        return
    checked.add(column)
    found = measure(store, counted, checks=False).values[0]
    if found:
        rows = store.first_rows(log, bad)  # the engine's error-path rescan
        raise EvidenceError(problems=[Problem(
            info.path, f"column {column}",
            f"{found:,} value(s) are not {'a count (0 or more)' if count else 'a number'} of "
            f"at most {MAX_INT_DIGITS} digits, as "
            f"{literal(column)} is compared as a number by a rule; first at data row(s) {rows}")])


def mapped_number_sql(text: str, thousands: str | None, decimal: str | None,
                      kind: str = "number") -> str:
    """SQL: a source cell read as a number with a mapping's ``thousands`` and ``decimal``.

    One reading for a mapped ``integer``/``number`` column and for a number a mapping's
    ``where`` compares, so "3,367" with ``thousands: ","`` is 3367 in both. The separators
    are removed first, then the text is held to ``NUMBER_RE`` (what both engines cast alike);
    anything else is NULL, which the callers count or refuse with its row. ``text`` is the
    trimmed cell (``NULL`` when empty).
    """
    number = text
    if thousands:
        number = f"replace({number}, {literal(thousands)}, '')"
    if decimal == ",":
        number = f"replace({number}, ',', '.')"
    sql_type = "BIGINT" if kind == "integer" else "DOUBLE"
    return (f"(CASE WHEN regexp_matches({number}, {literal(NUMBER_RE)}) "
            f"THEN TRY_CAST({number} AS {sql_type}) END)")

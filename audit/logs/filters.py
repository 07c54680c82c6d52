"""A rule's row filter (``where``) as SQL, checked against the log's columns.

Every log rule selects its events the same way: ``{column: value}``, ``{column: [values]}``
or ``{column: {op: value}}`` with the operators of ``WHERE_OPS``; a
log mapping's ``where`` uses the same operators on its source columns (``op_sql``). A number
compared (``gt``, ``gte`` ...) is first held to what both engines read alike
(``audit.logs.numbers``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from audit.engine.base import LogEngine
from audit.logs.numbers import check_compared_number
from audit.logs.sql import literal, quote
from audit.schemas.common import PathKey


# Row filters shared by every log rule: {column: value}, {column: [values]} or
# {column: {op: value}} with op one of WHERE_OPS. ``contains`` matches one item of a
# multi-valued cell such as "IQ;DE" or '["IQ","DE"]'; ``contains_any`` any of several.
WHERE_OPS = ("eq", "ne", "in", "contains", "contains_any", "gt", "gte", "lt", "lte", "is_null")
FILTER_SCHEMA: dict[str, Any] = {
    "type": "dict", "keysrules": {"type": "string", "regex": r"^[a-z_][a-z0-9_]*$"},
    "valuesrules": {"type": ["string", "number", "boolean", "list", "dict"]},
}


# A date a mapping's ``where`` compares (``{Date of Breach: {gte: 2024-01-01}}``).
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_where(where: object, path: PathKey, dates: bool = False) -> list[tuple[PathKey, str]]:
    """Operators and their values in a row filter (a mapping, by its schema; else none).
    ``dates``: a compared value may also be a date (a mapping's ``where``, whose source
    dates are read with the mapping's formats)."""
    problems: list[tuple[PathKey, str]] = []
    if not isinstance(where, Mapping):
        return problems
    for col, cond in where.items():
        if not isinstance(cond, Mapping):
            continue
        if not cond:
            problems.append((path + (col,), "expected an operator such as {contains: IQ}"))
        for op, value in cond.items():
            at = path + (col, op)
            if op not in WHERE_OPS:
                problems.append((at, f"unknown operator; expected one of {', '.join(WHERE_OPS)}"))
            elif op in ("in", "contains_any") and not isinstance(value, list):
                problems.append((at, "expected a list"))
            elif op in ("gt", "gte", "lt", "lte") and dates and is_date(value):
                continue
            elif op in ("gt", "gte", "lt", "lte") and (isinstance(value, bool) or
                                                       not isinstance(value, (int, float))):
                problems.append((at, f"expected a number{' or a date (YYYY-MM-DD)' if dates else ''}"
                                     f", got {value!r}"))
            elif op == "is_null" and not isinstance(value, bool):
                problems.append((at, "expected true or false"))
    return problems


def is_date(value: object) -> bool:
    """A date as YAML reads it (a ``datetime.date``) or as ISO text."""
    return isinstance(value, dt.date) or (isinstance(value, str) and bool(ISO_DATE.match(value)))


class MissingColumn(Exception):
    """A column a rule needs is not in the log: no evidence, never a failure. ``why`` says
    what the loader or mapping knew of its absence (``LogInfo.extra["absent"]``)."""

    def __init__(self, log: str, column: str, why: str | None = None) -> None:
        super().__init__(f"the {log} log has no '{column}' column"
                         + (f" ({why})" if why else ""))
        self.log, self.column, self.why = log, column, why


def where_sql(store: LogEngine, log: str, where: Mapping[str, Any]) -> str:
    """Filters from a rule's ``where``: value, list of values, or {op: value}."""
    columns = set(store.columns(log))
    parts = []
    for col, cond in where.items():
        if col not in columns:
            absent: Mapping[str, str] = store.logs[log].extra.get("absent") or {}
            raise MissingColumn(log, col, absent.get(col))
        q = quote(col)
        if isinstance(cond, list):
            parts.append(f"{q} IN ({', '.join(literal(str(v)) for v in cond)})")
        elif isinstance(cond, Mapping):
            if any(op in ("gt", "gte", "lt", "lte") for op in cond):
                check_compared_number(store, log, col)
            for op, value in cond.items():
                parts.append(op_sql(q, op, value))
        elif isinstance(cond, bool):
            parts.append(f"lower(CAST({q} AS VARCHAR)) IN "
                         f"({', '.join(literal(v) for v in (['true', '1', 'yes'] if cond else ['false', '0', 'no']))})")
        else:
            parts.append(f"CAST({q} AS VARCHAR) = {literal(str(cond))}")
    return " AND ".join(parts) if parts else "TRUE"


def op_sql(q: str, op: str, value: object) -> str:
    """SQL for one ``{op: value}`` of a row filter (values checked by ``check_where``)."""
    num = f"TRY_CAST({q} AS DOUBLE)"
    if op in ("gt", "gte", "lt", "lte"):
        sym = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        return f"{num} {sym} {float(str(value))!r}"
    if op == "ne":
        return f"CAST({q} AS VARCHAR) IS DISTINCT FROM {literal(str(value))}"
    if op == "in":
        return f"CAST({q} AS VARCHAR) IN ({', '.join(literal(str(v)) for v in _listed(value))})"
    if op in ("contains", "contains_any"):
        values = _listed(value) if op == "contains_any" else [value]
        token = "(" + "|".join(re.escape(str(v)) for v in values) + ")"
        return (f"regexp_matches(CAST({q} AS VARCHAR), "
                f"{literal('(^|[^A-Za-z0-9_-])' + token + '($|[^A-Za-z0-9_-])')})")
    if op == "is_null":
        return f"{q} IS NULL" if value else f"{q} IS NOT NULL"
    return f"CAST({q} AS VARCHAR) = {literal(str(value))}"


def _listed(value: object) -> list[object]:
    """The items of a list-valued filter operand (``in``, ``contains_any``)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]

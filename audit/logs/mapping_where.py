"""A mapping's ``where`` as SQL, with every row it sets aside counted by reason.

A mapping's ``where`` selects rows on source columns with the operators of a rule's
``where`` (``audit/logs/filters.py``). A number it compares (``gt``, ``gte`` ...) is read with
the mapping's own ``thousands`` and ``decimal`` (``audit/logs/numbers.py``), so "3,367" with
``thousands: ","`` is 3367 here as in a mapped column; a date it compares (``gte:
2024-01-01``) with the formats of the column mapped from that source column. A present value
that still cannot be read is not silently dropped: it is counted as *unreadable*, per column,
with its first rows.

Each row left out is counted once, at the first reason that holds (an unreadable value, then
the conditions in the order written), so the counts and the rows kept add up to the rows read;
``audit/logs/mapping_data.py`` takes the counts in the aggregate scan that checks the values,
and the log records them as ``LogInfo.extra["set_aside"]`` (the row ledger reads them).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audit.logs.filters import is_date, op_sql
from audit.logs.mapping_data import Tally, text_sql
from audit.logs.mapping_file import LogMapping, formats
from audit.logs.numbers import mapped_number_sql
from audit.logs.sql import literal, quote
from audit.logs.views import typed_kind

COMPARED = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class Condition:
    """One ``column: condition`` of the ``where``: ``keeps`` is never NULL (a row it cannot
    decide, such as an empty cell compared as a number, is not kept)."""

    detail: str  # as written, e.g. "Scope: {ne: TOTAL}"
    keeps: str


@dataclass(frozen=True)
class Unreadable:
    """A compared column's present values that are no number in the mapping's settings."""

    column: str
    test: str


@dataclass(frozen=True)
class MappingFilter:
    conditions: tuple[Condition, ...]
    unreadable: tuple[Unreadable, ...]

    @property
    def sql(self) -> str:
        """The rows kept: every condition holds (an unreadable value holds none)."""
        return " AND ".join(f"({c.keeps})" for c in self.conditions) or "TRUE"

    def tallies(self) -> list[Tally]:
        """Each row left out under its first reason: the counts add up to the rows left out."""
        out: list[Tally] = []
        before: list[str] = []
        for u in self.unreadable:
            out.append(Tally("unreadable", u.column, _all([*before, f"({u.test})"])))
            before.append(f"NOT ({u.test})")
        for c in self.conditions:
            out.append(Tally("where", c.detail, _all([*before, f"NOT ({c.keeps})"])))
            before.append(f"({c.keeps})")
        return out


def _all(parts: Sequence[str]) -> str:
    return " AND ".join(parts) or "TRUE"


def mapping_filter(mapping: LogMapping, columns: list[str],
                   types: Mapping[str, str] | None = None,
                   timezone: str | None = None) -> MappingFilter:
    """The mapping's ``where`` on its source columns (checked against them); ``types``: the
    columns' types, as DuckDB names them (a typed value is compared as its type), and
    ``timezone`` the pack's."""
    conditions: list[Condition] = []
    unreadable: list[Unreadable] = []
    spec = mapping.spec
    for col, cond in (spec.get("where") or {}).items():
        if col not in columns:
            raise mapping.problem(("where", col), unknown_column(col, columns, mapping))
        q = quote(col)
        detail = f"{col}: {_written(cond)}"
        if isinstance(cond, list):
            sql = f"CAST({q} AS VARCHAR) IN ({', '.join(literal(str(v)) for v in cond)})"
        elif isinstance(cond, bool):
            words = ("true", "1", "yes") if cond else ("false", "0", "no")
            sql = f"lower(CAST({q} AS VARCHAR)) IN ({', '.join(map(literal, words))})"
        elif isinstance(cond, Mapping):
            parts = []
            readers: dict[str, str] = {}  # how the compared values are read, by kind
            for op, value in cond.items():
                if op not in COMPARED:
                    parts.append(op_sql(q, op, value))
                    continue
                kind = "date" if is_date(value) else "number"
                read = readers.setdefault(kind, _read_as(
                    mapping, kind, col, typed_kind((types or {}).get(col, "")), timezone))
                limit = (f"DATE {literal(str(value))}" if kind == "date"
                         else repr(float(str(value))))
                parts.append(f"{read} {COMPARED[op]} {limit}")
            if readers:
                unreadable.append(Unreadable(col, f"{text_sql(col)} IS NOT NULL AND (" + " OR ".join(
                    f"{read} IS NULL" for read in readers.values()) + ")"))
            sql = " AND ".join(parts)
        else:
            sql = f"CAST({q} AS VARCHAR) = {literal(str(cond))}"
        conditions.append(Condition(detail, f"COALESCE({sql}, FALSE)"))
    return MappingFilter(tuple(conditions), tuple(unreadable))


def _read_as(mapping: LogMapping, kind: str, col: str, typed: str | None,
             timezone: str | None) -> str:
    """SQL reading a source cell as the mapping reads it: a number with its ``thousands`` and
    ``decimal``; a date with the formats of the column mapped from it (else ISO dates). A
    typed cell is read as its type: a number as a number, a timestamp as its date (an
    instant's in the time zone of the column mapped from it, the mapping's or the pack's)."""
    spec = mapping.spec
    q = quote(col)
    mapped = [c for c in (spec.get("columns") or {}).values() if c.get("from") == col]
    if kind == "number":
        if typed == "number":
            return f"CAST({q} AS DOUBLE)"
        return mapped_number_sql(text_sql(col), spec.get("thousands"), spec.get("decimal"))
    if typed == "date":
        return q
    if typed == "local":
        return f"CAST({q} AS DATE)"
    if typed == "instant":
        zone = next((c["timezone"] for c in mapped if c.get("timezone")), None) \
            or spec.get("timezone") or timezone
        if zone is None:
            raise mapping.problem(("where", col), "the date of an instant depends on the time "
                                                  "zone: give 'timezone' in the mapping, or in "
                                                  "platform.yaml")
        return f"CAST(timezone({literal(zone)}, {q}) AS DATE)"
    given = [f for c in mapped for f in formats(c)]
    fmts = given or ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
    return (f"CAST(try_strptime({text_sql(col)}, [{', '.join(literal(f) for f in fmts)}]) "
            "AS DATE)")


def _written(cond: object) -> str:
    """A condition as the mapping file writes it (YAML flow style)."""
    if isinstance(cond, Mapping):
        return "{" + ", ".join(f"{op}: {_written(v)}" for op, v in cond.items()) + "}"
    if isinstance(cond, list):
        return "[" + ", ".join(_written(v) for v in cond) + "]"
    if isinstance(cond, bool):
        return "true" if cond else "false"
    return str(cond)


def unknown_column(col: str, columns: list[str], mapping: LogMapping) -> str:
    close = difflib.get_close_matches(col, columns, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no column {col!r} in {mapping.displays[0]} (columns: {shown(columns)}){hint}"


def shown(columns: list[str]) -> str:
    """The first columns of the data, for a message."""
    return ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")

"""Offending rows listed by the pass that computes the figures: no second read of the log.

A measurement may name rows besides its figures (``Rows``: a deadline rule's events handled
late or not at all). The log's one pass (``audit.logs.plan``) then returns them with the
aggregates, one extra part of the same query per measurement, and keeps them out of Python:

- on DuckDB the pass's whole result is a temporary table of the run's connection
  (``CREATE TEMP TABLE ... AS``: the figures' few rows and every listed row), which DuckDB
  keeps within its memory limit by spilling to its temporary directory; the figures are then
  read from that table, exactly typed as the query made them;
- on Spark (one aggregate, ``LogEngine.shares_common_tables`` false) the listed rows are
  groups of the aggregate (the values kept per row as keys, ``count(*)`` its copies),
  streamed back a partition at a time and written as they arrive to a JSON Lines file in a
  temporary folder of the run, removed with the engine; a private in-memory DuckDB reads it.

The pass keeps plain values per row (numbers, an id: ``Rows.keys``); a report reads a
measurement's rows from there (``Listed.rows``), formatted as they are read, ordered worst
first and capped over the listed rows only, never over the log. pyarrow is not a dependency of the
tool (only of the spark-connect extra), so the spill is DuckDB's own storage or JSON Lines.
See docs/performance.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audit.engine.base import LogEngine, Row
from audit.logs.sql import literal, quote

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

SPILL_MEMORY = "256MB"  # the private DuckDB reading a Spark run's listed rows: sorts spill

# Whether the rules list their offending rows in the pass: a run whose report shows none (a
# JSON result, the console) does not pay for rows nobody reads (on a 10M-row log with every
# bundled module, 3.4M offending rows: 12 -> 35 CPU s). Rows not listed are read, if ever, by
# each rule's own query (``DetailQuery.sql``), as a plugin rule's are.
_LISTING: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_listing", default=True)


@contextlib.contextmanager
def listing(on: bool) -> Iterator[None]:
    """While open, rules list their offending rows in the pass (``on``) or not."""
    token = _LISTING.set(on)
    try:
        yield
    finally:
        _LISTING.reset(token)


def listing_wanted() -> bool:
    return _LISTING.get()


@dataclass(frozen=True)
class Rows:
    """The rows a measurement lists, in the names of its pass (its ``Namer``'s).

    ``condition``: which rows; ``keys``: (name, expression) of the values the pass keeps per
    row: the first orders them worst first (NULL first, then the largest), the second breaks
    ties; ``columns``: (label, expression over the keys' names) of what a report shows,
    computed when the rows are read (by DuckDB, on every engine), so the pass keeps plain
    values (numbers, an id) and formats none; ``needs``: per-row columns (name, expression
    over the log's view) the keys read that the measurement does not compute already;
    ``derived``: (name, expression) computed beside the measurement's joins
    (``Pieces.derived``). Every measurement's keys over one log share the result's columns
    by position, so they have the same types (deadline rules: microseconds and an id)."""

    condition: str
    keys: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    needs: tuple[tuple[str, str], ...] = ()
    derived: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Listed:
    """A measurement's listed rows, held by the run: ``count`` of them, read back by
    ``rows`` from ``relation`` (part ``part``) through ``read``."""

    log: str
    relation: str
    part: int
    count: int
    keys: tuple[str, ...]  # the kept values' names, in the shared columns' order
    shown: tuple[str, ...]  # what a report shows: DuckDB expressions over those names
    read: Callable[[str], Iterator[Row]] = field(repr=False, compare=False)
    errors: tuple[type[BaseException], ...] = ()  # what reading them raises when it fails
    keep: object = field(default=None, repr=False, compare=False)  # what owns the relation

    def rows(self, limit: int | None = None) -> Iterator[Row]:
        """The rows, worst first; at most ``limit``. A row the pass counted ``n`` times
        (identical rows are one group) comes ``n`` times."""
        named = ", ".join(f"_d{j} AS {quote(name)}" for j, name in enumerate(self.keys))
        worst, tie = quote(self.keys[0]), quote(self.keys[1])
        copies = (f"SELECT {named}, unnest(range(_rows)) AS _copy FROM {self.relation} "
                  f"WHERE _part = {self.part}")
        return self.read(f"SELECT {', '.join(self.shown)} FROM ({copies}) ORDER BY {worst} "
                         f"IS NULL DESC, {worst} DESC, {tie}"
                         + (f" LIMIT {int(limit)}" if limit is not None else ""))


Listing = list[tuple[int, Rows]]  # (measurement's index in the pass, the rows it lists)


def width(listing: Listing) -> int:
    """Result columns the listed rows take: the most keys of a measurement."""
    return max((len(rows.keys) for _i, rows in listing), default=0)


def slots(rows: Rows, size: int) -> list[str]:
    """One measurement's kept values in the shared columns, NULL after its own."""
    values = [expr for _name, expr in rows.keys]
    return values + ["NULL"] * (size - len(values))


def _listed(log: str, relation: str, k: int, rows: Rows, count: int,
            read: Callable[[str], Iterator[Row]], errors: tuple[type[BaseException], ...],
            keep: object = None) -> Listed:
    return Listed(log, relation, 2 + k, count, tuple(name for name, _expr in rows.keys),
                  tuple(expr for _label, expr in rows.columns), read, errors, keep)


def branches(listing: Listing, tallies: int, aggregates: int) -> str:
    """DuckDB: one UNION ALL branch over the pass's common table ``u`` per listing
    measurement: part 2, 3, ... with its rows' values in the shared columns, grouped (the
    copies of a row counted). The GROUP BY is what keeps the pass one scan at its cost:
    DuckDB feeds a common table to every branch that ends in an aggregate as it reads the
    log, but holds every row of it for a branch returning rows as they are (+2 CPU s on a
    10M-row Parquet log with 88k offending rows, against +0.35 s grouped). Grouped by the
    kept values' positions only: the figures' NULL columns are no keys to hash."""
    size = width(listing)
    out = []
    for k, (_i, rows) in enumerate(listing):
        blanks = "".join(", NULL" for _ in range(tallies))
        empty = "".join(", NULL" for _ in range(aggregates))
        kept = ", ".join(str(tallies + aggregates + 3 + j) for j in range(size))
        out.append(f" UNION ALL SELECT {2 + k}{blanks}, count(*){empty}, "
                   f"{', '.join(slots(rows, size))} FROM u WHERE {rows.condition} "
                   f"GROUP BY {kept}")
    return "".join(out)


def pad(listing: Listing) -> str:
    """The shared columns in the figures' parts: NULL, named ``_d0``, ``_d1``, ..."""
    return "".join(f", NULL AS _d{j}" for j in range(width(listing)))


def paired(listing: Listing) -> tuple[str, str]:
    """Spark's one aggregate: how each row is paired with the parts (0 and 1 always; 2 + k
    when measurement k lists it), and the shared columns' values for the listed parts."""
    if not listing:
        return "CROSS JOIN (SELECT 0 AS _part UNION ALL SELECT 1 AS _part) p", ""
    size = width(listing)
    numbers = " UNION ALL ".join(f"SELECT {p} AS _part" for p in range(2 + len(listing)))
    on = " OR ".join(["p._part < 2"] + [f"(p._part = {2 + k} AND ({rows.condition}))"
                                       for k, (_i, rows) in enumerate(listing)])
    values = [slots(rows, size) for _i, rows in listing]
    shown = "".join(
        f", CASE p._part {' '.join(f'WHEN {2 + k} THEN {v[j]}' for k, v in enumerate(values))}"
        f" END AS _d{j}" for j in range(size))
    return f"JOIN ({numbers}) p ON {on}", shown


def spill(store: LogEngine, log: str, sql: str, listing: Listing, tallies: int
          ) -> tuple[list[Row], dict[int, Listed]]:
    """Run the pass ``sql`` (``_part``, ``tallies`` keys, ``_rows``, the aggregates, then
    the listed rows' ``width`` columns): the figures' rows (parts 0 and 1, without the
    listed rows' columns) and each listing measurement's ``Listed`` by its index."""
    size = width(listing)
    if store.shares_common_tables:
        return _into_table(store, log, sql, listing, size)
    return _into_file(store, log, sql, listing, size, tallies)


_TABLES = itertools.count(1)  # temporary tables made by this process: each pass's own name


def _into_table(store: LogEngine, log: str, sql: str, listing: Listing, size: int
                ) -> tuple[list[Row], dict[int, Listed]]:
    """DuckDB: the pass's result made a temporary table by the scan itself; the figures
    and the listed rows' counts read from it (a few hundred rows and one small aggregate)."""
    table = quote(f"_pass_{next(_TABLES)}")
    store.scan(log, f"CREATE TEMP TABLE {table} AS {sql}")
    head = store.describe(f"SELECT * FROM {table}")
    kept = ", ".join(quote(name) for name, _kind in head[:len(head) - size])
    figures = store.query(f"SELECT {kept} FROM {table} WHERE _part < 2")
    counts: dict[int, int] = dict(store.query(f"SELECT _part, sum(_rows) FROM {table} "
                                              "WHERE _part >= 2 GROUP BY _part"))
    return figures, {i: _listed(log, table, k, rows, int(counts.get(2 + k, 0)), store.stream,
                                store.query_errors())
                     for k, (i, rows) in enumerate(listing)}


def _into_file(store: LogEngine, log: str, sql: str, listing: Listing, size: int,
               tallies: int) -> tuple[list[Row], dict[int, Listed]]:
    """Spark: the pass streamed a partition at a time; the listed rows (part >= 2) written
    to a JSON Lines file as they come, everything else kept (a few hundred rows)."""
    folder = Path(tempfile.mkdtemp(prefix="audit-details-"))
    weakref.finalize(store, shutil.rmtree, folder, True)
    path = folder / f"{log}.jsonl"
    names = [f"_d{j}" for j in range(size)]
    types = {"_part": "INTEGER", "_rows": "BIGINT"}
    types.update(zip(names, (kind for _name, kind in store.describe(sql)[-size:]),
                     strict=True))
    figures: list[Row] = []
    counts: dict[int, int] = {}
    store.logs[log].reads += 1  # a rule's scan, as LogEngine.scan counts one
    try:
        with path.open("w", encoding="utf-8") as out:
            for row in store.stream(sql):
                part = int(row[0])
                if part < 2:
                    figures.append(tuple(row[:len(row) - size]))
                    continue
                copies = int(row[tallies + 1] or 1)
                counts[part] = counts.get(part, 0) + copies
                record = dict(zip(names, row[len(row) - size:], strict=True))
                out.write(json.dumps({"_part": part, "_rows": copies, **record}, default=str))
                out.write("\n")
    except store.query_errors() as exc:  # named as the engine's own scan names it
        raise store.read_failed(log, exc, "cannot read log: " + store.reason(exc)) from None
    reader = _Reader(path, types)
    return figures, {i: _listed(log, reader.relation, k, rows, counts.get(2 + k, 0),
                                reader.stream, reader.errors, reader)
                     for k, (i, rows) in enumerate(listing)}


class _Reader:
    """A private in-memory DuckDB reading a Spark pass's listed rows from their file."""

    def __init__(self, path: Path, types: dict[str, str]) -> None:
        import duckdb  # deferred: DuckDB's module, loaded on Spark only to read the rows

        self.con: duckdb.DuckDBPyConnection = duckdb.connect(":memory:")
        self.errors: tuple[type[BaseException], ...] = (duckdb.Error,)
        self.con.execute(f"SET memory_limit = {literal(SPILL_MEMORY)}")
        self.con.execute(f"SET temp_directory = {literal(str(path.parent))}")
        self.con.execute("SET TimeZone = 'UTC'")
        columns = ", ".join(f"{quote(name)}: {literal(kind)}" for name, kind in types.items())
        self.relation = (f"read_json({literal(str(path))}, format = 'newline_delimited', "
                         f"columns = {{{columns}}})")

    def stream(self, sql: str, batch: int = 2048) -> Iterator[Row]:
        cur = self.con.execute(sql)
        while rows := cur.fetchmany(batch):
            yield from rows

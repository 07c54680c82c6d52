"""Offending rows listed by the pass that computes the figures: no second read of the log.

A measurement may name rows besides its figures (``Rows``: a deadline rule's events handled
late or not at all). The log's one pass (``audit.logs.plan``) then returns them with the
aggregates, one extra part of the same query per measurement, and keeps them out of Python:

- on DuckDB the pass's whole result is a temporary table of the run's connection
  (``CREATE TEMP TABLE ... AS``: the figures' few rows and every listed row), which DuckDB
  keeps within its memory limit by spilling to its temporary directory; the figures are then
  read from that table, exactly typed as the query made them;
- on Spark (one aggregate, ``LogEngine.shares_common_tables`` false) the listed rows are
  groups of the aggregate (the row's shown values as keys, ``count(*)`` its copies), streamed
  back a partition at a time and written as they arrive to a JSON Lines file in a temporary
  folder of the run, removed with the engine; a private in-memory DuckDB reads it back.

A report reads a measurement's rows from there (``Listed.rows``): ordered worst first and
capped over the listed rows only, never over the log. pyarrow is not a dependency of the
tool (only of the spark-connect extra), so the spill is DuckDB's own storage or JSON Lines.
See docs/performance.md.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audit.engine.base import LogEngine, Row
from audit.errors import EvidenceError, Problem
from audit.logs.sql import literal, quote

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

SPILL_MEMORY = "256MB"  # the private DuckDB reading a Spark run's listed rows: sorts spill


@dataclass(frozen=True)
class Rows:
    """The rows a measurement lists, in the names of its pass (its ``Namer``'s).

    ``condition``: which rows; ``columns``: (label, expression) of what a report shows;
    ``worst``: an expression ordering them, worst first (NULL first, then the largest; ties
    by the first column); ``needs``: per-row columns (name, expression over the log's view)
    the expressions read that the measurement does not compute already; ``derived``: (name,
    expression) computed beside the measurement's joins (``Pieces.derived``). Every
    measurement's rows over one log share the result's columns by position, so their
    columns have the same types (deadline rules: an id, three times as text, hours, a word)."""

    condition: str
    columns: tuple[tuple[str, str], ...]
    worst: str
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
    width: int  # the columns shown
    read: Callable[[str], Iterator[Row]] = field(repr=False, compare=False)
    errors: tuple[type[BaseException], ...] = ()  # what reading them raises when it fails
    keep: object = field(default=None, repr=False, compare=False)  # what owns the relation

    def rows(self, limit: int | None = None) -> Iterator[Row]:
        """The rows, worst first; at most ``limit``. A row the pass counted ``n`` times (a
        Spark group of identical rows) comes ``n`` times."""
        shown = ", ".join(f"_d{j + 1}" for j in range(self.width))
        sql = (f"SELECT {shown}, _rows FROM {self.relation} WHERE _part = {self.part} "
               f"ORDER BY _d0 IS NULL DESC, _d0 DESC, _d1"
               + (f" LIMIT {int(limit)}" if limit is not None else ""))
        left = limit
        for row in self.read(sql):
            for _copy in range(int(row[-1] or 1)):
                if left is not None:
                    if left <= 0:
                        return
                    left -= 1
                yield tuple(row[:-1])


Listing = list[tuple[int, Rows]]  # (measurement's index in the pass, the rows it lists)


def width(listing: Listing) -> int:
    """Result columns the listed rows take: the sort key, then the widest measurement's."""
    return 1 + max((len(rows.columns) for _i, rows in listing), default=0) if listing else 0


def slots(rows: Rows, size: int) -> list[str]:
    """One measurement's values in the shared columns: sort key, shown values, NULL pad."""
    values = [rows.worst] + [expr for _label, expr in rows.columns]
    return values + ["NULL"] * (size - len(values))


def branches(listing: Listing, tallies: int, aggregates: int) -> str:
    """DuckDB: one UNION ALL branch over the pass's common table ``u`` per listing
    measurement: part 2, 3, ... with its rows' values in the shared columns."""
    size = width(listing)
    out = []
    for k, (_i, rows) in enumerate(listing):
        blanks = "".join(", NULL" for _ in range(tallies))
        empty = "".join(", NULL" for _ in range(aggregates))
        out.append(f" UNION ALL SELECT {2 + k}{blanks}, 1{empty}, "
                   f"{', '.join(slots(rows, size))} FROM u WHERE {rows.condition}")
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


_TABLES = [0]  # temporary tables made by this process: each pass's its own name


def _into_table(store: LogEngine, log: str, sql: str, listing: Listing, size: int
                ) -> tuple[list[Row], dict[int, Listed]]:
    """DuckDB: the pass's result made a temporary table by the scan itself; the figures
    and the listed rows' counts read from it (a few hundred rows and one small aggregate)."""
    _TABLES[0] += 1
    table = quote(f"_pass_{_TABLES[0]}")
    store.scan(log, f"CREATE TEMP TABLE {table} AS {sql}")
    head = store.describe(f"SELECT * FROM {table}")
    kept = ", ".join(quote(name) for name, _kind in head[:len(head) - size])
    figures = store.query(f"SELECT {kept} FROM {table} WHERE _part < 2")
    counts = dict(store.query(f"SELECT _part, count(*) FROM {table} WHERE _part >= 2 "
                              "GROUP BY _part"))
    return figures, {i: Listed(log, table, 2 + k, int(counts.get(2 + k, 0)), size - 1,
                               store.stream, store.query_errors())
                     for k, (i, _rows) in enumerate(listing)}


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
    except store.query_errors() as exc:
        raise EvidenceError(problems=[Problem(store.path_of(log), "", "cannot read log: "
                                              + store.reason(exc))]) from None
    reader = _Reader(path, types)
    return figures, {i: Listed(log, reader.relation, 2 + k, counts.get(2 + k, 0), size - 1,
                               reader.stream, reader.errors, reader)
                     for k, (i, _rows) in enumerate(listing)}


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

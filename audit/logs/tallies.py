"""How the log's one pass counts its tallies (``audit.logs.plan``), on either kind of engine.

A tally is a per-row outcome code (a deadline rule's on time, late, missing..., a period's
number) counted per value. On DuckDB one GROUP BY over every tally and one global aggregate
read one common table of the rows (``tallied``). Spark would read the log once per reference
to that table, so there both are one aggregate: each row paired with a counting part
(``one_aggregate``), or, when every code is known as the SQL is written and nothing else
needs grouping, one count per code in the global aggregate (``coded``), which costs Spark a
third less than the pairing (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from audit.engine.base import LogEngine, Row
from audit.logs import details
from audit.logs.details import Listed, Listing
from audit.logs.sql import quote

Tally = dict[int, int]  # a tally's value -> the rows having it


def count_if(condition: str) -> str:
    """SQL: the rows where ``condition`` holds, as an aggregate of the pass.

    ``count(CASE WHEN ... THEN 1 END)``, not ``count(*) FILTER (WHERE ...)``: with hundreds
    of filtered aggregates in one select list (every rule of every module over one log)
    DuckDB evaluates each FILTER separately, five times the cost of the CASE measured on a
    300k-row log with 26 rules (3.1 CPU s against 0.6). The counts are the same. Each such
    count is still evaluated on every row: a measurement counting several outcomes declares
    one code per row in ``Pieces.tallies`` instead (one GROUP BY counts them all)."""
    return f"count(CASE WHEN {condition} THEN 1 END)"


Counted = list[dict[Any, int]]  # per key: its value -> the rows having it


def tallied(store: LogEngine, log: str, rows: str, names: list[str], aggregates: list[str],
             listing: Listing) -> tuple[Counted, Row, dict[int, Listed]]:
    """The rows per value of each key (the tallies, and the data file when the log owes its
    rows per file) and the aggregates' row, from one query: a GROUP BY over every key (a few
    hundred groups per file: the rules' codes vary together) and the global aggregate,
    UNIONed over one common table expression of the rows; and the rows listed by
    ``listing``'s measurements, more parts of the same query (``audit.logs.details``)."""
    blank = ", ".join("NULL" for _ in aggregates)
    grouped = (f"SELECT 0 AS _part, {', '.join(names)}, count(*) AS _rows"
               f"{', ' + blank if blank else ''}{details.pad(listing)} FROM u "
               f"GROUP BY {', '.join(names)}")
    whole = (f"SELECT 1, {', '.join('NULL' for _ in names)}, NULL"
             f"{', ' + ', '.join(aggregates) if aggregates else ''}{details.pad(listing)} FROM u")
    if store.shares_common_tables:
        sql = (f"WITH u AS ({rows}) {grouped} UNION ALL {whole}"
               + details.branches(listing, len(names), len(aggregates)))
    else:
        sql = _one_aggregate(store, rows, names, aggregates, listing)
    lists: dict[int, Listed] = {}
    if listing:
        result, lists = details.spill(store, log, sql, listing, len(names))
    else:
        result = store.scan(log, sql)
    counts: Counted = [{} for _ in names]
    row: Row = ()
    for got in result:
        if got[0] == 1:
            row = tuple(got[len(names) + 2:])
            continue
        for k, value in enumerate(got[1:len(names) + 1]):
            counts[k][value] = counts[k].get(value, 0) + int(got[len(names) + 1])
    return counts, row, lists


def coded(store: LogEngine, log: str, rows: str, aggregates: list[str], tallies: list[str],
           codes: list[tuple[int, ...]]) -> tuple[list[Tally], Row]:
    """The tallies as one count per code each can take, beside the aggregates, in one global
    aggregate over one read of the rows; with every row's count, so a code its measurement
    did not declare stops the run instead of going uncounted."""
    counted = [count_if(f"{t} = {c}") for t, values in zip(tallies, codes, strict=True)
               for c in values]
    row = store.scan(log, f"SELECT {', '.join(aggregates + counted)}, count(*) FROM ({rows})")[0]
    at, out = len(aggregates), []
    for tally, values in zip(tallies, codes, strict=True):
        found = {c: int(n) for c, n in zip(values, row[at:at + len(values)], strict=True) if n}
        at += len(values)
        if sum(found.values()) != int(row[-1]):
            raise RuntimeError(f"a row of the {log} log has a code of {tally} that its "
                               f"measurement does not declare (declared: {values})")
        out.append(found)
    return out, tuple(row[:len(aggregates)])


def _one_aggregate(store: LogEngine, rows: str, names: list[str], aggregates: list[str],
                   listing: Listing) -> str:
    """``tallied``'s two parts as one aggregate over one read of the rows, for an engine that
    would read the log once per reference to a WITH table (Spark): each row is paired with
    part 0 (grouped by its keys, every other column NULL, so the aggregates there cost
    little) and part 1 (one group: the aggregates over every row, as they are); a row a
    ``listing`` measurement lists, with its part too (grouped by the values it keeps)."""
    keys = set(names)
    columns = [name for name, _kind in store.describe(rows)]
    kept = ", ".join(f"u.{quote(c)}" if c in keys else
                     f"CASE WHEN p._part = 1 THEN u.{quote(c)} END AS {quote(c)}"
                     for c in columns)
    join, shown = details.paired(listing)
    paired = f"SELECT p._part, {kept}{shown} FROM ({rows}) u {join}"
    grouping = [f"CASE WHEN _part = 0 THEN {name} END" for name in names]
    blank = "".join(f", {a}" for a in aggregates)
    listed = "".join(f", _d{j}" for j in range(details.width(listing)))
    return (f"SELECT _part, {', '.join(grouping)}, count(*) AS _rows{blank}{listed} "
            f"FROM ({paired}) GROUP BY _part, {', '.join(grouping)}{listed}")

"""One pass per log: every rule's aggregate over a log computed in one scan of its file.

A rule's measurement (``Measurement``) is a few SQL pieces: per-row columns over the log's
view, small tables joined on them (business-day calendars), columns derived from both, the
aggregates over those, per-row codes to tally (a rule's outcome per row: its counts) and the
rows whose ids must be unique. Before the rules are evaluated, each rule that reads a log
declares its measurement (``declare``, called from ``Evaluator.plan``); the first rule that then
asks for its figures (``measure``) runs the log's pass: ONE query over the log's rows, each
measurement's per-row columns renamed apart by a prefix, giving every measurement's aggregates
and tallies, with the log's checks (``LogEngine.checks``) riding along. Every rule's figures
come from that query.

A measurement nobody declared (a plugin rule that does not take part, the notices planner
measuring one incident) is computed by a scan of its own, the checks folded in while they are
still owed: the plan is an optimisation, never a condition. The check sums are handed to the
first rule that reads the log, which settles them together with its own duplicate-id count, so
problems are reported as they were when each rule scanned alone. See docs/performance.md and
docs/plugins/hooks.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from audit.engine.base import LogEngine, Row
from audit.logs.details import Listed, Listing, Rows
from audit.logs.sql import quote
from audit.logs.tables import KNOWN_LOGS
from audit.logs.tallies import Tally, coded, tallied

Namer = Callable[[str], str]  # a measurement's own column name -> its name in the pass


@dataclass(frozen=True)
class Pieces:
    """One measurement's SQL, its names given by the ``Namer`` it was built with.

    ``columns``: (name, per-row expression over the log's view columns); ``joins``: (table,
    alias, ON condition over ``t.<name>``) LEFT JOINed to those rows; ``derived``: (name,
    expression over ``t.<name>`` and the joined aliases); ``aggregates``: the figures, over
    the columns' and derived names; ``tallies``: names of columns or derived columns holding a
    small non-NULL integer per row, each counted per value (an outcome code: one tally in
    place of a filtered count per outcome); ``unique``: (condition over the names, id expression over
    the view's columns): the rows whose ids must be unique (the rule's judged events);
    ``rows``: the rows it lists (offending events), returned by the pass beside the figures
    (``audit.logs.details``; with tallies only). Two measurements differing only in ``rows``
    are the same figures. ``codes``: per tally, every value it can take, when the SQL knows
    them (a deadline rule's outcomes): an engine that would pair each row with a counting
    part to tally (Spark) counts each value in the global aggregate instead.
    """

    columns: tuple[tuple[str, str], ...]
    aggregates: tuple[str, ...]
    joins: tuple[tuple[str, str, str], ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    tallies: tuple[str, ...] = ()
    unique: tuple[str, str] | None = None
    rows: Rows | None = None
    codes: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Measurement:
    """What one rule measures over one log: ``build`` writes its SQL with any names."""

    log: str
    build: Callable[[Namer], Pieces]

    def plain(self) -> Pieces:
        """The SQL with the measurement's own names, as a scan of its own runs it."""
        return self.build(_plain)


@dataclass(frozen=True)
class Figures:
    """What the pass computed for one measurement: its aggregates' values, its tallies (in
    the order declared), and the duplicate ids among its ``unique`` rows (0 without)."""

    values: Row
    tallies: tuple[Tally, ...] = ()
    duplicates: int = 0
    rows: Listed | None = None


@dataclass(frozen=True)
class Measured:
    """A measurement's figures, and the log's check sums if this caller must settle them
    (``None`` when the log is validated already or another rule settles them)."""

    values: Row
    checks: list[int] | None = None
    whole_log_duplicates: int | None = None
    tallies: tuple[Tally, ...] = ()
    duplicates: int = 0


@dataclass
class _LogPlan:
    """The measurements declared over one log, then the pass's results."""

    parts: dict[str, Measurement] = field(default_factory=dict)
    results: dict[str, Figures] | None = None
    checks: list[int] | None = None
    whole: int | None = None


# per engine (weakly held: a plan lives as long as its run's engine)
_PLANS: weakref.WeakKeyDictionary[object, dict[str, _LogPlan]] = weakref.WeakKeyDictionary()
_PLANNING: weakref.WeakSet[object] = weakref.WeakSet()


def _plain(name: str) -> str:
    return name


@contextlib.contextmanager
def planning(store: LogEngine) -> Iterator[None]:
    """While the rules declare their measurements (``audit.pipeline.measure.plan``): checks
    a rule's SQL makes while it is written (numbers it compares) declare theirs too."""
    _PLANNING.add(store)
    try:
        yield
    finally:
        _PLANNING.discard(store)


def is_planning(store: LogEngine) -> bool:
    return store in _PLANNING


def declare(store: LogEngine, make: Callable[[], Measurement]) -> bool:
    """Declare the measurement ``make`` writes for its log's pass, before any rule is
    evaluated (``Evaluator.plan``). What writing it raises (a missing column, bad evidence)
    is the caller's: the pipeline then leaves the rule to meet it again when evaluated, in
    the order rules are. False when the log's pass has run already."""
    measurement = make()
    pieces = measurement.plain()
    key = _key(pieces)  # equal SQL, equal figures
    logs = _PLANS.setdefault(store, {})
    entry = logs.setdefault(measurement.log, _LogPlan())
    if entry.results is not None:  # the pass has run: later measurements scan alone
        return False
    if key not in entry.parts or pieces.rows is not None:  # the one listing rows, if any
        entry.parts[key] = measurement
    return True


def _key(pieces: Pieces) -> str:
    return repr(dataclasses.replace(pieces, rows=None))


def listed(store: LogEngine, measurement: Measurement) -> Listed | None:
    """The rows ``measurement`` listed in its log's pass, if it was declared with them and
    the pass has run (never a scan: without them a report reads the rows by a query)."""
    entry = _PLANS.get(store, {}).get(measurement.log)
    got = entry.results.get(_key(measurement.plain())) if entry and entry.results else None
    return got.rows if got is not None else None


def planned(store: LogEngine, log: str) -> int:
    """How many measurements of ``log`` its pass computes (for tests and progress)."""
    entry = _PLANS.get(store, {}).get(log)
    return len(entry.parts) if entry else 0


def measure(store: LogEngine, measurement: Measurement, checks: bool = True) -> Measured:
    """The figures of ``measurement``: from its log's pass when declared, else one scan.
    ``checks``: False leaves the log's checks to the next reader (which settles them)."""
    entry = _PLANS.get(store, {}).get(measurement.log)
    pieces = measurement.plain()
    key = _key(pieces)
    if entry is not None and key in entry.parts:
        if entry.results is None:
            _run_pass(store, measurement.log, entry)
        assert entry.results is not None
        got = entry.results[key]
        if not checks:
            return Measured(got.values, None, None, got.tallies, got.duplicates)
        sums, whole = entry.checks, entry.whole
        entry.checks = entry.whole = None  # settled once, by the first reader
        return Measured(got.values, sums, whole, got.tallies, got.duplicates)
    figures, sums, whole = _scan(store, measurement.log, [pieces], checks)
    return Measured(figures[0].values, sums, whole, figures[0].tallies, figures[0].duplicates)


def _run_pass(store: LogEngine, log: str, entry: _LogPlan) -> None:
    keys = list(entry.parts)
    pieces = [entry.parts[k].build(_prefixed(i)) for i, k in enumerate(keys)]
    values, entry.checks, entry.whole = _scan(store, log, pieces)
    entry.results = dict(zip(keys, values, strict=True))


def _prefixed(index: int) -> Namer:
    return lambda name: f"_m{index}_{name}"


def _scan(store: LogEngine, log: str, pieces: list[Pieces],
          with_checks: bool = True) -> tuple[list[Figures], list[int] | None, int | None]:
    """One query over ``log`` computing every measurement of ``pieces``, the log's checks if
    owed (and its whole-log duplicate ids when ``--unique-ids log`` asks for them), and its
    rows per data file when a mapping left them to the log's first full read.

    Tallies are counted by one GROUP BY over all of them, the other aggregates by one global
    aggregate, both over the same rows (a common table expression DuckDB computes once):
    hundreds of filtered counts in one select list cost more than the rest of the pass (on
    3M rows with 26 deadline rules, 6 CPU s of 11). The ids that must be unique are counted
    once over the union of every measurement's rows: none duplicated there, none in any."""
    checks = store.checks(log) if with_checks else []
    files = store.file_column(log)
    # an expression several measurements compute per row (a start column, the hours between
    # two) is computed once; the other names are references to it
    first: dict[str, str] = {}
    columns, same = [], []
    listing: Listing = [(i, p.rows) for i, p in enumerate(pieces) if p.rows and p.tallies]
    for name, expr in (c for p in pieces for c in p.columns + (p.rows.needs if p.rows else ())):
        if expr in first:
            same.append(f"t0.{first[expr]} AS {name}")
        else:
            first[expr] = name
            columns.append(f"{expr} AS {name}")
    columns += [f"{term} AS _chk{i}" for i, term in enumerate(checks)]
    if files:
        columns.append(f"{quote(files)} AS _file")
    aggregates = [a for p in pieces for a in p.aggregates]
    aggregates += [f"sum(_chk{i})" for i in range(len(checks))]
    spec = KNOWN_LOGS.get(log)
    whole_log = bool(checks and getattr(store, "unique_ids", "judged") == "log" and spec
                     and spec.id_column in store.columns(log))
    if whole_log and spec:
        columns.append(f"{quote(spec.id_column)} AS _wid")
        aggregates.append("count(_wid) - count(DISTINCT _wid)")
    unique = {i: p.unique for i, p in enumerate(pieces) if p.unique}
    ids = sorted({ident for _cond, ident in unique.values()})  # id expressions, usually one
    columns += [f"{expr} AS _uid{j}" for j, expr in enumerate(ids)]
    groups = [[i for i, (_cond, ident) in unique.items() if ident == expr] for expr in ids]
    for j, members in enumerate(groups):
        aggregates.append(_duplicates(" OR ".join(f"({unique[i][0]})" for i in members),
                                      f"_uid{j}"))
    rows = f"SELECT {', '.join(columns) or '1 AS _one'} FROM {store.relation(log)}"
    if same:
        rows = f"SELECT t0.*, {', '.join(same)} FROM ({rows}) t0"
    joins = [j for p in pieces for j in p.joins]
    derived = [d for p in pieces for d in p.derived + (p.rows.derived if p.rows else ())]
    if joins or derived:
        added = "".join(f", {expr} AS {name}" for name, expr in derived)
        joined = " ".join(f"LEFT JOIN {table} {alias} ON {on}" for table, alias, on in joins)
        rows = f"SELECT t.*{added} FROM ({rows}) t {joined}"
    tallies = [t for p in pieces for t in p.tallies]
    known = all(len(p.codes) == len(p.tallies) for p in pieces)
    lists: dict[int, Listed] = {}
    counts: list[Tally] = []
    if tallies and known and not (store.shares_common_tables or files or listing):
        # every code known, no rows per file owed, none listed: one count per code in the
        # global aggregate, no row paired with a counting part (``audit.logs.tallies``)
        counts, row = coded(store, log, rows, aggregates, tallies,
                             [c for p in pieces for c in p.codes])
    elif tallies or files:
        # the data file is one more key of the tallies' GROUP BY (the groups: the codes that
        # occur together, per file), not a part of its own, which would pair every row once more
        keys = tallies + (["_file"] if files else [])
        counted, row, lists = tallied(store, log, rows, keys, aggregates, listing)
        counts = counted[:len(tallies)]
        if files:
            store.files_counted(log, [(str(f), n) for f, n in counted[-1].items()])
    else:
        row = store.scan(log, f"SELECT {', '.join(aggregates)} FROM ({rows})")[0]
    out, at, tally = [], 0, 0
    for i, p in enumerate(pieces):
        out.append(Figures(tuple(row[at:at + len(p.aggregates)]),
                           tuple(counts[tally:tally + len(p.tallies)]), 0, lists.get(i)))
        at += len(p.aggregates)
        tally += len(p.tallies)
    sums = [int(v or 0) for v in row[at:at + len(checks)]] if checks else None
    whole = int(row[at + len(checks)] or 0) if whole_log else None
    found = row[len(row) - len(groups):]
    for j, (members, dup) in enumerate(zip(groups, found, strict=True)):
        if dup and len(members) == 1:
            out[members[0]] = _with_duplicates(out[members[0]], int(dup))
        elif dup:  # an error path: which measurements' rows hold the duplicates
            each = [_duplicates(unique[i][0], f"_uid{j}") for i in members]
            for i, n in zip(members, store.scan(log, f"SELECT {', '.join(each)} FROM ({rows})",
                                                rule=False)[0], strict=True):
                out[i] = _with_duplicates(out[i], int(n or 0))
    return out, sums, whole


def _duplicates(condition: str, ident: str) -> str:
    """SQL: how many ids of the rows where ``condition`` holds repeat an earlier one. The
    DISTINCT runs over a CASE: the rows left out are one NULL group, not hashed each."""
    return (f"count(CASE WHEN {condition} THEN {ident} END) - "
            f"count(DISTINCT CASE WHEN {condition} THEN {ident} END)")


def _with_duplicates(figures: Figures, count: int) -> Figures:
    return dataclasses.replace(figures, duplicates=count)


def settled(store: LogEngine, measurement: Measurement) -> Row:
    """The figures of a measurement that adds no duplicate-id count of its own: the log's
    checks, when this caller is the first to read it, settled here (problems raised)."""
    got = measure(store, measurement)
    store.settle(measurement.log, got.checks, None, got.whole_log_duplicates)
    return got.values


def newest_column(store: LogEngine, log: str) -> str | None:
    """The column dating a known log's newest event (its first time column), if loaded."""
    spec = KNOWN_LOGS.get(log)
    column = spec.ordered[0][0] if spec and spec.ordered else None
    return column if column and column in store.columns(log) else None


def column_max(log: str, column: str) -> Measurement:
    """The largest value of one column (a log's newest event, for the freshness check)."""
    return Measurement(log, lambda n: Pieces(((n("c"), quote(column)),), (f"max({n('c')})",)))

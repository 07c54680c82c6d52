"""The row ledger: where every row of a log went, per table and per rule, adding up exactly.

A figure a regulator cannot reconcile with the rows a platform submitted is worth little, so
each log-based figure carries its accounting (docs/data-quality.md). Per log table: the rows
read from its files, the rows the mapping set aside (its ``where``, duplicates, unreadable
values), the rows left in the table. Per rule: the table's rows, those outside the rule's
scope (its ``where``), outside the judged period or before the rule took effect, without a
usable start, still open within their deadline, and judged. The counts come from the scans
that measure the figures (``audit.logs.metrics``, the rules' own aggregates); this module
holds them and says them in words, so every report words them alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.i18n import _, format_number, ngettext

# What a mapping may set aside, as it records it in ``LogInfo.extra["set_aside"]``.
STAGES = ("where", "duplicate", "unreadable")
# What a rule may set aside beyond the fixed parts, as ``RuleLedger.other_set_aside`` names it.
SET_ASIDE_REASONS = ("no_events", "other_periods", "unreadable")


@dataclass(frozen=True)
class SetAside:
    """Rows a log's mapping left out of its table at one stage, for one reason."""

    stage: str  # "where" (a condition of the mapping's where), "duplicate", "unreadable"
    detail: str  # the condition's text, or the column whose value could not be read
    rows: int
    first_rows: tuple[int, ...] = ()  # data rows, for a reader to look them up

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SetAside:
        """One entry of ``LogInfo.extra["set_aside"]`` (written by the mapping layer)."""
        return cls(str(record.get("stage", "")), str(record.get("detail", "")),
                   int(record.get("rows") or 0),
                   tuple(int(r) for r in record.get("first_rows") or ()))

    @property
    def explained(self) -> bool:
        """A stated filter (the mapping's where, its deduplication) rather than data that
        could not be read: ``--strict`` fails on the unexplained ones."""
        return self.stage in ("where", "duplicate")


@dataclass(frozen=True)
class TableLedger:
    """One log table: rows read from its files = rows set aside + rows in the table."""

    log: str
    files: tuple[str, ...]  # the files (or locations) the table was read from
    rows: int  # rows in the table, as the rules see it
    set_aside: tuple[SetAside, ...] = ()
    # rows read from each file, as the mapping's validation scan counted them (empty when it
    # did not: a plain log, a loader's rows); a file read by two mappings is listed twice
    file_rows: tuple[tuple[str, int], ...] = ()

    @property
    def read(self) -> int:
        """Rows read from the files: what the table holds and what was set aside."""
        return self.rows + sum(s.rows for s in self.set_aside)

    @property
    def balanced(self) -> bool:
        """No part is negative (``read`` is their sum by construction), and the rows per
        file, when counted, add up to the rows read."""
        return (self.rows >= 0 and all(s.rows >= 0 for s in self.set_aside)
                and (not self.file_rows or sum(n for _f, n in self.file_rows) == self.read))


@dataclass(frozen=True)
class RuleLedger:
    """One log-based rule of one requirement: the table's rows, each counted once."""

    requirement: str  # full id
    rule: str  # rule type (deadline, count, share, ...)
    log: str
    rows: int  # rows of the table the rule's scan read
    out_of_scope: int  # not selected by the rule's where
    outside_period: int  # before the rule took effect, after the as-of date, before lookback
    no_start: int  # no usable start (blank start date, or a date that does not parse)
    judged: int  # the rows the figure counts
    pending: int = 0  # still open within their deadline: not judged yet
    start: str | None = None  # the column the clock or period starts from
    scope: str = ""  # the rule's where, as text ("" for every row)
    first_without_start: tuple[int, ...] = ()  # data rows without a usable start
    # rows set aside for a reason of the rule's own, by name (SET_ASIDE_REASONS): a
    # ``reported`` figure over no events, of another period length, unreadable
    other_set_aside: tuple[tuple[str, int], ...] = ()

    @property
    def accounted(self) -> int:
        return (self.out_of_scope + self.outside_period + self.no_start + self.pending
                + sum(n for _reason, n in self.other_set_aside) + self.judged)

    @property
    def balanced(self) -> bool:
        """Every row of the table in exactly one part (the sums hold exactly)."""
        return self.accounted == self.rows

    @property
    def confidence(self) -> str:
        """``reduced`` when rows left the figure for want of data rather than by a stated
        filter (no usable start): the figure may not describe every event."""
        return "reduced" if self.no_start else "full"


@dataclass(frozen=True)
class Ledger:
    """The ledger of one run: each table read and each log-based rule judged."""

    tables: tuple[TableLedger, ...] = ()
    rules: tuple[RuleLedger, ...] = ()

    @property
    def balanced(self) -> bool:
        rows = {t.log: t.rows for t in self.tables}
        return (all(t.balanced for t in self.tables) and all(r.balanced for r in self.rules)
                and all(rows.get(r.log, r.rows) == r.rows for r in self.rules))

    def for_requirement(self, full_id: str) -> tuple[RuleLedger, ...]:
        return tuple(r for r in self.rules if r.requirement == full_id)


SHOWN_FILES = 10  # rows per file are worded for the first files (the JSON has them all)
SHOWN_VALUES = 5  # a long list of values (every EU country) is cut after these, with its count


def scope_text(where: Mapping[str, Any] | None) -> str:
    """A rule's ``where`` as the ledger words it: ``category=leak, requester=authority``,
    ``countries contains_any EU, AT, BE, BG, HR, ... (28 values)``."""
    parts = []
    for column, cond in (where or {}).items():
        if isinstance(cond, Mapping):
            parts += [f"{column} {op} {_values(value)}" for op, value in cond.items()]
        elif isinstance(cond, (list, tuple)):
            parts.append(f"{column} in {_values(cond)}")
        else:
            parts.append(f"{column}={cond}")
    return ", ".join(parts)


def _values(value: object) -> str:
    if not isinstance(value, (list, tuple)):
        return str(value)
    shown = ", ".join(str(v) for v in value[:SHOWN_VALUES])
    if len(value) <= SHOWN_VALUES:
        return shown
    return _("{values}, ... ({count} values)", values=shown, count=format_number(len(value)))


def table_ledger(log: str, files: Sequence[str], rows: int,
                 records: Sequence[Mapping[str, Any]] | None,
                 file_rows: Sequence[Sequence[Any]] | None = None) -> TableLedger:
    """A table's ledger from its row count and what its mapping recorded as set aside
    (``LogInfo.extra["set_aside"]``; absent: nothing was) and as read per file
    (``LogInfo.extra["file_rows"]``, pairs of file and rows; absent: not counted)."""
    return TableLedger(log, tuple(files), rows,
                       tuple(SetAside.from_record(r) for r in records or ()),
                       tuple((str(f), int(n)) for f, n in file_rows or ()))


def ledger_dict(ledger: Ledger) -> dict[str, Any]:
    """The ledger as the JSON result carries it (docs/reference/result-schema.md)."""
    return {
        "tables": [{"log": t.log, "files": list(t.files), "read": t.read,
                    "set_aside": [{"stage": s.stage, "detail": s.detail, "rows": s.rows,
                                   "first_rows": list(s.first_rows)} for s in t.set_aside],
                    "file_rows": [{"file": f, "rows": n} for f, n in t.file_rows],
                    "rows": t.rows} for t in ledger.tables],
        "rules": [{"requirement": r.requirement, "rule": r.rule, "log": r.log,
                   "rows": r.rows, "out_of_scope": r.out_of_scope,
                   "outside_period": r.outside_period, "no_start": r.no_start,
                   "pending": r.pending, "judged": r.judged, "start": r.start,
                   "scope": r.scope, "first_without_start": list(r.first_without_start),
                   "other_set_aside": [{"reason": reason, "rows": n}
                                       for reason, n in r.other_set_aside],
                   "confidence": r.confidence} for r in ledger.rules],
        "balanced": ledger.balanced,
    }


# -- in words ------------------------------------------------------------------------------

def _set_aside_words(s: SetAside) -> str:
    n = format_number(s.rows)
    if s.stage == "where":
        return _("{n} removed by the mapping's where ({condition})", n=n, condition=s.detail)
    if s.stage == "duplicate":
        return _("{n} duplicate(s) removed ({detail})", n=n, detail=s.detail)
    if s.stage == "unreadable":
        return _("{n} with an unreadable {column}, set aside", n=n, column=s.detail)
    return _("{n} set aside ({detail})", n=n, detail=s.detail)


def table_words(t: TableLedger) -> str:
    """``1,204 rows read from 2 files; 6 removed by the mapping's where (...); 1,198 rows in
    the table``."""
    parts = [ngettext("{count} row read from {files}", "{count} rows read from {files}", t.read,
                      count=format_number(t.read),
                      files=ngettext("{count} file", "{count} files", len(t.files),
                                     count=format_number(len(t.files))))]
    if len(t.file_rows) > 1:
        parts[0] += " (" + _(", ").join(_("{file}: {n}", file=f, n=format_number(n))
                                        for f, n in t.file_rows[:SHOWN_FILES]) + (
            _(", ...") if len(t.file_rows) > SHOWN_FILES else "") + ")"
    parts += [_set_aside_words(s) for s in t.set_aside if s.rows]
    parts.append(ngettext("{count} row in the table", "{count} rows in the table", t.rows,
                          count=format_number(t.rows)))
    return _("; ").join(parts)


def _other_words(reason: str, rows: int) -> str:
    n = format_number(rows)
    if reason == "no_events":
        return _("{n} over no events (count 0 or empty), not judged", n=n)
    if reason == "other_periods":
        return _("{n} of another period length, not judged", n=n)
    if reason == "unreadable":
        return _("{n} without a readable number, unit or period, not judged", n=n)
    return _("{n} set aside ({detail})", n=n, detail=reason)


def rule_words(r: RuleLedger) -> str:
    """``40 rows read; 1 without a usable detected_at, not judged; 39 judged``: every part
    that is not zero, then the judged rows (always)."""
    parts = [ngettext("{count} row read", "{count} rows read", r.rows,
                      count=format_number(r.rows))]
    if r.out_of_scope:
        parts.append(_("{n} outside the rule's scope ({scope})", n=format_number(r.out_of_scope),
                       scope=r.scope or _("its filter")))
    if r.outside_period:
        parts.append(_("{n} before the rule took effect or outside the period",
                       n=format_number(r.outside_period)))
    if r.no_start:
        parts.append(_("{n} without a usable {column}, not judged", n=format_number(r.no_start),
                       column=r.start or _("start")))
    if r.pending:
        parts.append(_("{n} still open within their deadline, not judged yet",
                       n=format_number(r.pending)))
    parts += [_other_words(reason, n) for reason, n in r.other_set_aside if n]
    parts.append(_("{n} judged", n=format_number(r.judged)))
    return _("; ").join(parts)

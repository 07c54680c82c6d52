"""Data-quality notes: findings about the evidence that change what a figure means.

A figure can be computed exactly and still mislead: "0 % on time" when the end column is empty
everywhere, a share over a handful of closed events when most are still open, a global dump
holding several platforms. These checks run after the rules, from the figures the rules already
measured (the deadline figures carry events, pending, missing and out-of-period counts), so they
cost no extra scan of a log; only the platform-column check asks DuckDB for one small
``count(DISTINCT ...)`` over the loaded table. Every note reaches every report
(``Assessment.notes``); ``audit assess --strict`` turns a warning into exit 1.
See docs/data-quality.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from audit.assessment import Assessment, DataNote, RequirementResult
from audit.durations import parse_duration
from audit.evidence.loaders import needed_log_columns
from audit.evidence.pack import EvidencePack
from audit.i18n import _, format_number, ngettext
from audit.ledger import Ledger
from audit.logs.metrics import JURISDICTION_TIMEZONES
from audit.logs.sql import quote
from audit.logs.tables import KNOWN_LOGS
from audit.model import Checklist, Finding, Rule, Status
from audit.registry import Registry

# Above this share of judged events without an end, a share "on time" describes the few
# closed events rather than the log, so it is flagged.
OPEN_SHARE_LIMIT = 0.5
# Columns that name the platform or provider an event belongs to (DSA dumps: platform_name).
PLATFORM_COLUMNS = ("platform_name", "platform", "provider")
# Jurisdictions with no single legal time zone by nature: their day clocks count in UTC on
# purpose (an international baseline), which is documented rather than warned about.
UTC_BY_DESIGN = {"INTL"}
DAY_UNITS = {"days", "business_days", "weeks", "months", "years"}

WARNING = "warning"
INFO = "info"


def warnings_of(assessment: Assessment) -> list[DataNote]:
    """The notes ``--strict`` fails on (every note of severity ``warning``)."""
    return [n for n in assessment.notes if n.severity == WARNING]


def with_platform_columns(needed: dict[str, set[str]]) -> dict[str, set[str]]:
    """``needed`` plus the platform columns, so the platform check can see them in every log a
    rule reads (a column the file lacks is simply not loaded)."""
    return {log: cols | set(PLATFORM_COLUMNS) for log, cols in needed.items()}


def data_notes(results: Sequence[RequirementResult], pack: EvidencePack,
               checklists: Sequence[Checklist],
               registry: Registry, ledger: Ledger | None = None) -> list[DataNote]:
    """Every data-quality note for this run, in a stable order (``ledger``: the run's row
    ledger, whose unexplained exclusions are noted too)."""
    notes: list[DataNote] = []
    store = pack.started_engine
    loaded = sorted(store.logs) if store is not None else []
    needed = needed_log_columns(checklists, registry)
    for log in loaded:
        if needed.get(log):
            continue
        path = store.logs[log].path  # type: ignore[union-attr]
        if log in KNOWN_LOGS:
            # a standard table the chosen checklists do not judge (a pack made for several
            # jurisdictions): worth saying, not worth failing --strict over
            notes.append(DataNote("log-not-read", _(
                "The {log} log ({path}) was not read by any rule: none of the assessed "
                "checklists judges it.", log=log, path=path), INFO, log=log))
        else:
            notes.append(DataNote("log-not-read", _(
                "The {log} log ({path}) was not read by any rule: it is not a standard table "
                "({tables}) and no assessed rule names it; check the file name.",
                log=log, path=path, tables=", ".join(sorted(KNOWN_LOGS))), WARNING, log=log))
    judged = list(_judged(results, registry))
    notes += _deadline_notes(judged)
    notes += _platform_notes(pack, [log for log in loaded if needed.get(log)], judged)
    notes += _timezone_notes(judged, pack)
    notes += _location_notes(pack, loaded)
    notes += _percentile_notes(pack)
    notes += ledger_notes(ledger or Ledger())
    return notes


def ledger_notes(ledger: Ledger) -> list[DataNote]:
    """Rows that left a figure for want of data rather than by a stated filter: a mapping's
    unreadable values, rule rows without a usable start; and a ledger whose sums fail (a
    bug, but never to pass silently). Each is a warning, so ``--strict`` fails on it."""
    notes = []
    for table in ledger.tables:
        for part in table.set_aside:
            if part.explained or not part.rows:
                continue
            notes.append(DataNote("rows-unreadable", ngettext(
                "{count} row of the {log} log was set aside because its {column} could not "
                "be read (first at data row(s) {rows}).",
                "{count} rows of the {log} log were set aside because their {column} could not "
                "be read (first at data row(s) {rows}).", part.rows,
                count=format_number(part.rows), log=table.log, column=part.detail or "?",
                rows=", ".join(map(str, part.first_rows)) or "?"), WARNING, log=table.log))
    grouped: dict[tuple[str, str], list[tuple[str, int, tuple[int, ...]]]] = {}
    for rule in ledger.rules:
        if rule.no_start:
            grouped.setdefault((rule.log, rule.start or "?"), []).append(
                (rule.requirement, rule.no_start, rule.first_without_start))
    for (log, column), items in grouped.items():
        most = max(n for _rid, n, _rows in items)
        first = next((rows for _rid, _n, rows in items if rows), ())
        notes.append(DataNote("rows-without-start", ngettext(
            "{count} row of the {log} log selected by {rules} has no usable {column} (blank or "
            "unreadable; first at data row(s) {rows}): it was not judged, so the figure may "
            "not describe every event.",
            "{count} rows of the {log} log selected by {rules} have no usable {column} (blank "
            "or unreadable; first at data row(s) {rows}): they were not judged, so the figure "
            "may not describe every event.", most, count=format_number(most), log=log,
            rules=", ".join(rid for rid, _n, _rows in items), column=column,
            rows=", ".join(map(str, first)) or "?"), WARNING, log=log,
            requirement=items[0][0]))
    if not ledger.balanced:
        notes.append(DataNote("ledger-unbalanced", _(
            "The row ledger does not add up (a rule's parts differ from the rows it read, or "
            "from its table's rows): the figures cannot be reconciled with the rows; please "
            "report this."), WARNING))
    return notes


def _location_notes(pack: EvidencePack, logs: Sequence[str]) -> list[DataNote]:
    """A log read in a data lake by Spark is not hashed by this process: say what identifies
    it instead, so nobody takes its evidence record for a content hash."""
    store = pack.started_engine
    notes = []
    for log in logs if store is not None else []:
        for mapping in store.logs[log].extra.get("mappings", []):  # type: ignore[union-attr]
            found = mapping.get("locations")
            if not found:
                continue
            count = int(found["files_listed"])
            notes.append(DataNote("log-read-in-place", ngettext(
                "The {log} log was read by Spark where it lies ({locations}); no row reached "
                "this process, so it is identified by the {count} file Spark listed for it "
                "(listing SHA-256 {digest}), not by a hash of its content.",
                "The {log} log was read by Spark where it lies ({locations}); no row reached "
                "this process, so it is identified by the {count} files Spark listed for it "
                "(listing SHA-256 {digest}), not by a hash of their content.", count,
                log=log, locations=", ".join(found["paths"]), count=format_number(count),
                digest=found["listing_sha256"][:16]), INFO, log=log))
    return notes


def _percentile_notes(pack: EvidencePack) -> list[DataNote]:
    """Percentiles computed approximately on Spark (``--spark-percentiles approximate``):
    every report says so, with the bound, since the figures differ from DuckDB's exact ones."""
    accuracy = getattr(pack.started_engine, "percentile_accuracy", None)
    if not accuracy:
        return []
    return [DataNote("percentiles-approximate", _(
        "The percentiles (p50, p90, p99) are approximate, as asked with --spark-percentiles "
        "approximate: for n judged events, each is a duration whose rank is within "
        "n/{accuracy} of the exact one (Spark's percentile_approx), not interpolated.",
        accuracy=accuracy), INFO)]


# -- deadline figures ----------------------------------------------------------------------

def _rule_pairs(rule: Rule, finding: Finding,
               registry: Registry) -> Iterator[tuple[Rule, Finding]]:
    """(rule, finding) for the rule and, for all_of/any_of, each nested rule and its part."""
    yield rule, finding
    evaluator = registry.evaluators.get(rule.type) if rule.type in registry.evaluators else None
    nested = getattr(evaluator, "nested_rules", None)
    children = rule.params.get(nested) if nested else None
    if children and len(children) == len(finding.children):
        for child, part in zip(children, finding.children, strict=True):
            yield from _rule_pairs(Rule(child["type"], {k: v for k, v in child.items()
                                                        if k != "type"}), part, registry)


def _judged(results: Sequence[RequirementResult],
            registry: Registry) -> Iterator[tuple[RequirementResult, Rule, Finding]]:
    """Every rule (nested ones too) of every requirement that applies, with its finding."""
    for r in results:
        if r.underlying.status is Status.NOT_APPLICABLE:
            continue
        for rule, finding in _rule_pairs(r.requirement.rule, r.underlying, registry):
            yield r, rule, finding


Judged = Sequence[tuple["RequirementResult", Rule, Finding]]


def _deadline_notes(judged: Judged) -> list[DataNote]:
    grouped: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    for r, rule, finding in judged:
        f = finding.figures
        if rule.type != "deadline" or "events" not in f or "pending" not in f:
            continue
        count = f["events"] + f["pending"]
        ended = f["on_time"] + f["late"]
        log, end = rule.params["log"], rule.params["end"]
        if count and not ended:
            code = "end-column-empty"
        elif count and (count - ended) / count > OPEN_SHARE_LIMIT:
            code = "most-events-open"
        elif not count and f.get("outside_period"):
            code = "no-event-in-period"
        else:
            continue
        grouped.setdefault((code, log, end), []).append((r.requirement.full_id, dict(f)))
    notes = []
    for (code, log, end), items in grouped.items():
        rules = ", ".join(rid for rid, _f in items)
        first, f = items[0]
        count = f["events"] + f["pending"]
        if code == "end-column-empty":
            message = _("The {column} column of the {log} log is empty in every row judged by "
                        "{rules}: no event has an end time, so the share on time measures "
                        "missing data, not handling.", column=end, log=log, rules=rules)
        elif code == "most-events-open":
            still_open = count - f["on_time"] - f["late"]
            # formatted first: the extractor reads only literal arguments of _()
            opened, judged_n = format(still_open, ","), format(count, ",")
            share = format(still_open / count * 100, ".1f")
            limit = format(OPEN_SHARE_LIMIT * 100, "g")
            message = _("{open} of {judged} events judged by {rules} in the {log} log have no "
                        "{column} ({share} %, more than {limit} %): the figure describes the "
                        "few closed events.", open=opened, judged=judged_n,
                        rules=rules, log=log, column=end, share=share, limit=limit)
        else:
            outside = format(f["outside_period"], ",")
            message = _("No event of the {log} log falls in the period judged by {rules}, but "
                        "{outside} matching event(s) lie outside it: check the as-of date and "
                        "the lookback.", log=log, rules=rules, outside=outside)
        notes.append(DataNote(code, message, WARNING, log=log, requirement=first))
    return notes


# -- platform columns ----------------------------------------------------------------------

def _filtered_to_one(judged: Judged, log: str, column: str) -> bool:
    """Whether every rule that reads ``log`` keeps one value of ``column`` (``where``), as an
    overlay that judges one platform of a shared log does."""
    readers = [rule for _r, rule, _f in judged if rule.params.get("log") == log]
    return bool(readers) and all(
        isinstance((rule.params.get("where") or {}).get(column), (str, int))
        for rule in readers)


def _platform_notes(pack: EvidencePack, logs: Sequence[str], judged: Judged) -> list[DataNote]:
    store = pack.started_engine
    if store is None:
        return []
    name = pack.profile.get("name", "")
    notes = []
    for log in logs:
        columns = [c for c in PLATFORM_COLUMNS if c in store.columns(log)
                   and not _filtered_to_one(judged, log, c)]
        if not columns:
            continue
        counts = store.query("SELECT " + ", ".join(f"count(DISTINCT {quote(c)})"
                                                   for c in columns)
                             + f" FROM {store.table(log)}")[0]
        for column, distinct in zip(columns, counts, strict=True):
            if distinct <= 1:
                continue
            top = store.query(f"SELECT {quote(column)}, count(*) AS n FROM {store.table(log)} "
                              f"WHERE {quote(column)} IS NOT NULL GROUP BY 1 "
                              f"ORDER BY n DESC, 1 LIMIT 3")
            shown = ", ".join(f"{value} ({n:,})" for value, n in top)
            different = format(distinct, ",")
            notes.append(DataNote("several-platforms", _(
                "The {column} column of the {log} log holds {count} different values (most "
                "rows: {values}) while the pack describes one platform, {platform}: every row "
                "was judged as {platform}'s; filter the log to that platform.",
                column=column, log=log, count=different, values=shown, platform=name),
                WARNING, log=log))
    return notes


# -- time zones ----------------------------------------------------------------------------

def _day_based(rule: Rule) -> bool:
    if rule.type == "count":
        return "log" in rule.params  # periods are whole days
    if rule.type != "deadline":
        return False
    clocks = [v.get("within") for v in rule.params.get("versions") or []]
    clocks.append(rule.params.get("within"))
    return any(parse_duration(c).unit.value in DAY_UNITS for c in clocks if c)


def _timezone_notes(judged: Judged, pack: EvidencePack) -> list[DataNote]:
    store = pack.started_engine
    by_jurisdiction: dict[str, list[str]] = {}
    for r, rule, _finding in judged:
        base = r.requirement.jurisdiction.split("-")[0]
        if (not _day_based(rule) or rule.params.get("timezone") or base in UTC_BY_DESIGN
                or base in JURISDICTION_TIMEZONES
                or r.requirement.jurisdiction in JURISDICTION_TIMEZONES  # a state's own zone
                or store is None or not store.has(rule.params["log"])):
            continue
        rules = by_jurisdiction.setdefault(r.requirement.jurisdiction, [])
        if r.requirement.full_id not in rules:
            rules.append(r.requirement.full_id)
    return [DataNote("clock-in-utc", _(
        "No legal time zone is known for {jurisdiction}, so the day-based clocks of {rules} "
        "count days in UTC; give the rule a 'timezone' (an IANA name) if the law counts local "
        "days.", jurisdiction=jurisdiction, rules=", ".join(rules)), WARNING,
        requirement=rules[0]) for jurisdiction, rules in by_jurisdiction.items()]

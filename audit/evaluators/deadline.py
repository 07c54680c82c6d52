"""``deadline``: the share of logged events handled within the law's clock.

The clock in force at each event's start applies (dated ``versions``), so a log spanning an
amendment is judged event by event. The measuring is one global aggregate per rule
(``audit.logs.metrics``), computed in the log's one pass with every other rule reading it
(``audit.logs.plan``); this module only words the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, ClassVar, Mapping

from audit.durations import parse_duration
from audit.evaluators.base import (
    EvaluationContext,
    Evaluator,
    duration_check,
    rule_versions,
    share_status,
)
from audit.evaluators.start_events import counted_from, thresholds
from audit.ledger import RuleLedger, scope_text
from audit.logs.filters import FILTER_SCHEMA, WHERE_OPS, check_where
from audit.i18n import _, format_date, format_duration, format_hours, format_number, format_percent
from audit.engine.base import LogEngine
from audit.logs.details import Rows, listing_wanted
from audit.logs.metrics import (
    DeadlineSpec,
    deadline_measurement,
    due_and_offending,
    legal_timezone,
    measure_deadline,
)
from audit.logs.plan import Measurement, Namer, Pieces, declare, listed
from audit.logs.sql import quote
from audit.model import DetailQuery, Finding, Proof, Requirement, Rule, Status
from audit.scoring import worst_status

COLUMN = {"type": "string", "regex": r"^[a-z_][a-z0-9_]*$",
          "meta": {"expect": "a lowercase column name"}}


def deadline_spec(requirement: Requirement, rule: Rule, as_of: dt.date) -> DeadlineSpec:
    """What a deadline rule measures, from its parameters: the one reading of a rule that
    assessing a log and planning an incident's notices (audit.notices) share."""
    p = rule.params
    versions = rule_versions(rule)
    return DeadlineSpec(
        log=p["log"], where=dict(p.get("where") or {}), start=p["start"], end=p["end"],
        versions=[(v.valid_from, v.valid_until, parse_duration(v.params["within"]),
                   float(v.params["target"])) for v in versions],
        calendar=p.get("calendar") or requirement.jurisdiction.split("-")[0],
        timezone=legal_timezone(requirement.jurisdiction, p.get("timezone")),
        lookback=parse_duration(p["lookback"]) if p.get("lookback") else None,
        as_of=as_of, key=requirement.full_id,
        version_starts=[v.params.get("start") for v in versions],
        from_next_day=bool(p.get("from_next_day")))


class DeadlineEvaluator(Evaluator):
    id = "deadline"
    summary = "Share of events in a log whose end falls within a duration of their start."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "log": dict(COLUMN, required=True, meta={"expect": "a log name such as moderation",
                                                 "doc": "Log table: logs/<log>.csv|parquet|jsonl."}),
        "where": dict(FILTER_SCHEMA, meta={"doc": "Row filters: {column: value}, {column: "
                                                  "[values]} or {column: {op: value}} (op: "
                                                  + ", ".join(WHERE_OPS) + ")."}),
        "start": dict(COLUMN, required=True, meta={"doc": "Column with the event the clock "
                                                          "counts from (detected_at, "
                                                          "assessed_at, ...: "
                                                          "docs/evidence-format.md); findings "
                                                          "name it in words."}),
        "from_next_day": {"type": "boolean",
                          "meta": {"doc": "Count from the start of the local day after the "
                                          "start event, e.g. Singapore's 3 calendar days after "
                                          "the day of the assessment (business days already "
                                          "count from the next day)."}},
        "end": dict(COLUMN, required=True, meta={"doc": "Column with the handling time."}),
        "within": {"type": "string", "meta": {"doc": "The clock: '24h', '3 business days'."}},
        "target": {"type": "number", "min": 0, "max": 1,
                   "meta": {"doc": "Share of events that must be on time (0-1)."}},
        "calendar": {"type": "string", "regex": r"^[A-Z]{2}$",
                     "meta": {"expect": "an ISO 3166-1 code",
                              "doc": "Holiday calendar for business days (default: the module's "
                                     "jurisdiction)."}},
        "lookback": {"type": "string", "meta": {"doc": "Only events started this long before "
                                                       "the as-of date, e.g. '12 months'."}},
        "timezone": {"type": "string", "check_with": "timezone",
                     "meta": {"doc": "IANA zone whose days the clock counts (default: the "
                                     "jurisdiction's, e.g. Asia/Baghdad for IQ)."}},
        "events": {"type": "string", "meta": {"doc": "Plural noun for the report, "
                                                     "e.g. 'leak-channel requests'."}},
        "done": {"type": "string", "meta": {"doc": "Past participle, e.g. 'actioned'."}},
    }
    versioned_params = ("within", "target")
    required_versioned = ("within", "target")

    def full_schema(self) -> dict[str, Any]:
        """Versions may also name their own ``start`` column (the clock's start under that
        version's law); the version is still chosen by the rule's ``start``."""
        schema = super().full_schema()
        version = schema["versions"]["schema"]["schema"]
        version["start"] = dict(COLUMN, meta={"doc": "Column this version's clock starts from, "
                                                     "when the law changed it (default: the "
                                                     "rule's start)."})
        return schema

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        problems = []
        for name in ("within", "lookback"):
            if name in params and (msg := duration_check(params[name])):
                problems.append(((name,), msg))
        if params.get("start") == params.get("end"):
            problems.append((("end",), "must differ from 'start'"))
        return problems + check_where(params.get("where"), ("where",))

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        p = rule.params
        starts = {v.get("start") for v in p.get("versions") or []} - {None}
        return {p["log"]: {p["start"], p["end"], *starts, *(p.get("where") or {})}}

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        """Declare the figures ``evaluate`` reads, for the log's one pass."""
        store = context.evidence.started_engine
        first = rule_versions(rule)[0].valid_from
        if (store is None or not store.has(rule.params["log"])
                or (first is not None and context.as_of < first)):
            return
        spec = deadline_spec(requirement, rule, context.as_of)
        declare(store, lambda: listing(store, spec) if listing_wanted()
                else deadline_measurement(store, spec))

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        p = rule.params
        log = p["log"]
        events = p.get("events") or _("{log} events", log=log)
        done = p.get("done") or _("handled")
        store = context.evidence.logs
        if not store.has(log):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no {log} log in the evidence (logs/{log}.csv, .parquet or .jsonl)",
                             log=log))
        versions = rule_versions(rule)
        first = versions[0].valid_from
        if first is not None and context.as_of < first:
            return Finding(requirement.full_id, Status.NOT_APPLICABLE, 0.0,
                           _("not yet in force: this clock applies to {events} from {date}",
                             events=events, date=format_date(first)))
        spec = deadline_spec(requirement, rule, context.as_of)
        result = measure_deadline(store, spec)
        context.record_ledger(RuleLedger(
            requirement.full_id, self.id, log, result.rows, result.out_of_scope, result.outside,
            result.no_start, result.total, result.pending, spec.start,
            scope_text(spec.where), result.first_without_start))
        context.cache.setdefault("details", {})[requirement.full_id] = DetailQuery(
            result.detail_sql, tuple(result.detail_columns), log,
            result.late + result.missing, monthly_sql=result.monthly_sql,
            listed=listed(store, deadline_measurement(store, spec)))
        proof = (Proof("log", store.path_of(log), result.where_text),)
        outside = _("{n} matching event(s) before the rule took effect or outside the period "
                    "were not judged", n=format_number(result.outside)) if result.outside else ""
        if result.no_start:
            outside = _("; ").join(([outside] if outside else []) + [_(
                "{n} matching event(s) without a usable {column} were not judged",
                n=format_number(result.no_start), column=spec.start)])
        if result.total == 0:
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           _("; ").join([_("the {log} log has no {events} in the period; an "
                                           "auditor must confirm none were received", log=log,
                                           events=events)] + ([outside] if outside else [])),
                           result.figures(), proof)
        parts = []
        statuses = []
        starts = [v.params.get("start") or p["start"] for v in versions]
        one_start = len(set(starts)) == 1
        for v, start in zip(result.versions, starts, strict=True):
            if v.total == 0:
                continue
            sentence = _("{on_time} of {total} {events} {done} within {within} = {share}; "
                         "target {target}", on_time=format_number(v.on_time),
                         total=format_number(v.total), events=events, done=done,
                         within=format_duration(v.within), share=format_percent(v.share),
                         target=format_percent(v.target, 0))
            if len(result.versions) > 1 and v.valid_from:
                sentence = _("{sentence} (rule from {date})", sentence=sentence,
                             date=format_date(v.valid_from))
            if not one_start:  # the law moved its clock's start: say it per version
                sentence = _("{sentence}, {counted}", sentence=sentence,
                             counted=counted_from(start, bool(p.get("from_next_day"))))
            parts.append(sentence)
            statuses.append(share_status(v.share, v.target)[0])
        if one_start:
            parts.append(counted_from(starts[0], bool(p.get("from_next_day"))))
        gates = thresholds(p.get("where"))
        if gates:
            parts.append(_("threshold per event: {conditions}", conditions=_(", ").join(gates)))
        if result.pending:
            parts.append(_("{n} still open within their deadline, not counted",
                           n=format_number(result.pending)))
        if result.p50_hours is not None:
            parts.append(_("median {p50}, p90 {p90}", p50=format_hours(result.p50_hours),
                           p90=format_hours(result.p90_hours)))
        if outside:
            parts.append(outside)
        status = worst_status(statuses)
        # events-weighted mean of each version's score
        score = sum(share_status(v.share, v.target)[1] * v.total
                    for v in result.versions if v.total) / result.total
        return Finding(requirement.full_id, status, round(score, 4), _("; ").join(parts),
                       result.figures(), proof)


# Times kept as microseconds since 1970 (UTC) by the pass, shown as ISO 8601 text in UTC
# (exact, spreadsheet-safe, no time-zone library in Python); hours to 2 decimals, half up,
# from the microseconds: as the rule's detail query (``DeadlineResult.detail_sql``) shows them.
_ISO = "strftime(make_timestamp({}), '%Y-%m-%dT%H:%M:%S+00:00')"
_HOURS = "floor((e - s) / 36000000.0 + 0.5) / 100.0"


def listing(store: LogEngine, spec: DeadlineSpec) -> Measurement:
    """The rule's figures (``deadline_measurement``) and its offending events, listed by
    the same pass (``audit.logs.details``): the events handled late or not at all, with the
    columns of the detail sheets, worst first: not handled, then the latest."""
    figures = deadline_measurement(store, spec)
    idcol = store.id_column(spec.log)

    def build(n: Namer) -> Pieces:
        due, offending = due_and_offending(store, spec, n)
        s, e, d = n("s"), n("e"), n("due")
        rows = Rows(
            offending,
            (("worst", f"epoch_us({e}) - epoch_us({d})"), ("id", n("id") if idcol else "NULL"),
             ("s", f"epoch_us({s})"), ("e", f"epoch_us({e})"), ("due", f"epoch_us({d})")),
            ((idcol or "id", "id"), (spec.start, _ISO.format("s")), (spec.end, _ISO.format("e")),
             ("deadline", _ISO.format("due")),
             ("hours_taken", f"CASE WHEN e IS NULL THEN NULL ELSE {_HOURS} END"),
             ("problem", "CASE WHEN e IS NULL THEN 'not handled' ELSE 'late' END")),
            ((n("id"), quote(idcol)),) if idcol else (), ((d, due),))
        return dataclasses.replace(figures.build(n), rows=rows)

    return Measurement(spec.log, build)

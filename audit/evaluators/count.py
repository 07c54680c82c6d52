"""``count``: enough events or documents in every period (e.g. a transparency report a year)."""

from __future__ import annotations

import datetime as dt

from typing import Any, ClassVar, Mapping

from audit.durations import Duration, parse_duration
from audit.evaluators.base import EvaluationContext, Evaluator, duration_check
from audit.logs.filters import FILTER_SCHEMA, check_where
from audit.i18n import _, format_date, format_duration, format_number
from audit.ledger import RuleLedger, scope_text
from audit.logs.metrics import count_periods, legal_timezone
from audit.logs.periods import period_measurement
from audit.logs.plan import declare
from audit.model import Finding, Proof, Requirement, Rule, Status


class CountEvaluator(Evaluator):
    id = "count"
    summary = "At least `min` log events or documents in each period of `every` over `lookback`."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "log": {"type": "string", "regex": r"^[a-z_][a-z0-9_]*$", "excludes": "document_kind",
                "meta": {"doc": "Count rows of this log ..."}},
        "where": dict(FILTER_SCHEMA, meta={"doc": "Row filters for log rows (as in deadline)."}),
        "date": {"type": "string", "regex": r"^[a-z_][a-z0-9_]*$",
                 "meta": {"doc": "Log column that dates each row."}},
        "document_kind": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$", "excludes": "log",
                          "meta": {"doc": "... or count documents of this kind (by their date)."}},
        "every": {"type": "string", "required": True,
                  "meta": {"doc": "Period length, e.g. '6 months' or '1 year'."}},
        "lookback": {"type": "string", "meta": {"doc": "How far back to check; default one "
                                                       "period."}},
        "min": {"type": "integer", "min": 1, "meta": {"doc": "Minimum per period (default 1)."}},
        "due": {"type": "string", "regex": r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                "meta": {"expect": "a month and day such as 03-01",
                         "doc": "Yearly due date: periods end the day before it (e.g. a "
                                "report due before 1 March)."}},
        "label": {"type": "string", "meta": {"doc": "Plural noun for the report."}},
        "timezone": {"type": "string", "check_with": "timezone",
                     "meta": {"doc": "IANA zone whose days the periods count (default: the "
                                     "jurisdiction's; UTC where none is known)."}},
    }

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        problems: list[tuple[tuple[Any, ...], str]] = []
        for name in ("every", "lookback"):
            if name in params and (msg := duration_check(params[name])):
                problems.append(((name,), msg))
        if "log" not in params and "document_kind" not in params:
            problems.append(((), "give either 'log' (with 'date') or 'document_kind'"))
        if "log" in params and "date" not in params:
            problems.append((("date",), "required key is missing (with 'log')"))
        return problems + check_where(params.get("where"), ("where",))

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        p = rule.params
        return {p["log"]: {p["date"], *(p.get("where") or {})}} if "log" in p else {}

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        """Declare the counts ``evaluate`` reads, for the log's one pass."""
        p = rule.params
        store = context.evidence.started_engine
        if "log" not in p or store is None or not store.has(p["log"]):
            return
        bounds = _bounds(p, context.as_of)
        tz = legal_timezone(requirement.jurisdiction, p.get("timezone"))
        declare(store, lambda: period_measurement(store, p["log"], p["date"],
                                                  dict(p.get("where") or {}), bounds, tz))

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        p = rule.params
        every = parse_duration(p["every"])
        minimum = p.get("min", 1)
        bounds = _bounds(p, context.as_of)
        undated = 0  # rows of the log without a usable date (the row ledger counts them)
        if "document_kind" in p:
            kind = p["document_kind"]
            label = p.get("label") or _("documents of kind '{kind}'", kind=kind)
            dates = [d.date for d in context.evidence.documents.values()
                     if d.kind == kind and d.date is not None]
            proof = tuple(Proof("document", d.path) for d in context.evidence.documents.values()
                          if d.kind == kind)
            counts = [sum(1 for x in dates if s < x <= e) for s, e in bounds]
        else:
            log = p["log"]
            label = p.get("label") or _("{log} events", log=log)
            if not context.evidence.logs.has(log):
                return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                               _("no {log} log in the evidence", log=log))
            found = count_periods(context.evidence.logs, log, p["date"],
                                  dict(p.get("where") or {}), bounds,
                                  legal_timezone(requirement.jurisdiction, p.get("timezone")))
            counts, undated = found.counts, found.no_date
            context.record_ledger(RuleLedger(
                requirement.full_id, self.id, log, found.rows, found.out_of_scope,
                found.outside, found.no_date, sum(counts), start=p["date"],
                scope=scope_text(p.get("where")), first_without_start=found.first_undated))
            proof = (Proof("log", context.evidence.logs.path_of(log)),)
        periods = [_("{start} to {end}: {n}", start=format_date(s), end=format_date(e), n=c)
                   for (s, e), c in zip(bounds, counts, strict=False)]
        good = sum(1 for c in counts if c >= minimum)
        figures = {"periods": len(bounds), "periods_met": good, "counts": counts,
                   "min_per_period": minimum}
        text = _("{good} of {periods} period(s) of {every} have at least {minimum} {label} "
                 "({list})", good=good, periods=len(bounds), every=format_duration(every),
                 minimum=minimum,
                 label=label, list=_("; ").join(periods))
        if undated:
            text = _("{text}; {n} row(s) without a usable {column} were not counted",
                     text=text, n=format_number(undated), column=p["date"])
        if not proof and not any(counts):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no {label} in the evidence", label=label), figures)
        if good == len(bounds):
            return Finding(requirement.full_id, Status.MET, 1.0, text, figures, proof)
        status = Status.PARTIAL if good else Status.NOT_MET
        return Finding(requirement.full_id, status, round(good / len(bounds), 4), text, figures,
                       proof)


def _bounds(p: Mapping[str, Any], as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The (start, end] periods a count rule checks, oldest first.

    Periods end at the as-of date and run backwards, so "one report every 6 months" asks
    for one in each of the last two half-years when looking back a year. Each boundary is
    computed from the as-of date itself (k periods back), so month lengths do not drift:
    12-31, 11-30, 10-31, 09-30, ... With a due date ("before 1 March"), periods end the day
    before each due date that has passed, so a report published late falls into the next
    period, not this one.
    """
    every = parse_duration(p["every"])
    lookback = parse_duration(p.get("lookback", p["every"]))
    anchor = as_of
    if p.get("due"):
        month, day = (int(x) for x in p["due"].split("-"))
        anchor = dt.date(as_of.year, month, day) - dt.timedelta(days=1)
        if anchor > as_of:
            anchor = dt.date(as_of.year - 1, month, day) - dt.timedelta(days=1)
    bounds = []
    start_all = lookback.subtract_from(anchor)
    end, k = anchor, 1
    while end > start_all:
        start = max(Duration(every.amount * k, every.unit).subtract_from(anchor), start_all)
        bounds.append((start, end))
        end, k = start, k + 1
    bounds.reverse()
    return bounds

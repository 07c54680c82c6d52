"""``share``: the proportion of logged events that meet a condition (e.g. disclosures backed
by a judicial decision), measured as filtered counts in the log's one pass."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.engine.base import LogEngine

from audit.evaluators.base import (
    EvaluationContext,
    Evaluator,
    not_in_force,
    share_status,
    version_in_force,
)
from audit.ledger import RuleLedger, scope_text
from audit.logs.filters import FILTER_SCHEMA, check_where
from audit.i18n import _, format_number, format_percent
from audit.logs.filters import where_sql
from audit.logs.plan import Measurement, Namer, Pieces, declare, measure
from audit.logs.sql import quote
from audit.model import Finding, Proof, Requirement, Rule, Status

_FILTER = FILTER_SCHEMA


def share_measurement(store: LogEngine, log: str, where: Mapping[str, Any],
                      match: Mapping[str, Any]) -> Measurement:
    """The population, those matching, the judged ids' duplicates (as for deadline rules)
    and every row of the log (the ledger): filtered counts of the log's one pass."""
    population = where_sql(store, log, where)
    matching = where_sql(store, log, match)
    idcol = store.id_column(log)

    def build(n: Namer) -> Pieces:
        inside = n("inside")
        # one code per row, tallied by the pass: -1 outside the population, 1 matching, 0 not
        code = (f"CASE WHEN ({population}) IS TRUE THEN CASE WHEN ({matching}) THEN 1 ELSE 0 "
                f"END ELSE -1 END")
        return Pieces(((inside, f"({population}) IS TRUE"), (n("k"), code)), (),
                      tallies=(n("k"),), unique=(inside, quote(idcol)) if idcol else None,
                      codes=((-1, 0, 1),))

    return Measurement(log, build)


class ShareEvaluator(Evaluator):
    id = "share"
    summary = "Share of a log's events (selected by `where`) that also match `match`."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "log": {"type": "string", "required": True, "regex": r"^[a-z_][a-z0-9_]*$",
                "meta": {"doc": "Log table."}},
        "where": dict(_FILTER, meta={"doc": "Which events count (the denominator)."}),
        "match": dict(_FILTER, required=True,
                      meta={"doc": "What each counted event must show (the numerator)."}),
        "target": {"type": "number", "min": 0, "max": 1,
                   "meta": {"doc": "Share required (0-1)."}},
        "events": {"type": "string", "meta": {"doc": "Plural noun for the report."}},
        "matched": {"type": "string", "meta": {"doc": "What matching means, for the report, "
                                                      "e.g. 'backed by a judicial decision'."}},
    }
    versioned_params = ("target",)
    required_versioned = ("target",)

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        return check_where(params.get("where"), ("where",)) + check_where(params.get("match"),
                                                                          ("match",))

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        p = rule.params
        return {p["log"]: {*(p.get("where") or {}), *p["match"]}}

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        """Declare the figures ``evaluate`` reads, for the log's one pass."""
        version = version_in_force(rule, context.as_of)
        store = context.evidence.started_engine
        if version is None or store is None or not store.has(version.params["log"]):
            return
        p = version.params
        declare(store, lambda: share_measurement(store, p["log"], p.get("where") or {},
                                                 p["match"]))

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        version = version_in_force(rule, context.as_of)
        if version is None:
            return not_in_force(requirement, context.as_of)
        p = version.params
        log = p["log"]
        events = p.get("events") or _("{log} events", log=log)
        store = context.evidence.logs
        if not store.has(log):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no {log} log in the evidence", log=log))
        got = measure(store, share_measurement(store, log, p.get("where") or {}, p["match"]))
        tally = got.tallies[0]
        matched, total, dup = tally.get(1, 0), tally.get(1, 0) + tally.get(0, 0), got.duplicates
        rows = sum(tally.values())
        context.record_ledger(RuleLedger(requirement.full_id, self.id, log, rows, rows - total,
                                         0, 0, total, scope=scope_text(p.get("where"))))
        idcol = store.id_column(log)
        population = where_sql(store, log, p.get("where") or {})
        judged = (f"SELECT {quote(idcol) if idcol else 'NULL'} AS id FROM "
                  f"{store.relation(log)} WHERE {population}")
        store.settle(log, got.checks, (dup, judged), got.whole_log_duplicates)
        proof = (Proof("log", store.path_of(log)),)
        target = float(p["target"])
        if total == 0:
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           _("the {log} log has no {events}; an auditor must confirm none "
                             "occurred", log=log, events=events), {"events": 0}, proof)
        share = matched / total
        figures = {"events": total, "matched": matched, "share": round(share, 6),
                   "target": target}
        what = p.get("matched") or _("matching {conditions}", conditions=", ".join(
            f"{k}={v}" for k, v in p["match"].items()))
        text = _("{matched} of {total} {events} {what} = {share}; target {target}",
                 matched=format_number(matched), total=format_number(total), events=events,
                 what=what, share=format_percent(share), target=format_percent(target, 0))
        status, score = share_status(share, target)
        return Finding(requirement.full_id, status, round(score, 4), text, figures, proof)

"""``share``: the proportion of logged events that meet a condition (e.g. disclosures backed
by a judicial decision), measured in one DuckDB aggregate."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

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
from audit.model import Finding, Proof, Requirement, Rule, Status

_FILTER = FILTER_SCHEMA


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
        population = where_sql(store, log, p.get("where") or {})
        match = where_sql(store, log, p["match"])
        idcol = store.id_column(log)
        ident = f'"{idcol}"' if idcol else "NULL"
        # One scan: the figures over the population, ids unique among the events judged (as
        # for deadline rules), and the log's own checks if no rule has paid them yet.
        checks = store.checks(log)
        inside = f"({population}) IS TRUE"
        sums = "".join(f", sum({t})" for t in checks)
        row = store.scan(log,
                         f"SELECT count(*) FILTER (WHERE {inside}), "
                         f"count(*) FILTER (WHERE {inside} AND ({match})), "
                         f"count({ident}) FILTER (WHERE {inside}) - "
                         f"count(DISTINCT CASE WHEN {inside} THEN {ident} END), "
                         f"count(*){sums} FROM {store.relation(log)}")[0]
        total, matched, dup, rows = int(row[0]), int(row[1]), int(row[2] or 0), int(row[3])
        context.record_ledger(RuleLedger(requirement.full_id, self.id, log, rows, rows - total,
                                         0, 0, total, scope=scope_text(p.get("where"))))
        judged = f"SELECT {ident} AS id FROM {store.relation(log)} WHERE {population}"
        store.settle(log, [int(x or 0) for x in row[4:]] if checks else None, (dup, judged))
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

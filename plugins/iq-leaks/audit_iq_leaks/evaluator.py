"""``leak_channels``: closure of channels that leak personal data, and leaker disclosures,
measured on a channel-moderation export (``logs/channel_reports.csv``).

One row per reported channel:

==========================  ===================================================================
``channel_id``              the channel (id column)
``reported_at``             first report of the channel (user or authority)
``authority_request_at``    when an authority asked for the channel to be closed (empty if none)
``closed_at``               when the channel was closed (empty while open)
``leak_type``               what it leaked: ``personal_data``, ``state_data``, ``none`` ...
``leaker_identified``       ``yes`` when the platform identified who ran the channel
``disclosed_at``            when the leaker's identity was given to an authority (empty if not)
``judicial_decision_ref``   reference of the judicial decision the disclosure rests on
==========================  ===================================================================

Both measures come from one DuckDB aggregate over the loaded table (no row is handled in
Python): ``measure: closure`` gives the share of authority requests about leaking channels
closed within ``within`` with the median and p90 hours; ``measure: disclosure`` gives the share
of identity disclosures backed by a recorded judicial decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Mapping

from audit import Evaluator, Finding, Status
from audit.durations import parse_duration
from audit.evaluators.base import EvaluationContext, duration_check, version_in_force
from audit.engine.base import LogEngine
from audit.model import Proof, Requirement, Rule

LOG = "channel_reports"
COLUMNS = ("channel_id", "reported_at", "authority_request_at", "closed_at", "leak_type",
           "leaker_identified", "disclosed_at", "judicial_decision_ref")
NEEDED = {
    "closure": ("leak_type", "authority_request_at", "closed_at"),
    "disclosure": ("leak_type", "leaker_identified", "disclosed_at", "judicial_decision_ref"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class LeakChannelsEvaluator(Evaluator):
    id = "leak_channels"
    summary = ("Channels leaking personal data: closure time after an authority request, or "
               "leaker disclosures backed by a judicial decision (logs/channel_reports).")
    params_schema: ClassVar[Mapping[str, Any]] = {
        "measure": {"type": "string", "required": True, "allowed": ["closure", "disclosure"],
                    "meta": {"doc": "closure: time from authority request to closure; "
                                    "disclosure: identity disclosures with a judicial decision."}},
        "log": {"type": "string", "regex": r"^[a-z_][a-z0-9_]*$",
                "meta": {"doc": f"Log table (default {LOG})."}},
        "leak_types": {"type": "list", "schema": {"type": "string"}, "minlength": 1,
                       "meta": {"doc": "leak_type values counted (default [personal_data])."}},
        "within": {"type": "string", "meta": {"doc": "closure: the clock, e.g. 24h."}},
        "target": {"type": "number", "min": 0, "max": 1,
                   "meta": {"doc": "Share required (0-1)."}},
    }
    versioned_params = ("within", "target")
    required_versioned = ("target",)

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        problems: list[tuple[tuple[Any, ...], str]] = []
        if params.get("measure") == "closure" and "within" not in params:
            problems.append((("within",), "required key is missing (closure needs a clock)"))
        if "within" in params:
            msg = duration_check(params["within"])
            if msg is None and parse_duration(params["within"]).is_business:
                msg = "business days are not supported by this rule type; use hours or days"
            if msg:
                problems.append((("within",), msg))
        return problems

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        return {rule.params.get("log", LOG): set(NEEDED[rule.params["measure"]])}

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        version = version_in_force(rule, context.as_of)
        if version is None:
            return Finding(requirement.full_id, Status.NOT_APPLICABLE, 0.0,
                           f"no version of this rule is in force on {context.as_of}")
        p = version.params
        log = p.get("log", LOG)
        store = context.evidence.logs
        if not store.has(log):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           f"no {log} log in the evidence (logs/{log}.csv)")
        measure = p["measure"]
        missing = [c for c in NEEDED[measure] if c not in store.columns(log)]
        if missing:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           f"the {log} log has no {', '.join(missing)} column(s); the rule "
                           "needs them", {}, (Proof("log", store.path_of(log)),))
        leak_types = ", ".join(_lit(str(v)) for v in p.get("leak_types") or ["personal_data"])
        until = (context.as_of + dt.timedelta(days=1)).isoformat()
        as_of_ts = f"TIMESTAMPTZ '{until} 00:00:00+00'"
        leaking = f"{_q('leak_type')} IN ({leak_types})"
        proof = (Proof("log", store.path_of(log), f"leak_type in ({leak_types})"),)
        if measure == "closure":
            return self._closure(requirement, store, log, leaking, as_of_ts, p, proof)
        return self._disclosure(requirement, store, log, leaking, as_of_ts, p, proof)

    def _closure(self, requirement: Requirement, store: LogEngine, log: str, leaking: str, as_of_ts: str,
                 p: Mapping[str, Any], proof: tuple[Proof, ...]) -> Finding:
        within = parse_duration(p["within"])
        target = float(p["target"])
        req, closed = _q("authority_request_at"), _q("closed_at")
        deadline = f"{req} + {within.sql_interval()}"
        hours = f"greatest(0, epoch({closed} - {req}) / 3600.0)"
        total, on_time, pending, p50, p90 = store.query(
            f"SELECT count(*) FILTER (WHERE NOT ({closed} IS NULL AND {deadline} >= {as_of_ts})),"
            f" count(*) FILTER (WHERE {closed} IS NOT NULL AND {closed} <= {deadline} "
            f"AND {closed} < {as_of_ts}),"
            f" count(*) FILTER (WHERE {closed} IS NULL AND {deadline} >= {as_of_ts}),"
            f" quantile_cont({hours}, 0.5) FILTER (WHERE {closed} IS NOT NULL),"
            f" quantile_cont({hours}, 0.9) FILTER (WHERE {closed} IS NOT NULL)"
            f" FROM {store.table(log)} WHERE {leaking} AND {req} IS NOT NULL "
            f"AND {req} < {as_of_ts}")[0]
        if total == 0:
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           f"the {log} log has no authority request about a leaking channel; "
                           "an auditor must confirm none were received",
                           {"requests": 0, "pending": pending}, proof)
        share = on_time / total
        figures = {"requests": total, "closed_within": on_time, "pending": pending,
                   "share": round(share, 6), "target": target, "within": str(within),
                   "p50_hours": None if p50 is None else round(p50, 2),
                   "p90_hours": None if p90 is None else round(p90, 2)}
        text = (f"{on_time:,} of {total:,} authority requests about channels leaking personal "
                f"data closed within {within} = {share * 100:.1f} %; target {target * 100:g} %")
        if p50 is not None:
            text += f"; median {p50:.1f} h, p90 {p90:.1f} h"
        if pending:
            text += f"; {pending:,} still open within their deadline, not counted"
        return Finding(requirement.full_id, _status(share, target),
                       round(min(1.0, share / target) if target else 1.0, 4), text, figures,
                       proof)

    def _disclosure(self, requirement: Requirement, store: LogEngine, log: str, leaking: str, as_of_ts: str,
                    p: Mapping[str, Any], proof: tuple[Proof, ...]) -> Finding:
        target = float(p["target"])
        ref = f"NULLIF(TRIM({_q('judicial_decision_ref')}), '')"
        total, backed = store.query(
            f"SELECT count(*), count(*) FILTER (WHERE {ref} IS NOT NULL) "
            f"FROM {store.table(log)} WHERE {leaking} AND {_q('disclosed_at')} IS NOT NULL "
            f"AND {_q('disclosed_at')} < {as_of_ts}")[0]
        if total == 0:
            return Finding(requirement.full_id, Status.MET, 1.0,
                           "no leaker identity was disclosed in the period, so none was "
                           "disclosed without a judicial decision", {"disclosures": 0}, proof)
        share = backed / total
        figures = {"disclosures": total, "with_judicial_decision": backed,
                   "share": round(share, 6), "target": target}
        text = (f"{backed:,} of {total:,} disclosures of a leaker's identity backed by a "
                f"recorded judicial decision = {share * 100:.1f} %; target {target * 100:g} %")
        return Finding(requirement.full_id, _status(share, target),
                       round(min(1.0, share / target) if target else 1.0, 4), text, figures,
                       proof)


def _status(share: float, target: float) -> Status:
    if share >= target:
        return Status.MET
    if share >= target * 0.5:
        return Status.PARTIAL
    return Status.NOT_MET

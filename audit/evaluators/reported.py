"""``reported``: aggregate figures a platform published (a transparency report), judged as such.

Most public transparency data is aggregate: a count of orders per member state and half-year,
a median time to act, a share handled within a day. The ``reported`` log table holds them, one
figure per row; this rule compares each matching figure with the law's limit. Its findings
always say the figures are as reported by the platform: nothing here is measured from events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from audit.durations import parse_duration
from audit.evaluators.base import EvaluationContext, Evaluator, duration_check
from audit.logs.filters import FILTER_SCHEMA, check_where
from audit.i18n import _, ngettext
from audit.logs.filters import where_sql
from audit.logs.sql import literal, quote
from audit.model import Finding, Proof, Requirement, Rule, Status

LOG = "reported"
# Units a reported figure may carry, as hours (times) or as a fraction (shares).
HOURS = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0}
FRACTION = {"share": 1.0, "percent": 0.01}
UNITS = (*HOURS, *FRACTION, "count")
MAX_LISTED = 6


class ReportedEvaluator(Evaluator):
    id = "reported"
    summary = ("Figures the platform reported (rows of the `reported` table with this "
               "`measure`), each compared with a limit; findings say 'as reported by the "
               "platform'.")
    params_schema: ClassVar[Mapping[str, Any]] = {
        "measure": {"type": "string", "required": True, "empty": False,
                    "meta": {"doc": "The `measure` value of the figures judged, e.g. "
                                    "`orders_median_hours_to_effect`."}},
        "where": dict(FILTER_SCHEMA, meta={"doc": "Filters on the figures' columns, e.g. "
                                                  "`{country: FR}` or `{category: terrorism}`."}),
        "max": {"type": ["number", "string"],
                "meta": {"doc": "Each figure must be at most this: a number, or a duration "
                                "such as `24h` for reported times."}},
        "min": {"type": "number",
                "meta": {"doc": "Each figure must be at least this (a count, or a share "
                                "0..1 for reported shares)."}},
        "unit": {"type": "string", "allowed": list(UNITS),
                 "meta": {"doc": "Unit of the figures when the table has no `unit` column "
                                 "(default hours for times, share for shares)."}},
        "lookback": {"type": "string",
                     "meta": {"doc": "Only periods ending within this before the as-of date, "
                                     "e.g. `1 year`; default every period ended by then."}},
        "label": {"type": "string", "meta": {"doc": "What the figure is, for the report."}},
    }

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        problems: list[tuple[tuple[Any, ...], str]] = []
        if ("max" in params) == ("min" in params):
            problems.append(((), "give exactly one of 'max' or 'min'"))
        if isinstance(params.get("max"), str) and (msg := duration_check(params["max"])):
            problems.append((("max",), msg))
        if "lookback" in params and (msg := duration_check(params["lookback"])):
            problems.append((("lookback",), msg))
        return problems + check_where(params.get("where"), ("where",))

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        return {LOG: {"period_start", "period_end", "measure", "value", "unit", "country",
                      "category", *(rule.params.get("where") or {})}}

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        p = rule.params
        label = p.get("label", p["measure"].replace("_", " "))
        store = context.evidence.logs
        if not store.has(LOG):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no reported figures in the evidence (a 'reported' table)"))
        rows = _figures(context, p)
        proof = (Proof("log", store.path_of(LOG), _("as reported by the platform")),)
        if not rows:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("the platform reported no figure of {label} for the judged "
                             "periods", label=label), {"figures": 0}, proof)
        unreadable = [r for r in rows if r["value"] is None or r["end"] is None]
        limit, words = _limit(p)
        judged = []
        for r in rows:
            if r in unreadable:
                continue
            value = _normalise(r["value"], r["unit"] or p.get("unit"), words)
            if value is None:
                unreadable.append(r)
                continue
            ok = value <= limit if "max" in p else value >= limit
            judged.append((r, value, ok))
        figures: dict[str, Any] = {
            "source": "reported by the platform", "measure": p["measure"],
            "figures": len(judged), "figures_met": sum(1 for *_x, ok in judged if ok),
            "limit": limit, "limit_kind": "max" if "max" in p else "min",
            "unreadable": len(unreadable),
            "values": [{"period_start": str(r["start"]), "period_end": str(r["end"]),
                        "country": r["country"], "category": r["category"], "value": v,
                        "ok": ok} for r, v, ok in judged]}
        if unreadable:
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0, ngettext(
                "As reported by the platform: {n} figure of {label} has no readable number, "
                "unit or period; check the reported table",
                "As reported by the platform: {n} figures of {label} have no readable number, "
                "unit or period; check the reported table", len(unreadable),
                label=label), figures, proof)
        good = figures["figures_met"]
        listed = "; ".join(_describe(r, v, words) for r, v, _ok in judged[:MAX_LISTED])
        if len(judged) > MAX_LISTED:
            listed += "; ..."
        text = _("As reported by the platform (not measured from events): {good} of {total} "
                 "reported figure(s) of {label} {verb} {limit} ({listed})", good=good,
                 total=len(judged), label=label, verb=words["verb"], limit=words["limit"],
                 listed=listed)
        if good == len(judged):
            return Finding(requirement.full_id, Status.MET, 1.0, text, figures, proof)
        status = Status.PARTIAL if good else Status.NOT_MET
        return Finding(requirement.full_id, status, round(good / len(judged), 4), text, figures,
                       proof)


def _limit(p: Mapping[str, Any]) -> tuple[float, dict[str, str]]:
    """The limit as hours (a duration), a fraction (share) or a plain number, with words."""
    if "max" in p and isinstance(p["max"], str):
        duration = parse_duration(p["max"])
        return duration.approx_hours(), {"verb": _("within"), "limit": str(duration),
                                         "kind": "hours"}
    value = float(p["max"] if "max" in p else p["min"])
    unit = p.get("unit")
    kind = "share" if unit in FRACTION else "hours" if unit in HOURS else "number"
    shown = f"{value:.1%}" if kind == "share" else f"{value:g}"
    verb = _("at most") if "max" in p else _("at least")
    return value, {"verb": verb, "limit": shown, "kind": kind}


def _normalise(value: float, unit: str | None, words: Mapping[str, str]) -> float | None:
    """A reported value in the limit's terms; None when its unit cannot be compared."""
    kind = words["kind"]
    unit = (unit or "").strip().lower() or None
    if kind == "hours":
        return value * HOURS[unit] if unit in HOURS else value if unit is None else None
    if kind == "share":
        return value * FRACTION[unit] if unit in FRACTION else value if unit is None else None
    return value if unit in (None, "count") else None


def _describe(r: Mapping[str, Any], value: float, words: Mapping[str, str]) -> str:
    where = " ".join(str(x) for x in (r["country"], r["category"]) if x)
    shown = (f"{value:.1%}" if words["kind"] == "share" else f"{value:g} h"
             if words["kind"] == "hours" else f"{value:g}")
    period = f"{r['start']} to {r['end']}"
    return f"{where + ' ' if where else ''}{period}: {shown}"


def _figures(context: EvaluationContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Matching figures whose period ended by the as-of date (within ``lookback``)."""
    store = context.evidence.logs
    cols = set(store.columns(LOG))
    opt = {c: (f"CAST({quote(c)} AS VARCHAR)" if c in cols else "NULL")
           for c in ("unit", "country", "category")}
    filt = where_sql(store, LOG, {"measure": p["measure"], **(p.get("where") or {})})
    end = "TRY_CAST(CAST(period_end AS VARCHAR) AS DATE)"
    cond = f"({end} IS NULL OR {end} <= {literal(context.as_of.isoformat())})"
    if p.get("lookback"):
        since: dt.date = parse_duration(p["lookback"]).subtract_from(context.as_of)
        cond += f" AND ({end} IS NULL OR {end} > {literal(since.isoformat())})"
    sql = (f"SELECT TRY_CAST(CAST(period_start AS VARCHAR) AS DATE), {end}, "
           f"TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE), {opt['unit']}, {opt['country']}, "
           f"{opt['category']} FROM {store.table(LOG)} WHERE {filt} AND {cond} "
           f"ORDER BY 2, 5, 6")
    return [{"start": r[0], "end": r[1], "value": r[2], "unit": r[3], "country": r[4],
             "category": r[5]} for r in store.query(sql)]

"""``reported``: aggregate figures a platform published (a transparency report), judged as such.

Most public transparency data is aggregate: a count of orders per member state and half-year,
a median time to act, a share handled within a day. The ``reported`` log table holds them, one
figure per row; this rule compares each matching figure with the law's limit. Its findings
always say the figures are as reported by the platform: nothing here is measured from events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from audit.durations import parse_duration
from audit.evaluators.base import EvaluationContext, Evaluator, duration_check
from audit.logs.filters import FILTER_SCHEMA, check_where
from audit.i18n import _, ngettext
from audit.evaluators.reported_figures import (
    LOG,
    PERIOD_MONTHS,
    Figure,
    Scanned,
    fetch,
    months,
    overlap,
    refuse_overlap,
    summed,
)
from audit.ledger import RuleLedger, scope_text
from audit.model import Finding, Proof, Requirement, Rule, Status

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
        "period": {"type": "string", "allowed": list(PERIOD_MONTHS),
                   "meta": {"doc": "Judge only figures over periods of this length (whole "
                                   "calendar months), e.g. `quarter` where a 9-month total "
                                   "stands beside the quarters; without it, overlapping "
                                   "periods of one breakdown are refused."}},
        "sum": {"type": "list", "schema": {"type": "string", "allowed": ["country",
                                                                          "category"]},
                "meta": {"doc": "Add up the figures (counts) per key over the periods judged, "
                                "e.g. `[country]` for a total per Member State, `[]` for one "
                                "grand total; each sum is compared with the limit."}},
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
                      "category", "count", "figure_id", *(rule.params.get("where") or {})}}

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        p = rule.params
        label = p.get("label", p["measure"].replace("_", " "))
        store = context.evidence.logs
        if not store.has(LOG):
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no reported figures in the evidence (a 'reported' table)"))
        path = store.path_of(LOG)
        proof = (Proof("log", path, _("as reported by the platform")),)
        scanned = fetch(context, p)
        rows = scanned.figures
        limit, words = _limit(p)
        set_aside = _set_aside(p, rows, scanned.has_count, words)
        rows = [r for r in rows if r not in set_aside["no_events"]
                and r not in set_aside["other_periods"]]
        pair = overlap(rows)
        if pair is not None:
            raise refuse_overlap(path, pair, p["measure"])
        if "sum" in p:
            rows = summed(path, rows, p["sum"])
        aside = {k: len(v) for k, v in set_aside.items()}
        if not rows:
            _record(context, requirement, rule, scanned, aside, [], [])
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("the platform reported no figure of {label} for the judged "
                             "periods", label=label) + _aside_note(aside),
                           {"figures": 0, **aside}, proof)
        unreadable = [r for r in rows if r.value is None or r.end is None]
        judged = []
        for r in rows:
            if r in unreadable or r.value is None:
                continue
            value = _normalise(r.value, r.unit or p.get("unit"), words)
            if value is None:
                unreadable.append(r)
                continue
            ok = value <= limit if "max" in p else value >= limit
            judged.append((r, value, ok))
        _record(context, requirement, rule, scanned, aside, unreadable,
                [r for r, *_x in judged])
        figures: dict[str, Any] = {
            "source": "reported by the platform", "measure": p["measure"],
            "figures": len(judged), "figures_met": sum(1 for *_x, ok in judged if ok),
            "limit": limit, "limit_kind": "max" if "max" in p else "min",
            "unreadable": len(unreadable), **aside,
            "values": [{"period_start": str(r.start), "period_end": str(r.end),
                        "country": r.country, "category": r.category, "value": v,
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
                 listed=listed) + _aside_note(aside)
        if good == len(judged):
            return Finding(requirement.full_id, Status.MET, 1.0, text, figures, proof)
        status = Status.PARTIAL if good else Status.NOT_MET
        return Finding(requirement.full_id, status, round(good / len(judged), 4), text, figures,
                       proof)


def _record(context: EvaluationContext, requirement: Requirement, rule: Rule,
            scanned: Scanned, aside: Mapping[str, int], unreadable: Sequence[Figure],
            judged: Sequence[Figure]) -> None:
    """The rule's row ledger: every row of the ``reported`` table in one part (a summed
    figure counts the rows it adds up), so a reader can reconcile the figures with the
    rows the platform published."""
    p = rule.params
    other = (("no_events", aside["no_events"]), ("other_periods", aside["other_periods"]),
             ("unreadable", sum(r.rows for r in unreadable)))
    context.record_ledger(RuleLedger(
        requirement.full_id, "reported", LOG, scanned.rows, scanned.out_of_scope,
        scanned.outside_period, 0, sum(r.rows for r in judged), start="period_end",
        scope=scope_text({"measure": p["measure"], **(p.get("where") or {})}),
        other_set_aside=other))


def _set_aside(p: Mapping[str, Any], rows: list[Figure], has_count: bool,
               words: Mapping[str, str]) -> dict[str, list[Figure]]:
    """Figures not judged, by reason: a time or share over no events (``count`` 0 or empty,
    where the table has that column), and periods of another length than ``period``."""
    speed = words["kind"] in ("hours", "share")
    no_events = [r for r in rows if has_count and speed and not r.count]
    wanted = PERIOD_MONTHS.get(p.get("period", ""))
    other = [r for r in rows if wanted is not None and r not in no_events
             and months(r) != wanted]
    return {"no_events": no_events, "other_periods": other}


def _aside_note(aside: Mapping[str, int]) -> str:
    """The figures set aside, in words (empty when none)."""
    notes = []
    if aside["no_events"]:
        notes.append(ngettext(
            "{n} figure over no events (count 0 or empty) not judged: its value says nothing "
            "of speed", "{n} figures over no events (count 0 or empty) not judged: their "
            "values say nothing of speed", aside["no_events"]))
    if aside["other_periods"]:
        notes.append(ngettext(
            "{n} figure of another period length not judged",
            "{n} figures of another period length not judged", aside["other_periods"]))
    return "".join(f"; {n}" for n in notes)


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


def _describe(r: Figure, value: float, words: Mapping[str, str]) -> str:
    where = " ".join(str(x) for x in (r.country, r.category) if x)
    shown = (f"{value:.1%}" if words["kind"] == "share" else f"{value:g} h"
             if words["kind"] == "hours" else f"{value:g}")
    period = f"{r.start} to {r.end}"
    return f"{where + ' ' if where else ''}{period}: {shown}"

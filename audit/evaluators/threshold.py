"""``threshold``: a number from the profile or an answer compared with the law's figure."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Mapping

from audit.conditions import OPERATORS, lookup
from audit.durations import parse_duration
from audit.evaluators.base import EvaluationContext, Evaluator, not_in_force, version_in_force
from audit.i18n import N_, _, format_date, format_duration, format_number, ngettext
from audit.model import Finding, Proof, Requirement, Rule, Status

_REQUIRED = {  # the limit, in a whole phrase per operator
    "gte": N_("required at least {limit}"), "gt": N_("required more than {limit}"),
    "lte": N_("required at most {limit}"), "lt": N_("required less than {limit}"),
    "eq": N_("required exactly {limit}"), "ne": N_("required other than {limit}")}


def _required(op: str, law_text: str) -> str:
    return _(_REQUIRED[op], limit=law_text)


def _amount(value: object, unit: str) -> str:
    """A figure with its unit; days (the unit a calendar period is compared in) in words."""
    if unit == "days" and isinstance(value, int) and not isinstance(value, bool):
        return ngettext("{n} day", "{n} days", value)
    text = format_number(value) if isinstance(value, (int, float)) else str(value)
    return _("{value} {unit}", value=text, unit=unit) if unit else text


def _shown(value: object) -> str:
    """A non-numeric value as a person wrote it (never a Python repr such as ``True``)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


class ThresholdEvaluator(Evaluator):
    id = "threshold"
    summary = "A measured number (profile field or numeric answer) compared with a limit."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "field": {"type": "string", "regex": r"^(platform|answers)\.[A-Za-z0-9_.-]+$",
                  "required": True,
                  "meta": {"expect": "platform.<path> or answers.<key>",
                           "doc": "Where the number is: a profile path or an answer key."}},
        "op": {"type": "string", "required": True, "allowed": ["gte", "gt", "lte", "lt", "eq"]},
        "value": {"type": "number", "meta": {"doc": "The law's figure."}},
        "unit": {"type": "string", "meta": {"doc": "Unit of the law's figure, e.g. days; "
                                                   "with 'months' or 'years' and a field_unit "
                                                   "of 'days' the figure is a calendar period."}},
        "field_unit": {"type": "string", "allowed": ["days"],
                       "meta": {"doc": "Unit of the measured number when it differs from the "
                                       "law's: a field in days compared with a period in "
                                       "calendar months or years (see calendar-months.md)."}},
    }
    versioned_params = ("value",)
    required_versioned = ("value",)

    def full_schema(self) -> dict[str, Any]:
        """Versions may also give their own ``unit``: a law that moved from 90 days to 1 year
        (18 U.S.C. §2258A(h)) keeps each figure in the unit it was written in."""
        schema = super().full_schema()
        schema["versions"]["schema"]["schema"]["unit"] = dict(self.params_schema["unit"])
        return schema

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        if "field_unit" not in params:
            return []
        try:
            period = parse_duration(f"{int(params.get('value') or 1)} {params.get('unit')}")
            if period.is_business:
                raise ValueError
        except ValueError:
            return [(("unit",), "with field_unit, expected a period unit such as days, weeks, "
                                "months or years")]
        return []

    def evidence_keys(self, requirement: Requirement, rule: Rule) -> list[str]:
        field = rule.params["field"]
        return [field.split(".", 1)[1]] if field.startswith("answers.") else []

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        version = version_in_force(rule, context.as_of)
        if version is None:
            return not_in_force(requirement, context.as_of)
        params = version.params
        field, op, limit = params["field"], params["op"], params["value"]
        unit = params.get("unit") or ""
        law_text = _amount(limit, unit)
        if params.get("field_unit") == "days" and params.get("unit"):
            limit, law_text = _calendar_limit(op, limit, params["unit"])
            unit = "days"
        if field.startswith("answers."):
            answer = context.evidence.answer(field.split(".", 1)[1], requirement)
            found, value = (answer is not None), (answer.value if answer else None)
            proof = Proof("answer", answer.location if answer else field)
        else:
            found, value = lookup({"platform": context.evidence.profile}, field)
            proof = Proof("profile", field)
        if not found or value is None:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("{field} is not given; {required}", field=field,
                             required=_required(op, law_text)))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           _("{field} is '{value}', not a number; {required}", field=field,
                             value=_shown(value), required=_required(op, law_text)),
                           {"value": str(value)}, (proof,))
        ok = OPERATORS[op](value, limit)
        figures = {"value": value, "limit": limit, "op": op}
        text = _("{field} is {value}; {required}", field=field, value=_amount(value, unit),
                 required=_required(op, law_text))
        if ok:
            return Finding(requirement.full_id, Status.MET, 1.0, text, figures, (proof,))
        if op in ("gte", "gt") and limit:
            score = max(0.0, min(1.0, value / limit))
        elif op in ("lte", "lt") and value:
            score = max(0.0, min(1.0, limit / value))
        else:
            score = 0.0
        status = Status.PARTIAL if score >= 0.5 else Status.NOT_MET
        return Finding(requirement.full_id, status, round(score, 4), text, figures, (proof,))


def _calendar_limit(op: str, amount: float, unit: str) -> tuple[int, str]:
    """The law's period in calendar months or years as days, for a field counted in days.

    A retention of D days keeps every record for N months only if D covers the longest run of
    N calendar months (6 months from 1 July is 184 days); a cap of N months is kept only if D
    fits the shortest run. Days and weeks convert exactly.
    """
    period = parse_duration(f"{int(amount)} {unit}")
    days = period.shortest_days() if op in ("lte", "lt") else period.longest_days()
    in_days = ngettext("{n} day", "{n} days", days)
    if not period.is_calendar:
        return days, in_days
    if op in ("lte", "lt"):
        return days, _("{period} ({days}, the shortest run of {period} in the calendar)",
                       period=format_duration(period), days=in_days)
    return days, _("{period} ({days}, the longest run of {period} in the calendar)",
                   period=format_duration(period), days=in_days)

"""``threshold``: a number from the profile or an answer compared with the law's figure."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.conditions import OPERATORS, lookup
from audit.evaluators.base import EvaluationContext, Evaluator, not_in_force, version_in_force
from audit.i18n import N_, _, format_date, format_number
from audit.model import Finding, Proof, Requirement, Rule, Status

_REQUIRED = {  # the limit, in a whole phrase per operator
    "gte": N_("required at least {limit}"), "gt": N_("required more than {limit}"),
    "lte": N_("required at most {limit}"), "lt": N_("required less than {limit}"),
    "eq": N_("required exactly {limit}"), "ne": N_("required other than {limit}")}


def _required(op: str, limit: float, unit: str) -> str:
    return _(_REQUIRED[op], limit=_amount(limit, unit))


def _amount(value: Any, unit: str) -> str:
    text = format_number(value) if isinstance(value, (int, float)) else str(value)
    return _("{value} {unit}", value=text, unit=unit) if unit else text


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
        "unit": {"type": "string", "meta": {"doc": "Unit for the report, e.g. days."}},
    }
    versioned_params = ("value",)
    required_versioned = ("value",)

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
                             required=_required(op, limit, unit)))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           _("{field} is '{value}', not a number; {required}", field=field,
                             value=_shown(value), required=_required(op, limit, unit)),
                           {"value": str(value)}, (proof,))
        ok = OPERATORS[op](value, limit)
        figures = {"value": value, "limit": limit, "op": op}
        text = _("{field} is {value}; {required}", field=field, value=_amount(value, unit),
                 required=_required(op, limit, unit))
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


def _shown(value: Any) -> str:
    """A non-numeric value as a person wrote it (never a Python repr such as ``True``)."""
    import datetime as dt

    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)

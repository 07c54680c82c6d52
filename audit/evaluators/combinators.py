"""``all_of`` / ``any_of``: a requirement met by several pieces of evidence together or apart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from audit.evaluators.base import EvaluationContext, Evaluator
from audit.i18n import _
from audit.model import Finding, Requirement, Rule, Status
from audit.scoring import worst_status

if TYPE_CHECKING:  # pragma: no cover
    from audit.registry import Registry

_RULES = {"type": "list", "required": True, "minlength": 2,
          "schema": {"type": "dict", "allow_unknown": True},
          "meta": {"doc": "The rules combined; each is a full rule with its own type."}}


def _children(requirement: Requirement, rule: Rule,
              context: EvaluationContext) -> list[Finding]:
    return [context.evaluate_rule(requirement, Rule(r["type"], {k: v for k, v in r.items()
                                                                if k != "type"}))
            for r in rule.params["rules"]]


def _plan_children(requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
    for r in rule.params["rules"]:
        context.plan_rule(requirement, Rule(r["type"], {k: v for k, v in r.items()
                                                        if k != "type"}))


class AllOfEvaluator(Evaluator):
    id = "all_of"
    summary = "Met when every nested rule is met; score is the mean of the nested scores."
    params_schema: ClassVar[Mapping[str, Any]] = {"rules": _RULES}
    nested_rules = "rules"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry  # where the nested rules' types are found (evidence keys)

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        _plan_children(requirement, rule, context)

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        children = _children(requirement, rule, context)
        status = worst_status([c.status for c in children])
        score = sum(c.score for c in children) / len(children)
        if status is Status.NOT_MET and any(c.status is Status.MET for c in children):
            status = Status.PARTIAL
        summary = _("; ").join(c.summary for c in children)
        proof = tuple(p for c in children for p in c.proof)
        return Finding(requirement.full_id, status, round(score, 4), summary, {}, proof,
                       tuple(children))

    def evidence_keys(self, requirement: Requirement, rule: Rule) -> list[str]:
        return _nested_keys(self.registry, requirement, rule)


class AnyOfEvaluator(Evaluator):
    id = "any_of"
    summary = "Met when one nested rule is met; takes the best nested finding."
    params_schema: ClassVar[Mapping[str, Any]] = {"rules": _RULES}
    nested_rules = "rules"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry  # where the nested rules' types are found (evidence keys)

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        _plan_children(requirement, rule, context)

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        children = _children(requirement, rule, context)
        best = max(children, key=lambda c: (c.score, c.status is Status.MET))
        return Finding(requirement.full_id, best.status, best.score, best.summary,
                       dict(best.figures), best.proof, tuple(children))

    def evidence_keys(self, requirement: Requirement, rule: Rule) -> list[str]:
        return _nested_keys(self.registry, requirement, rule)


def _nested_keys(registry: Registry, requirement: Requirement, rule: Rule) -> list[str]:
    keys: list[str] = []
    for r in rule.params["rules"]:
        child = Rule(r["type"], {k: v for k, v in r.items() if k != "type"})
        keys += registry.evaluators.get(child.type).evidence_keys(requirement, child)
    return keys

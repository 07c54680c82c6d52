"""The evaluator interface plugin authors implement, and the rule checks every loader shares."""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from audit.durations import parse_duration
from audit.i18n import _, format_date
from audit.errors import AuditError
from audit.ledger import RuleLedger
from audit.logs.filters import MissingColumn
from audit.model import Finding, Requirement, Rule, RuleVersion, Status
from audit.schemas.common import DATE, PathKey, as_date, validate

if TYPE_CHECKING:  # pragma: no cover
    from audit.evidence.pack import EvidencePack
    from audit.model import Checklist
    from audit.registry import Registry


@dataclass
class EvaluationContext:
    """What an evaluator may look at. Evaluators never read files themselves."""

    as_of: dt.date
    evidence: EvidencePack
    registry: Registry
    checklist: Checklist
    cache: dict[str, Any] = field(default_factory=dict)

    def record_ledger(self, ledger: RuleLedger) -> None:
        """Leave a log rule's row ledger for the run's (``audit.ledger``; the measure stage
        collects it with the finding)."""
        self.cache.setdefault("ledger", []).append(ledger)

    def plan_rule(self, requirement: Requirement, rule: Rule) -> None:
        """Declare a nested rule's log aggregates (used by ``all_of`` / ``any_of``); one that
        cannot be written now is left to its evaluation, the other rules still declared."""
        evaluator: Evaluator = self.registry.evaluators.get(rule.type)
        try:
            evaluator.plan(requirement, rule, self)
        except (MissingColumn, AuditError):
            return

    def evaluate_rule(self, requirement: Requirement, rule: Rule) -> Finding:
        """Evaluate a nested rule (used by ``all_of`` / ``any_of``)."""
        evaluator: Evaluator = self.registry.evaluators.get(rule.type)
        return evaluator.evaluate(requirement, rule, self)


class Evaluator(abc.ABC):
    """A rule type. Subclass, set the class attributes, implement ``evaluate``.

    ``params_schema`` is a cerberus schema of the rule's parameters (``type`` excluded).
    Parameters named in ``versioned_params`` may instead be given in a dated ``versions`` list,
    for figures the law has changed (e.g. a takedown clock cut from 36 h to 3 h).
    """

    id: ClassVar[str]
    summary: ClassVar[str] = ""
    params_schema: ClassVar[Mapping[str, Any]] = {}
    versioned_params: ClassVar[tuple[str, ...]] = ()
    required_versioned: ClassVar[tuple[str, ...]] = ()
    nested_rules: ClassVar[str | None] = None  # name of a parameter holding a list of rules

    def check(self, params: Mapping[str, Any]) -> list[tuple[PathKey, str]]:
        """Semantic checks beyond the schema (override to add); paths relative to the rule."""
        return []

    def plan(self, requirement: Requirement, rule: Rule, context: EvaluationContext) -> None:
        """Declare, before any rule is evaluated, the log aggregates ``evaluate`` will ask
        for (``audit.logs.plan.declare``), so every rule over a log shares one scan of it.
        Optional: a rule that declares nothing scans on its own when evaluated."""
        return None

    @abc.abstractmethod
    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        """Measure the evidence and return a Finding for ``requirement``."""

    def evidence_keys(self, requirement: Requirement, rule: Rule) -> list[str]:
        """Answer keys this rule reads (the evidence template asks for these)."""
        return []

    def log_columns(self, rule: Rule) -> dict[str, set[str]]:
        """Log columns this rule reads, so large logs load only those (nested rules are
        visited by the caller). Override when the rule reads logs."""
        return {}

    # -- helpers shared by evaluators -------------------------------------------------------

    def full_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": {"type": "string", "required": True}}
        schema.update(self.params_schema)
        if self.versioned_params:
            # the first version may omit ``from``: in force before the next one, since a date
            # the sources do not give (unknown dates stay unknown, never guessed)
            version = {"from": {**DATE, "meta": {"doc": "First day of this version; only the "
                                                        "first version may omit it (a start "
                                                        "the sources do not give)."}},
                       "until": DATE,
                       "note": {"type": "string"},
                       "refs": {"type": "list", "schema": {"type": "string",
                                                           "regex": r"^[A-Z]{2,4}-[0-9]{2,3}$"},
                                "meta": {"doc": "Legal-sources rows this dated version encodes "
                                                "(e.g. a superseded row for a version that "
                                                "has ended)."}}}
            for name in self.versioned_params:
                spec = dict(self.params_schema[name])
                spec.pop("required", None)
                if name in self.required_versioned:
                    spec["required"] = True
                version[name] = spec
            schema["versions"] = {"type": "list", "minlength": 1,
                                  "schema": {"type": "dict", "schema": version}}
        return schema


def validate_rule(rule: object, path: PathKey, registry: Registry) -> list[tuple[PathKey, str]]:
    """Every problem with one rule: unknown type, parameters, versions, nested rules."""
    if not isinstance(rule, Mapping):
        return [(path, "expected a mapping with a 'type'")]
    rtype = rule.get("type")
    if not isinstance(rtype, str):
        return [(path + ("type",), "required key is missing" if rtype is None else
                 f"expected a rule type name, got {rtype!r}")]
    if rtype not in registry.evaluators:
        known = ", ".join(registry.evaluators.ids())
        return [(path + ("type",), f"unknown rule type {rtype!r} (known: {known})")]
    evaluator: Evaluator = registry.evaluators.get(rtype)
    schema = _SCHEMAS.setdefault(type(evaluator), evaluator.full_schema())
    problems = validate(rule, schema, path)
    if problems:
        return problems
    versions = rule.get("versions")
    if versions is not None:
        direct = [p for p in evaluator.versioned_params if p in rule]
        if direct:
            problems.append((path + (direct[0],), "give this either directly or in 'versions', "
                                                  "not both"))
        previous: dt.date | None = None
        for i, version in enumerate(versions):
            at = path + ("versions", i)
            if "from" in version:
                start = as_date(version["from"])
                if previous is not None and start <= previous:
                    problems.append((at + ("from",), "versions must be in ascending order of "
                                                     "'from' without repeats"))
                if "until" in version and as_date(version["until"]) <= start:
                    problems.append((at + ("until",), "must be after 'from'"))
                previous = start
            elif i or "until" not in version and len(versions) == 1:
                problems.append((at + ("from",), "required key is missing (only the first of "
                                                 "several versions, or one with an 'until', "
                                                 "may omit it)"))
            merged = {**rule, **version}
            merged.pop("versions", None)
            problems += [(at + sub, msg) for sub, msg in evaluator.check(merged)]
    else:
        for name in evaluator.required_versioned:
            if name not in rule:
                problems.append((path + (name,), "required key is missing "
                                                 "(or give dated 'versions')"))
        if not problems:
            problems += [(path + sub, msg) for sub, msg in evaluator.check(rule)]
    if evaluator.nested_rules:
        for i, child in enumerate(rule.get(evaluator.nested_rules) or []):
            problems += validate_rule(child, path + (evaluator.nested_rules, i), registry)
    return problems


_SCHEMAS: dict[type, dict[str, Any]] = {}


def rule_versions(rule: Rule) -> list[RuleVersion]:
    """The rule's dated parameter sets, oldest first; one open-ended set when not versioned."""
    params = dict(rule.params)
    versions = params.pop("versions", None)
    if not versions:
        return [RuleVersion(None, None, params)]
    out = []
    for i, version in enumerate(versions):
        start = as_date(version["from"]) if "from" in version else None
        if "until" in version:
            end: dt.date | None = as_date(version["until"])
        elif i + 1 < len(versions):
            end = as_date(versions[i + 1]["from"])
        else:
            end = None
        merged = {**params, **{k: v for k, v in version.items()
                               if k not in ("from", "until", "refs")}}
        out.append(RuleVersion(start, end, merged))
    return out


def version_in_force(rule: Rule, on: dt.date) -> RuleVersion | None:
    """The parameter set in force on ``on`` (None before the first version's date)."""
    for version in reversed(rule_versions(rule)):
        if version.valid_from is None or version.valid_from <= on:
            if version.valid_until is not None and on >= version.valid_until:
                return None
            return version
    return None


def share_status(share: float, target: float) -> tuple[Status, float]:
    """Status and score of a measured share against its target, the same for every rule:
    met at or above target, partial from half the target, not met below; score share/target
    capped at 1."""
    if share >= target:
        status = Status.MET
    elif share >= target * 0.5:
        status = Status.PARTIAL
    else:
        status = Status.NOT_MET
    return status, (min(1.0, share / target) if target else 1.0)


def not_in_force(requirement: Requirement, on: dt.date) -> Finding:
    return Finding(requirement.full_id, Status.NOT_APPLICABLE, 0.0,
                   _("no version of this rule is in force on {date}", date=format_date(on)))


def duration_check(value: object) -> str | None:
    try:
        parse_duration(value)
        return None
    except ValueError as exc:
        return str(exc)

"""What ``audit template`` asks for: the answer keys, profile fields and officer roles the
chosen checklist modules read (the workbook itself is drawn by ``audit.reports.template_workbook``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from audit.evidence.workbook import FIELD_RE
from audit.i18n import N_, _
from audit.model import Checklist, Requirement, Rule

if TYPE_CHECKING:  # pragma: no cover
    from audit.registry import Registry

BASE_FIELDS = (
    ("name", N_("Platform (service) name — required")),
    ("legal_name", N_("Legal name of the provider")),
    ("language", N_("Main language of the platform, two letters (en, ar, de, ...)")),
    ("timezone", N_("IANA time zone for log timestamps without an offset (e.g. Asia/Baghdad)")),
    ("as_of", N_("Date the evidence describes, YYYY-MM-DD (default: today)")),
    ("establishment.country", N_("Country of main establishment (ISO code)")),
)
SECTION_TITLES = {
    "users": N_("Monthly active users per country (whole numbers; EU = Union total)"),
    "daily_access": N_("Average daily accesses per country"),
    "features": N_("Features (yes/no)"),
    "designations": N_("Legal designations (yes/no)"),
    "establishment": N_("Establishment"),
    "retention": N_("Retention periods (days)"),
    "data_location": N_("Where data is stored (country codes, comma-separated)"),
    "facts": N_("Further facts the rules refer to"),
    "services": N_("Services"),
    "employees": N_("Staff"),
}


@dataclass
class AnswerRow:
    """One answer key and the requirements that read it (filled while the plan is made)."""

    key: str
    expected: str  # "yes/partial/no/n/a", "a number", "yes/partial/no/n/a or a number"
    requirements: list[Requirement] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TemplatePlan:
    """What the workbook asks for, handed to the writer (audit/reports/template_workbook.py)."""

    checklists: list[Checklist]
    answers: list[AnswerRow]
    fields: list[str]  # profile paths under platform., in sheet order
    roles: list[tuple[str, list[str], list[str]]]  # role, residence, requirement full ids

    @property
    def rtl(self) -> bool:
        return any(c.language == "ar" for c in self.checklists)


def _rule_keys(req: Requirement, rule: Rule, registry: Registry) -> Iterable[tuple[str, str]]:
    evaluator = registry.evaluators.get(rule.type)
    nested = getattr(evaluator, "nested_rules", None)
    if nested:
        for child in rule.params.get(nested) or []:
            yield from _rule_keys(req, Rule(child["type"], {k: v for k, v in child.items()
                                                            if k != "type"}), registry)
        return
    if rule.type == "threshold":
        kind = "a number"
    elif rule.type == "attestation":
        kind = "yes/partial/no/n/a"
    else:
        kind = "yes/partial/no/n/a or a number"
    for key in evaluator.evidence_keys(req, rule):
        yield key, kind


def walk_rules(rule: Rule, registry: Registry) -> Iterable[Rule]:
    """``rule`` and every rule nested in it (an evaluator's ``nested_rules``), depth first."""
    yield rule
    evaluator = registry.evaluators.get(rule.type)
    nested = getattr(evaluator, "nested_rules", None)
    for child in (rule.params.get(nested) or []) if nested else []:
        yield from walk_rules(Rule(child["type"], {k: v for k, v in child.items()
                                                    if k != "type"}), registry)


def _condition_fields(cond: object) -> Iterable[str]:
    if isinstance(cond, dict):
        if "field" in cond:
            yield cond["field"]
        for key in ("all", "any"):
            for item in cond.get(key) or []:
                yield from _condition_fields(item)
        if "not" in cond:
            yield from _condition_fields(cond["not"])


def _params_fields(params: Mapping[str, Any]) -> Iterable[str]:
    for version in [params, *(params.get("versions") or [])]:
        value = version.get("field")
        if isinstance(value, str):
            yield value


def plan(checklists: Sequence[Checklist], registry: Registry) -> TemplatePlan:
    """What the template asks for: answer keys, profile fields and officer roles."""
    answers: dict[str, AnswerRow] = {}
    fields: list[str] = [f for f, _ in BASE_FIELDS]
    roles: dict[str, tuple[list[str], list[str]]] = {}
    for checklist in checklists:
        sources = checklist.sources
        juris = checklist.jurisdiction
        if juris != "INTL":
            fields.append(f"users.{juris}")
        for req in checklist.requirements:
            src = sources.get(req.citation.source)
            citation = _("{source}, {article}", source=src.title if src else req.citation.source,
                         article=req.citation.article)
            for key, kind in _rule_keys(req, req.rule, registry):
                row = answers.setdefault(key, AnswerRow(key, kind))
                if row.expected != kind:
                    row.expected = "yes/partial/no/n/a or a number"
                row.requirements.append(req)
                if citation not in row.citations:
                    row.citations.append(citation)
            for path in _condition_fields(req.applies_if):
                fields.append(path)
            for rule in walk_rules(req.rule, registry):
                fields.extend(_params_fields(rule.params))
                if rule.type == "officer":
                    role = rule.params["role"]
                    resid, ids = roles.setdefault(role, ([], []))
                    for c in rule.params.get("resident_in") or []:
                        if c not in resid:
                            resid.append(c)
                    ids.append(req.full_id)
    seen: list[str] = []
    for path in fields:
        path = path[len("platform."):] if path.startswith("platform.") else path
        if path.startswith("answers.") or path in seen or not FIELD_RE.match(path):
            continue
        seen.append(path)
    order = [f for f, _ in BASE_FIELDS]
    sections = list(SECTION_TITLES)
    ordered = order + sorted((f for f in seen if f not in order),
                             key=lambda f: (sections.index(f.split(".")[0])
                                            if f.split(".")[0] in sections else 99, f))
    return TemplatePlan(list(checklists), list(answers.values()), ordered,
                        [(role, resid, ids) for role, (resid, ids) in roles.items()])

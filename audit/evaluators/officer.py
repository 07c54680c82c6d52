"""``officer``: a named person in a role, resident where the law requires, reachable."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.evaluators.base import EvaluationContext, Evaluator
from audit.i18n import _
from audit.model import Finding, Proof, Requirement, Rule, Status


class OfficerEvaluator(Evaluator):
    id = "officer"
    summary = "A representative or officer listed in platform.yaml with role, residence, contact."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "role": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9_]*$",
                 "meta": {"expect": "a role id such as legal_representative",
                          "doc": "Role id as listed under representatives in platform.yaml."}},
        "resident_in": {"type": "list", "schema": {"type": "string",
                                                  "regex": r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|EU)$"},
                        "meta": {"doc": "Countries where the person must reside; EU means any "
                                        "EU member state. Omit for no residence duty."}},
        "contact_required": {"type": "boolean",
                             "meta": {"doc": "An e-mail or phone must be listed (default true)."}},
    }

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        role = rule.params["role"]
        allowed = set(rule.params.get("resident_in") or ())
        people = [p for p in context.evidence.representatives() if p.get("role") == role]
        if not people:
            return Finding(requirement.full_id, Status.NOT_MET, 0.0,
                           _("nobody is named in the platform profile in the role '{role}'",
                             role=role))
        problems = []
        for person in people:
            proof = Proof("profile", f"platform.representatives[{person['_index']}]",
                          f"{person.get('name')} ({person.get('country')})")
            missing = []
            if allowed and not _resident(person.get("country"), allowed):
                missing.append(_("resides in {country}, not {allowed}",
                                 country=person.get("country") or _("an unstated country"),
                                 allowed="/".join(sorted(allowed))))
            if rule.params.get("contact_required", True) and not person.get("contact"):
                missing.append(_("no contact given"))
            if not missing:
                return Finding(requirement.full_id, Status.MET, 1.0,
                               _("{name} is named in the role '{role}', resident in "
                                 "{country}", name=person.get("name"), role=role,
                                 country=person.get("country")),
                               {"name": person.get("name"), "country": person.get("country")},
                               (proof,))
            problems.append((person, missing, proof))
        person, missing, proof = problems[0]
        return Finding(requirement.full_id, Status.PARTIAL, 0.5,
                       _("{name} is named in the role '{role}', but {problems}",
                         name=person.get("name"), role=role, problems=_("; ").join(missing)),
                       {"name": person.get("name"),
                                              "country": person.get("country")}, (proof,))


EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI "
                       "ES SE".split())


def _resident(country: object, allowed: set[str]) -> bool:
    if not isinstance(country, str):
        return False
    return (country in allowed or country.split("-")[0] in allowed
            or ("EU" in allowed and country in EU_MEMBERS))

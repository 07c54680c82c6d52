"""``document``: a policy, report or contract of a given kind is present, recent, in a language."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.durations import parse_duration
from audit.evaluators.base import EvaluationContext, Evaluator, duration_check
from audit.i18n import _, format_date, format_duration
from audit.model import Finding, Proof, Requirement, Rule, Status


class DocumentEvaluator(Evaluator):
    id = "document"
    summary = "Documents of a kind listed in documents.yaml: present, dated within max_age, language."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "kind": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9_]*$",
                 "meta": {"expect": "a document kind such as privacy_policy",
                          "doc": "Document kind as declared in documents.yaml."}},
        "max_age": {"type": "string", "meta": {"doc": "Newest document no older than this, "
                                                      "e.g. '12 months'."}},
        "languages": {"type": "list", "schema": {"type": "string", "regex": r"^[a-z]{2}$"},
                      "meta": {"doc": "At least one document in one of these languages."}},
        "min_count": {"type": "integer", "min": 1,
                      "meta": {"doc": "How many documents of the kind (default 1)."}},
    }

    def check(self, params: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
        if "max_age" in params and (msg := duration_check(params["max_age"])):
            return [(("max_age",), msg)]
        return []

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        p = rule.params
        kind = p["kind"]
        docs = [d for d in context.evidence.documents.values()
                if d.kind == kind and (d.date is None or d.date <= context.as_of)]
        label = _("documents of kind '{kind}'", kind=kind)
        if not docs:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no {label} among the documents", label=label))
        proof = tuple(Proof("document", d.path, f"{d.date or 'undated'}, {d.language or '?'}, "
                                               f"sha256 {d.sha256[:12]}") for d in docs)
        figures: dict[str, Any] = {"count": len(docs)}
        gaps = []
        # Conditions hold for one document together: a recent English policy and an old
        # Arabic one do not make a recent Arabic policy.
        suitable = docs
        if p.get("languages"):
            suitable = [d for d in docs if d.language in p["languages"]]
            if not suitable:
                gaps.append(_("none in {wanted} (found {found})", wanted="/".join(p["languages"]),
                              found=", ".join(sorted(x or "?" for x in
                                                     {d.language for d in docs}))))
        if "max_age" in p and suitable:
            limit = parse_duration(p["max_age"])
            dated = [d.date for d in suitable if d.date is not None]
            newest = max(dated) if dated else None
            figures["newest"] = newest.isoformat() if newest else None
            if newest is None:
                gaps.append(_("no suitable document is dated"))
            elif limit.add_to(newest) < context.as_of:
                if p.get("languages"):
                    gaps.append(_("newest in {languages} dated {date}, older than {limit}",
                                  languages="/".join(p["languages"]),
                                  date=format_date(newest), limit=format_duration(limit)))
                else:
                    gaps.append(_("newest dated {date}, older than {limit}",
                                  date=format_date(newest), limit=format_duration(limit)))
        if suitable and len(suitable) < p.get("min_count", 1):
            gaps.append(_("{found} of {required} required", found=len(suitable),
                          required=p.get("min_count", 1)))
        if not suitable:
            # nothing in the required language (or too few): the obligation is not met at all
            return Finding(requirement.full_id, Status.NOT_MET, 0.0,
                           _("{label} present, but {problems}", label=label,
                             problems=_("; ").join(gaps)), figures, proof)
        if not gaps:
            text = _("{n} document(s) of kind '{kind}'", n=len(docs), kind=kind)
            if figures.get("newest"):
                text = _("{text}, newest dated {date}", text=text,
                         date=format_date(figures["newest"]))
            return Finding(requirement.full_id, Status.MET, 1.0, text, figures, proof)
        return Finding(requirement.full_id, Status.PARTIAL, 0.5,
                       _("{label} present, but {problems}", label=label,
                         problems=_("; ").join(gaps)), figures, proof)

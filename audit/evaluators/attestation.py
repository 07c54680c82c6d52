"""``attestation``: the platform answers a question, optionally backed by a document."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.evaluators.base import EvaluationContext, Evaluator
from audit.i18n import _
from audit.model import Finding, Proof, Requirement, Rule, Status

ANSWERS = ("yes", "partial", "no", "n/a")


class AttestationEvaluator(Evaluator):
    id = "attestation"
    summary = "A yes/partial/no answer in answers.yaml (key defaults to the requirement id)."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "key": {"type": "string", "meta": {"doc": "Answer key; defaults to the requirement id."}},
        "require_document": {"type": "boolean",
                             "meta": {"doc": "A 'yes' without a referenced document is partial."}},
    }

    def evidence_keys(self, requirement: Requirement, rule: Rule) -> list[str]:
        return [rule.params.get("key", requirement.id)]

    def evaluate(self, requirement: Requirement, rule: Rule,
                 context: EvaluationContext) -> Finding:
        key = rule.params.get("key", requirement.id)
        answer = context.evidence.answer(key, requirement)
        if answer is None:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           _("no answer for '{key}' in the evidence", key=key))
        proof = [Proof("answer", answer.location, f"{answer.value}" +
                       (f" ({answer.by})" if answer.by else ""))]
        value = str(answer.value).lower()
        figures: dict[str, Any] = {"answer": value}
        record = context.evidence.document_files.get(answer.document or "")
        if record is not None:
            proof.append(Proof("document", record.path, f"sha256 {record.sha256[:12]}"))
        elif answer.document:
            # A document that was not submitted supports nothing: say so rather than cite it.
            figures["document_missing"] = answer.document
        if value == "n/a":
            return Finding(requirement.full_id, Status.MANUAL_REVIEW, 0.0,
                           _note(_("answered 'not applicable'; an auditor must confirm"),
                                 answer.note), figures, tuple(proof))
        if value == "no":
            return Finding(requirement.full_id, Status.NOT_MET, 0.0,
                           _note(_("the platform answers no"), answer.note), figures,
                           tuple(proof))
        if value == "partial":
            return Finding(requirement.full_id, Status.PARTIAL, 0.5,
                           _note(_("the platform answers partially"), answer.note), figures,
                           tuple(proof))
        if rule.params.get("require_document") and record is None:
            why = (_("answered yes, but the document it names ({document}) is not in the "
                     "evidence", document=answer.document) if answer.document
                   else _("answered yes, but no supporting document is referenced"))
            return Finding(requirement.full_id, Status.PARTIAL, 0.5, why, figures, tuple(proof))
        if record is not None:
            text = _("answered yes, supported by {document}", document=answer.document)
        elif answer.document:
            text = _("answered yes; the document it names ({document}) is not in the evidence",
                     document=answer.document)
        else:
            text = _("answered yes")
        return Finding(requirement.full_id, Status.MET, 1.0, _note(text, answer.note), figures,
                       tuple(proof))


def _note(sentence: str, note: str | None) -> str:
    """The finding with the platform's own note after it (kept in the platform's words)."""
    return _("{finding} (note: {note})", finding=sentence, note=note) if note else sentence

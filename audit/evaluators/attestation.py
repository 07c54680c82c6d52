"""``attestation``: the platform answers a question, optionally backed by a document."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit.evaluators.base import EvaluationContext, Evaluator
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
                           f"no answer for '{key}' in the evidence")
        proof = [Proof("answer", answer.location, f"{answer.value}" +
                       (f" by {answer.by}" if answer.by else ""))]
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
                           f"answered 'not applicable'{_note(answer.note)}; an auditor must "
                           "confirm", figures, tuple(proof))
        if value == "no":
            return Finding(requirement.full_id, Status.NOT_MET, 0.0,
                           f"the platform answers no{_note(answer.note)}", figures, tuple(proof))
        if value == "partial":
            return Finding(requirement.full_id, Status.PARTIAL, 0.5,
                           f"the platform answers partially{_note(answer.note)}", figures,
                           tuple(proof))
        if rule.params.get("require_document") and record is None:
            why = (f"the document it names ({answer.document}) is not in the evidence"
                   if answer.document else "no supporting document is referenced")
            return Finding(requirement.full_id, Status.PARTIAL, 0.5, f"answered yes, but {why}",
                           figures, tuple(proof))
        support = ""
        if record is not None:
            support = f", supported by {answer.document}"
        elif answer.document:
            support = f"; the document it names ({answer.document}) is not in the evidence"
        return Finding(requirement.full_id, Status.MET, 1.0,
                       "answered yes" + support + _note(answer.note), figures, tuple(proof))


def _note(note: str | None) -> str:
    return f" ({note})" if note else ""

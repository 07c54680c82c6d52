"""The machine-readable result (documented in docs/reference/result-schema.md, versioned)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from audit.assessment import RESULT_SCHEMA_VERSION, Assessment, RequirementResult
from audit.ledger import ledger_dict
from audit.reports.base import WriterBase
from audit.reports.json_values import finding_dict, score_dict
from audit.reports.process_json import process_dict
from audit.reviews import review_dict
from audit.serialize import plain


def requirement_dict(a: Assessment, r: RequirementResult) -> dict[str, Any]:
    req = r.requirement
    return {
        "id": req.full_id, "checklist": r.checklist, "requirement": req.id,
        "jurisdiction": req.jurisdiction, "area": req.area.value,
        "severity": req.severity.value, "weight": req.weight, "title": req.title,
        "citation": {"source": req.citation.source, "article": req.citation.article,
                     "text": a.citation(r), "url": a.source_url(r)},
        "refs": list(req.refs), "confidence": req.confidence.value,
        "legal_status": req.status.value, "theme": req.theme, "rule": req.rule.type,
        "applicability": r.applicability,
        **finding_dict(r.finding),
        "remediation": req.remediation,
        "waiver": None if r.waiver is None else {
            "active": r.waiver.active, "justification": r.waiver.waiver.justification,
            "approved_by": r.waiver.waiver.approved_by,
            "expires": r.waiver.waiver.expires.isoformat(),
            "granted": (r.waiver.waiver.granted.isoformat() if r.waiver.waiver.granted
                        else None)},
        "without_waiver": {"status": r.underlying.status.value, "score": r.underlying.score},
        "review": review_dict(r),
    }


def assessment_dict(a: Assessment) -> dict[str, Any]:
    return {
        "schema": "platform-audit/result",
        "schema_version": RESULT_SCHEMA_VERSION,
        "tool": {"name": "platform-audit", "version": a.tool_version},
        "generated_at": a.generated_at.isoformat(),
        "as_of": a.as_of.isoformat(),
        "language": a.language,
        "platform": plain(a.platform),
        "checklists": [plain(c) for c in a.checklists],
        "verdict": a.verdict.value,
        "verdict_without_waivers": a.verdict_without_waivers.value,
        "scoring": {"model": a.scoring_model, "formula": a.score.formula,
                    "with_waivers": score_dict(a.score),
                    "without_waivers": score_dict(a.score_without_waivers)},
        "counts": a.counts(), "counts_without_waivers": a.counts(without_waivers=True),
        "by_area": {k: score_dict(v) for k, v in a.by_area.items()},
        "by_jurisdiction": {k: score_dict(v) for k, v in a.by_jurisdiction.items()},
        "requirements": [requirement_dict(a, r) for r in a.results],
        "logs": a.logs,
        "notes": [plain(n) for n in a.notes],
        "ledger": ledger_dict(a.ledger),
        "evidence": [plain(f) for f in a.evidence_files],
        **process_dict(a),
    }


class JsonWriter(WriterBase):
    id = "json"
    description = "machine-readable result, schema platform-audit/result 1.3"
    extensions = (".json",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        json.dump(assessment_dict(assessment), stream, indent=2, ensure_ascii=False)
        stream.write("\n")

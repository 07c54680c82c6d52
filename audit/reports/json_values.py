"""The JSON result's shapes for a score and a finding, shared by the whole result
(``audit.reports.jsonout``) and its process keys (``audit.reports.process_json``)."""

from __future__ import annotations

from typing import Any

from audit.model import Finding
from audit.scoring import ScoreResult
from audit.serialize import plain


def score_dict(score: ScoreResult) -> dict[str, Any]:
    return {"score": None if score.score is None else round(score.score, 6),
            "numerator": score.numerator, "denominator": score.denominator,
            "counted": score.counted, "excluded": dict(score.excluded)}


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {"status": finding.status.value, "score": finding.score, "summary": finding.summary,
            "figures": plain(dict(finding.figures)),
            "proof": [plain(p) for p in finding.proof],
            "parts": [finding_dict(child) for child in finding.children]}

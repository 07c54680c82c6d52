"""Auditor decisions (``reviews.yaml`` or the template's Reviews sheet): a recorded outcome of a
``manual_review`` item, or an override of a computed status.

A decision never hides what the evidence showed: the requirement keeps the computed finding
beside it (``RequirementResult.computed``), its status reads "met (auditor)" in every report,
and the score and verdict are printed with and without auditor decisions, as for waivers.
Deleting the entry and re-running restores the computed result: nothing else is changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from audit.assessment import Assessment, RequirementResult, score_results
from audit.errors import EvidenceError, Problem
from audit.i18n import _
from audit.labels import status_label as plain_status_label
from audit.model import Finding, Proof, Status
from audit.references import unknown_requirement
from audit.scoring import ScoringModel
from audit.sheet_input import date_value, find_header, labels, open_workbook, records, sheet_rows
from audit.yamlio import load_list_document

DECISIONS = ("met", "partial", "not_met", "no_evidence", "not_applicable")
DEFAULT_SCORE = {"met": 1.0, "partial": 0.5}
FIELDS = ("requirement", "decision", "reasoning", "reviewer", "date", "evidence", "score")
REVIEWS_SHEET = "Reviews"
SHEET_HEADERS = ["requirement", "decision", "reasoning", "reviewer", "date",
                 "evidence consulted", "score"]


@dataclass(frozen=True)
class Review:
    requirement: str  # full id
    decision: Status
    reasoning: str
    reviewer: str
    date: dt.date
    location: str  # "reviews.yaml:12" or "evidence.xlsx: Reviews!A3"
    evidence: tuple[str, ...] = ()
    score: float | None = None

    @property
    def decided_score(self) -> float:
        return self.score if self.score is not None else DEFAULT_SCORE.get(self.decision.value,
                                                                             0.0)


Where = Callable[[str], tuple[str, str, "int | None"]]  # field -> (file, place, line)


def _review(raw: Mapping[str, Any], where: Where, problems: list[Problem]) -> Review | None:
    """Validate one entry; ``where(field)`` locates a field for the error message."""

    def fail(name: str, message: str) -> None:
        problems.append(Problem(*where(name)[:2], message, where(name)[2]))

    bad = len(problems)
    for name in raw:
        if name not in FIELDS:
            fail(name, f"unknown field (known: {', '.join(FIELDS)})")
    for name in ("requirement", "decision", "reasoning", "reviewer", "date"):
        if raw.get(name) in (None, ""):
            fail(name, "required")
    decision = str(raw.get("decision") or "").strip().lower().replace(" ", "_")
    if raw.get("decision") and decision not in DECISIONS:
        fail("decision", f"expected one of {', '.join(DECISIONS)}, got {raw['decision']!r}")
    day = date_value(raw.get("date"))
    if isinstance(day, str):
        fail("date", day)
    score = raw.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))
                              or not 0 <= score <= 1):
        fail("score", f"expected a number from 0 to 1, got {score!r}")
    evidence = raw.get("evidence") or ()
    if isinstance(evidence, str):
        evidence = [e.strip() for e in evidence.split(";") if e.strip()]
    if len(problems) > bad or not isinstance(day, dt.date):
        return None
    file, place, line = where("requirement")
    location = f"{file}:{line}" if line else f"{file}: {place}"
    return Review(str(raw["requirement"]).strip(), Status(decision), str(raw["reasoning"]),
                  str(raw["reviewer"]), day, location, tuple(str(e) for e in evidence),
                  None if score is None else float(score))


def load_reviews(path: Path, display: str | None = None) -> list[Review]:
    """Read a ``reviews.yaml`` (``reviews: [...]``) or a workbook's Reviews sheet."""
    if path.suffix.lower() == ".xlsx":
        return read_reviews_sheet(path, display)
    name = display or str(path)
    doc, entries = load_list_document(path, name, "reviews")
    problems: list[Problem] = []
    reviews = []
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            problems.append(doc.problem(("reviews", i), "expected a mapping"))
            continue

        def where(field: str, i: int = i) -> tuple[str, str, int | None]:
            return name, f"reviews[{i}].{field}", doc.line_of(("reviews", i, field))

        review = _review(raw, where, problems)
        if review is not None:
            reviews.append(review)
    return _checked(reviews, problems)


def _checked(reviews: list[Review], problems: list[Problem]) -> list[Review]:
    seen: dict[str, Review] = {}
    for review in reviews:
        if review.requirement in seen:
            problems.append(Problem(review.location, "requirement",
                                    f"{review.requirement} reviewed twice (first at "
                                    f"{seen[review.requirement].location})"))
        seen.setdefault(review.requirement, review)
    if problems:
        raise EvidenceError(problems=problems)
    return reviews


def read_reviews_sheet(path: Path, display: str | None = None) -> list[Review]:
    """The Reviews sheet of a filled template (none when the sheet is absent or empty)."""
    name = display or str(path)
    wb = open_workbook(path, name, (REVIEWS_SHEET, _(REVIEWS_SHEET)))
    try:
        rows = sheet_rows(wb, REVIEWS_SHEET)
    finally:
        wb.close()
    if not rows:
        return []
    keys = dict(zip(FIELDS, SHEET_HEADERS, strict=True))
    found = find_header(rows, {k: labels(keys[k]) for k in FIELDS[:5]},
                        {k: labels(keys[k]) for k in FIELDS[5:]})
    if found is None:
        raise EvidenceError(problems=[Problem(name, f"{REVIEWS_SHEET}!A1", "expected the "
                                              "header row " + ", ".join(SHEET_HEADERS))])
    header, columns = found
    problems: list[Problem] = []
    reviews = []
    for _row, values in records(rows, header, columns):
        raw = {k: v for k, (v, _c) in values.items() if v is not None}
        if isinstance(raw.get("score"), str):
            try:
                raw["score"] = float(raw["score"])
            except ValueError:
                pass

        def where(field: str, values: dict[str, tuple[Any, str]] = values) -> tuple[str, str, None]:
            cell = values.get(field, values["requirement"])[1]
            return name, f"{REVIEWS_SHEET}!{cell}", None

        review = _review(raw, where, problems)
        if review is not None:
            reviews.append(review)
    return _checked(reviews, problems)


def apply_reviews(a: Assessment, reviews: Iterable[Review], model: ScoringModel,
                  known: set[str] | None = None) -> tuple[Assessment, list[Review]]:
    """``a`` with the auditor's decisions in place of computed findings, rescored, and the
    reviews not applied.

    A review of a requirement that exists in no checklist (``known``, default: the assessed
    ones) is an error naming its place; one of a known requirement outside this assessment is
    returned (not applied) so the caller can say so. The scores before the decisions are kept
    as ``score_without_reviews``/``verdict_without_reviews``.
    """
    reviews = list(reviews)
    by_id = {r.requirement.full_id: i for i, r in enumerate(a.results)}
    known = set(by_id) | (known or set())
    problems = [unknown_requirement(rv.location, rv.requirement, known,
                                    "no requirement '{id}' in the checklists")
                for rv in reviews if rv.requirement not in known]
    if problems:
        raise EvidenceError(problems=problems)
    outside = [rv for rv in reviews if rv.requirement not in by_id]
    applied = {rv.requirement: rv for rv in reviews if rv.requirement in by_id}
    if not applied:
        return a, outside
    results = [_decided(r, applied[r.requirement.full_id])
               if r.requirement.full_id in applied else r for r in a.results]
    scores = score_results(results, model)
    return dataclasses.replace(
        a, results=results, score_without_reviews=a.score, verdict_without_reviews=a.verdict,
        score=scores.score, score_without_waivers=scores.score_without_waivers,
        by_area=scores.by_area, by_jurisdiction=scores.by_jurisdiction,
        verdict=scores.verdict, verdict_without_waivers=scores.verdict_without_waivers,
        contributions=scores.contributions), outside


def _decided(r: RequirementResult, review: Review) -> RequirementResult:
    computed = r.underlying
    summary = _("{decision} (auditor {reviewer}, {date}): {reasoning}; computed "
                "{computed_status}: {computed_summary}",
                decision=review.decision.value.replace("_", " "), reviewer=review.reviewer,
                date=review.date, reasoning=" ".join(review.reasoning.split()),
                computed_status=computed.status.value.replace("_", " "),
                computed_summary=computed.summary)
    decided = Finding(computed.requirement, review.decision, review.decided_score, summary,
                      computed.figures, computed.proof + (Proof("review", review.location,
                                                                "; ".join(review.evidence)),),
                      computed.children)
    final = decided
    if r.waiver is not None and r.waiver.active and decided.status.is_gap:
        final = Finding(decided.requirement, Status.WAIVED, decided.score,
                        f"{r.waiver.note} (evidence: {decided.summary})", decided.figures,
                        decided.proof + (Proof("waiver", r.waiver.waiver.location),))
    return dataclasses.replace(r, finding=final, underlying=decided, review=review,
                               computed=computed)


def status_label(r: RequirementResult) -> str:
    """``met (auditor)`` for a decided requirement, else the plain status."""
    status = plain_status_label(r.status)
    if r.review is None:
        return status
    return _("{status} (auditor)", status=status)


def computed_label(r: RequirementResult) -> str:
    """The computed status beside an auditor's decision (empty when there is none)."""
    if r.computed is None:
        return ""
    score = format(r.computed.score, ".2f")
    return _("computed: {status} ({score})", status=r.computed.status.value.replace("_", " "),
             score=score)


def review_dict(r: RequirementResult) -> dict[str, Any] | None:
    """The JSON form of a decision, with the computed finding it replaced."""
    rv = r.review
    if rv is None or r.computed is None:
        return None
    return {"decision": rv.decision.value, "score": rv.decided_score,
            "reasoning": rv.reasoning, "reviewer": rv.reviewer, "date": rv.date.isoformat(),
            "evidence": list(rv.evidence), "location": rv.location,
            "computed": {"status": r.computed.status.value, "score": r.computed.score,
                         "summary": r.computed.summary}}

"""Stage 4, apply the audit's history: what earlier runs and the auditor left.

Baselines (a JSON result, a gap workbook, a ``remediation.yaml``) and auditor decisions
(``reviews.yaml``, a workbook's Reviews sheet) are all read by ``load_history`` before the
evidence, so a bad file fails fast; ``apply_history`` then applies them to the fresh
``Assessment`` in one fixed order: auditor decisions, then remediation carried forward, then the
comparison with the baseline. Each step returns a new ``Assessment``; none changes the one it
was given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.assessment import Assessment, DataNote
from audit.baseline import NEW_REQUIREMENT, BaselineComparison, label_for
from audit.checklists import ChecklistLibrary
from audit.comparison import compare, load_result
from audit.errors import UsageError
from audit.i18n import _
from audit.provenance import input_files
from audit.registry import Registry
from audit.remediation import Previous, carry
from audit.remediation_read import load_previous
from audit.reports.jsonout import assessment_dict
from audit.reviews import Review, apply_reviews, load_reviews, read_reviews_sheet

PACK_REVIEWS = "reviews.yaml"  # read from an evidence directory when present


@dataclass(frozen=True)
class History:
    """Everything read from earlier runs and from the auditor, before the evidence."""

    previous: tuple[Previous, ...] = ()
    reviews: tuple[Review, ...] = ()
    result: Mapping[str, Any] | None = None  # the JSON baseline (JSON), for since-baseline labels
    result_name: str = ""
    files: tuple[tuple[Path, str], ...] = ()  # (path, role) read
    workbook_result: Mapping[str, Any] | None = None  # labels from a workbook when no JSON
    workbook_name: str = ""
    evidence_workbooks: tuple[Path, ...] = ()  # their Reviews sheets, read after the evidence

    @property
    def has_baseline_result(self) -> bool:
        """A JSON result or a gap workbook to compare with (what ``--fail-on regression``
        needs)."""
        return self.result is not None or self.workbook_result is not None


def load_history(baselines: Sequence[Path], reviews: Sequence[Path],
                 evidence: Sequence[Path]) -> History:
    """Read every baseline and review file (exit 2 naming the place on a bad one)."""
    previous: list[Previous] = []
    result: dict[str, Any] | None = None
    result_name = ""
    workbook_result: dict[str, Any] | None = None
    workbook_name = ""
    files: list[tuple[Path, str]] = []
    for path in baselines:
        loaded = None
        if path.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
            if result is not None:
                raise UsageError(f"--baseline {path}: only one JSON result can be the "
                                 f"baseline ({result_name} is already)")
            loaded = load_result(path)
            result, result_name = loaded, str(path)
        prev = load_previous(path, loaded)
        previous.append(prev)
        if prev.result is not None and result is None:
            workbook_result, workbook_name = prev.result, str(path)
        files.append((path, "baseline"))
    review_files = list(reviews)
    workbooks: list[Path] = []
    for item in evidence:
        if item.is_dir() and (item / PACK_REVIEWS).is_file():
            review_files.append(item / PACK_REVIEWS)
        elif item.suffix.lower() == ".xlsx" and item.is_file():
            workbooks.append(item)
    found: list[Review] = []
    for path in review_files:
        found += load_reviews(path)
        files.append((path, "reviews"))
    _no_repeats(found)
    return History(tuple(previous), tuple(found), result, result_name, tuple(files),
                   workbook_result, workbook_name, tuple(workbooks))


def apply_history(a: Assessment, history: History, library: ChecklistLibrary,
                  registry: Registry) -> Assessment:
    """``a`` with decisions, carried tracking and since-baseline labels, in that order."""
    reviews = list(history.reviews)
    for book in history.evidence_workbooks:  # after the evidence loader checked the file
        display = a.evidence.display(book) if a.evidence is not None else str(book)
        reviews += read_reviews_sheet(book, display)
        _no_repeats(reviews)
    if history.files:
        a = dataclasses.replace(a, provenance={
            **a.provenance, "inputs": input_files(history.files, a.evidence)})
    if reviews:
        known = {r.full_id for c in library.all() for r in c.requirements}
        a, outside = apply_reviews(a, reviews, registry.scoring_models.get(a.scoring_model),
                                   known)
        if outside:
            a = dataclasses.replace(a, notes=[*a.notes, DataNote(
                "reviews-not-applied", severity="info", message=_(
                    "Auditor decisions on requirements outside this assessment, not applied: "
                    "{ids}", ids=", ".join(f"{r.requirement} ({r.location})" for r in outside)))])
    if history.previous:
        a = carry(a, history.previous)
    base, name = ((history.result, history.result_name) if history.result is not None
                  else (history.workbook_result, history.workbook_name))
    if base is not None:
        a = apply_baseline(a, base, name)
    return a


def apply_baseline(a: Assessment, baseline: Path | str | Mapping[str, Any],
                   name: str | None = None) -> Assessment:
    """``a`` compared with a baseline result (a path or an already loaded result): the
    comparison is attached as ``a.baseline`` for the writers (``audit.baseline.baseline_of``)."""
    if isinstance(baseline, Mapping):
        data, shown = dict(baseline), name or "baseline"
    else:
        data, shown = load_result(baseline), name or str(baseline)
    return dataclasses.replace(a, baseline=compare_assessment(a, data, shown))


def compare_assessment(a: Assessment, baseline: Mapping[str, Any],
                       baseline_name: str = "baseline") -> BaselineComparison:
    """The per-requirement since-baseline labels of ``a``: the comparison ``audit diff``
    makes, run on the result dictionary the JSON writer would write for ``a``."""
    diff = compare(dict(baseline), assessment_dict(a), baseline_name, "this assessment")
    labels = {c.id: label_for(c) for c in diff.common}
    for r in diff.only_new:
        labels[r["id"]] = NEW_REQUIREMENT
    return BaselineComparison(baseline_name, diff, labels)


def _no_repeats(reviews: Sequence[Review]) -> None:
    """One decision per requirement across every review file."""
    seen: dict[str, Review] = {}
    for review in reviews:
        if review.requirement in seen:
            raise UsageError(f"{review.location}: {review.requirement} reviewed twice (first "
                             f"at {seen[review.requirement].location})")
        seen[review.requirement] = review

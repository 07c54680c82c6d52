"""The inputs of a run that come from earlier runs and from the auditor: baselines (JSON
result, gap workbook, remediation.yaml) and reviews. All are read before the evidence (so a bad
file fails fast) and applied to the fresh assessment in one fixed order: auditor decisions,
then remediation carried forward, then the comparison with a JSON baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from audit.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment
    from audit.remediation import Previous
    from audit.reviews import Review

PACK_REVIEWS = "reviews.yaml"  # read from an evidence directory when present


@dataclass
class Inputs:
    previous: list[Previous] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    result: dict[str, Any] | None = None  # the JSON baseline, for since-baseline labels
    result_name: str = ""
    files: list[tuple[Path, str]] = field(default_factory=list)  # (path, role) read
    workbook_result: dict[str, Any] | None = None  # labels from a workbook when no JSON
    evidence_workbooks: list[Path] = field(default_factory=list)  # Reviews sheets, read late
    workbook_name: str = ""

    def apply(self, a: Assessment, library: Any, registry: Any) -> None:
        from audit.assessment import DataNote
        from audit.i18n import _
        from audit.provenance import input_files

        for book in self.evidence_workbooks:  # after the evidence loader checked the file
            from audit.reviews import read_reviews_sheet

            display = a.evidence.display(book) if a.evidence is not None else str(book)
            found = read_reviews_sheet(book, display)
            _no_repeats([*self.reviews, *found])
            self.reviews += found
        if self.files:
            a.provenance["inputs"] = input_files(self.files, a.evidence)
        if self.reviews:
            from audit.reviews import apply_reviews

            known = {r.full_id for c in library.all() for r in c.requirements}
            outside = apply_reviews(a, self.reviews,
                                    registry.scoring_models.get(a.scoring_model), known)
            if outside:
                a.notes.append(DataNote("reviews-not-applied", severity="info", message=_(
                    "Auditor decisions on requirements outside this assessment, not applied: "
                    "{ids}", ids=", ".join(f"{r.requirement} ({r.location})"
                                           for r in outside))))
        if self.previous:
            from audit.remediation import carry

            carry(a, self.previous)
        base, name = ((self.result, self.result_name) if self.result is not None
                      else (self.workbook_result, self.workbook_name))
        if base is not None:
            from audit.baseline import apply_baseline

            apply_baseline(a, base, name)


def load_inputs(baselines: Sequence[Path], reviews: Sequence[Path],
                evidence: Sequence[Path]) -> Inputs:
    """Read every baseline and review file (exit 2 naming the place on a bad one)."""
    from audit.remediation import load_previous
    from audit.reviews import load_reviews

    inputs = Inputs()
    for path in baselines:
        result = None
        if path.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
            if inputs.result is not None:
                raise UsageError(f"--baseline {path}: only one JSON result can be the "
                                 f"baseline ({inputs.result_name} is already)")
            from audit.baseline import load_baseline

            result = load_baseline(path)
            inputs.result, inputs.result_name = result, str(path)
        previous = load_previous(path, result)
        inputs.previous.append(previous)
        if previous.result is not None and inputs.result is None:
            inputs.workbook_result, inputs.workbook_name = previous.result, str(path)
        inputs.files.append((path, "baseline"))
    files = list(reviews)
    for item in evidence:
        if item.is_dir() and (item / PACK_REVIEWS).is_file():
            files.append(item / PACK_REVIEWS)
        elif item.suffix.lower() == ".xlsx" and item.is_file():
            inputs.evidence_workbooks.append(item)
    for path in files:
        inputs.reviews += load_reviews(path)
        inputs.files.append((path, "reviews"))
    _no_repeats(inputs.reviews)
    return inputs


def _no_repeats(reviews: list[Review]) -> None:
    """One decision per requirement across every review file."""
    seen: dict[str, Review] = {}
    for review in reviews:
        if review.requirement in seen:
            raise UsageError(f"{review.location}: {review.requirement} reviewed twice (first "
                             f"at {seen[review.requirement].location})")
        seen[review.requirement] = review

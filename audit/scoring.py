"""Status roll-up, verdicts and scoring models: pure functions, each with its formula in words.

Reports print ``ScoreResult.formula`` beside every score, so a regulator can recompute it.
Requirements that are not applicable, waived (in the "with waivers" score) or awaiting manual
review are outside the denominator, as in XCCDF's scoring models; the manual-review count is
shown beside the score so an unfinished assessment cannot pass for a good one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar, Iterable, Protocol, Sequence

from audit.i18n import N_
from audit.model import Requirement, Severity, Status

# Worst first. Combining statuses (all_of, several versions of a rule) takes the worst.
ROLLUP_ORDER: tuple[Status, ...] = (
    Status.NOT_MET, Status.NO_EVIDENCE, Status.PARTIAL, Status.MANUAL_REVIEW, Status.MET,
    Status.WAIVED, Status.NOT_APPLICABLE,
)
SCORED = (Status.MET, Status.PARTIAL, Status.NOT_MET, Status.NO_EVIDENCE)

# What one requirement's score is, the same for every model that uses it (docs/assess.md).
# Partial credit is deliberate: a measured share below target still earns share / target, so a
# requirement at 47 % of its target scores 0.47 whether its status is partial or not_met.
FORMULA_JOIN = "; "  # between a model's formula and REQUIREMENT_SCORE (reports translate each)
REQUIREMENT_SCORE = N_("requirement score: 1 when met; share / target (at most 1) when a share is "
                     "measured, so partial and not-met requirements earn partial credit; 0 when "
                     "nothing is measured (no evidence, a 'no' answer); for all_of the mean of "
                     "its parts, for any_of the best part")


def worst_status(statuses: Iterable[Status]) -> Status:
    statuses = list(statuses)
    if not statuses:
        return Status.NOT_APPLICABLE
    return min(statuses, key=ROLLUP_ORDER.index)


class Verdict(str, enum.Enum):
    COMPLIANT = "compliant"
    PARTIALLY_COMPLIANT = "partially_compliant"
    NON_COMPLIANT = "non_compliant"
    REVIEW_NEEDED = "review_needed"
    NOT_ASSESSED = "not_assessed"  # no requirement applies: nothing was judged


@dataclass(frozen=True)
class Scored:
    """One requirement as the scoring models see it."""

    requirement: Requirement
    status: Status
    score: float


@dataclass(frozen=True)
class ScoreResult:
    model: str
    score: float | None  # None when nothing is in the denominator
    numerator: float
    denominator: float
    counted: int
    excluded: dict[str, int]
    formula: str

    @property
    def percent(self) -> str:
        return "n/a" if self.score is None else f"{self.score * 100:.1f} %"


class ScoringModel(Protocol):
    """A scoring model as the registry holds it (``--scoring`` picks one by ``id``)."""

    @property
    def id(self) -> str: ...

    @property
    def description(self) -> str: ...

    def score(self, items: Sequence[Scored]) -> ScoreResult: ...


class _Model:
    id: ClassVar[str]
    description: ClassVar[str]
    formula: ClassVar[str]

    def weight(self, item: Scored) -> float:
        return item.requirement.weight

    def value(self, item: Scored) -> float:
        return item.score

    def score(self, items: Sequence[Scored]) -> ScoreResult:
        counted = [i for i in items if i.status in SCORED]
        excluded: dict[str, int] = {}
        for i in items:
            if i.status not in SCORED:
                excluded[i.status.value] = excluded.get(i.status.value, 0) + 1
        num = sum(self.weight(i) * self.value(i) for i in counted)
        den = sum(self.weight(i) for i in counted)
        return ScoreResult(self.id, (num / den) if den else None, round(num, 6), round(den, 6),
                           len(counted), excluded, self.formula)


class WeightedModel(_Model):
    id = "weighted"
    description = "Weighted mean of requirement scores (weights from severity unless set)."
    formula = (N_("score = sum(weight x requirement score) / sum(weight), over requirements "
                  "that are met, partial, not met or without evidence; not applicable, waived "
                  "and manual-review requirements are outside the denominator")
               + FORMULA_JOIN + REQUIREMENT_SCORE)


class FlatModel(_Model):
    id = "flat"
    description = "Unweighted mean of requirement scores."
    formula = (N_("score = sum(requirement score) / number of requirements that are met, "
                  "partial, not met or without evidence")
               + FORMULA_JOIN + REQUIREMENT_SCORE)

    def weight(self, item: Scored) -> float:
        return 1.0


class StrictModel(_Model):
    id = "strict"
    description = "All or nothing per requirement: only 'met' earns its weight."
    formula = N_("score = sum(weight of met requirements) / sum(weight), over requirements "
                 "that are met, partial, not met or without evidence (partial earns nothing)")

    def value(self, item: Scored) -> float:
        return 1.0 if item.status is Status.MET else 0.0


def verdict(items: Sequence[Scored]) -> Verdict:
    """Non-compliant when any critical requirement is not met or lacks evidence, whatever the
    score; compliant only when nothing is open; review-needed when only manual reviews are;
    not assessed when no requirement applies (an empty assessment is not a compliant one)."""
    if all(i.status is Status.NOT_APPLICABLE for i in items):
        return Verdict.NOT_ASSESSED
    if any(i.requirement.severity is Severity.CRITICAL
           and i.status in (Status.NOT_MET, Status.NO_EVIDENCE) for i in items):
        return Verdict.NON_COMPLIANT
    gaps = [i for i in items if i.status in (Status.PARTIAL, Status.NOT_MET, Status.NO_EVIDENCE)]
    if gaps:
        return Verdict.PARTIALLY_COMPLIANT
    if any(i.status is Status.MANUAL_REVIEW for i in items):
        return Verdict.REVIEW_NEEDED
    return Verdict.COMPLIANT

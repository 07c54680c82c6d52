"""``audit assess --baseline OLD.json``: what is new since an earlier result, as labels.

The comparison is :func:`audit.comparison.compare` (one implementation): the pipeline's history
stage (``audit.pipeline.history.apply_baseline``) turns the fresh ``Assessment`` into the same
result dictionary the JSON writer writes, compares it with the baseline, and each requirement
gets one *since baseline* label that the console, Markdown and workbook reports show beside it
(docs/diff.md lists them). This module holds the labels and the comparison's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit.comparison import GAP_STATUSES, Diff, RequirementChange
from audit.i18n import _
from audit.labels import baseline_label

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment

# since-baseline labels
NEW_REQUIREMENT = "new requirement"  # not in the baseline (new checklist or checklist version)
WAS_MET = "was met"  # a gap now, met in the baseline: a regression
NEW_GAP = "new gap"  # a gap now, not a gap in the baseline (waived or not applicable then)
WORSE = "worse"  # a gap then and now, worse status or lower score
IMPROVED = "improved"  # better status or higher score (including gaps closed)
UNCHANGED = "unchanged"  # same status and score

LABELS = (NEW_REQUIREMENT, WAS_MET, NEW_GAP, WORSE, IMPROVED, UNCHANGED)


@dataclass
class BaselineComparison:
    """Per-requirement labels of one assessment against a baseline result."""

    path: str
    diff: Diff
    labels: dict[str, str]  # full requirement id -> label

    @property
    def as_of(self) -> str | None:
        return self.diff.old.get("as_of")

    def label(self, full_id: str) -> str:
        return self.labels.get(full_id, NEW_REQUIREMENT)

    def resolved(self) -> list[RequirementChange]:
        """Requirements that were gaps in the baseline and are not any more."""
        return [c for c in self.diff.common
                if c.old_status in GAP_STATUSES and c.new_status not in GAP_STATUSES]

    def summary_line(self) -> str:
        """One sentence in the report language: how many requirements carry each label."""
        counts = {lb: 0 for lb in LABELS}
        for lb in self.labels.values():
            counts[lb] += 1
        parts = [_("{count} {label}", count=n, label=baseline_label(lb))
                 for lb, n in counts.items() if n]
        gone = len(self.diff.only_old)
        if gone:
            parts.append(_("{count} no longer assessed", count=gone))
        return _("Since baseline ({path}, as of {date}): {counts}; {closed} gap(s) closed",
                 path=self.path, date=self.as_of, counts=_(", ").join(parts),
                 closed=len(self.resolved()))


def label_for(change: RequirementChange) -> str:
    """The since-baseline label of one :class:`audit.requirement_change.RequirementChange`."""
    old, new = change.old_status, change.new_status
    now_gap, then_gap = new in GAP_STATUSES, old in GAP_STATUSES
    if now_gap and not then_gap:
        return WAS_MET if old == "met" else NEW_GAP
    if change.regression:
        return WORSE
    if change.improvement:
        return IMPROVED
    return UNCHANGED


def baseline_of(assessment: Assessment) -> BaselineComparison | None:
    """The comparison the history stage attached (``audit.pipeline.history``), if any."""
    return assessment.baseline

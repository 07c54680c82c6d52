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

from audit.comparison import (
    GAP_STATUSES,
    IMPROVED,
    NEW_GAP,
    UNCHANGED,
    WAS_MET,
    WORSE,
    Diff,
    RequirementChange,
    movement_counts_text,
)
from audit.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment

# the labels callers of a baseline read, wherever they are defined (one import for them)
__all__ = ["IMPROVED", "LABELS", "NEW_GAP", "NEW_REQUIREMENT", "UNCHANGED", "WAS_MET", "WORSE",
           "BaselineComparison", "baseline_of", "label_for"]

# since-baseline labels: how each requirement moved (audit.requirement_change.MOVEMENTS, the
# words audit diff counts with too), and one for a requirement the baseline did not assess
NEW_REQUIREMENT = "new requirement"  # not in the baseline (new checklist or checklist version)

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
        return _("Since baseline ({path}, as of {date}): {counts}; {closed} gap(s) closed",
                 path=self.path, date=self.as_of,
                 counts=movement_counts_text(counts, len(self.diff.only_old)),
                 closed=len(self.resolved()))


def label_for(change: RequirementChange) -> str:
    """The since-baseline label of one :class:`audit.requirement_change.RequirementChange`:
    how it moved, in the words ``audit diff`` counts with."""
    return change.movement


def baseline_of(assessment: Assessment) -> BaselineComparison | None:
    """The comparison the history stage attached (``audit.pipeline.history``), if any."""
    return assessment.baseline

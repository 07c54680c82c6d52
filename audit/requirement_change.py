"""How one requirement changed between two results: its status direction (by the roll-up
order), score delta, measured figures and waiver, summed up as change labels (docs/diff.md
lists them). :mod:`audit.comparison` compares whole results out of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit.model import Status
from audit.result_file import GAP_STATUSES, STATUS_RANK

SCORE_EPSILON = 1e-6

# change labels of one requirement (docs/diff.md lists them)
NEWLY_MET = "newly_met"
NEWLY_FAILING = "newly_failing"
WORSE = "worse"
BETTER = "better"
SCORE_DOWN = "score_down"
SCORE_UP = "score_up"
FIGURES_CHANGED = "figures_changed"
WAIVER_CHANGED = "waiver_changed"
UNCHANGED = "unchanged"

DIRECTION_WORDS = {-1: "worse", 0: "same", 1: "better"}

# One word per requirement for how it moved, the vocabulary of every count of requirements
# (``audit diff``'s headline, ``--baseline``'s summary line and labels, ``--fail-on
# regression``): status *or* score, so a requirement partly met at a higher score is
# "improved" though its status (the ``better`` change label above) did not move.
IMPROVED = "improved"  # status better or score higher (a gap closed included)
WAS_MET = "was met"  # a gap now, met then
NEW_GAP = "new gap"  # a gap now, not a gap then (waived or not applicable)
# WORSE: a gap then and now, status worse or score lower; UNCHANGED: same status and score
MOVEMENTS = (IMPROVED, WAS_MET, NEW_GAP, WORSE, UNCHANGED)


def status_direction(old: str | None, new: str | None) -> int:
    """-1 worse, 0 same, +1 better, by the roll-up order (worst first)."""
    if old is None or new is None or old == new:
        return 0
    return 1 if STATUS_RANK[new] > STATUS_RANK[old] else -1


def as_number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _scalar_figures(figures: object) -> dict[str, object]:
    if not isinstance(figures, dict):
        return {}
    return {k: v for k, v in figures.items()
            if v is None or isinstance(v, (str, int, float, bool))}


def _waiver_state(w: object) -> str | None:
    if not isinstance(w, dict):
        return None
    return "active" if w.get("active") else "expired"


def waiver_change(old: object, new: object) -> str | None:
    """``added``, ``expired``, ``removed``, ``renewed``, ``changed`` or None."""
    o, n = _waiver_state(old), _waiver_state(new)
    if o == n:
        if (isinstance(old, dict) and isinstance(new, dict)
                and old.get("expires") != new.get("expires")):
            return "changed"
        return None
    if n == "active":
        return "added" if o is None else "renewed"
    if n == "expired":
        return "expired"
    return "removed"  # n is None, o was something


@dataclass(frozen=True)
class RequirementChange:
    """How one requirement assessed in both results changed (``old``/``new``: its entries)."""

    id: str
    title: str
    severity: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    labels: list[str] = field(default_factory=list)
    status_direction: int = 0
    score_delta: float | None = None
    figures: dict[str, dict[str, object]] = field(default_factory=dict)
    waiver: str | None = None

    @property
    def old_status(self) -> str | None:
        return None if self.old is None else self.old["status"]

    @property
    def new_status(self) -> str | None:
        return None if self.new is None else self.new["status"]

    @property
    def regression(self) -> bool:
        return self.status_direction < 0 or (self.score_delta is not None
                                             and self.score_delta < -SCORE_EPSILON)

    @property
    def improvement(self) -> bool:
        return self.status_direction > 0 or (self.score_delta is not None
                                             and self.score_delta > SCORE_EPSILON)

    @property
    def movement(self) -> str:
        """How the requirement moved, one of ``MOVEMENTS`` (a worse status or score first:
        a better status at a lower score is worse)."""
        now_gap, then_gap = self.new_status in GAP_STATUSES, self.old_status in GAP_STATUSES
        if now_gap and not then_gap:
            return WAS_MET if self.old_status == Status.MET.value else NEW_GAP
        if self.regression:
            return WORSE
        if self.improvement:
            return IMPROVED
        return UNCHANGED

    @property
    def changed(self) -> bool:
        return self.labels != [UNCHANGED]

    def to_dict(self) -> dict[str, Any]:
        old, new = self.old, self.new
        return {
            "id": self.id, "title": self.title, "severity": self.severity,
            "labels": list(self.labels),
            "status": {"old": self.old_status, "new": self.new_status,
                       "direction": DIRECTION_WORDS[self.status_direction]},
            "score": {"old": None if old is None else old.get("score"),
                      "new": None if new is None else new.get("score"),
                      "delta": None if self.score_delta is None else round(self.score_delta, 6)},
            "figures": self.figures,
            "waiver": None if self.waiver is None else {
                "change": self.waiver,
                "old": None if old is None else old.get("waiver"),
                "new": None if new is None else new.get("waiver")},
            "summary": {"old": None if old is None else old.get("summary"),
                        "new": None if new is None else new.get("summary")},
            "regression": self.regression,
        }


def _figure_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, object]]:
    """Each measured figure (a scalar) whose value changed: old, new and the delta."""
    of, nf = _scalar_figures(old.get("figures")), _scalar_figures(new.get("figures"))
    changes: dict[str, dict[str, object]] = {}
    for key in sorted(set(of) | set(nf)):
        if of.get(key) != nf.get(key):
            entry: dict[str, object] = {"old": of.get(key), "new": nf.get(key)}
            a, b = as_number(of.get(key)), as_number(nf.get(key))
            if a is not None and b is not None:
                entry["delta"] = round(b - a, 6)
            changes[key] = entry
    return changes


def compare_requirement(old: dict[str, Any], new: dict[str, Any]) -> RequirementChange:
    o, n = old["status"], new["status"]
    direction = status_direction(o, n)
    os_, ns_ = as_number(old.get("score")), as_number(new.get("score"))
    score_delta = ns_ - os_ if os_ is not None and ns_ is not None else None
    figures = _figure_changes(old, new)
    waiver = waiver_change(old.get("waiver"), new.get("waiver"))
    labels = []
    if o != n:
        if n == Status.MET.value:
            labels.append(NEWLY_MET)
        elif n in GAP_STATUSES and o not in GAP_STATUSES:
            labels.append(NEWLY_FAILING)
        else:
            labels.append(BETTER if direction > 0 else WORSE)
    if score_delta is not None and abs(score_delta) > SCORE_EPSILON:
        labels.append(SCORE_UP if score_delta > 0 else SCORE_DOWN)
    if figures:
        labels.append(FIGURES_CHANGED)
    if waiver:
        labels.append(WAIVER_CHANGED)
    return RequirementChange(new["id"], new.get("title", old.get("title", "")),
                             new.get("severity", old.get("severity", "")), old, new,
                             labels or [UNCHANGED], direction, score_delta, figures, waiver)

"""Compare two JSON results (``platform-audit/result`` 1.x): what got better, what got worse.

One implementation serves ``audit diff OLD.json NEW.json`` and ``audit assess --baseline``
(:mod:`audit.baseline` turns a fresh ``Assessment`` into the same result dictionary and calls
:func:`compare`). The diff format is documented in docs/diff.md; its renderings (console,
Markdown, JSON, workbook) are in ``audit/reports/diff_*.py``. Results are read and checked by
:mod:`audit.result_file`, one requirement's change is :mod:`audit.requirement_change`; the
names of both that callers of a comparison need are exported here too (``__all__``), so they
import from one module.

Results for different checklists are compared *partially*: the common requirements are
compared, the others are listed as only in the old or only in the new result, and the overall
score and verdict are reported but flagged as not comparable (they cover different
requirements), so they never count as a regression or an improvement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.i18n import N_, _, use_language
from audit.labels import baseline_label
from audit.requirement_change import (
    BETTER,
    DIRECTION_WORDS,
    FIGURES_CHANGED,
    IMPROVED,
    MOVEMENTS,
    NEW_GAP,
    WAS_MET,
    NEWLY_FAILING,
    NEWLY_MET,
    SCORE_DOWN,
    SCORE_EPSILON,
    SCORE_UP,
    UNCHANGED,
    WAIVER_CHANGED,
    WORSE,
    RequirementChange,
    as_number,
    compare_requirement,
    status_direction,
    waiver_change,
)
from audit.result_file import GAP_STATUSES, VERDICT_RANK, DiffError, check_result, load_result

# what callers of a comparison read, wherever it is defined (one import for them)
__all__ = ["BETTER", "DIFF_SCHEMA", "DIFF_SCHEMA_VERSION", "FIGURES_CHANGED", "GAP_STATUSES",
           "IMPROVED", "MOVEMENTS", "NEWLY_FAILING", "NEWLY_MET", "NEW_GAP", "SCORE_DOWN",
           "SCORE_EPSILON", "SCORE_UP", "UNCHANGED", "WAIVER_CHANGED", "WAS_MET", "WORSE",
           "Diff", "DiffError", "Message", "RequirementChange", "check_result", "compare",
           "compare_requirement", "diff_files", "load_result", "message",
           "movement_counts_text", "pct", "status_direction", "waiver_change"]

DIFF_SCHEMA = "platform-audit/diff"
DIFF_SCHEMA_VERSION = "1.1"  # 1.1 added "movements"


@dataclass(frozen=True)
class Message:
    """A sentence kept untranslated until shown: English in the JSON comparison, the report
    language in the console, Markdown and workbook renderings (``str()`` translates)."""

    text: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.text, **self.params)


def message(text: str, **params: object) -> Message:
    """``message(N_("... {name} ..."), name=value)``: a :class:`Message` (N_ marks it)."""
    return Message(text, params)


# -- two results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Diff:
    """Two results compared: each common requirement's change, the requirements only in one
    of them (each with a ``reason``), and what a reader must know first (``notes``)."""

    old: dict[str, Any]
    new: dict[str, Any]
    old_name: str
    new_name: str
    common: list[RequirementChange]
    only_old: list[dict[str, Any]]  # requirement dicts, with a "reason"
    only_new: list[dict[str, Any]]
    checklists: dict[str, Any]
    partial: bool
    notes: list[Message]

    def overall(self) -> dict[str, Any]:
        def score(d: dict[str, Any], key: str) -> float | None:
            s = (d.get("scoring") or {}).get(key) or {}
            return as_number(s.get("score"))

        out: dict[str, Any] = {"comparable": not self.partial}
        for key, label in (("with_waivers", "score"), ("without_waivers",
                                                       "score_without_waivers")):
            a, b = score(self.old, key), score(self.new, key)
            out[label] = {"old": a, "new": b,
                          "delta": None if a is None or b is None else round(b - a, 6)}
        for key in ("verdict", "verdict_without_waivers"):
            a_, b_ = self.old.get(key), self.new.get(key)
            direction = 0
            if a_ != b_ and a_ in VERDICT_RANK and b_ in VERDICT_RANK:
                direction = 1 if VERDICT_RANK[b_] > VERDICT_RANK[a_] else -1
            out[key] = {"old": a_, "new": b_, "direction": DIRECTION_WORDS[direction]}
        return out

    def by_area(self) -> list[dict[str, Any]]:
        if self.partial:
            return []
        old, new = self.old.get("by_area") or {}, self.new.get("by_area") or {}
        rows = []
        for area in sorted(set(old) | set(new)):
            a = as_number((old.get(area) or {}).get("score"))
            b = as_number((new.get(area) or {}).get("score"))
            if a is None and b is None:
                continue
            delta = None if a is None or b is None else round(b - a, 6)
            if delta is not None and abs(delta) <= SCORE_EPSILON:
                continue
            rows.append({"area": area, "old": a, "new": b, "delta": delta})
        return rows

    def changed(self) -> list[RequirementChange]:
        return [c for c in self.common if c.changed]

    def with_label(self, label: str) -> list[RequirementChange]:
        return [c for c in self.common if label in c.labels]

    def regressions(self) -> list[str]:
        """Everything that got worse, one line each (empty when nothing did)."""
        lines = []
        for c in self.common:
            if c.status_direction < 0:
                lines.append(_("{id}: status {old} -> {new}", id=c.id, old=c.old_status,
                               new=c.new_status))
            elif c.score_delta is not None and c.score_delta < -SCORE_EPSILON:
                old = format((c.old or {})["score"], ".3f")
                new = format((c.new or {})["score"], ".3f")
                lines.append(_("{id}: score {old} -> {new}", id=c.id, old=old, new=new))
        # A requirement the new result no longer assesses could hide anything: dropping a
        # failing checklist from -c must not pass the gate.
        for r in self.only_old:
            why = str(r.get("reason") or _("not in the new result"))
            lines.append(_("{id}: no longer assessed ({reason})", id=r["id"], reason=why))
        if not self.partial:
            ov = self.overall()
            if ov["verdict"]["direction"] == "worse":
                lines.append(_("verdict {old} -> {new}", old=ov["verdict"]["old"],
                               new=ov["verdict"]["new"]))
            s = ov["score"]
            if s["delta"] is not None and s["delta"] < -SCORE_EPSILON:
                lines.append(_("overall score {old} -> {new}", old=pct(s["old"]),
                               new=pct(s["new"])))
        return lines

    def counts(self) -> dict[str, int]:
        return {
            "compared": len(self.common),
            "changed": len(self.changed()),
            "newly_met": len(self.with_label(NEWLY_MET)),
            "newly_failing": len(self.with_label(NEWLY_FAILING)),
            "better": sum(1 for c in self.common if c.status_direction > 0),
            "worse": sum(1 for c in self.common if c.status_direction < 0),
            "score_up": len(self.with_label(SCORE_UP)),
            "score_down": len(self.with_label(SCORE_DOWN)),
            "figures_changed": len(self.with_label(FIGURES_CHANGED)),
            "waiver_changes": len(self.with_label(WAIVER_CHANGED)),
            "only_in_old": len(self.only_old),
            "only_in_new": len(self.only_new),
        }

    def movements(self) -> dict[str, int]:
        """How many common requirements moved each way (``MOVEMENTS``): the counts
        ``--baseline`` gives for the same pair of results."""
        out = {m: 0 for m in MOVEMENTS}
        for c in self.common:
            out[c.movement] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``platform-audit/diff`` document (docs/diff.md), always in English."""
        def side(d: dict[str, Any], name: str) -> dict[str, Any]:
            return {"file": name, "generated_at": d.get("generated_at"), "as_of": d.get("as_of"),
                    "platform": d.get("platform"), "schema_version": d.get("schema_version"),
                    "tool_version": (d.get("tool") or {}).get("version")}

        with use_language("en"):  # the JSON comparison is for machines: always English
            return self._to_dict(side)

    def _to_dict(self, side: Callable[[dict[str, Any], str], dict[str, Any]]) -> dict[str, Any]:
        regressions = self.regressions()
        return {
            "schema": DIFF_SCHEMA,
            "schema_version": DIFF_SCHEMA_VERSION,
            "old": side(self.old, self.old_name),
            "new": side(self.new, self.new_name),
            "partial": self.partial,
            "notes": [str(n) for n in self.notes],
            "checklists": self.checklists,
            "overall": self.overall(),
            "by_area": self.by_area(),
            "counts": self.counts(),
            "movements": self.movements(),
            "regression": bool(regressions),
            "regressions": regressions,
            "requirements": [c.to_dict() for c in self.changed()],
            "only_in_old": [_brief(r) for r in self.only_old],
            "only_in_new": [_brief(r) for r in self.only_new],
        }


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "title": r.get("title"), "status": r["status"],
            "score": r.get("score"),
            "reason": None if r.get("reason") is None else str(r["reason"])}


def movement_counts_text(counts: dict[str, int], no_longer_assessed: int = 0) -> str:
    """``16 improved, 1 unchanged``: how many requirements moved each way, in the report
    language (labels with no requirement left out). ``audit diff``'s headline and
    ``--baseline``'s summary line both say it this way, from the same counts."""
    parts = [_("{count} {label}", count=n, label=baseline_label(m))
             for m, n in counts.items() if n]
    if no_longer_assessed:
        parts.append(_("{count} no longer assessed", count=no_longer_assessed))
    return _(", ").join(parts)


def pct(value: float | None) -> str:
    """A score (0 to 1) as a percentage in the report language, or n/a."""
    return _("n/a") if value is None else _("{value} %", value=format(value * 100, ".1f"))


def compare(old: dict[str, Any], new: dict[str, Any], old_name: str = "old",
            new_name: str = "new") -> Diff:
    """Compare two (checked) result dictionaries."""
    old_cl = {c["id"]: c for c in old.get("checklists") or [] if isinstance(c, dict)}
    new_cl = {c["id"]: c for c in new.get("checklists") or [] if isinstance(c, dict)}
    checklists: dict[str, Any] = {"common": [], "version_changes": [], "only_in_old": [],
                                  "only_in_new": []}
    for cid in old_cl:
        if cid in new_cl:
            checklists["common"].append(cid)
            if old_cl[cid].get("version") != new_cl[cid].get("version"):
                checklists["version_changes"].append(
                    {"id": cid, "old": old_cl[cid].get("version"),
                     "new": new_cl[cid].get("version")})
        else:
            checklists["only_in_old"].append(cid)
    checklists["only_in_new"] = [cid for cid in new_cl if cid not in old_cl]
    partial = bool(checklists["only_in_old"] or checklists["only_in_new"])

    old_reqs = {r["id"]: r for r in old["requirements"]}
    new_reqs = {r["id"]: r for r in new["requirements"]}
    only_old = [{**r, "reason": _absence(r, new_cl, "new")} for rid, r in old_reqs.items()
                if rid not in new_reqs]
    only_new = [{**r, "reason": _absence(r, old_cl, "old")} for rid, r in new_reqs.items()
                if rid not in old_reqs]
    common = [compare_requirement(old_reqs[rid], r) for rid, r in new_reqs.items()
              if rid in old_reqs]

    notes = _comparison_notes(old, new, checklists, partial)
    return Diff(old, new, old_name, new_name, common, only_old, only_new, checklists, partial,
                notes)


def _absence(r: dict[str, Any], other: dict[str, Any], side: str) -> Message:
    """Why requirement ``r`` is not in the ``side`` result, whose checklists are ``other``."""
    module = r.get("checklist") or r["id"].split(":", 1)[0]
    if side == "new":
        if module not in other:
            return message(N_("checklist {module} not assessed in the new result"),
                           module=module)
        return message(N_("requirement not in checklist {module} as assessed in the new "
                          "result"), module=module)
    if module not in other:
        return message(N_("checklist {module} not assessed in the old result"),
                       module=module)
    return message(N_("requirement not in checklist {module} as assessed in the old result"),
                   module=module)


def _comparison_notes(old: dict[str, Any], new: dict[str, Any], checklists: dict[str, Any],
                      partial: bool) -> list[Message]:
    """What a reader must know before trusting the comparison (one sentence each)."""
    notes = []
    if partial:
        only_old, only_new = checklists["only_in_old"], checklists["only_in_new"]
        tail = N_("only their common requirements are compared, and the overall score and "
                  "verdict are shown but not compared")
        if only_old and only_new:
            notes.append(message(N_("partial comparison: the results cover different "
                                    "checklists (only in old: {old}; only in new: {new}); "
                                    "{consequence}"),
                                 old=", ".join(only_old), new=", ".join(only_new),
                                 consequence=message(tail)))
        elif only_old:
            notes.append(message(N_("partial comparison: the results cover different "
                                    "checklists (only in old: {old}); {consequence}"),
                                 old=", ".join(only_old), consequence=message(tail)))
        else:
            notes.append(message(N_("partial comparison: the results cover different "
                                    "checklists (only in new: {new}); {consequence}"),
                                 new=", ".join(only_new), consequence=message(tail)))
    for vc in checklists["version_changes"]:
        notes.append(message(N_("checklist {id} changed from version {old} to {new}: "
                                "requirements it added or removed are listed separately"),
                             id=vc["id"], old=vc["old"], new=vc["new"]))
    if old.get("as_of") and new.get("as_of") and str(new["as_of"]) < str(old["as_of"]):
        notes.append(message(N_("the new result is assessed as of {new}, before the old one "
                                "({old}): check the order of the files"),
                             new=new["as_of"], old=old["as_of"]))
    op = (old.get("platform") or {}).get("name")
    np_ = (new.get("platform") or {}).get("name")
    if op and np_ and op != np_:
        notes.append(message(N_("the results are for different platforms ({old} and {new}): "
                                "this compares them as one platform changing; to compare "
                                "platforms side by side use audit compare"),
                             old=repr(op), new=repr(np_)))
    old_model = (old.get("scoring") or {}).get("model")
    new_model = (new.get("scoring") or {}).get("model")
    if old_model != new_model:
        notes.append(message(N_("the results use different scoring models ({old} and {new}): "
                                "score changes mix both"), old=old_model, new=new_model))
    return notes


def diff_files(old: Path | str, new: Path | str) -> Diff:
    """Read, check and compare two result files (the paths name them in the comparison)."""
    return compare(load_result(old), load_result(new), str(old), str(new))

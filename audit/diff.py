"""Compare two JSON results (``platform-audit/result`` 1.x): what got better, what got worse.

One implementation serves ``audit diff OLD.json NEW.json`` and ``audit assess --baseline``
(:mod:`audit.baseline` turns a fresh ``Assessment`` into the same result dictionary and calls
:func:`compare`). The diff format is documented in docs/diff.md.

Results for different checklists are compared *partially*: the common requirements are
compared, the others are listed as only in the old or only in the new result, and the overall
score and verdict are reported but flagged as not comparable (they cover different
requirements), so they never count as a regression or an improvement.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from audit.errors import AuditError
from audit.model import Status
from audit.scoring import ROLLUP_ORDER

DIFF_SCHEMA = "platform-audit/diff"
DIFF_SCHEMA_VERSION = "1.0"
RESULT_SCHEMA = "platform-audit/result"
SUPPORTED_MAJOR = 1
SCORE_EPSILON = 1e-6

GAP_STATUSES = frozenset(s.value for s in Status if s.is_gap)
# Worst first, as in audit.scoring.ROLLUP_ORDER: a lower rank is worse.
STATUS_RANK = {s.value: i for i, s in enumerate(ROLLUP_ORDER)}
VERDICT_RANK = {"non_compliant": 0, "review_needed": 1, "partially_compliant": 2,
                "compliant": 3}

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


class DiffError(AuditError):
    """A result file cannot be compared (not a result, incompatible version, malformed)."""


# -- loading ---------------------------------------------------------------------------------

def load_result(path: Path | str) -> dict[str, Any]:
    """Read and check one JSON result; every failure is one line naming the file."""
    from audit.limits import MAX_RESULT_BYTES

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_RESULT_BYTES:  # before reading: parsing costs ~15x the file in memory
            raise DiffError(f"{path}: file is {size:,} bytes; result files are limited to "
                            f"{MAX_RESULT_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DiffError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DiffError(f"{path}: not UTF-8 text (byte {exc.start}); expected a JSON result "
                        "written by `audit assess --format json`") from None
    except OSError as exc:
        raise DiffError(f"{path}: cannot read: {exc.strerror or exc}") from None
    from audit.jsonio import JsonLimitError, parse_json

    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DiffError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg} (line {exc.lineno}, "
                        f"column {exc.colno})") from None
    except JsonLimitError as exc:
        raise DiffError(f"{path}: {exc}") from None
    return check_result(data, str(path))


def check_result(data: Any, name: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("schema") != RESULT_SCHEMA:
        raise DiffError(f"{name}: not a platform-audit result (expected \"schema\": "
                        f"\"{RESULT_SCHEMA}\", as written by `audit assess --format json`)")
    version = str(data.get("schema_version", ""))
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
        raise DiffError(f"{name}: result schema version {version or '(missing)'} is not "
                        f"compatible with this platform-audit (reads {SUPPORTED_MAJOR}.x)")
    _check_shapes(data, name)
    reqs = data.get("requirements")
    if not isinstance(reqs, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                                             and isinstance(r.get("status"), str)
                                             for r in reqs):
        raise DiffError(f"{name}: \"requirements\" must be a list of requirement objects with "
                        "an \"id\" and a \"status\"")
    seen: set[str] = set()
    for r in reqs:
        if r["status"] not in STATUS_RANK:
            raise DiffError(f"{name}: requirement {r['id']}: unknown status '{r['status']}'")
        if r["id"] in seen:
            raise DiffError(f"{name}: requirement {r['id']} appears twice")
        seen.add(r["id"])
        if not _is_score(r.get("score"), allow_none=False):
            raise DiffError(f"{name}: requirement {r['id']}: score must be a number from 0 "
                            f"to 1, got {r.get('score')!r}")
    # A gate must not pass on a result it cannot read: the overall figures are checked too.
    for key in ("verdict", "verdict_without_waivers"):
        if key in data and data[key] not in VERDICT_RANK:
            raise DiffError(f"{name}: {key}: unknown verdict {data[key]!r}")
    scoring = data.get("scoring", {})
    for part in ("with_waivers", "without_waivers"):
        value = (scoring.get(part) or {}).get("score") if isinstance(scoring, dict) else None
        if isinstance(scoring, dict) and part in scoring and not _is_score(value):
            raise DiffError(f"{name}: scoring.{part}.score must be a number from 0 to 1 or "
                            f"null, got {value!r}")
    return data


# The containers the comparison reads, with the type each must have: a result with another
# shape is refused here, with its place, instead of failing deep inside the comparison.
_SHAPES: tuple[tuple[str, type, type | None], ...] = (
    ("tool", dict, None), ("platform", dict, None), ("scoring", dict, dict),
    ("by_area", dict, dict), ("checklists", list, dict),
)


def _check_shapes(data: dict[str, Any], name: str) -> None:
    for key, kind, item in _SHAPES:
        value: Any = data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise DiffError(f"{name}: {key} must be {'an object' if kind is dict else 'a list'}, "
                            f"got {type(value).__name__}")
        if item is None:
            continue
        entries = list(value.items()) if isinstance(value, dict) else list(enumerate(data[key]))
        for k, entry in entries:
            if key == "scoring" and k not in ("with_waivers", "without_waivers"):
                continue
            if not isinstance(entry, item) and (entry is not None or key == "checklists"):
                raise DiffError(f"{name}: {key}.{k} must be an object, got "
                                f"{type(entry).__name__}")
    for i, c in enumerate(data.get("checklists") or []):
        if not isinstance(c.get("id"), str):
            raise DiffError(f"{name}: checklists[{i}].id must be text")
    for key in ("verdict", "verdict_without_waivers"):
        if key in data and not isinstance(data[key], str):
            raise DiffError(f"{name}: {key}: unknown verdict {data[key]!r}")


def _is_score(value: Any, allow_none: bool = True) -> bool:
    if value is None:
        return allow_none
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return 0.0 <= float(value) <= 1.0


# -- comparing -------------------------------------------------------------------------------

def status_direction(old: str | None, new: str | None) -> int:
    """-1 worse, 0 same, +1 better, by the roll-up order (worst first)."""
    if old is None or new is None or old == new:
        return 0
    return 1 if STATUS_RANK[new] > STATUS_RANK[old] else -1


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _scalar_figures(figures: Any) -> dict[str, Any]:
    if not isinstance(figures, dict):
        return {}
    return {k: v for k, v in figures.items()
            if v is None or isinstance(v, (str, int, float, bool))}


def _waiver_state(w: Any) -> str | None:
    if not isinstance(w, dict):
        return None
    return "active" if w.get("active") else "expired"


def waiver_change(old: Any, new: Any) -> str | None:
    """``added``, ``expired``, ``removed``, ``renewed``, ``changed`` or None."""
    o, n = _waiver_state(old), _waiver_state(new)
    if o == n:
        if o is not None and (old.get("expires") != new.get("expires")):
            return "changed"
        return None
    if n == "active":
        return "added" if o is None else "renewed"
    if n == "expired":
        return "expired"
    return "removed"  # n is None, o was something


@dataclass
class RequirementChange:
    id: str
    title: str
    severity: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    labels: list[str] = field(default_factory=list)
    status_direction: int = 0
    score_delta: float | None = None
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
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
    def changed(self) -> bool:
        return self.labels != [UNCHANGED]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "title": self.title, "severity": self.severity,
            "labels": list(self.labels),
            "status": {"old": self.old_status, "new": self.new_status,
                       "direction": {-1: "worse", 0: "same", 1: "better"}[self.status_direction]},
            "score": {"old": None if self.old is None else self.old.get("score"),
                      "new": None if self.new is None else self.new.get("score"),
                      "delta": None if self.score_delta is None else round(self.score_delta, 6)},
            "figures": self.figures,
            "waiver": None if self.waiver is None else {
                "change": self.waiver,
                "old": None if self.old is None else self.old.get("waiver"),
                "new": None if self.new is None else self.new.get("waiver")},
            "summary": {"old": None if self.old is None else self.old.get("summary"),
                        "new": None if self.new is None else self.new.get("summary")},
            "regression": self.regression,
        }
        return out


def compare_requirement(old: dict[str, Any], new: dict[str, Any]) -> RequirementChange:
    ch = RequirementChange(new["id"], new.get("title", old.get("title", "")),
                           new.get("severity", old.get("severity", "")), old, new)
    o, n = old["status"], new["status"]
    ch.status_direction = status_direction(o, n)
    os_, ns_ = _num(old.get("score")), _num(new.get("score"))
    if os_ is not None and ns_ is not None:
        ch.score_delta = ns_ - os_
    of, nf = _scalar_figures(old.get("figures")), _scalar_figures(new.get("figures"))
    for key in sorted(set(of) | set(nf)):
        if of.get(key) != nf.get(key):
            entry: dict[str, Any] = {"old": of.get(key), "new": nf.get(key)}
            a, b = _num(of.get(key)), _num(nf.get(key))
            if a is not None and b is not None:
                entry["delta"] = round(b - a, 6)
            ch.figures[key] = entry
    ch.waiver = waiver_change(old.get("waiver"), new.get("waiver"))
    labels = []
    if o != n:
        if n == Status.MET.value:
            labels.append(NEWLY_MET)
        elif n in GAP_STATUSES and o not in GAP_STATUSES:
            labels.append(NEWLY_FAILING)
        else:
            labels.append(BETTER if ch.status_direction > 0 else WORSE)
    if ch.score_delta is not None and abs(ch.score_delta) > SCORE_EPSILON:
        labels.append(SCORE_UP if ch.score_delta > 0 else SCORE_DOWN)
    if ch.figures:
        labels.append(FIGURES_CHANGED)
    if ch.waiver:
        labels.append(WAIVER_CHANGED)
    ch.labels = labels or [UNCHANGED]
    return ch


@dataclass
class Diff:
    old: dict[str, Any]
    new: dict[str, Any]
    old_name: str
    new_name: str
    common: list[RequirementChange]
    only_old: list[dict[str, Any]]  # requirement dicts, with a "reason"
    only_new: list[dict[str, Any]]
    checklists: dict[str, Any]
    partial: bool
    notes: list[str]

    # -- summary figures ------------------------------------------------------------------

    def overall(self) -> dict[str, Any]:
        def score(d: dict[str, Any], key: str) -> float | None:
            s = (d.get("scoring") or {}).get(key) or {}
            return _num(s.get("score"))

        out: dict[str, Any] = {"comparable": not self.partial}
        for key, label in (("with_waivers", "score"), ("without_waivers",
                                                       "score_without_waivers")):
            a, b = score(self.old, key), score(self.new, key)
            out[label] = {"old": a, "new": b,
                          "delta": None if a is None or b is None else round(b - a, 6)}
        for key in ("verdict", "verdict_without_waivers"):
            a, b = self.old.get(key), self.new.get(key)
            direction = 0
            if a != b and a in VERDICT_RANK and b in VERDICT_RANK:
                direction = 1 if VERDICT_RANK[b] > VERDICT_RANK[a] else -1
            out[key] = {"old": a, "new": b,
                        "direction": {-1: "worse", 0: "same", 1: "better"}[direction]}
        return out

    def by_area(self) -> list[dict[str, Any]]:
        if self.partial:
            return []
        old, new = self.old.get("by_area") or {}, self.new.get("by_area") or {}
        rows = []
        for area in sorted(set(old) | set(new)):
            a = _num((old.get(area) or {}).get("score"))
            b = _num((new.get(area) or {}).get("score"))
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
                lines.append(f"{c.id}: status {c.old_status} -> {c.new_status}")
            elif c.score_delta is not None and c.score_delta < -SCORE_EPSILON:
                lines.append(f"{c.id}: score {(c.old or {})['score']:.3f} -> "
                             f"{(c.new or {})['score']:.3f}")
        # A requirement the new result no longer assesses could hide anything: dropping a
        # failing checklist from -c must not pass the gate.
        for r in self.only_old:
            lines.append(f"{r['id']}: no longer assessed ({r.get('reason') or 'not in the new result'})")
        if not self.partial:
            ov = self.overall()
            if ov["verdict"]["direction"] == "worse":
                lines.append(f"verdict {ov['verdict']['old']} -> {ov['verdict']['new']}")
            s = ov["score"]
            if s["delta"] is not None and s["delta"] < -SCORE_EPSILON:
                lines.append(f"overall score {_pct(s['old'])} -> {_pct(s['new'])}")
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

    def to_dict(self) -> dict[str, Any]:
        def side(d: dict[str, Any], name: str) -> dict[str, Any]:
            return {"file": name, "generated_at": d.get("generated_at"), "as_of": d.get("as_of"),
                    "platform": d.get("platform"), "schema_version": d.get("schema_version"),
                    "tool_version": (d.get("tool") or {}).get("version")}

        regressions = self.regressions()
        return {
            "schema": DIFF_SCHEMA,
            "schema_version": DIFF_SCHEMA_VERSION,
            "old": side(self.old, self.old_name),
            "new": side(self.new, self.new_name),
            "partial": self.partial,
            "notes": list(self.notes),
            "checklists": self.checklists,
            "overall": self.overall(),
            "by_area": self.by_area(),
            "counts": self.counts(),
            "regression": bool(regressions),
            "regressions": regressions,
            "requirements": [c.to_dict() for c in self.changed()],
            "only_in_old": [_brief(r) for r in self.only_old],
            "only_in_new": [_brief(r) for r in self.only_new],
        }


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "title": r.get("title"), "status": r["status"],
            "score": r.get("score"), "reason": r.get("reason")}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


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

    def reason(r: dict[str, Any], other: dict[str, Any], side: str) -> str:
        module = r.get("checklist") or r["id"].split(":", 1)[0]
        if module not in other:
            return f"checklist {module} not assessed in the {side} result"
        return f"requirement not in checklist {module} as assessed in the {side} result"

    only_old = [{**r, "reason": reason(r, new_cl, "new")} for rid, r in old_reqs.items()
                if rid not in new_reqs]
    only_new = [{**r, "reason": reason(r, old_cl, "old")} for rid, r in new_reqs.items()
                if rid not in old_reqs]
    common = [compare_requirement(old_reqs[rid], r) for rid, r in new_reqs.items()
              if rid in old_reqs]

    notes = []
    if partial:
        notes.append("partial comparison: the results cover different checklists ("
                     + "; ".join(filter(None, [
                         "only in old: " + ", ".join(checklists["only_in_old"])
                         if checklists["only_in_old"] else "",
                         "only in new: " + ", ".join(checklists["only_in_new"])
                         if checklists["only_in_new"] else ""]))
                     + "); only their common requirements are compared, and the overall "
                       "score and verdict are shown but not compared")
    for vc in checklists["version_changes"]:
        notes.append(f"checklist {vc['id']} changed from version {vc['old']} to {vc['new']}: "
                     "requirements it added or removed are listed separately")
    if old.get("as_of") and new.get("as_of") and str(new["as_of"]) < str(old["as_of"]):
        notes.append(f"the new result is assessed as of {new['as_of']}, before the old one "
                     f"({old['as_of']}): check the order of the files")
    op = (old.get("platform") or {}).get("name")
    np_ = (new.get("platform") or {}).get("name")
    if op and np_ and op != np_:
        notes.append(f"the results are for different platforms ({op!r} and {np_!r})")
    if (old.get("scoring") or {}).get("model") != (new.get("scoring") or {}).get("model"):
        notes.append("the results use different scoring models ("
                     f"{(old.get('scoring') or {}).get('model')} and "
                     f"{(new.get('scoring') or {}).get('model')}): score changes mix both")
    return Diff(old, new, old_name, new_name, common, only_old, only_new, checklists, partial,
                notes)


def diff_files(old: Path | str, new: Path | str) -> Diff:
    return compare(load_result(old), load_result(new), str(old), str(new))


# -- rendering -------------------------------------------------------------------------------

VERDICT_WORDS = {"compliant": "COMPLIANT", "partially_compliant": "PARTIALLY COMPLIANT",
                 "non_compliant": "NON-COMPLIANT", "review_needed": "REVIEW NEEDED"}
CHANGE_HEADERS = ["requirement", "severity", "change", "status", "score", "figures", "waiver"]


def _fmt_num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"
    return str(value)


def _figure_text(figures: dict[str, dict[str, Any]], limit: int | None = 4) -> str:
    keys = list(figures)
    # the headline figures first
    keys.sort(key=lambda k: (k not in ("share_on_time", "share", "count", "value"), k))
    parts = [f"{k} {_fmt_num(figures[k]['old'])} -> {_fmt_num(figures[k]['new'])}"
             for k in (keys[:limit] if limit else keys)]
    if limit and len(keys) > limit:
        parts.append(f"(+{len(keys) - limit} more)")
    return "; ".join(parts)


def change_rows(d: Diff, figure_limit: int | None = 4) -> list[list[Any]]:
    rows = []
    order = {NEWLY_FAILING: 0, WORSE: 1, SCORE_DOWN: 2, NEWLY_MET: 3, BETTER: 4, SCORE_UP: 5,
             WAIVER_CHANGED: 6, FIGURES_CHANGED: 7}
    changes = sorted(d.changed(), key=lambda c: (min(order.get(lb, 9) for lb in c.labels), c.id))
    for c in changes:
        status = (c.old_status if c.old_status == c.new_status
                  else f"{c.old_status} -> {c.new_status}")
        score = (f"{(c.old or {})['score']:.2f} -> {(c.new or {})['score']:.2f}"
                 if c.score_delta is not None and abs(c.score_delta) > SCORE_EPSILON
                 else f"{c.new.get('score', 0):.2f}" if c.new else "")
        rows.append([c.id, c.severity, ", ".join(lb.replace("_", " ") for lb in c.labels),
                     status, score, _figure_text(c.figures, figure_limit), c.waiver or ""])
    return rows


def headline_lines(d: Diff) -> list[str]:
    ov = d.overall()
    name = (d.new.get("platform") or {}).get("name", "(unnamed platform)")
    lines = [f"{name}: changes from {d.old.get('as_of')} ({d.old_name}) to "
             f"{d.new.get('as_of')} ({d.new_name})"]
    v = ov["verdict"]
    tag = "" if d.partial else {"worse": " (worse)", "better": " (better)", "same": ""}[
        v["direction"]]
    lines.append(f"Verdict: {VERDICT_WORDS.get(v['old'], v['old'])} -> "
                 f"{VERDICT_WORDS.get(v['new'], v['new'])}{tag}")
    s = ov["score"]
    delta = ("" if s["delta"] is None or d.partial else
             f" ({'+' if s['delta'] >= 0 else ''}{s['delta'] * 100:.1f} points)")
    lines.append(f"Score: {_pct(s['old'])} -> {_pct(s['new'])}{delta}"
                 + (" [not comparable: different checklists]" if d.partial else ""))
    w = ov["score_without_waivers"]
    if w != s:
        lines.append(f"Score without waivers: {_pct(w['old'])} -> {_pct(w['new'])}")
    for vc in d.checklists["version_changes"]:
        lines.append(f"Checklist {vc['id']}: version {vc['old']} -> {vc['new']}")
    n = d.counts()
    lines.append(f"Requirements compared: {n['compared']}; changed {n['changed']}: "
                 f"{n['newly_met']} newly met, {n['newly_failing']} newly failing, "
                 f"{n['better']} better, {n['worse']} worse, {n['score_up']} score up, "
                 f"{n['score_down']} score down, {n['waiver_changes']} waiver change(s)")
    if d.only_old or d.only_new:
        lines.append(f"Only in old: {len(d.only_old)}; only in new: {len(d.only_new)}")
    regressions = d.regressions()
    lines.append(f"Regressions: {len(regressions)}" + (" (" + "; ".join(regressions) + ")"
                                                      if regressions else ""))
    return lines


def render_console(d: Diff, stream: IO[str]) -> None:
    from tabulate import tabulate

    out = headline_lines(d)
    for note in d.notes:
        out.append(f"Note: {note}")
    rows = change_rows(d)
    if rows:
        import textwrap

        rows = [[*r[:5], textwrap.fill(r[5], 50), r[6]] for r in rows]
        out += ["", f"Changed requirements ({len(rows)}):", tabulate(rows,
                                                                        headers=CHANGE_HEADERS)]
    else:
        out += ["", "No requirement changed."]
    areas = d.by_area()
    if areas:
        out += ["", "Scores by area:", tabulate(
            [[a["area"].replace("_", " "), _pct(a["old"]), _pct(a["new"])] for a in areas],
            headers=["area", "old", "new"])]
    for label, items in (("Only in old", d.only_old), ("Only in new", d.only_new)):
        if items:
            out += ["", f"{label} ({len(items)}):", tabulate(
                [[r["id"], r["status"], r["reason"]] for r in items],
                headers=["requirement", "status", "why"])]
    stream.write("\n".join(out) + "\n")


def _md(text: Any) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\[").replace("\n", " "))


def render_markdown(d: Diff, stream: IO[str]) -> None:
    from tabulate import tabulate

    head = headline_lines(d)
    out = [f"# {_md(head[0])}", ""] + [f"- {_md(line)}" for line in head[1:]]
    out += [f"- Note: {_md(n)}" for n in d.notes] + [""]
    rows = change_rows(d, figure_limit=None)
    out += [f"## Changed requirements ({len(rows)})", ""]
    if rows:
        out += [tabulate([[_md(c) for c in r] for r in rows], headers=CHANGE_HEADERS,
                         tablefmt="github"), ""]
    else:
        out += ["No requirement changed.", ""]
    areas = d.by_area()
    if areas:
        out += ["## Scores by area", "", tabulate(
            [[a["area"], _pct(a["old"]), _pct(a["new"])] for a in areas],
            headers=["area", "old", "new"], tablefmt="github"), ""]
    for label, items in (("Only in old", d.only_old), ("Only in new", d.only_new)):
        if items:
            out += [f"## {label} ({len(items)})", "", tabulate(
                [[_md(r["id"]), r["status"], _md(r["reason"])] for r in items],
                headers=["requirement", "status", "why"], tablefmt="github"), ""]
    stream.write("\n".join(out))


def render_json(d: Diff, stream: IO[str]) -> None:
    json.dump(d.to_dict(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def render_xlsx(d: Diff, stream: IO[Any]) -> None:
    from audit.reports.xlsx_changes import write_changes_workbook

    write_changes_workbook(d, headline_lines(d), change_rows(d, figure_limit=None), stream)


RENDERERS = {"console": (render_console, False), "json": (render_json, False),
             "markdown": (render_markdown, False), "xlsx": (render_xlsx, True)}
EXTENSIONS = {".txt": "console", ".json": "json", ".md": "markdown", ".markdown": "markdown",
              ".xlsx": "xlsx"}


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)),
              help="console, json, markdown or xlsx; default from the -o extension, else "
                   "console.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the comparison to this file (atomically); '-' writes a text format to "
                   "standard output.")
@click.option("--fail-on-regression", is_flag=True,
              help="Exit 1 when anything got worse: a requirement's status (by the roll-up "
                   "order) or score, the overall score or the verdict.")
@click.option("--lang", "lang", help="Language of the labels and headers (en, ar, tr); "
                                     "default: the new result's language.")
def diff_cmd(old: Path, new: Path, fmt: str | None, output: Path | None,
             fail_on_regression: bool, lang: str | None = None) -> None:
    """Compare two JSON results (OLD.json, NEW.json) of `audit assess --format json`.

    Lists requirements newly met, newly failing, with a changed status, score or measured
    figures, waivers added or expired, checklist version changes and requirements only in one
    result, with the verdict and overall score change. Results for different checklists are
    compared on their common requirements only (see docs/diff.md).
    """
    from audit.errors import OutputError
    from audit.reports.base import is_stdout, refuse_overwriting_inputs, write_output

    refuse_overwriting_inputs(output, [old, new])
    if fmt is None and output is not None and not is_stdout(output):
        fmt = EXTENSIONS.get(output.suffix.lower())
        if fmt is None:
            raise OutputError(f"{output}: no diff format writes '{output.suffix}' files; "
                              f"choose one with --format ({', '.join(sorted(RENDERERS))})")
    fmt = fmt or "console"
    render, binary = RENDERERS[fmt]
    if binary and (output is None or is_stdout(output)):
        raise click.UsageError(f"the {fmt} format is a binary workbook: it needs an output "
                               "file (-o FILE), not standard output")
    d = diff_files(old, new)
    from audit.i18n import available_languages, base_language, use_language

    language = lang or str(d.new.get("language") or "en")
    if base_language(language) not in available_languages():
        if lang is not None:
            raise click.BadParameter(f"no report catalogue for {lang!r} (available: "
                                     f"{', '.join(available_languages())})",
                                     param_hint="--lang")
        language = "en"
    with use_language(language):
        if output is not None:
            write_output(output, lambda fh: render(d, fh), binary, sys.stdout)
            n = d.counts()
            if not is_stdout(output):
                click.echo(f"wrote {output} ({fmt}): {n['changed']} changed requirement(s), "
                           f"{len(d.regressions())} regression(s)", err=True)
        else:
            render(d, sys.stdout)
    if fail_on_regression:
        regressions = d.regressions()
        if regressions:
            click.echo(f"audit: gate failed: {len(regressions)} regression(s): "
                       + "; ".join(regressions), err=True)
            raise click.exceptions.Exit(1)


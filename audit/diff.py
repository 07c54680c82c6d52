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
from audit.i18n import N_, _, use_language
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


@dataclass(frozen=True)
class Message:
    """A sentence kept untranslated until shown: English in the JSON comparison, the report
    language in the console, Markdown and workbook renderings (``str()`` translates)."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.text, **self.params)


def message(text: str, **params: Any) -> Message:
    """``message(N_("... {name} ..."), name=value)``: a :class:`Message` (N_ marks it)."""
    return Message(text, params)


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
    notes: list[Message]

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
                lines.append(_("overall score {old} -> {new}", old=_pct(s["old"]),
                               new=_pct(s["new"])))
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

        with use_language("en"):  # the JSON comparison is for machines: always English
            return self._to_dict(side)

    def _to_dict(self, side: Any) -> dict[str, Any]:
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


def _pct(value: float | None) -> str:
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

    def reason(r: dict[str, Any], other: dict[str, Any], side: str) -> Message:
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

    only_old = [{**r, "reason": reason(r, new_cl, "new")} for rid, r in old_reqs.items()
                if rid not in new_reqs]
    only_new = [{**r, "reason": reason(r, old_cl, "old")} for rid, r in new_reqs.items()
                if rid not in old_reqs]
    common = [compare_requirement(old_reqs[rid], r) for rid, r in new_reqs.items()
              if rid in old_reqs]

    notes = _comparison_notes(old, new, checklists, partial)
    return Diff(old, new, old_name, new_name, common, only_old, only_new, checklists, partial,
                notes)


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
        notes.append(message(N_("the results are for different platforms ({old} and {new})"),
                             old=repr(op), new=repr(np_)))
    old_model = (old.get("scoring") or {}).get("model")
    new_model = (new.get("scoring") or {}).get("model")
    if old_model != new_model:
        notes.append(message(N_("the results use different scoring models ({old} and {new}): "
                                "score changes mix both"), old=old_model, new=new_model))
    return notes


def diff_files(old: Path | str, new: Path | str) -> Diff:
    return compare(load_result(old), load_result(new), str(old), str(new))


# -- rendering -------------------------------------------------------------------------------

VERDICT_WORDS = {"compliant": N_("COMPLIANT"), "partially_compliant": N_("PARTIALLY COMPLIANT"),
                 "non_compliant": N_("NON-COMPLIANT"), "review_needed": N_("REVIEW NEEDED")}
CHANGE_HEADERS = [N_("requirement"), N_("severity"), N_("change"), N_("status"), N_("score"),
                  N_("figures"), N_("waiver")]
CHANGE_WORDS = {NEWLY_MET: N_("newly met"), NEWLY_FAILING: N_("newly failing"),
                WORSE: N_("worse"), BETTER: N_("better"), SCORE_DOWN: N_("score down"),
                SCORE_UP: N_("score up"), FIGURES_CHANGED: N_("figures changed"),
                WAIVER_CHANGED: N_("waiver changed")}
ONLY_HEADERS = [N_("requirement"), N_("status"), N_("why")]
AREA_HEADERS = [N_("area"), N_("old"), N_("new")]


def _headers(headers: list[str]) -> list[str]:
    return [_(h) for h in headers]


def _verdict(value: Any) -> str:
    return _(VERDICT_WORDS[value]) if value in VERDICT_WORDS else str(value)


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
        parts.append(_("(+{n} more)", n=len(keys) - limit))
    return "; ".join(parts)


def change_rows(d: Diff, figure_limit: int | None = 4) -> list[list[Any]]:
    rows = []
    order = {NEWLY_FAILING: 0, WORSE: 1, SCORE_DOWN: 2, NEWLY_MET: 3, BETTER: 4, SCORE_UP: 5,
             WAIVER_CHANGED: 6, FIGURES_CHANGED: 7}
    changes = sorted(d.changed(), key=lambda c: (min(order.get(lb, 9) for lb in c.labels), c.id))
    from audit.labels import severity_label, status_label

    for c in changes:
        old_status, new_status = status_label(c.old_status), status_label(c.new_status)
        status = (old_status if c.old_status == c.new_status
                  else _("{old} -> {new}", old=old_status, new=new_status))
        score = (f"{(c.old or {})['score']:.2f} -> {(c.new or {})['score']:.2f}"
                 if c.score_delta is not None and abs(c.score_delta) > SCORE_EPSILON
                 else f"{c.new.get('score', 0):.2f}" if c.new else "")
        change = _(", ").join(_(CHANGE_WORDS[lb]) if lb in CHANGE_WORDS else lb.replace("_", " ")
                              for lb in c.labels)
        rows.append([c.id, severity_label(c.severity), change,
                     status, score, _figure_text(c.figures, figure_limit), c.waiver or ""])
    return rows


def headline_lines(d: Diff) -> list[str]:
    ov = d.overall()
    name = (d.new.get("platform") or {}).get("name") or _("(unnamed platform)")
    lines = [_("{platform}: changes from {old_date} ({old_file}) to {new_date} ({new_file})",
               platform=name, old_date=d.old.get("as_of"), old_file=d.old_name,
               new_date=d.new.get("as_of"), new_file=d.new_name)]
    v = ov["verdict"]
    old_v, new_v = _verdict(v["old"]), _verdict(v["new"])
    if d.partial or v["direction"] == "same":
        lines.append(_("Verdict: {old} -> {new}", old=old_v, new=new_v))
    elif v["direction"] == "worse":
        lines.append(_("Verdict: {old} -> {new} (worse)", old=old_v, new=new_v))
    else:
        lines.append(_("Verdict: {old} -> {new} (better)", old=old_v, new=new_v))
    s = ov["score"]
    old_s, new_s = _pct(s["old"]), _pct(s["new"])
    if d.partial:
        lines.append(_("Score: {old} -> {new} [not comparable: different checklists]",
                       old=old_s, new=new_s))
    elif s["delta"] is None:
        lines.append(_("Score: {old} -> {new}", old=old_s, new=new_s))
    else:
        points = ("+" if s["delta"] >= 0 else "") + format(s["delta"] * 100, ".1f")
        lines.append(_("Score: {old} -> {new} ({points} points)", old=old_s, new=new_s,
                       points=points))
    w = ov["score_without_waivers"]
    if w != s:
        lines.append(_("Score without waivers: {old} -> {new}", old=_pct(w["old"]),
                       new=_pct(w["new"])))
    for vc in d.checklists["version_changes"]:
        lines.append(_("Checklist {id}: version {old} -> {new}", id=vc["id"], old=vc["old"],
                       new=vc["new"]))
    n = d.counts()
    lines.append(_("Requirements compared: {compared}; changed {changed}: {newly_met} newly "
                   "met, {newly_failing} newly failing, {better} better, {worse} worse, "
                   "{score_up} score up, {score_down} score down, {waiver_changes} waiver "
                   "change(s)", **{k: n[k] for k in (
                       "compared", "changed", "newly_met", "newly_failing", "better", "worse",
                       "score_up", "score_down", "waiver_changes")}))
    if d.only_old or d.only_new:
        lines.append(_("Only in old: {old}; only in new: {new}", old=len(d.only_old),
                       new=len(d.only_new)))
    regressions = d.regressions()
    if regressions:
        lines.append(_("Regressions: {n} ({list})", n=len(regressions),
                       list=_("; ").join(regressions)))
    else:
        lines.append(_("Regressions: {n}", n=0))
    return lines


def render_console(d: Diff, stream: IO[str]) -> None:
    from tabulate import tabulate

    from audit.labels import status_label

    out = headline_lines(d)
    for note in d.notes:
        out.append(_("Note: {note}", note=note))
    rows = change_rows(d)
    if rows:
        import textwrap

        rows = [[*r[:5], textwrap.fill(r[5], 50), r[6]] for r in rows]
        out += ["", _("Changed requirements ({n}):", n=len(rows)),
                tabulate(rows, headers=_headers(CHANGE_HEADERS))]
    else:
        out += ["", _("No requirement changed.")]
    areas = d.by_area()
    if areas:
        out += ["", _("Scores by area:"), tabulate(
            [[a["area"].replace("_", " "), _pct(a["old"]), _pct(a["new"])] for a in areas],
            headers=_headers(AREA_HEADERS))]
    for title, items in ((_("Only in old ({n}):", n=len(d.only_old)), d.only_old),
                         (_("Only in new ({n}):", n=len(d.only_new)), d.only_new)):
        if items:
            out += ["", title, tabulate(
                [[r["id"], status_label(r["status"]), str(r["reason"])] for r in items],
                headers=_headers(ONLY_HEADERS))]
    stream.write("\n".join(out) + "\n")


def _md(text: Any) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace("[", "\\[").replace("\n", " "))


def render_markdown(d: Diff, stream: IO[str]) -> None:
    from tabulate import tabulate

    from audit.labels import status_label

    head = headline_lines(d)
    out = [f"# {_md(head[0])}", ""] + [f"- {_md(line)}" for line in head[1:]]
    out += ["- " + _md(_("Note: {note}", note=n)) for n in d.notes] + [""]
    rows = change_rows(d, figure_limit=None)
    out += ["## " + _("Changed requirements ({n})", n=len(rows)), ""]
    if rows:
        out += [tabulate([[_md(c) for c in r] for r in rows],
                         headers=_headers(CHANGE_HEADERS), tablefmt="github"), ""]
    else:
        out += [_("No requirement changed."), ""]
    areas = d.by_area()
    if areas:
        out += ["## " + _("Scores by area"), "", tabulate(
            [[a["area"], _pct(a["old"]), _pct(a["new"])] for a in areas],
            headers=_headers(AREA_HEADERS), tablefmt="github"), ""]
    for title, items in ((_("Only in old ({n})", n=len(d.only_old)), d.only_old),
                         (_("Only in new ({n})", n=len(d.only_new)), d.only_new)):
        if items:
            out += ["## " + title, "", tabulate(
                [[_md(r["id"]), status_label(r["status"]), _md(r["reason"])] for r in items],
                headers=_headers(ONLY_HEADERS), tablefmt="github"), ""]
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


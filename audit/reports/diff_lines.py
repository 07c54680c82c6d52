"""A comparison of two results (:class:`audit.comparison.Diff`) in sentences and table rows,
in the report language: the headline and the changed requirements every rendering of it shows
(``audit diff`` as text, Markdown or a workbook, and the gap workbook's Changes sheet with
``--baseline``)."""

from __future__ import annotations

from audit.comparison import (
    BETTER,
    FIGURES_CHANGED,
    NEWLY_FAILING,
    NEWLY_MET,
    SCORE_DOWN,
    SCORE_EPSILON,
    SCORE_UP,
    WAIVER_CHANGED,
    WORSE,
    Diff,
    movement_counts_text,
    pct,
)
from audit.i18n import N_, _
from audit.labels import severity_label, status_label

VERDICT_WORDS = {"compliant": N_("COMPLIANT"), "partially_compliant": N_("PARTIALLY COMPLIANT"),
                 "non_compliant": N_("NON-COMPLIANT"), "review_needed": N_("REVIEW NEEDED"),
                 "not_assessed": N_("NOT ASSESSED")}
CHANGE_HEADERS = [N_("requirement"), N_("severity"), N_("change"), N_("status"), N_("score"),
                  N_("figures"), N_("waiver")]
CHANGE_WORDS = {NEWLY_MET: N_("newly met"), NEWLY_FAILING: N_("newly failing"),
                WORSE: N_("worse"), BETTER: N_("better"), SCORE_DOWN: N_("score down"),
                SCORE_UP: N_("score up"), FIGURES_CHANGED: N_("figures changed"),
                WAIVER_CHANGED: N_("waiver changed")}
ONLY_HEADERS = [N_("requirement"), N_("status"), N_("why")]
AREA_HEADERS = [N_("area"), N_("old"), N_("new")]


def headers(names: list[str]) -> list[str]:
    """Column headers in the report language."""
    return [_(h) for h in names]


def _verdict(value: object) -> str:
    return _(VERDICT_WORDS[value]) if isinstance(value, str) and value in VERDICT_WORDS \
        else str(value)


def _fmt_num(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"
    return str(value)


def _figure_text(figures: dict[str, dict[str, object]], limit: int | None = 4) -> str:
    keys = list(figures)
    # the headline figures first
    keys.sort(key=lambda k: (k not in ("share_on_time", "share", "count", "value"), k))
    parts = [f"{k} {_fmt_num(figures[k]['old'])} -> {_fmt_num(figures[k]['new'])}"
             for k in (keys[:limit] if limit else keys)]
    if limit and len(keys) > limit:
        parts.append(_("(+{n} more)", n=len(keys) - limit))
    return "; ".join(parts)


def change_rows(d: Diff, figure_limit: int | None = 4) -> list[list[str]]:
    """One row per changed requirement, worst change first (``CHANGE_HEADERS``)."""
    rows = []
    order = {NEWLY_FAILING: 0, WORSE: 1, SCORE_DOWN: 2, NEWLY_MET: 3, BETTER: 4, SCORE_UP: 5,
             WAIVER_CHANGED: 6, FIGURES_CHANGED: 7}
    changes = sorted(d.changed(), key=lambda c: (min(order.get(lb, 9) for lb in c.labels), c.id))
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
    """The title, the verdict and score change, the counts and the regressions."""
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
    old_s, new_s = pct(s["old"]), pct(s["new"])
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
        lines.append(_("Score without waivers: {old} -> {new}", old=pct(w["old"]),
                       new=pct(w["new"])))
    for vc in d.checklists["version_changes"]:
        lines.append(_("Checklist {id}: version {old} -> {new}", id=vc["id"], old=vc["old"],
                       new=vc["new"]))
    n = d.counts()
    # the movements in the words and counts --baseline uses for the same pair; the change
    # labels after them say what moved (a status, a score, a waiver)
    lines.append(_("Requirements compared: {compared}: {movements}; changed {changed}: "
                   "{newly_met} newly met, {newly_failing} newly failing, {better} status "
                   "better, {worse} status worse, {score_up} score up, {score_down} score "
                   "down, {waiver_changes} waiver change(s)",
                   movements=movement_counts_text(d.movements()) or "-",
                   **{k: n[k] for k in ("compared", "changed", "newly_met", "newly_failing",
                                        "better", "worse", "score_up", "score_down",
                                        "waiver_changes")}))
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

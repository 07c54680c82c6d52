"""The event a legal clock counts from, in words, and the per-incident thresholds of a rule.

Laws start their clocks at different moments: detection, occurrence, awareness, the
determination that a breach happened, the assessment that it must be notified, the report to
the authority, the receipt of a request. A deadline rule names the log column that carries its
start; a finding must say which one it used ("counted from the notifiability assessment"), so a
reader can check the figure against the law's own wording (docs/evidence-format.md lists the
columns). A rule's numeric row filter (``where: {records_affected: {gte: 1000}}``) is the
threshold that gates the duty per incident; it is said in words as well.
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.i18n import N_, _, format_number

# Start columns of the bundled logs -> the event, as the phrase after "counted from".
START_EVENTS = {
    "detected_at": N_("detection"),
    "occurred_at": N_("the occurrence"),
    "aware_at": N_("becoming aware"),
    "determined_at": N_("the determination that a breach occurred"),
    "assessed_at": N_("the notifiability assessment"),
    "reported_at": N_("the report to the authority"),
    "authority_notified_at": N_("the report to the authority"),
    "users_notified_at": N_("the notice to the people affected"),
    "received_at": N_("receipt of the request"),
    "handled_at": N_("the end of the incident's handling"),
}
# Columns a threshold compares, as the noun counted (others: underscores as spaces).
COUNTED = {
    "records_affected": N_("people affected"),
}
_COMPARED = {"gte": N_("{column} at least {value}"), "gt": N_("{column} more than {value}"),
             "lte": N_("{column} at most {value}"), "lt": N_("{column} less than {value}")}


def start_event(column: str) -> str:
    """The event a start column stands for, translated (an unknown column: its own words)."""
    return _(START_EVENTS[column]) if column in START_EVENTS else column.replace("_", " ")


def counted_from(column: str, next_day: bool = False) -> str:
    """'counted from detection', or 'counted from the day after the notifiability assessment'."""
    if next_day:
        return _("counted from the day after {event}", event=start_event(column))
    return _("counted from {event}", event=start_event(column))


def thresholds(where: Mapping[str, object] | None) -> list[str]:
    """The numeric conditions of a row filter in words: 'people affected at least 1,000'."""
    out = []
    for column, cond in (where or {}).items():
        if not isinstance(cond, Mapping):
            continue
        if column in COUNTED:
            noun = _(COUNTED[column])
        elif column.startswith("affected_"):  # affected_us_tx: residents of one jurisdiction
            noun = _("people affected in {place}",
                     place=column.removeprefix("affected_").upper().replace("_", "-"))
        else:
            noun = column.replace("_", " ")
        for op, value in cond.items():
            if op in _COMPARED and isinstance(value, (int, float)):
                out.append(_(_COMPARED[op], column=noun, value=format_number(value)))
    return out

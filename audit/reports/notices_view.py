"""A notice plan in words: the labelled rows every rendering of ``audit notices`` shows
(console, Markdown, workbook, calendar), so the formats cannot disagree on a word.

Times are shown in the law's own time zone (the deadline as the law counts it) beside UTC;
the state is as of the plan's ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from audit.durations import parse_duration
from audit.evaluators.start_events import COUNTED, counted_from, start_event, thresholds
from audit.i18n import N_, _, format_date, format_duration, format_hours
from audit.labels import confidence_label, legal_status_label
from audit.reports.bidi import ltr_value
from audit.notices import DONE, DUE, LATE, OVERDUE, Duty, Plan

RECIPIENT = {  # the breaches-log column a notice is recorded in -> who receives it
    "authority_notified_at": N_("the supervisory authority"),
    "users_notified_at": N_("the people affected"),
    "cert_notified_at": N_("the national CERT"),
    "report_completed_at": N_("the authority (full report)"),
    "assessed_at": N_("no one: the platform's own assessment"),
    "determined_at": N_("no one: the platform's own determination"),
}
CONDITION_COLUMN = {  # breaches-log columns a duty's condition may read (counts: COUNTED)
    "high_risk": N_("high risk"),
    "data_categories": N_("data categories"),
    "kind": N_("kind of incident"),
    "critical_infrastructure": N_("critical infrastructure"),
}
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class DutyRow:
    """One duty as people read it."""

    deadline_local: str  # "2026-12-27 13:20 (Africa/Cairo)"
    deadline_utc: str
    state: str
    jurisdiction: str
    recipient: str
    clock: str  # "72 hours from detection"
    law: str  # instrument and article
    requirement: str  # the requirement's title
    requirement_id: str
    threshold: str
    version: str
    confidence: str
    legal_status: str
    todo: str  # the module's remediation: what the notice must do or contain


def recipient(column: str) -> str:
    return _(RECIPIENT[column]) if column in RECIPIENT else column.replace("_", " ")


def state_text(duty: Duty) -> str:
    """Where the duty stands at the plan's time, in words."""
    if duty.state == DUE:
        return _("due in {time}", time=format_hours(duty.hours))
    if duty.state == OVERDUE:
        return _("overdue by {time}", time=format_hours(duty.hours))
    if duty.state == DONE:
        return _("done in time")
    if duty.state == LATE:
        return _("done late, by {time}", time=format_hours(duty.hours))
    # WAITING: the clock's start event has not happened yet
    if duty.latest_due is not None:
        return _("starts at {event} (not yet); at the latest {time} UTC, if that is done at "
                 "its deadline", event=start_event(duty.start_column),
                 time=ltr_value(duty.latest_due.astimezone(dt.timezone.utc).strftime(
                     TIME_FORMAT)))
    return _("starts at {event} (not yet)", event=start_event(duty.start_column))


def threshold_text(conditions: Mapping[str, object]) -> str:
    """The rule's conditions on the incident besides the countries, in words: the numeric
    thresholds as the findings word them ("people affected at least 1,000"), then the others
    ("high risk: yes"); empty when the duty has none."""
    parts = thresholds(conditions)
    for column, condition in conditions.items():
        label = CONDITION_COLUMN.get(column) or COUNTED.get(column)
        name = _(label) if label else column.replace("_", " ")
        if isinstance(condition, bool):
            parts.append(_("{column}: yes", column=name) if condition
                         else _("{column}: no", column=name))
        elif isinstance(condition, Mapping):
            parts += [_(_LISTED[op], column=name, value=_listed(value))
                      for op, value in condition.items() if op in _LISTED]
        else:
            parts.append(_("{column} = {value}", column=name, value=condition))
    return _("; ").join(parts)


_LISTED = {"eq": N_("{column} = {value}"), "ne": N_("{column} other than {value}"),
           "in": N_("{column} one of {value}"), "contains": N_("{column} includes {value}"),
           "contains_any": N_("{column} includes one of {value}")}


def _listed(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def duty_row(duty: Duty) -> DutyRow:
    req = duty.requirement
    local = duty.local_due()
    clock = _("{clock}, {counted}", clock=format_duration(parse_duration(duty.within)),
              counted=counted_from(duty.start_column, duty.next_day))
    version = (_("in force from {date}", date=format_date(duty.version_from))
               if duty.version_from else "")
    return DutyRow(
        deadline_local=ltr_value(f"{local.strftime(TIME_FORMAT)} ({duty.timezone})")
        if local else "",
        deadline_utc=(ltr_value(duty.due.astimezone(dt.timezone.utc).strftime(TIME_FORMAT)
                                + " UTC") if duty.due else ""),
        state=state_text(duty), jurisdiction=duty.module.jurisdiction,
        recipient=recipient(duty.end_column), clock=clock,
        law=req.citation.render(duty.module.sources),
        requirement=(_("{title} ({applicability})", title=req.title,
                       applicability=duty.applicability) if duty.applicability else req.title),
        requirement_id=req.full_id, threshold=threshold_text(duty.threshold),
        version=version, confidence=confidence_label(req.confidence.value),
        legal_status=legal_status_label(duty.legal_status.value),
        todo=req.remediation)


def headers() -> list[str]:
    return [_("Deadline (the law's time)"), _("Deadline (UTC)"), _("Status"),
            _("Jurisdiction"), _("Notify"), _("Clock"), _("Law"), _("Requirement")]


def cells(row: DutyRow) -> list[str]:
    return [row.deadline_local, row.deadline_utc, row.state, row.jurisdiction, row.recipient,
            row.clock, row.law, row.requirement]


def heading(plan: Plan) -> str:
    incident = plan.incident
    return _("Notices owed for incident {id}, detected {detected}; status at {now}",
             id=incident.id, detected=ltr_value(incident.detected_at.isoformat()),
             now=ltr_value(plan.now.astimezone(dt.timezone.utc).strftime(TIME_FORMAT)
                           + " UTC"))


def silence_lines(plan: Plan) -> list[str]:
    """"Iraq: no breach-notice duty in force; drafts: ..." for each silent country."""
    lines = []
    for silence in plan.silent:
        drafted = "; ".join(f"{r.title} ({legal_status_label(r.status.value)})"
                            for r in silence.not_law)
        lines.append(_("{country}: no breach-notice duty in force in the selected modules; "
                       "not law: {drafts}", country=silence.country, drafts=drafted)
                     if drafted else
                     _("{country}: no breach-notice duty in force in the selected modules",
                       country=silence.country))
    return lines


def set_aside_lines(plan: Plan) -> list[str]:
    return [f"{req.full_id}: {why}" for req, why in plan.set_aside]


def apart_sections(plan: Plan) -> list[tuple[str, list[str]]]:
    """What is not a duty, as (title, items): drafts and laws not in force, silent countries,
    rules set aside."""
    out: list[tuple[str, list[str]]] = []
    if plan.not_law:
        out.append((_("Not law in force (drafts, proposals, practice, enacted but not "
                      "commenced), never duties"),
                    [f"{r.jurisdiction} {r.requirement} ({r.legal_status}): {r.clock}"
                     for r in map(duty_row, plan.not_law)]))
    if plan.silent:
        out.append((_("Countries without a notice duty"), silence_lines(plan)))
    if plan.set_aside:
        out.append((_("Rules that do not concern this incident"), set_aside_lines(plan)))
    return out


__all__ = ["DutyRow", "apart_sections", "cells", "duty_row", "headers", "heading", "recipient",
           "set_aside_lines", "silence_lines", "state_text", "threshold_text"]

"""``audit notices`` as text: a console table sorted by deadline, Markdown, and JSON for
automation (tokens and ISO 8601 times; the words are in the other formats)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import IO

from tabulate import tabulate

from audit.i18n import _
from audit.notices import Duty, Plan
from audit.reports.notices_view import apart_sections, cells, duty_row, headers, heading

NOTICES_SCHEMA_VERSION = "1.0"


def write_console(plan: Plan, stream: IO[str]) -> None:
    out = [heading(plan), ""]
    if plan.duties:
        rows = [[textwrap.fill(c, 28) for c in cells(duty_row(d))] for d in plan.duties]
        out.append(tabulate(rows, headers=headers()))
    else:
        out.append(_("No notice duty in force for this incident in the selected modules."))
    for title, items in apart_sections(plan):
        out += ["", f"{title}:", *(f"- {item}" for item in items)]
    stream.write("\n".join(out) + "\n")


def write_markdown(plan: Plan, stream: IO[str]) -> None:
    out = [f"# {heading(plan)}", ""]
    if plan.duties:
        out.append(tabulate([cells(duty_row(d)) for d in plan.duties], headers=headers(),
                            tablefmt="github"))
        out += ["", f"## {_('What each notice requires')}", ""]
        for duty in plan.duties:
            row = duty_row(duty)
            details = [row.law, row.clock, row.version, row.threshold,
                       _("confidence: {level}", level=row.confidence), duty.applicability]
            out += [f"- **{_md(row.requirement)}** ({row.requirement_id}): "
                    + _md("; ".join(d for d in details if d)) + f". {_md(row.todo)}"]
    else:
        out.append(_("No notice duty in force for this incident in the selected modules."))
    for title, items in apart_sections(plan):
        out += ["", f"## {title}", "", *(f"- {_md(item)}" for item in items)]
    stream.write("\n".join(out) + "\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_json(plan: Plan, stream: IO[str]) -> None:
    incident = plan.incident
    doc = {
        "schema_version": NOTICES_SCHEMA_VERSION,
        "incident": {"id": incident.id, "kind": incident.kind,
                     "detected_at": incident.detected_at.isoformat(),
                     "affected": dict(incident.affected)},
        "now": plan.now.isoformat(),
        "duties": [_duty_json(d) for d in plan.duties],
        "not_law": [_duty_json(d) for d in plan.not_law],
        "no_duty": [{"country": s.country,
                     "not_law": [r.full_id for r in s.not_law]} for s in plan.silent],
        "set_aside": [{"requirement": r.full_id, "reason": why} for r, why in plan.set_aside],
        "overdue": len(plan.overdue()),
    }
    json.dump(doc, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _duty_json(duty: Duty) -> dict[str, object]:
    local = duty.local_due()
    return {
        "requirement": duty.requirement.full_id, "module": duty.module.id,
        "jurisdiction": duty.module.jurisdiction, "recipient": duty.end_column,
        "citation": {"source": duty.requirement.citation.source,
                     "article": duty.requirement.citation.article},
        "within": duty.within, "start": duty.start_column,
        "started_at": _iso(duty.started_at), "deadline_utc": _iso(duty.due and duty.due.astimezone(
            dt.timezone.utc)),
        "deadline_local": _iso(local), "timezone": duty.timezone,
        "threshold": dict(duty.threshold),
        "version_from": duty.version_from.isoformat() if duty.version_from else None,
        "legal_status": duty.legal_status.value,
        "confidence": duty.requirement.confidence.value,
        "state": duty.state, "hours": None if duty.hours is None else round(duty.hours, 2),
        "done_at": _iso(duty.done_at), "latest_deadline_utc": _iso(duty.latest_due),
        "applicability": duty.applicability or None,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()

"""``audit notices -o plan.ics``: one calendar event per duty at its deadline, with alarms
before it, for Outlook, Google Calendar or Thunderbird. Written with the ``icalendar``
library (RFC 5545 folding, escaping and UTC times are its business, not ours)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import IO

from audit import __version__
from audit.i18n import _
from audit.notices import Duty, Plan
from audit.reports.notices_view import duty_row

# Alarms before each deadline: a quarter of the clock ahead (at least an hour), and one hour.
LAST_CALL = dt.timedelta(hours=1)


def alarm_offsets(duty: Duty) -> list[dt.timedelta]:
    """How long before the deadline each alarm fires, largest first."""
    if duty.due is None or duty.started_at is None:
        return [LAST_CALL]
    quarter = (duty.due - duty.started_at) / 4
    return sorted({max(quarter, LAST_CALL), LAST_CALL}, reverse=True)


def write_calendar(plan: Plan, stream: IO[bytes]) -> None:
    import icalendar  # deferred: icalendar takes ~0.3 s to import, only for -o plan.ics

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//platform-audit//notices {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Notices for incident {id}", id=plan.incident.id))
    stamp = plan.now.astimezone(dt.timezone.utc)
    for duty in plan.duties:
        if duty.due is None or duty.done_at is not None:  # no date yet, or already sent
            continue
        row = duty_row(duty)
        event = icalendar.Event()
        uid = hashlib.sha256(f"{plan.incident.id}|{row.requirement_id}".encode()).hexdigest()
        event.add("uid", f"{uid[:32]}@platform-audit")
        event.add("dtstamp", stamp)
        due = duty.due.astimezone(dt.timezone.utc)
        event.add("dtstart", due)
        event.add("dtend", due)
        event.add("summary", _("Notify {recipient} ({jurisdiction}): {title}",
                               recipient=row.recipient, jurisdiction=row.jurisdiction,
                               title=row.requirement))
        event.add("description", "\n".join(part for part in (
            row.law, row.clock, row.threshold, row.todo,
            _("Deadline in the law's time: {time}", time=row.deadline_local)) if part))
        event.add("categories", [row.jurisdiction])
        for offset in alarm_offsets(duty):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event["summary"])
            alarm.add("trigger", -offset)
            event.add_component(alarm)
        cal.add_component(event)
    stream.write(cal.to_ical())

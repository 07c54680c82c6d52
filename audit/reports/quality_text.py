"""Data-quality notes as text lines, shared by the console and Markdown reports."""

from __future__ import annotations

from audit.assessment import Assessment
from audit.i18n import _


def notes_heading(assessment: Assessment) -> str:
    return _("Data quality ({count} note(s)): read these before the figures",
             count=len(assessment.notes))


def note_lines(assessment: Assessment) -> list[str]:
    """One line per note: severity and code first, so a reader can grep for them."""
    return [_("{severity} [{code}]: {text}", severity=note.severity, code=note.code,
              text=note.message) for note in assessment.notes]

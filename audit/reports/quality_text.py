"""Data-quality notes as text lines, shared by the console and Markdown reports."""

from __future__ import annotations

from audit.assessment import Assessment
from audit.i18n import _
from audit.ledger import rule_words, table_words


def notes_heading(assessment: Assessment) -> str:
    return _("Data quality ({count} note(s)): read these before the figures",
             count=len(assessment.notes))


def note_lines(assessment: Assessment) -> list[str]:
    """One line per note: severity and code first, so a reader can grep for them."""
    return [_("{severity} [{code}]: {text}", severity=note.severity, code=note.code,
              text=note.message) for note in assessment.notes]


def ledger_heading() -> str:
    return _("Rows accounted for (every row read, where it went)")


def ledger_lines(assessment: Assessment) -> list[str]:
    """One line per log table, then one per log rule: the row ledger in words."""
    ledger = assessment.ledger
    lines = [_("{log} log: {words}", log=t.log, words=table_words(t)) for t in ledger.tables]
    lines += [_("{requirement} ({log}): {words}", requirement=r.requirement, log=r.log,
                words=rule_words(r)) for r in ledger.rules]
    return lines

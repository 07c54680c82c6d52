"""Data-quality notes and the row ledger as text lines, shared by the console, Markdown and
HTML reports."""

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


def ledger_groups(assessment: Assessment) -> list[tuple[str, list[str]]]:
    """The row ledger in words: per log table its line, and under it one line per log rule
    that read it (``requirement: 40 rows read; ...; 39 judged``)."""
    ledger = assessment.ledger
    groups = []
    for t in ledger.tables:
        rules = [_("{requirement}: {words}", requirement=r.requirement, words=rule_words(r))
                 for r in ledger.rules if r.log == t.log]
        groups.append((_("{log} log: {words}", log=t.log, words=table_words(t)), rules))
    tables = {t.log for t in ledger.tables}
    groups += [(_("{requirement} ({log}): {words}", requirement=r.requirement, log=r.log,
                  words=rule_words(r)), []) for r in ledger.rules if r.log not in tables]
    return groups


def ledger_lines(assessment: Assessment, indent: str = "  ") -> list[str]:
    """The groups as lines, each rule's indented under its table (console, HTML)."""
    return [line for head, rules in ledger_groups(assessment)
            for line in (head, *(indent + r for r in rules))]

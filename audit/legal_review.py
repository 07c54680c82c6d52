"""The yearly legal review: when a checklist module is due for another look at the law."""

from __future__ import annotations

import datetime as dt

from audit.durations import Duration, Unit

REVIEW_INTERVAL = Duration(12, Unit.MONTHS)


def review_due(reviewed: dt.date | None, today: dt.date) -> bool:
    """True when a module was never reviewed, or its last review is 12 calendar months old.

    Law moves (LEGAL.md's 2026-11-29 revision superseded Vietnam's Decree 13 and Turkey's Art. 9
    procedure): a module nobody has checked for a year may state superseded law as in force,
    so the list command says so instead of letting the date go unnoticed.
    """
    if reviewed is None:
        return True
    return today >= REVIEW_INTERVAL.add_to(reviewed)

"""Whether a requirement applies to a platform on a day, and why, in words.

A requirement applies while it is in force (``effective_from``/``effective_until``) and when its
structured ``applies_if`` condition holds for the platform profile. A condition that cannot be
decided (the profile lacks a field) is assessed as applicable and says so: an unknown is never
a silent "does not apply". A requirement whose law is enacted but not commenced (status
``enacted``) never applies: it is shown, with its reason, but never scored as law in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from audit.conditions import evaluate as evaluate_condition
from audit.i18n import N_, _, format_date, format_number
from audit.model import ChecklistStatus, Requirement

APPLIES = "applies"  # the applicability text of a requirement that plainly applies


def applicability(req: Requirement, profile: Mapping[str, object],
                  as_of: dt.date) -> tuple[bool, str]:
    """(applies, why): ``why`` is ``APPLIES`` or a sentence in the report language."""
    if req.status is ChecklistStatus.ENACTED:
        return False, _("enacted but not yet in force (not commenced): shown for information, "
                        "not assessed as law in force")
    if req.effective_from is not None and as_of < req.effective_from:
        return False, _("not yet in force: applies from {date}",
                        date=format_date(req.effective_from))
    if req.effective_until is not None and as_of >= req.effective_until:
        return False, _("no longer in force since {date}", date=format_date(req.effective_until))
    missing: list[str] = []
    result = evaluate_condition(req.applies_if, {"platform": profile}, missing)
    if result is True:
        return True, APPLIES
    if result is False:
        return False, _("does not apply to this platform ({condition})",
                        condition=_describe(req.applies_if))
    return True, _("applicability not established ({fields} not given); assessed as applicable",
                   fields=", ".join(sorted(set(missing))))


def _describe(cond: object) -> str:
    if not isinstance(cond, dict):
        return str(cond)
    if "all" in cond:
        return _(" and ").join(_describe(c) for c in cond["all"])
    if "any" in cond:
        return _(" or ").join(_describe(c) for c in cond["any"])
    if "not" in cond:
        return _("not ({condition})", condition=_describe(cond["not"]))
    op = next(k for k in cond if k != "field")
    value = cond[op]
    field_name = cond["field"]
    if isinstance(value, bool):  # a feature flag reads as a sentence, never "= True"
        if op in ("eq", "exists"):
            return (_("requires {field} to be yes", field=field_name) if value
                    else _("requires {field} to be no", field=field_name))
        return (_("requires {field} not to be yes", field=field_name) if value
                else _("requires {field} not to be no", field=field_name))
    shown = _value_text(value)
    sentence = {"eq": N_("requires {field} = {value}"),
                "ne": N_("requires {field} other than {value}"),
                "gt": N_("requires {field} above {value}"),
                "gte": N_("requires {field} of at least {value}"),
                "lt": N_("requires {field} below {value}"),
                "lte": N_("requires {field} of at most {value}"),
                "in": N_("requires {field} to be one of {value}"),
                "contains": N_("requires {field} to contain {value}"),
                "exists": N_("requires {field} to be given")}[op]
    return _(sentence, field=field_name, value=shown)


def _value_text(value: object) -> str:
    """A condition's value for people: numbers grouped, dates in words, lists joined."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(v) for v in value)
    return str(value)

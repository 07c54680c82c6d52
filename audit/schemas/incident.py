"""Schema of an incident file (``audit notices INCIDENT``): one breach or security incident,
its times, the people it affected per country and the notices already sent.

The times are checked further by :mod:`audit.incident` (an offset on every time, no report
before the detection); the shape is checked here, with the same located messages as every
other file the tool reads.
"""

from __future__ import annotations

from typing import Any

KINDS = ("personal_data_breach", "security_incident", "csam", "account_compromise")
# What a notice already sent may be: each is a column of the breaches log the rules read
NOTICE_KINDS = {"authority": "authority_notified_at", "people": "users_notified_at",
                "cert": "cert_notified_at", "final_report": "report_completed_at"}

_EXPECT_TIME = "a time with its offset, e.g. 2026-12-03T14:20:00+03:00"
_TIME: dict[str, Any] = {"type": ["datetime", "string"], "meta": {"expect": _EXPECT_TIME}}


def _time(doc: str, **more: object) -> dict[str, Any]:
    return {**_TIME, **more, "meta": {"expect": _EXPECT_TIME, "doc": doc}}

_REGION = {"type": "string", "regex": r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
           "meta": {"expect": "an ISO 3166 code such as IQ, or a subdivision such as US-TX"}}
_MODULE_KEY = {"type": "string", "regex": r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|EU|[a-z][a-z0-9.-]*)$",
               "meta": {"expect": "a jurisdiction code (EU, TR, US-TX) or a module id "
                                  "(in.cert-in)"}}

INCIDENT: dict[str, Any] = {
    "incident": {"type": "string", "required": True, "empty": False,
                 "meta": {"doc": "The incident's id, as it will appear in the breaches log."}},
    "kind": {"type": "string", "allowed": list(KINDS), "default": "personal_data_breach",
             "meta": {"doc": "personal_data_breach, security_incident, csam or "
                             "account_compromise."}},
    "occurred_at": _time("When it happened, if known."),
    "detected_at": _time("When the platform detected it.", required=True),
    "aware_at": _time("When the platform became aware of it, where that differs from the "
                      "detection (default: detected_at)."),
    "assessed_at": _time("When it was assessed as notifiable, if it was."),
    "determined_at": _time("When it was determined that a breach occurred (US state laws), "
                           "if it was."),
    "affected": {"type": "dict", "required": True, "empty": False,
                 "keysrules": _REGION,
                 "valuesrules": {"type": "integer", "min": 0,
                                 "meta": {"expect": "a whole number of people, 0 or more"}},
                 "meta": {"doc": "People affected per country (ISO 3166-1 alpha-2), or per "
                                 "subdivision where a module needs it (US-TX, BR-SP)."}},
    "data_categories": {"type": "list", "schema": {"type": "string", "empty": False},
                        "meta": {"doc": "What was exposed: identifiers, financial, sensitive, "
                                        "children, ... as the breaches log names them."}},
    "high_risk": {"type": "boolean",
                  "meta": {"doc": "Whether the incident is likely to result in a high risk to "
                                  "people (several laws notify people only then)."}},
    "critical_infrastructure": {"type": "boolean",
                                "meta": {"doc": "Whether the operator is critical "
                                                "infrastructure where a law distinguishes it."}},
    "notified": {"type": "dict", "keysrules": _MODULE_KEY,
                 "valuesrules": {"type": "dict", "schema": {k: _TIME for k in NOTICE_KINDS}},
                 "meta": {"doc": "Notices already sent, per jurisdiction code or module id: "
                                 + ", ".join(NOTICE_KINDS) + " with their times."}},
}

"""Schemas of the hand-written files in an evidence pack.

platform.yaml   who the platform is: users per country, features, establishment, officers
answers.yaml    attestations keyed by requirement id or evidence key
documents.yaml  index of documents/ (kind, date, language) so rules can ask for them
waivers.yaml    accepted exceptions: requirement, justification, approver, expiry
"""

from __future__ import annotations

from typing import Any

from audit.schemas.common import DATE

COUNTRY = r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|EU)$"
_COUNTRY_KEYS = {"type": "string", "regex": COUNTRY,
                 "meta": {"expect": "an ISO 3166 code such as IQ or DE, or EU"}}
_COUNT = {"type": "integer", "min": 0}

REPRESENTATIVE: dict[str, Any] = {
    "name": {"type": "string", "required": True, "empty": False},
    "role": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9_]*$",
             "meta": {"expect": "a role id such as legal_representative_eu",
                      "doc": "Role id that officer rules ask for (see docs/evidence-format.md)."}},
    "country": {"type": "string", "required": True, "regex": COUNTRY,
                "meta": {"expect": "an ISO 3166 code", "doc": "Country of residence."}},
    "contact": {"type": "string", "meta": {"doc": "E-mail, phone or address."}},
    "organisation": {"type": "string"},
    "appointed": DATE,
    "note": {"type": "string"},
}

PLATFORM: dict[str, Any] = {
    "name": {"type": "string", "required": True, "empty": False},
    "legal_name": {"type": "string"},
    "description": {"type": "string"},
    "services": {"type": "list", "schema": {"type": "string"},
                 "meta": {"doc": "Services offered, e.g. messaging, public_channels."}},
    "features": {"type": "dict", "keysrules": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"},
                 "valuesrules": {"type": ["boolean", "string"]},
                 "meta": {"doc": "public_channels, groups, e2ee, livestream, ... (true/false)."}},
    "users": {"type": "dict", "keysrules": _COUNTRY_KEYS, "valuesrules": _COUNT,
              "meta": {"doc": "Monthly active users per country (EU for the Union total)."}},
    "daily_access": {"type": "dict", "keysrules": _COUNTRY_KEYS, "valuesrules": _COUNT,
                     "meta": {"doc": "Average daily accesses or users per country (Turkey's measure; Kazakhstan's, averaged over a month)."}},
    "establishment": {"type": "dict", "schema": {
        "country": {"type": "string", "regex": COUNTRY, "required": True},
        "eu_establishment": {"type": "boolean"},
        "uk_establishment": {"type": "boolean",
                             "meta": {"doc": "An establishment in the United Kingdom (UK GDPR "
                                             "Art. 27 representative duty when false)."}},
        "branches": {"type": "list", "schema": {"type": "string", "regex": COUNTRY}},
    }},
    "employees": _COUNT,
    "designations": {"type": "dict", "keysrules": {"type": "string"},
                     "valuesrules": {"type": "boolean"},
                     "meta": {"doc": "Legal designations, e.g. vlop, ssmi_in, sdf_in."}},
    "retention": {"type": "dict", "keysrules": {"type": "string"},
                  "valuesrules": {"type": "number", "min": 0},
                  "meta": {"doc": "Retention periods in days, e.g. access_logs_days: 180."}},
    "data_location": {"type": "dict", "keysrules": {"type": "string"},
                      "valuesrules": {"type": "list", "schema": {"type": "string",
                                                                 "regex": COUNTRY}},
                      "meta": {"doc": "Where each data set is stored, e.g. "
                                      "primary_user_db: [DE, NL]."}},
    "facts": {"type": "dict", "meta": {"doc": "Any further facts rules or conditions refer to."}},
    "representatives": {"type": "list", "schema": {"type": "dict", "schema": REPRESENTATIVE}},
    "timezone": {"type": "string", "meta": {"doc": "IANA zone for log timestamps without an "
                                                   "offset; without it they are errors."}},
    "language": {"type": "string", "regex": r"^[a-z]{2}$"},
    "as_of": {**DATE, "meta": {"doc": "Date the evidence describes (default today)."}},
}

ANSWER: dict[str, Any] = {
    "answer": {"type": ["string", "number", "boolean"], "required": True,
               "meta": {"doc": "yes, partial, no or n/a; or a number for threshold rules."}},
    "document": {"type": "string", "meta": {"doc": "Path under documents/ backing the answer."}},
    "note": {"type": "string"},
    "by": {"type": "string", "meta": {"doc": "Who attests."}},
    "date": DATE,
}

DOCUMENT: dict[str, Any] = {
    "path": {"type": "string", "required": True,
             "meta": {"doc": "File under documents/ (relative)."}},
    "kind": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9_]*$",
             "meta": {"expect": "a kind such as privacy_policy or transparency_report"}},
    "title": {"type": "string"},
    "date": {**DATE, "meta": {"doc": "Publication or approval date."}},
    "language": {"type": "string", "regex": r"^[a-z]{2}$"},
    "url": {"type": "string"},
}

WAIVER: dict[str, Any] = {
    "requirement": {"type": "string", "required": True,
                    "meta": {"doc": "Full requirement id, module:requirement."}},
    "justification": {"type": "string", "required": True, "empty": False},
    "approved_by": {"type": "string", "required": True, "empty": False},
    "expires": {**DATE, "required": True,
                "meta": {"doc": "Last day the waiver applies (UTC, inclusive)."}},
    "granted": DATE,
}

DOCUMENTS_FILE: dict[str, Any] = {"documents": {"type": "list", "required": True,
                                "schema": {"type": "dict", "schema": DOCUMENT}}}
WAIVERS_FILE: dict[str, Any] = {"waivers": {"type": "list", "required": True,
                            "schema": {"type": "dict", "schema": WAIVER}}}

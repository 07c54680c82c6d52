"""The checklist module format (``checklists/<jurisdiction>/<module>.yaml``), schema version 1.

Rule parameters are not listed here: each evaluator validates its own (``Evaluator.params_schema``),
so a plugin adding a rule type needs no change to this file.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from audit.schemas.common import DATE
from audit.model import Area, ChecklistStatus, Confidence, Severity

SCHEMA_VERSIONS = (1,)

MODULE_ID = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$"
REQUIREMENT_ID = r"^[a-z0-9][a-z0-9_-]*$"
JURISDICTION = r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|INTL)$"
LEGAL_REF = r"^[A-Z]{2,4}-[0-9]{2,3}$"
URL = r"^https?://\S+$"

def _values(kind: type[Enum]) -> list[str]:
    return [e.value for e in kind]

# Kinds of evidence an ``evidence_max_age`` may give its own age (audit.freshness).
EVIDENCE_KINDS = ("attestation", "document", "log")


def _max_age(expect: str, doc: str) -> dict[str, Any]:
    """``evidence_max_age``: one duration, or a mapping from kind of evidence to duration."""
    return {"type": ["string", "dict"],
            "schema": {kind: {"type": "string",
                              "meta": {"expect": "a duration such as '12 months'"}}
                       for kind in EVIDENCE_KINDS},
            "meta": {"expect": expect, "doc": doc}}


SOURCE = {
    "id": {"type": "string", "required": True, "regex": REQUIREMENT_ID,
           "meta": {"expect": "a short lowercase id such as gdpr or const-40",
                    "doc": "Handle used by requirement citations."}},
    "title": {"type": "string", "required": True, "empty": False,
              "meta": {"doc": "Instrument name and number, e.g. 'Regulation (EU) 2016/679 (GDPR)'."}},
    "url": {"type": "string", "required": True, "regex": URL,
            "meta": {"expect": "an http(s) URL", "doc": "Where the text can be read."}},
    "legal_ref": {"type": "list", "schema": {"type": "string", "regex": LEGAL_REF,
                                             "meta": {"expect": "a LEGAL.md row id such as IQ-02"}},
                  "meta": {"doc": "LEGAL.md rows this source backs."}},
    "date": {**DATE, "meta": {"doc": "Date of the instrument or its last amendment."}},
    "status": {"type": "string", "allowed": _values(ChecklistStatus),
               "meta": {"doc": "Legal status when it differs from the module's."}},
    "note": {"type": "string"},
}

CITATION = {
    "source": {"type": "string", "required": True,
               "meta": {"doc": "The id of an entry in the module's (or a parent's) sources."}},
    "article": {"type": "string", "required": True, "empty": False,
                "meta": {"doc": "Article, section or rule, e.g. 'Art. 33(1)'."}},
    "url": {"type": "string", "regex": URL, "meta": {"expect": "an http(s) URL",
                                                      "doc": "Deep link when the source has one."}},
    "unnumbered": {"type": "string", "empty": False,
                   "meta": {"doc": "Why no numbered provision can be cited (e.g. the instrument "
                                   "has no article numbers, or they were not confirmed)."}},
}

RULE = {
    "type": "dict",
    "allow_unknown": True,  # parameters belong to the evaluator named by rule.type
    "schema": {"type": {"type": "string", "required": True,
                        "meta": {"doc": "Evaluator id: attestation, document, threshold, officer, "
                                        "deadline, count, all_of, any_of, or one from a plugin."}}},
    "meta": {"doc": "What is measured and how; parameters depend on the rule type "
                    "(see rule-types.md)."},
}

REQUIREMENT_FIELDS: dict[str, Any] = {
    "id": {"type": "string", "required": True, "regex": REQUIREMENT_ID,
           "meta": {"expect": "a lowercase id such as leak-takedown",
                    "doc": "Stable id; the full id is <module>:<id>. Never reuse a retired id."}},
    "area": {"type": "string", "required": True, "allowed": _values(Area)},
    "title": {"type": "string", "required": True, "empty": False,
              "meta": {"doc": "The obligation in one line, in our own words."}},
    "description": {"type": "string", "meta": {"doc": "Longer explanation, in our own words."}},
    "question": {"type": "string",
                 "meta": {"doc": "Question put to the platform in the evidence template."}},
    "theme": {"type": "string", "regex": REQUIREMENT_ID,
              "meta": {"expect": "a lowercase theme id such as breach-notice-authority",
                       "doc": "Groups comparable obligations across jurisdictions (Matrix sheet)."}},
    "citation": {"type": "dict", "required": True, "schema": CITATION},
    "refs": {"type": "list", "schema": {"type": "string", "regex": LEGAL_REF,
                                        "meta": {"expect": "a LEGAL.md row id such as IQ-02"}},
             "meta": {"doc": "LEGAL.md row ids this requirement encodes."}},
    "severity": {"type": "string", "required": True, "allowed": _values(Severity)},
    "weight": {"type": "number", "min": 0,
               "meta": {"doc": "Scoring weight; defaults from severity "
                               "(critical 10, high 5, medium 3, low 1)."}},
    "confidence": {"type": "string", "allowed": _values(Confidence),
                   "meta": {"doc": "How sure the legal reference is (default high); below high "
                                   "is shown in every report."}},
    "status": {"type": "string", "allowed": _values(ChecklistStatus),
               "meta": {"doc": "Legal status when it differs from the module's."}},
    "effective_from": {**DATE, "meta": {"doc": "First day the obligation applies (e.g. a "
                                               "commencement date); before it the requirement "
                                               "is not applicable, 'not yet in force'."}},
    "effective_until": {**DATE, "meta": {"doc": "Day the obligation ends (exclusive), when "
                                                "repealed or replaced."}},
    "evidence_max_age": _max_age(
        "a duration such as '24 months', or one per kind: {attestation: 12 months, ...}",
        "How old the dated answers, documents and logs behind a finding may be; older "
        "evidence makes it stale. One duration for every piece, or one per kind of "
        "evidence (`attestation`, `document`, `log`) (docs/over-time.md)."),
    "applies_if": {"type": "dict", "allow_unknown": True,
                   "meta": {"doc": "Structured condition on the platform profile: all/any/not, "
                                   "or {field: platform.x, <op>: value} with op one of eq, ne, "
                                   "gt, gte, lt, lte, in, contains, exists."}},
    "rule": dict(RULE, required=True),
    "remediation": {"type": "string", "required": True, "empty": False,
                    "meta": {"doc": "What to do to meet it, in plain words."}},
    "note": {"type": "string"},
}

OVERRIDE_FIELDS: dict[str, Any] = {k: {kk: vv for kk, vv in v.items() if kk != "required"}
                                   for k, v in REQUIREMENT_FIELDS.items()}
OVERRIDE_FIELDS["id"] = REQUIREMENT_FIELDS["id"]

CHECKLIST = {
    "schema_version": {"type": "integer", "required": True, "allowed": list(SCHEMA_VERSIONS)},
    "id": {"type": "string", "required": True, "regex": MODULE_ID,
           "meta": {"expect": "a lowercase dotted id such as iq.telegram-2023",
                    "doc": "Stable, namespaced module id."}},
    "jurisdiction": {"type": "string", "required": True, "regex": JURISDICTION,
                     "meta": {"expect": "an ISO 3166 code such as IQ, IQ-KRI or EU, or INTL",
                              "doc": "ISO 3166-1/2 code; EU for Union law; INTL for baselines."}},
    "title": {"type": "string", "required": True, "empty": False},
    "description": {"type": "string"},
    "version": {"type": "integer", "required": True, "min": 1,
                "meta": {"doc": "Content version; bump on every change."}},
    "status": {"type": "string", "required": True, "allowed": _values(ChecklistStatus)},
    "language": {"type": "string", "regex": r"^[a-z]{2}$",
                 "meta": {"expect": "an ISO 639-1 code such as en or ar",
                          "doc": "Language of the texts (ar gives right-to-left sheets)."}},
    "provider": {"type": "string", "meta": {"doc": "Who maintains the module."}},
    "evidence_max_age": _max_age(
        "a duration such as '12 months', or one per kind: {attestation: 12 months, ...}",
        "Default evidence_max_age of the module's own requirements; the bundled modules set "
        "one per kind of evidence (docs/over-time.md)."),
    "reviewed": {**DATE, "meta": {"doc": "Date of the last legal review of the module against "
                                         "docs/legal-sources.md; `audit checklists list` flags "
                                         "modules not reviewed in the last 12 months."}},
    "legal_rows": {"type": "list", "schema": {"type": "string", "regex": LEGAL_REF,
                                              "meta": {"expect": "a LEGAL.md row id such as VN-05"}},
                   "meta": {"doc": "The legal-sources rows the module rests on (the review's "
                                   "scope)."}},
    "sources": {"type": "list", "required": True,
                "schema": {"type": "dict", "schema": SOURCE}},
    "extends": {"type": "string", "nullable": True, "regex": MODULE_ID,
                "meta": {"expect": "a module id", "doc": "Parent module whose requirements are "
                                                         "inherited."}},
    "unselect": {"type": "list", "schema": {"type": "dict", "schema": {
        "id": {"type": "string", "required": True},
        "reason": {"type": "string", "required": True, "empty": False}}},
        "meta": {"doc": "Inherited requirements dropped, each with the reason."}},
    "overrides": {"type": "list", "schema": {"type": "dict", "schema": OVERRIDE_FIELDS},
                  "meta": {"doc": "Changes to inherited requirements, by id; the fields given "
                                  "replace the parent's (a rule is replaced whole)."}},
    "requirements": {"type": "list", "required": True,
                     "schema": {"type": "dict", "schema": REQUIREMENT_FIELDS}},
}

"""Words for people in place of tokens: statuses, areas, severities, legal statuses, verdicts.

Reports show ``status_label(Status.NOT_MET)`` ("not met", "غير مستوفى") where the JSON keeps
the token ``not_met``; every label is a catalogue message (marked with ``N_`` and translated
when shown), so the same table serves every language.
"""

from __future__ import annotations

from enum import Enum
from audit.i18n import N_, _

STATUS = {
    "met": N_("met"),
    "partial": N_("partially met"),
    "not_met": N_("not met"),
    "no_evidence": N_("no evidence"),
    "manual_review": N_("manual review"),
    "not_applicable": N_("not applicable"),
    "waived": N_("waived"),
}
AREA = {
    "data_handling": N_("data handling"),
    "moderation": N_("moderation"),
    "breach_disclosure": N_("breach disclosure"),
    "governance": N_("governance"),
    "transparency": N_("transparency"),
    "localisation": N_("data localisation"),
    "law_enforcement": N_("law enforcement"),
}
SEVERITY = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
}
LEGAL_STATUS = {
    "in_force": N_("in force"),
    "draft": N_("draft"),
    "practice": N_("executive practice"),
    "proposal": N_("proposal"),
    "enacted": N_("enacted, not yet in force"),
    "superseded": N_("superseded"),
}
CONFIDENCE = {
    "high": N_("high"),
    "high_text": N_("high (text seen)"),
    "medium": N_("medium"),
    "low": N_("low"),
}
VERDICT = {
    "compliant": N_("COMPLIANT"),
    "partially_compliant": N_("PARTIALLY COMPLIANT"),
    "non_compliant": N_("NON-COMPLIANT"),
    "review_needed": N_("REVIEW NEEDED"),
    "not_assessed": N_("NOT ASSESSED"),
}
RULE = {  # rule types (audit.model), as the Requirements and Metrics sheets show them
    "deadline": N_("deadline"),
    "share": N_("share"),
    "attestation": N_("attestation"),
    "document": N_("document"),
    "officer": N_("officer"),
    "threshold": N_("threshold"),
    "count": N_("count"),
    "all_of": N_("all of"),
    "any_of": N_("any of"),
}
NOTE_SEVERITY = {  # audit.assessment.DataNote.severity
    "info": N_("information"),
    "warning": N_("warning"),
}
DETAIL_STATUS = {  # the 'problem' column of the offending-events query (audit/logs/metrics.py)
    "late": N_("late"),
    "not handled": N_("not handled"),
}
DETAIL_COLUMN = {  # columns of the offending-events query; others: underscores as spaces
    "id": N_("Id"),
    "request_id": N_("Request id"),
    "incident_id": N_("Incident id"),
    "received_at": N_("Received at"),
    "detected_at": N_("Detected at"),
    "actioned_at": N_("Actioned at"),
    "completed_at": N_("Completed at"),
    "authority_notified_at": N_("Authority notified at"),
    "users_notified_at": N_("Users notified at"),
    "occurred_at": N_("Occurred at"),
    "aware_at": N_("Aware at"),
    "assessed_at": N_("Assessed at"),
    "determined_at": N_("Determined at"),
    "reported_at": N_("Reported at"),
    "deadline": N_("Deadline"),
    "hours_taken": N_("Hours taken"),
    "problem": N_("Problem"),
}
TRACKING = (N_("open"), N_("in progress"), N_("done"), N_("accepted risk"))
SCORING_MODEL = {
    "weighted": N_("weighted"),
    "flat": N_("flat"),
    "strict": N_("strict"),
}
FILE_ROLE = {  # audit.evidence.pack.FileRecord.role
    "profile": N_("platform profile"),
    "answers": N_("answers"),
    "documents-index": N_("documents index"),
    "document": N_("document"),
    "log": N_("log"),
    "waivers": N_("waivers"),
    "workbook": N_("evidence workbook"),
}
BASELINE = {  # audit.baseline's since-baseline labels
    "new requirement": N_("new requirement"),
    "was met": N_("was met"),
    "new gap": N_("new gap"),
    "worse": N_("worse"),
    "improved": N_("improved"),
    "unchanged": N_("unchanged"),
}
EXCLUDED = {  # ScoreResult.excluded keys: why requirements are outside the denominator
    "not_applicable": N_("not applicable"),
    "waived": N_("waived"),
    "manual_review": N_("manual review"),
    "no_evidence": N_("no evidence"),
    "superseded": N_("superseded"),
}


def _word(table: dict[str, str], value: object) -> str:
    """A token (an enum member, its value, or whatever a report holds, None included) as
    words: the table's translated label, else the token with spaces for underscores."""
    key = value.value if isinstance(value, Enum) else str(value)
    return _(table[key]) if key in table else key.replace("_", " ")


def status_label(value: object) -> str:
    return _word(STATUS, value)


def area_label(value: object) -> str:
    return _word(AREA, value)


def severity_label(value: object) -> str:
    return _word(SEVERITY, value)


def legal_status_label(value: object) -> str:
    return _word(LEGAL_STATUS, value)


def confidence_label(value: object) -> str:
    return _word(CONFIDENCE, value)


def verdict_label(value: object) -> str:
    return _word(VERDICT, value)


def excluded_label(value: object) -> str:
    return _word(EXCLUDED, value)


def scoring_model_label(value: object) -> str:
    return _word(SCORING_MODEL, value)


def file_role_label(value: object) -> str:
    return _word(FILE_ROLE, value)


def baseline_label(value: object) -> str:
    return _word(BASELINE, value)


def rule_label(value: object) -> str:
    return _word(RULE, value)


def note_severity_label(value: object) -> str:
    return _word(NOTE_SEVERITY, value)


def detail_status_label(value: object) -> str:
    return _word(DETAIL_STATUS, value)


def detail_column_label(name: str) -> str:
    """A column of a detail sheet for people: a known name's label, else its words."""
    if name in DETAIL_COLUMN:
        return _(DETAIL_COLUMN[name])
    return name.replace("_", " ")


def theme_label(theme: str) -> str:
    """A theme id (``takedown-personal-data``) as words; themes have no catalogue entry."""
    return theme.replace("-", " ").replace("_", " ")


def tracking_labels() -> list[str]:
    """The Gaps sheet's tracking statuses in the report language (dropdown values)."""
    return [_(t) for t in TRACKING]

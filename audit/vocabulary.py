"""The evidence vocabulary: every log, column, profile field, document kind and officer role
that a loader or evidence schema knows, so ``audit checklists validate`` can catch a typo in a
rule before it shows up as the platform's ``no_evidence``.

Built-in names come from the log tables (:mod:`audit.logs.tables`), the platform profile schema
and the kinds and roles the bundled modules use. A plugin that reads its own log, or asks for a
new document kind or role, adds the names from any of its registration hooks::

    registry.vocabulary.add_log("channel_reports", ["report_id", "closed_at"])
    registry.vocabulary.add_log("my_log")  # no column list: any column is accepted
    registry.vocabulary.add_columns("moderation", ["statement_complete"])
    registry.vocabulary.add_document_kinds("sor_policy")
    registry.vocabulary.add_roles("ombudsperson")

See docs/plugins (vocabulary) for the contract.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from audit.logs.tables import KNOWN_LOGS
from audit.schemas.evidence import PLATFORM

# Document kinds and officer roles of the bundled modules (docs/evidence-format.md lists them).
DOCUMENT_KINDS = (
    "annual_report_ru", "compliance_report_in", "compliance_report_ng", "data_audit_in", "dpia",
    "dpia_in", "dsa_recipients_publication", "dsa_transparency_report",
    "independent_audit_report", "netzdg_report", "osa_childrens_access_assessment",
    "osa_childrens_risk_assessment", "osa_illegal_content_risk_assessment", "privacy_policy",
    "records_of_processing", "systemic_risk_assessment", "tco_transparency_report",
    "terms_of_service", "transparency_report", "transparency_report_br",
    "transparency_report_br_children", "transparency_report_tr",
)
OFFICER_ROLES = (
    "authorised_recipient_de", "authority_contact", "authority_contact_iq", "cert_in_contact",
    "chief_compliance_officer_in", "compliance_officer_pk", "domestic_agent_kr", "dpo", "dpo_br",
    "dpo_eg", "dpo_in", "dpo_my",
    "dsa_authority_contact", "dsa_legal_representative", "dsa_user_contact",
    "gdpr_representative_eu", "grievance_officer_pk", "nodal_contact_in", "representative_br",
    "representative_cn", "representative_kz", "representative_ng", "representative_ru",
    "representative_tr",
    "resident_grievance_officer_in", "tco_contact_point", "tco_legal_representative",
    "uk_gdpr_representative",
)


class Vocabulary:
    """Names rules may refer to; ``None`` as a log's columns means any column is accepted."""

    def __init__(self) -> None:
        self.logs: dict[str, set[str] | None] = {}
        self.document_kinds: set[str] = set()
        self.roles: set[str] = set()
        self.profile_fields: set[str] = set()

    @classmethod
    def builtin(cls) -> Vocabulary:
        vocabulary = cls()
        for table in KNOWN_LOGS.values():
            vocabulary.add_log(table.name, [*table.required, *table.optional])
        vocabulary.add_document_kinds(*DOCUMENT_KINDS)
        vocabulary.add_roles(*OFFICER_ROLES)
        vocabulary.profile_fields.update(PLATFORM)
        return vocabulary

    def add_log(self, name: str, columns: Iterable[str] | None = None) -> None:
        """A log rules may read; without ``columns`` any column of it is accepted."""
        if columns is None or self.logs.get(name, set()) is None:
            self.logs[name] = None
        else:
            self.logs.setdefault(name, set()).update(columns)  # type: ignore[union-attr]

    def add_columns(self, log: str, columns: Iterable[str]) -> None:
        """Further columns of a known log (e.g. fields a plugin's loader maps into it)."""
        self.add_log(log, columns)

    def add_document_kinds(self, *kinds: str) -> None:
        self.document_kinds.update(kinds)

    def add_roles(self, *roles: str) -> None:
        self.roles.update(roles)

    # -- checks ------------------------------------------------------------------------------

    # Logs, columns, kinds and roles are open sets: a pack's log mapping can define a table or
    # add columns, documents.yaml any kind, the profile any role. So an unknown name is reported
    # when it is a near miss of a known one (a typo); a name unlike every known one is taken as
    # the author's own. Profile fields are a closed schema: every unknown one is reported.

    def log_problem(self, log: str) -> str | None:
        if log in self.logs or not (hint := _hint(log, self.logs)):
            return None
        return f"no loader or evidence schema knows a log '{log}'{hint}"

    def column_problem(self, log: str, column: str) -> str | None:
        columns = self.logs.get(log)
        if columns is None or column in columns or not (hint := _hint(column, columns)):
            return None
        return f"the {log} log has no column '{column}'{hint}"

    def kind_problem(self, kind: str) -> str | None:
        if kind in self.document_kinds or not (hint := _hint(kind, self.document_kinds)):
            return None
        return f"no evidence schema knows a document kind '{kind}'{hint}"

    def role_problem(self, role: str) -> str | None:
        if role in self.roles or not (hint := _hint(role, self.roles)):
            return None
        return f"no evidence schema knows an officer role '{role}'{hint}"

    def field_problem(self, field: str) -> str | None:
        """``platform.<key>...`` must start with a profile key; answers are free-form keys."""
        parts = field.split(".")
        if parts[0] != "platform" or len(parts) < 2 or parts[1] in self.profile_fields:
            return None
        return (f"the platform profile has no field '{parts[1]}'"
                f"{_hint(parts[1], self.profile_fields)}")


def _hint(name: str, known: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest known name, or "" when none is close (a name the
    author defines, not a typo)."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""

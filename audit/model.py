"""The data contract shared by loaders, evaluators, scoring and writers.

Everything that crosses a plugin boundary is a frozen dataclass or a ``str`` Enum, so a plugin
cannot change what another plugin sees and JSON output is a plain ``asdict`` away.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from audit.logs.details import Listed


class ChecklistStatus(str, enum.Enum):
    """Legal status of a checklist module (or a single requirement inside one)."""

    IN_FORCE = "in_force"
    DRAFT = "draft"
    PRACTICE = "practice"  # executive action with no published instrument behind it
    PROPOSAL = "proposal"
    # adopted and published but not commenced (e.g. a section awaiting a proclamation): shown
    # in every report, never assessed as law in force (audit.applicability)
    ENACTED = "enacted"
    SUPERSEDED = "superseded"  # kept for history; never scored by default


class Area(str, enum.Enum):
    DATA_HANDLING = "data_handling"
    MODERATION = "moderation"
    BREACH_DISCLOSURE = "breach_disclosure"
    GOVERNANCE = "governance"
    TRANSPARENCY = "transparency"
    LOCALISATION = "localisation"
    LAW_ENFORCEMENT = "law_enforcement"


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def default_weight(self) -> float:
        return {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0}[self.value]


class Confidence(str, enum.Enum):
    """How sure the legal reference is of a figure (LEGAL.md's levels)."""

    HIGH = "high"
    HIGH_TEXT = "high_text"
    MEDIUM = "medium"
    LOW = "low"


class Status(str, enum.Enum):
    """Outcome of one requirement; the order of ``ROLLUP_ORDER`` decides combined statuses."""

    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"
    NO_EVIDENCE = "no_evidence"
    MANUAL_REVIEW = "manual_review"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"

    @property
    def is_gap(self) -> bool:
        return self in (Status.PARTIAL, Status.NOT_MET, Status.NO_EVIDENCE, Status.MANUAL_REVIEW)


@dataclass(frozen=True)
class Source:
    """A legal instrument a checklist cites."""

    id: str
    title: str
    url: str
    legal_ref: tuple[str, ...] = ()
    date: str | None = None
    status: ChecklistStatus | None = None
    note: str | None = None


@dataclass(frozen=True)
class Citation:
    source: str
    article: str
    url: str | None = None
    unnumbered: str | None = None  # why no numbered provision can be cited

    def render(self, sources: Mapping[str, Source]) -> str:
        src = sources.get(self.source)
        title = src.title if src else self.source
        return f"{title}, {self.article}"


@dataclass(frozen=True)
class RuleVersion:
    """Rule parameters in force from ``valid_from`` (inclusive) until the next version."""

    valid_from: dt.date | None
    valid_until: dt.date | None
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """An evaluator id and its parameters, as validated by that evaluator's schema."""

    type: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Requirement:
    id: str
    module: str
    jurisdiction: str
    area: Area
    title: str
    citation: Citation
    severity: Severity
    weight: float
    rule: Rule
    remediation: str
    refs: tuple[str, ...] = ()
    applies_if: Mapping[str, Any] | None = None
    description: str | None = None
    question: str | None = None
    theme: str | None = None
    confidence: Confidence = Confidence.HIGH
    status: ChecklistStatus = ChecklistStatus.IN_FORCE
    note: str | None = None
    origin: str | None = None  # module id the requirement was defined in (differs when inherited)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    # how old dated evidence may be (docs/over-time.md): one age for every piece, or one per
    # kind of evidence ({"attestation": "12 months", "document": "24 months"})
    evidence_max_age: str | Mapping[str, str] | None = None

    @property
    def full_id(self) -> str:
        return f"{self.module}:{self.id}"


@dataclass(frozen=True)
class Unselected:
    id: str
    reason: str


@dataclass(frozen=True)
class Checklist:
    """A resolved checklist module: ``extends`` chains applied, requirements in order."""

    id: str
    jurisdiction: str
    title: str
    version: int
    status: ChecklistStatus
    sources: Mapping[str, Source]
    requirements: tuple[Requirement, ...]
    path: str
    owner: str
    language: str = "en"
    extends: str | None = None
    unselected: tuple[Unselected, ...] = ()
    description: str | None = None
    provider: str | None = None
    reviewed: dt.date | None = None  # last legal review against docs/legal-sources.md
    legal_rows: tuple[str, ...] = ()  # legal-sources rows the module rests on
    translation: str | None = None  # "unofficial", or the official source, when translated

    def requirement(self, req_id: str) -> Requirement | None:
        for req in self.requirements:
            if req.id == req_id:
                return req
        return None


@dataclass(frozen=True)
class Proof:
    """What a figure rests on: a log's rows, a document, an answer or a profile field."""

    kind: str  # "log" | "document" | "answer" | "profile" | "waiver"
    ref: str
    detail: str = ""


@dataclass(frozen=True)
class Finding:
    """An evaluator's verdict on one requirement."""

    requirement: str  # full id, module:req
    status: Status
    score: float
    summary: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    proof: tuple[Proof, ...] = ()
    children: tuple["Finding", ...] = ()


@dataclass(frozen=True)
class DetailQuery:
    """What a rule leaves behind for its offending events: the rows its log's pass listed
    (``listed``, read back by the writers without reading the log again), else the query
    the writers stream them with (a capped sheet, a CSV beside the report); the rule holds
    no row either way."""

    sql: str
    columns: tuple[str, ...]
    log: str
    count: int | None = None  # rows the query returns, when the rule already counted them
    monthly_sql: str = ""  # deadline rules: month, version, total, on_time (HTML chart)
    # the rows as the pass listed them (audit.logs.details), worst first when read
    listed: Listed | None = field(default=None, compare=False, repr=False)

"""The result of an assessment: one frozen ``Assessment`` that every writer renders.

Every writer renders this one object, so the console, JSON, Markdown and workbook outputs
cannot disagree about a status or a figure. It is built by the pipeline's stages
(``audit/pipeline/``); a later stage (auditor decisions, carried tracking, a baseline) returns a
new value with ``dataclasses.replace`` and never changes one already built, so a report written
before a stage and one written after cannot share a half-changed object. Its sequences and
mappings are typed read-only (``Sequence``, ``Mapping``) for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from audit import __version__
from audit.evidence.pack import EvidencePack, FileRecord, Waiver
from audit.errors import EvidenceError, Problem
from audit.freshness import FreshnessItem
from audit.i18n import _
from audit.ledger import Ledger
from audit.model import DetailQuery, Finding, Requirement, Status
from audit.scoring import ROLLUP_ORDER, ScoreResult, Scored, ScoringModel, Verdict, verdict

if TYPE_CHECKING:  # pragma: no cover
    # the values later stages attach; their modules work on an Assessment, so they import
    # this one and are named here for the type checker only
    from audit.baseline import BaselineComparison
    from audit.engine.base import LogEngine
    from audit.remediation import Dropped, RemediationEntry
    from audit.reviews import Review

# 1.1 added "notes" and logs.<table>.mappings; 1.2 remediation, freshness, auditor decisions,
# provenance; 1.3 the row ledger ("ledger") and the "not_assessed" verdict
RESULT_SCHEMA_VERSION = "1.3"


@dataclass(frozen=True)
class WaiverState:
    waiver: Waiver
    active: bool
    note: str


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    checklist: str
    finding: Finding  # the final finding (status ``waived`` when an active waiver applies)
    underlying: Finding  # what the evidence shows, ignoring waivers
    applicability: str  # "applies" | "does not apply" | "not established: ..."
    waiver: WaiverState | None = None
    review: Review | None = None  # an auditor's decision replaced the computed finding
    computed: Finding | None = None  # what the evidence showed before that decision

    @property
    def status(self) -> Status:
        return self.finding.status


@dataclass(frozen=True)
class ChecklistRef:
    id: str
    version: int
    title: str
    jurisdiction: str
    status: str
    language: str
    owner: str
    translation: str | None = None  # "unofficial" or the official source, when translated
    extends: str | None = None  # an overlay's parent module
    extends_version: int | None = None
    unselected: tuple[tuple[str, str], ...] = ()  # (requirement id, reason) dropped by it



@dataclass(frozen=True)
class DataNote:
    """A data-quality observation that changes what a figure means (shown in every report).

    ``code`` is a stable identifier (e.g. ``end-column-empty``), ``message`` the sentence shown
    to the reader (already translated), ``log``/``requirement`` what it concerns, if anything.
    """

    code: str
    message: str
    severity: str = "warning"  # "warning" | "info"
    log: str | None = None
    requirement: str | None = None


Contribution = tuple[float, float, float, float]  # denominator, numerator; then without waivers


@dataclass(frozen=True)
class Assessment:
    as_of: dt.date
    generated_at: dt.datetime
    platform: Mapping[str, Any]  # profile values: text, numbers, dates, lists, as the YAML had
    checklists: Sequence[ChecklistRef]
    results: Sequence[RequirementResult]
    scoring_model: str
    score: ScoreResult
    score_without_waivers: ScoreResult
    by_area: Mapping[str, ScoreResult]
    by_jurisdiction: Mapping[str, ScoreResult]
    verdict: Verdict
    verdict_without_waivers: Verdict
    evidence_files: Sequence[FileRecord]
    waivers: Sequence[WaiverState]
    logs: Mapping[str, Mapping[str, Any]]  # per log: path, rows, format, mappings (JSON)
    details: Mapping[str, DetailQuery] = field(default_factory=dict)
    evidence: EvidencePack | None = field(default=None, repr=False, compare=False)
    tool_version: str = __version__
    sources: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    baseline: BaselineComparison | None = field(default=None, repr=False, compare=False)
    notes: Sequence[DataNote] = field(default_factory=list)  # data-quality notes, every report
    language: str = "en"  # the language the reports are written in
    # the audit as a process (docs/over-time.md): carried remediation, auditor decisions,
    # evidence freshness, and the hashes that let a third party verify the run
    remediation: Mapping[str, RemediationEntry] = field(default_factory=dict)  # by full id
    remediation_dropped: Sequence[Dropped] = field(default_factory=list)  # entries not carried
    freshness: Sequence[FreshnessItem] = field(default_factory=list)  # stale or going stale
    # each result's (denominator, numerator) share of the score with and without waivers, in
    # the order of ``results``: the gap workbook's Summary sums them when the model is additive
    contributions: Sequence[Contribution] = ()
    score_without_reviews: ScoreResult | None = None  # set when auditor decisions apply
    verdict_without_reviews: Verdict | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)  # audit.provenance (JSON)
    ledger: Ledger = field(default_factory=Ledger)  # every row read, accounted for (audit.ledger)
    # the --fail-on gates the run was given (audit.gates.GATES): the JUnit report marks as
    # failures only what they fail on (docs/over-time.md); empty: every gap is a failure
    gates: Sequence[str] = ()

    def counts(self, without_waivers: bool = False) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[(r.underlying if without_waivers else r.finding).status.value] += 1
        return out

    def gaps(self) -> list[RequirementResult]:
        """Requirements not met, worst first: severity, then status, then score."""
        sev = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        gaps = [r for r in self.results if r.status.is_gap]
        return sorted(gaps, key=lambda r: (sev[r.requirement.severity.value],
                                           ROLLUP_ORDER.index(r.status), r.finding.score,
                                           r.requirement.full_id))

    def citation(self, result: RequirementResult) -> str:
        req = result.requirement
        src = self.sources.get(f"{result.checklist}/{req.citation.source}")
        title = src["title"] if src else req.citation.source
        return _("{source}, {article}", source=title, article=req.citation.article)

    def source_url(self, result: RequirementResult) -> str | None:
        req = result.requirement
        src = self.sources.get(f"{result.checklist}/{req.citation.source}")
        return req.citation.url or (src["url"] if src else None)

    def detail_rows(self, full_id: str, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Offending events of a rule, worst first: read back from the rows its log's pass
        listed (``DetailQuery.listed``), else streamed by the rule's query over the log;
        never materialised here."""
        query = self.details.get(full_id)
        if query is None or self.evidence is None:
            return iter(())
        engine = self.evidence.logs
        if query.listed is not None:
            return _read_again(engine, query.log, query.listed.rows(limit),
                               query.listed.errors + (OSError,))
        sql = query.sql + (f" LIMIT {int(limit)}" if limit is not None else "")
        return _read_again(engine, query.log, engine.stream(sql))

    def detail_count(self, full_id: str) -> int:
        query = self.details.get(full_id)
        if query is None or self.evidence is None:
            return 0
        if query.listed is not None:
            return query.listed.count
        if query.count is not None:
            return query.count
        engine = self.evidence.logs
        try:
            return int(engine.query(f"SELECT count(*) FROM ({query.sql})")[0][0])
        except engine.query_errors() as exc:
            raise _changed(engine, query.log, exc) from None


def _read_again(engine: LogEngine, log: str, rows: Iterator[tuple[Any, ...]],
                listed: tuple[type[BaseException], ...] = ()) -> Iterator[tuple[Any, ...]]:
    """A log's rows read once more for a report; the rules read the file already, so an
    error now means it changed (was truncated, rewritten) while the audit ran; or, for rows
    the pass listed, that the run's temporary space was taken from under it."""
    errors = listed or engine.query_errors()
    try:
        yield from rows
    except errors as exc:
        raise _changed(engine, log, exc, bool(listed)) from None


def _changed(engine: LogEngine, log: str, exc: BaseException,
             listed: bool = False) -> EvidenceError:
    where = engine.path_of(log) if engine.has(log) else log
    why = ("the offending rows listed when the log was read are gone from the run's "
           "temporary space" if listed else "did the file change while it was read?")
    return EvidenceError(problems=[Problem(where, "", "cannot read log: " + engine.reason(exc)
                                           + f" ({why})")])


@dataclass(frozen=True)
class Scores:
    score: ScoreResult
    score_without_waivers: ScoreResult
    by_area: dict[str, ScoreResult]
    by_jurisdiction: dict[str, ScoreResult]
    verdict: Verdict
    verdict_without_waivers: Verdict
    contributions: tuple[Contribution, ...]


def score_results(results: Sequence[RequirementResult], model: ScoringModel) -> Scores:
    """Every score and verdict of an assessment from its results (one place, used again
    when auditor decisions replace computed findings)."""
    with_w = [Scored(r.requirement, r.finding.status, r.finding.score) for r in results]
    without_w = [Scored(r.requirement, r.underlying.status, r.underlying.score) for r in results]
    by_area: dict[str, ScoreResult] = {}
    for area in sorted({r.requirement.area.value for r in results}):
        by_area[area] = model.score([s for s in with_w if s.requirement.area.value == area])
    by_jur: dict[str, ScoreResult] = {}
    for jur in sorted({r.requirement.jurisdiction for r in results}):
        by_jur[jur] = model.score([s for s in with_w if s.requirement.jurisdiction == jur])
    shares = []
    for w, u in zip(with_w, without_w, strict=True):
        one, bare = model.score([w]), model.score([u])
        shares.append((one.denominator, one.numerator, bare.denominator, bare.numerator))
    return Scores(model.score(with_w), model.score(without_w), by_area, by_jur,
                  verdict(with_w), verdict(without_w), tuple(shares))



"""Run an assessment: applicability, evaluation, waivers, scoring, one ``Assessment`` result.

Every writer renders this one object, so the console, JSON, Markdown and workbook outputs
cannot disagree about a status or a figure.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from audit import __version__
from audit.checklists import ChecklistLibrary
from audit.conditions import evaluate as evaluate_condition
from audit.errors import AuditError, EvidenceError, PluginError, Problem, UsageError
from audit.evaluators.base import EvaluationContext, Evaluator
from audit.evidence.pack import EvidencePack, FileRecord, Waiver
from audit.i18n import N_, _, format_date, format_number
from audit.model import Checklist, Finding, Proof, Requirement, Status
from audit.registry import Registry
from audit.scoring import ScoreResult, Scored, Verdict, verdict

if TYPE_CHECKING:  # pragma: no cover
    from audit.freshness import FreshnessItem
    from audit.remediation import Dropped, RemediationEntry
    from audit.reviews import Review

# 1.1 added "notes" and logs.<table>.mappings; 1.2 remediation, freshness, auditor decisions, provenance
RESULT_SCHEMA_VERSION = "1.2"


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
class DetailQuery:
    sql: str
    columns: tuple[str, ...]
    log: str
    count: int | None = None  # rows the query returns, when the rule already counted them
    monthly_sql: str = ""  # deadline rules: month, version, total, on_time (HTML chart)


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


@dataclass
class Assessment:
    as_of: dt.date
    generated_at: dt.datetime
    platform: dict[str, Any]
    checklists: list[ChecklistRef]
    results: list[RequirementResult]
    scoring_model: str
    score: ScoreResult
    score_without_waivers: ScoreResult
    by_area: dict[str, ScoreResult]
    by_jurisdiction: dict[str, ScoreResult]
    verdict: Verdict
    verdict_without_waivers: Verdict
    evidence_files: list[FileRecord]
    waivers: list[WaiverState]
    logs: dict[str, dict[str, Any]]
    details: dict[str, DetailQuery] = field(default_factory=dict)
    evidence: EvidencePack | None = field(default=None, repr=False, compare=False)
    tool_version: str = __version__
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    baseline: Any = field(default=None, repr=False, compare=False)  # set by audit.baseline
    notes: list[DataNote] = field(default_factory=list)  # data-quality notes, every report
    language: str = "en"  # the language the reports are written in
    # the audit as a process (docs/over-time.md): carried remediation, auditor decisions,
    # evidence freshness, and the hashes that let a third party verify the run
    remediation: dict[str, RemediationEntry] = field(default_factory=dict)  # by full id
    remediation_dropped: list[Dropped] = field(default_factory=list)  # entries not carried
    freshness: list[FreshnessItem] = field(default_factory=list)  # stale or going stale
    score_without_reviews: ScoreResult | None = None  # set when auditor decisions apply
    verdict_without_reviews: Verdict | None = None
    provenance: dict[str, Any] = field(default_factory=dict)  # audit.provenance
    # the report file being written, if any: writers name files they put beside it after it
    output: Any = field(default=None, repr=False, compare=False)

    def counts(self, without_waivers: bool = False) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[(r.underlying if without_waivers else r.finding).status.value] += 1
        return out

    def gaps(self) -> list[RequirementResult]:
        """Requirements not met, worst first: severity, then status, then score."""
        from audit.scoring import ROLLUP_ORDER

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
        """Offending events of a rule, streamed from DuckDB (never materialised here)."""
        query = self.details.get(full_id)
        if query is None or self.evidence is None:
            return iter(())
        sql = query.sql + (f" LIMIT {int(limit)}" if limit is not None else "")
        return self.evidence.logs.stream(sql)

    def detail_count(self, full_id: str) -> int:
        query = self.details.get(full_id)
        if query is None or self.evidence is None:
            return 0
        if query.count is not None:
            return query.count
        return int(self.evidence.logs.query(f"SELECT count(*) FROM ({query.sql})")[0][0])


def _known_keys(library: ChecklistLibrary, registry: Registry) -> set[str]:
    keys: set[str] = set()
    for checklist in library.all():
        for req in checklist.requirements:
            keys.update({req.id, req.full_id})
            evaluator = registry.evaluators.get(req.rule.type)
            for key in evaluator.evidence_keys(req, req.rule):
                keys.update({key, f"{req.module}:{key}"})
    return keys


def check_evidence_references(pack: EvidencePack, library: ChecklistLibrary,
                              registry: Registry) -> None:
    """Answers and waivers must name something that exists: a typo would otherwise turn
    into a silent ``no_evidence`` or an unwaived gap."""
    known = _known_keys(library, registry)
    problems = []
    for key, answer in pack.answers.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(answer.location, key, "no requirement or evidence key of "
                                                          f"that name in any checklist{hint}"))
        doc = answer.document
        parts = (doc or "").replace("\\", "/").split("/")
        if doc is not None and (parts[0] == "" or ".." in parts):
            problems.append(Problem(answer.location, f"{key}.document",
                                    f"{doc!r}: a document is named by its path under documents/"))
    full_ids = {r.full_id for c in library.all() for r in c.requirements}
    problems += [unknown_requirement(w.location, w.requirement, full_ids,
                                     "unknown requirement '{id}'")
                 for w in pack.waivers if w.requirement not in full_ids]
    if problems:
        raise EvidenceError(problems=problems)


def unknown_requirement(location: str, requirement: str, known: set[str],
                        wording: str) -> Problem:
    """The located problem for a file (waivers, reviews) naming a requirement no checklist
    has: ``wording`` with ``{id}``, the full-id reminder and the closest known id."""
    close = difflib.get_close_matches(requirement, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return Problem(location, "requirement", wording.format(id=requirement)
                   + f" (use the full id, module:requirement){hint}")


def _applicability(req: Requirement, pack: EvidencePack,
                   as_of: dt.date) -> tuple[bool, str]:
    if req.effective_from is not None and as_of < req.effective_from:
        return False, _("not yet in force: applies from {date}",
                        date=format_date(req.effective_from))
    if req.effective_until is not None and as_of >= req.effective_until:
        return False, _("no longer in force since {date}", date=format_date(req.effective_until))
    missing: list[str] = []
    result = evaluate_condition(req.applies_if, {"platform": pack.profile}, missing)
    if result is True:
        return True, "applies"
    if result is False:
        return False, _("does not apply to this platform ({condition})",
                        condition=_describe(req.applies_if))
    return True, _("applicability not established ({fields} not given); assessed as applicable",
                   fields=", ".join(sorted(set(missing))))


def _describe(cond: Any) -> str:
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


def _value_text(value: Any) -> str:
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


def _evaluate(req: Requirement, context: EvaluationContext, registry: Registry) -> Finding:
    from audit.logs.filters import MissingColumn

    evaluator: Evaluator = registry.evaluators.get(req.rule.type)
    try:
        finding = evaluator.evaluate(req, req.rule, context)
    except MissingColumn as exc:
        return Finding(req.full_id, Status.NO_EVIDENCE, 0.0,
                       _("{problem}; the rule needs it", problem=exc), {},
                       (Proof("log", exc.log),))
    except AuditError:
        raise
    except Exception as exc:
        owner = registry.evaluators.owner(req.rule.type)
        raise PluginError(f"plugin '{owner}': rule type '{req.rule.type}' failed on "
                          f"{req.full_id}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(finding, Finding) or not 0.0 <= finding.score <= 1.0:
        owner = registry.evaluators.owner(req.rule.type)
        raise PluginError(f"plugin '{owner}': rule type '{req.rule.type}' returned an invalid "
                          f"finding for {req.full_id} (need an audit.Finding, score in [0, 1])")
    return finding


def _waiver_for(req: Requirement, pack: EvidencePack, as_of: dt.date) -> WaiverState | None:
    matching = [w for w in pack.waivers if w.requirement == req.full_id]
    if not matching:
        return None
    active = [w for w in matching if w.active_on(as_of)]
    if active:
        waiver = max(active, key=lambda w: w.expires)
        return WaiverState(waiver, True, _("waived until {date} by {approver}: {justification}",
                                           date=format_date(waiver.expires),
                                           approver=waiver.approved_by,
                                           justification=waiver.justification))
    waiver = max(matching, key=lambda w: w.expires)
    if waiver.granted is not None and as_of < waiver.granted:
        return WaiverState(waiver, False, _("waiver granted only from {granted}; not yet in "
                                            "effect on {date}",
                                            granted=format_date(waiver.granted),
                                            date=format_date(as_of)))
    return WaiverState(waiver, False, _("waiver expired on {date}; no longer applies",
                                        date=format_date(waiver.expires)))


def generation_time() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, so that reruns write byte-identical reports."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since "
                             "1970-01-01") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Scores:
    score: ScoreResult
    score_without_waivers: ScoreResult
    by_area: dict[str, ScoreResult]
    by_jurisdiction: dict[str, ScoreResult]
    verdict: Verdict
    verdict_without_waivers: Verdict


def score_results(results: Sequence[RequirementResult], model: Any) -> Scores:
    """Every score and verdict of an assessment from its results (one place, used again
    when auditor decisions replace computed findings)."""
    with_w = [Scored(r.requirement, r.finding.status, r.finding.score) for r in results]
    without_w = [Scored(r.requirement, r.underlying.status, r.underlying.score) for r in results]
    by_area = {}
    for area in sorted({r.requirement.area.value for r in results}):
        by_area[area] = model.score([s for s in with_w if s.requirement.area.value == area])
    by_jur = {}
    for jur in sorted({r.requirement.jurisdiction for r in results}):
        by_jur[jur] = model.score([s for s in with_w if s.requirement.jurisdiction == jur])
    return Scores(model.score(with_w), model.score(without_w), by_area, by_jur,
                  verdict(with_w), verdict(without_w))


def assess(pack: EvidencePack, checklists: Sequence[Checklist], library: ChecklistLibrary,
           registry: Registry, as_of: dt.date, scoring: str = "weighted") -> Assessment:
    """Evaluate every requirement of ``checklists`` against ``pack`` as of ``as_of``."""
    if scoring not in registry.scoring_models:
        raise UsageError(f"unknown scoring model '{scoring}' (known: "
                         f"{', '.join(registry.scoring_models.ids())})")
    seen: set[str] = set()
    for c in checklists:
        if c.id in seen:
            raise UsageError(f"checklist '{c.id}' given twice")
        seen.add(c.id)
    check_evidence_references(pack, library, registry)
    from audit.freshness import check as check_freshness
    from audit.provenance import collect as collect_provenance

    results: list[RequirementResult] = []
    freshness = []
    details: dict[str, DetailQuery] = {}
    sources: dict[str, dict[str, Any]] = {}
    for checklist in checklists:
        for sid, src in checklist.sources.items():
            sources[f"{checklist.id}/{sid}"] = {"title": src.title, "url": src.url}
        context = EvaluationContext(as_of=as_of, evidence=pack, registry=registry,
                                    checklist=checklist)
        for req in checklist.requirements:
            applies, applicability = _applicability(req, pack, as_of)
            if not applies:
                finding = Finding(req.full_id, Status.NOT_APPLICABLE, 0.0, applicability)
            else:
                finding = _evaluate(req, context, registry)
                if applicability != "applies":
                    finding = Finding(finding.requirement, finding.status, finding.score,
                                      _("{finding} [{applicability}]", finding=finding.summary,
                                        applicability=applicability), finding.figures,
                                      finding.proof, finding.children)
            for key, value in context.cache.pop("details", {}).items():
                details[key] = value
            finding, fresh = check_freshness(req, finding, pack, as_of)
            if fresh is not None:
                freshness.append(fresh)
            underlying = finding
            waiver = _waiver_for(req, pack, as_of) if applies else None
            if waiver and waiver.active and finding.status.is_gap:
                finding = Finding(req.full_id, Status.WAIVED, finding.score,
                                  _("{waiver} (evidence: {finding})", waiver=waiver.note,
                                    finding=underlying.summary),
                                  underlying.figures, underlying.proof
                                  + (Proof("waiver", waiver.waiver.location),))
            elif waiver and not waiver.active:
                finding = Finding(req.full_id, finding.status, finding.score,
                                  _("{finding} ({waiver})", finding=finding.summary,
                                    waiver=waiver.note), finding.figures,
                                  finding.proof, finding.children)
            results.append(RequirementResult(req, checklist.id, finding, underlying,
                                             applicability, waiver))
    if pack.started_engine is not None:  # logs no rule scanned still owe their checks
        pack.started_engine.validate_all()
    scores = score_results(results, registry.scoring_models.get(scoring))
    platform = {k: pack.profile.get(k) for k in ("name", "legal_name", "language")
                if pack.profile.get(k) is not None}
    logs = {name: {"path": info.path, "rows": info.rows, "format": info.format,
                   "mappings": list(info.extra.get("mappings", []))}
            for name, info in (pack.started_engine.logs.items() if pack.started_engine else [])}
    waivers = [w for w in (r.waiver for r in results) if w is not None]
    result = Assessment(
        as_of=as_of, generated_at=generation_time(),
        platform=platform,
        checklists=[_ref(c, library) for c in checklists],
        results=results, scoring_model=scoring, score=scores.score,
        score_without_waivers=scores.score_without_waivers, by_area=scores.by_area,
        by_jurisdiction=scores.by_jurisdiction, verdict=scores.verdict,
        verdict_without_waivers=scores.verdict_without_waivers,
        evidence_files=list(pack.files), waivers=waivers, logs=logs, details=details,
        evidence=pack, sources=sources, freshness=freshness,
        provenance=collect_provenance(checklists, library, pack))
    from audit.quality import data_notes  # after the rules: it reads their figures

    result.notes.extend(data_notes(result, pack, checklists, registry))
    return result


def _ref(c: Checklist, library: ChecklistLibrary) -> ChecklistRef:
    parent = None
    if c.extends:
        try:
            parent = library.get(c.extends).version
        except UsageError:
            parent = None
    return ChecklistRef(c.id, c.version, c.title, c.jurisdiction, c.status.value, c.language,
                        c.owner, c.translation, c.extends, parent,
                        tuple((u.id, u.reason) for u in c.unselected))

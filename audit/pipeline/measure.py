"""Stage 2, measure: each requirement of each checklist judged against the evidence.

First every applicable rule declares the aggregates it will read from the logs (``plan``),
so each log is read once for all of them. Then for every requirement: does it apply (``audit.applicability``), what does its rule find
(the evaluator registered for its type, through the same registry a plugin fills), is the
evidence fresh enough (``audit.freshness``), and does a waiver cover a gap. The output is a
frozen ``Measured``: the per-requirement results with what the reports need beside them (each
rule's offending rows, as its log's pass listed them or as a query to run, the cited sources,
the freshness items). Nothing is
scored here; that is the next stage.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audit.applicability import APPLIES, applicability
from audit.assessment import RequirementResult, WaiverState
from audit.model import DetailQuery
from audit.errors import AuditError, PluginError
from audit.evaluators.base import EvaluationContext, Evaluator
from audit.evidence.pack import EvidencePack
from audit.freshness import FreshnessItem
from audit.freshness import check as check_freshness
from audit.i18n import _, base_language, current_language, format_date, use_language
from audit.ledger import RuleLedger
from audit.logs.filters import MissingColumn
from audit.logs.plan import column_max, declare, newest_column, planning
from audit.model import Checklist, Finding, Proof, Requirement, Status
from audit.registry import Registry


@dataclass(frozen=True)
class Measured:
    """What the evidence shows for each requirement, before any score."""

    results: tuple[RequirementResult, ...]
    details: Mapping[str, DetailQuery]  # full id -> its offending events (listed, or a query)
    sources: Mapping[str, Mapping[str, str | None]]  # "module/source" -> title and url
    freshness: tuple[FreshnessItem, ...]
    ledger: tuple[RuleLedger, ...] = ()  # each log rule's rows, as its scan counted them


def measure(pack: EvidencePack, checklists: Sequence[Checklist], registry: Registry,
            as_of: dt.date) -> Measured:
    """Judge every requirement of ``checklists`` against ``pack`` as of ``as_of``."""
    results: list[RequirementResult] = []
    freshness: list[FreshnessItem] = []
    details: dict[str, DetailQuery] = {}
    sources: dict[str, Mapping[str, str | None]] = {}
    ledger: list[RuleLedger] = []
    plan(pack, checklists, registry, as_of)
    for checklist in checklists:
        for sid, src in checklist.sources.items():
            sources[f"{checklist.id}/{sid}"] = {"title": src.title, "url": src.url}
        context = EvaluationContext(as_of=as_of, evidence=pack, registry=registry,
                                    checklist=checklist)
        for req in checklist.requirements:
            with use_language(_finding_language(checklist)):
                result, fresh = _judge(req, checklist, context, pack, as_of)
            details.update(context.cache.pop("details", {}))
            ledger += context.cache.pop("ledger", [])
            if fresh is not None:
                freshness.append(fresh)
            results.append(result)
    return Measured(tuple(results), details, sources, tuple(freshness), tuple(ledger))


def plan(pack: EvidencePack, checklists: Sequence[Checklist], registry: Registry,
         as_of: dt.date) -> None:
    """Before any rule is evaluated, every applicable rule declares the log aggregates it
    will read (``Evaluator.plan``), so each log is read by one pass for all of them
    (``audit.logs.plan``). A rule type that declares nothing scans on its own."""
    if pack.started_engine is None:  # no log loaded: nothing to plan
        return
    store = pack.started_engine
    with planning(store):
        for checklist in checklists:
            context = EvaluationContext(as_of=as_of, evidence=pack, registry=registry,
                                        checklist=checklist)
            for req in checklist.requirements:
                if applicability(req, pack.profile, as_of)[0]:
                    _plan(req, context, registry)
        for log in store.logs:  # the freshness check's newest event, if a requirement asks
            if column := newest_column(store, log):
                declare(store, functools.partial(column_max, log, column))


def _plan(req: Requirement, context: EvaluationContext, registry: Registry) -> None:
    """One rule's declarations. One that cannot be written now (a missing column, bad
    evidence) is left to its evaluation, which meets the same problem in its turn."""
    evaluator: Evaluator = registry.evaluators.get(req.rule.type)
    try:
        evaluator.plan(req, req.rule, context)
    except (MissingColumn, AuditError):
        return
    except Exception as exc:
        owner = registry.evaluators.owner(req.rule.type)
        raise PluginError(f"plugin '{owner}': rule type '{req.rule.type}' failed planning "
                          f"{req.full_id}: {type(exc).__name__}: {exc}") from exc


def _finding_language(checklist: Checklist) -> str:
    """The language of a requirement's finding sentence: the report's when the module's texts
    are in it (written so, or translated), else the module's own, so a sentence is never half
    Arabic, half English ("64 من 94 erasure requests ..."); the reports isolate it whole."""
    report = current_language()
    if base_language(checklist.language) == base_language(report):
        return report
    return checklist.language


def _judge(req: Requirement, checklist: Checklist, context: EvaluationContext,
           pack: EvidencePack, as_of: dt.date) -> tuple[RequirementResult, FreshnessItem | None]:
    """One requirement: applicability, the rule's finding, freshness, then any waiver."""
    applies, why = applicability(req, pack.profile, as_of)
    if not applies:
        finding = Finding(req.full_id, Status.NOT_APPLICABLE, 0.0, why)
    else:
        finding = _evaluate(req, context, context.registry)
        if why != APPLIES:
            finding = Finding(finding.requirement, finding.status, finding.score,
                              _("{finding} [{applicability}]", finding=finding.summary,
                                applicability=why), finding.figures,
                              finding.proof, finding.children)
    finding, fresh = check_freshness(req, finding, pack, as_of)
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
    return RequirementResult(req, checklist.id, finding, underlying, why, waiver), fresh


def _evaluate(req: Requirement, context: EvaluationContext, registry: Registry) -> Finding:
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

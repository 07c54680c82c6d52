"""Stage 3, score: the measured results rolled up into the one ``Assessment`` every report
renders, with the data-quality notes read off the rules' own figures and the provenance that
lets a third party check the run.

``assess`` runs stages 2 and 3 together for callers that hold a loaded pack (tests, plugins'
own harnesses); ``audit.api`` runs every stage in turn.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence

from audit.assessment import Assessment, ChecklistRef, score_results
from audit.checklists import ChecklistLibrary
from audit.errors import UsageError
from audit.evidence.pack import EvidencePack
from audit.ledger import Ledger, RuleLedger, table_ledger
from audit.model import Checklist
from audit.pipeline.measure import Measured, measure
from audit.plugins import list_plugins
from audit.provenance import collect as collect_provenance
from audit.quality import data_notes
from audit.references import check_evidence_references
from audit.registry import Registry


def assess(pack: EvidencePack, checklists: Sequence[Checklist], library: ChecklistLibrary,
           registry: Registry, as_of: dt.date, scoring: str = "weighted",
           language: str = "en") -> Assessment:
    """Judge and score every requirement of ``checklists`` against ``pack`` as of ``as_of``
    (``language``: the language the findings were written in, recorded for the writers)."""
    check_scoring(scoring, registry)
    seen: set[str] = set()
    for c in checklists:
        if c.id in seen:
            raise UsageError(f"checklist '{c.id}' given twice")
        seen.add(c.id)
    check_evidence_references(pack, library, registry)
    measured = measure(pack, checklists, registry, as_of)
    engine = pack.started_engine
    if engine is not None:  # logs no rule scanned still owe their checks (one scan each)
        engine.validate_all()
    return score(measured, pack, checklists, library, registry, as_of, scoring, language)


def check_scoring(scoring: str, registry: Registry) -> None:
    if scoring not in registry.scoring_models:
        raise UsageError(f"unknown scoring model '{scoring}' (known: "
                         f"{', '.join(registry.scoring_models.ids())})")


def score(measured: Measured, pack: EvidencePack, checklists: Sequence[Checklist],
          library: ChecklistLibrary, registry: Registry, as_of: dt.date, scoring: str,
          language: str) -> Assessment:
    """The ``Assessment`` of measured results: scores, verdicts, notes, provenance."""
    scores = score_results(measured.results, registry.scoring_models.get(scoring))
    platform = {k: pack.profile.get(k) for k in ("name", "legal_name", "language")
                if pack.profile.get(k) is not None}
    waivers = [w for w in (r.waiver for r in measured.results) if w is not None]
    ledger = run_ledger(pack, measured.ledger)
    return Assessment(
        as_of=as_of, generated_at=generation_time(), platform=platform,
        checklists=[_ref(c, library) for c in checklists],
        results=list(measured.results), scoring_model=scoring, score=scores.score,
        score_without_waivers=scores.score_without_waivers, by_area=scores.by_area,
        by_jurisdiction=scores.by_jurisdiction, verdict=scores.verdict,
        verdict_without_waivers=scores.verdict_without_waivers,
        contributions=scores.contributions, evidence_files=list(pack.files), waivers=waivers, logs=_log_summary(pack),
        details=dict(measured.details), evidence=pack, sources=dict(measured.sources),
        freshness=list(measured.freshness), language=language,
        provenance=collect_provenance(checklists, library, pack, list_plugins()),
        # after the rules: the notes read their figures
        notes=data_notes(measured.results, pack, checklists, registry, ledger),
        ledger=ledger)


def _log_summary(pack: EvidencePack) -> dict[str, Mapping[str, object]]:
    engine = pack.started_engine
    if engine is None:
        return {}
    return {name: {"path": info.path, "rows": info.rows, "format": info.format,
                   "mappings": list(info.extra.get("mappings", []))}
            for name, info in engine.logs.items()}


def run_ledger(pack: EvidencePack, rules: Sequence[RuleLedger]) -> Ledger:
    """Each loaded table's ledger (its rows once validated, what its mapping set aside) and
    each log rule's, as its scan counted them."""
    engine = pack.started_engine
    if engine is None:
        return Ledger((), tuple(rules))
    tables = []
    for name, info in engine.logs.items():
        files = [f for m in info.extra.get("mappings", []) for f in m.get("files", [])]
        tables.append(table_ledger(name, files or [info.path], info.rows,
                                   info.extra.get("set_aside"), info.extra.get("file_rows")))
    return Ledger(tuple(tables), tuple(rules))


def generation_time() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, so that reruns write byte-identical reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since "
                             "1970-01-01") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


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

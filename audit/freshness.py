"""Evidence freshness: dated answers and documents older than a requirement allows are stale.

A checklist states ``evidence_max_age`` per requirement (or once per module). A finding that
rests on stale evidence is lowered, not given a new status: ``met`` becomes ``partial`` and the
score is capped at 0.5, with the reason in its summary and a :class:`FreshnessItem` in
``Assessment.freshness``. A new status would change the roll-up order, every scoring model, the
OSCAL mapping and the result schema 1.0 that consumers already read; lowering keeps all of
them valid while no report can miss it (docs/over-time.md explains the choice).

Every report also lists what goes stale within :data:`HORIZON_DAYS` days of the as-of date,
including documents judged by a ``document`` rule's own ``max_age``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from audit.durations import parse_duration
from audit.i18n import _
from audit.logs.tables import KNOWN_LOGS
from audit.model import Finding, Proof, Requirement, Status

if TYPE_CHECKING:  # pragma: no cover
    from audit.evidence.pack import EvidencePack

HORIZON_DAYS = 90
STALE = "stale"  # the evidence is older than allowed on the as-of date
DUE = "due"  # it will be within HORIZON_DAYS
LOWERED_SCORE = 0.5  # the most a finding resting on stale evidence can score


@dataclass(frozen=True)
class FreshnessItem:
    """One requirement whose newest dated evidence is stale, or will be soon."""

    requirement: str
    state: str  # STALE | DUE
    evidence: str  # the newest dated answer or document, as named in the proof
    dated: dt.date | None  # None: no piece of its evidence carries a date
    max_age: str
    stale_from: dt.date | None  # first day the evidence counts as stale

    def describe(self) -> str:
        if self.dated is None:
            return _("{evidence} carries no date, so its age ({max_age} allowed) cannot be "
                     "shown", evidence=self.evidence, max_age=self.max_age)
        if self.state == STALE:
            return _("{evidence} dated {dated} is older than {max_age} (stale since "
                     "{stale_from})", evidence=self.evidence, dated=self.dated,
                     max_age=self.max_age, stale_from=self.stale_from)
        return _("{evidence} dated {dated} goes stale on {stale_from} ({max_age} allowed)",
                 evidence=self.evidence, dated=self.dated, stale_from=self.stale_from,
                 max_age=self.max_age)


def _proofs(finding: Finding) -> Iterator[Proof]:
    yield from finding.proof
    for child in finding.children:
        yield from _proofs(child)


def newest_event(pack: EvidencePack, path: str) -> tuple[bool, dt.date | None]:
    """(is a log, date of its newest event): the first time column of a known log table,
    one aggregate query per log and run (cached on the pack)."""
    store = pack.started_engine
    if store is None:
        return False, None
    cache: dict[str, dt.date | None] = pack.__dict__.setdefault("_newest_event", {})
    if path in cache:
        return True, cache[path]
    name = next((n for n, info in store.logs.items() if info.path == path), None)
    if name is None:
        return False, None
    spec = KNOWN_LOGS.get(name)
    column = spec.ordered[0][0] if spec and spec.ordered else None
    day = None
    if column and column in store.columns(name):
        value = store.query(f'SELECT max("{column}") FROM {store.table(name)}')[0][0]
        day = value.date() if isinstance(value, dt.datetime) else value
    cache[path] = day
    return True, day


def dated_evidence(finding: Finding, pack: EvidencePack) -> list[tuple[str, dt.date | None]]:
    """The answers, documents and logs behind ``finding``, each with its date (a log's is its
    newest event; None when undated)."""
    answers = {a.location: a for a in pack.answers.values()}
    documents = dict(pack.documents)
    for key, record in pack.document_files.items():
        if key in pack.documents:
            documents[record.path] = pack.documents[key]
    out: dict[str, dt.date | None] = {}
    for proof in _proofs(finding):
        if proof.kind == "answer" and proof.ref in answers:
            out[proof.ref] = answers[proof.ref].date
        elif proof.kind == "document" and proof.ref in documents:
            out[proof.ref] = documents[proof.ref].date
        elif proof.kind == "log":
            is_log, day = newest_event(pack, proof.ref)
            if is_log and day is not None:
                out[proof.ref] = day
    return list(out.items())


def _newest(pieces: list[tuple[str, dt.date | None]]) -> tuple[str, dt.date | None]:
    dated = [(ref, day) for ref, day in pieces if day is not None]
    if not dated:
        return pieces[0][0], None
    return max(dated, key=lambda item: (item[1], item[0]))


def check(req: Requirement, finding: Finding, pack: EvidencePack,
          as_of: dt.date) -> tuple[Finding, FreshnessItem | None]:
    """Lower ``finding`` when its newest dated evidence is older than the requirement allows;
    report it when it goes stale within the horizon. Without a limit, only a ``document``
    rule's own ``max_age`` is looked at (for the horizon list, never to lower anything)."""
    if req.evidence_max_age is None:
        return finding, _document_rule_due(req, finding, as_of)
    pieces = dated_evidence(finding, pack)
    if not pieces or finding.status not in (Status.MET, Status.PARTIAL):
        return finding, None
    ref, day = _newest(pieces)
    limit = parse_duration(req.evidence_max_age)
    stale_from = None if day is None else limit.add_to(day) + dt.timedelta(days=1)
    if stale_from is not None and stale_from > as_of:
        if (stale_from - as_of).days <= HORIZON_DAYS:
            return finding, FreshnessItem(req.full_id, DUE, ref, day, str(limit), stale_from)
        return finding, None
    item = FreshnessItem(req.full_id, STALE, ref, day, str(limit), stale_from)
    lowered = Finding(finding.requirement, Status.PARTIAL, min(finding.score, LOWERED_SCORE),
                      _("{summary} [evidence stale: {reason}]", summary=finding.summary,
                        reason=item.describe()),
                      {**finding.figures, "stale_evidence": ref}, finding.proof,
                      finding.children)
    return lowered, item


def _document_rule_due(req: Requirement, finding: Finding,
                       as_of: dt.date) -> FreshnessItem | None:
    newest = finding.figures.get("newest") if req.rule.type == "document" else None
    max_age = req.rule.params.get("max_age")
    if not newest or not max_age or finding.status is not Status.MET:
        return None
    day = dt.date.fromisoformat(str(newest))
    limit = parse_duration(max_age)
    stale_from = limit.add_to(day) + dt.timedelta(days=1)
    if as_of < stale_from and (stale_from - as_of).days <= HORIZON_DAYS:
        ref = next((p.ref for p in finding.proof if p.kind == "document"), req.rule.params["kind"])
        return FreshnessItem(req.full_id, DUE, ref, day, str(limit), stale_from)
    return None


def freshness_lines(items: list[FreshnessItem]) -> list[str]:
    """One sentence per item, stale first, for the console and Markdown reports."""
    out = []
    for item in sorted(items, key=lambda i: (i.state != STALE, i.stale_from or dt.date.min,
                                             i.requirement)):
        if item.state == STALE:
            out.append(_("{requirement}: stale: {reason}", requirement=item.requirement,
                         reason=item.describe()))
        else:
            out.append(_("{requirement}: goes stale within {days} days: {reason}",
                         requirement=item.requirement, days=HORIZON_DAYS,
                         reason=item.describe()))
    return out

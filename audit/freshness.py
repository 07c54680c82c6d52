"""Evidence freshness: dated answers and documents older than a requirement allows are stale.

A checklist states ``evidence_max_age`` per requirement (or once per module): one duration for
the newest of all the dated evidence behind a finding, or one per kind of evidence
(``attestation``, ``document``, ``log``), each kind then judged on its own newest piece. The
bundled modules set ages per kind by default (:data:`DEFAULT_MAX_AGE`, docs/over-time.md says
why), so an attestation signed years ago cannot keep a requirement ``met``. A finding that
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
from typing import TYPE_CHECKING, Iterator, Mapping

from audit.durations import parse_duration
from audit.i18n import _
from audit.logs.plan import column_max, newest_column, settled
from audit.model import Finding, Proof, Requirement, Rule, Status

if TYPE_CHECKING:  # pragma: no cover
    from audit.evidence.pack import EvidencePack

HORIZON_DAYS = 90
# The bundled modules' defaults (checklists/**: ``evidence_max_age``); tests hold every module
# to them. An attestation is re-confirmed yearly, the usual audit cycle; a policy or procedure
# document is reviewed at least every two years. Logs are not aged by default: a quiet log is
# not old evidence, and deadline rules already judge only the events in their period.
DEFAULT_MAX_AGE = {"attestation": "12 months", "document": "24 months"}
# kind of evidence in ``evidence_max_age`` -> kind of proof in a finding (audit.model.Proof)
PROOF_KINDS = {"attestation": "answer", "document": "document", "log": "log"}
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
    column = newest_column(store, name)
    day = None
    if column:  # from the log's one pass (audit.logs.plan), planned with the rules
        value = settled(store, column_max(name, column))[0]
        day = value.date() if isinstance(value, dt.datetime) else value
    cache[path] = day
    return True, day


def dated_pieces(finding: Finding,
                 pack: EvidencePack) -> list[tuple[str, str, dt.date | None]]:
    """(proof kind, ref, date) of each answer, document and log behind ``finding``; a log's
    date is its newest event; None when undated."""
    answers = {a.location: a for a in pack.answers.values()}
    documents = dict(pack.documents)
    for key, record in pack.document_files.items():
        if key in pack.documents:
            documents[record.path] = pack.documents[key]
    out: dict[tuple[str, str], dt.date | None] = {}
    for proof in _proofs(finding):
        if proof.kind == "answer" and proof.ref in answers:
            out[(proof.kind, proof.ref)] = answers[proof.ref].date
        elif proof.kind == "document" and proof.ref in documents:
            out[(proof.kind, proof.ref)] = documents[proof.ref].date
        elif proof.kind == "log":
            is_log, day = newest_event(pack, proof.ref)
            if is_log and day is not None:
                out[(proof.kind, proof.ref)] = day
    return [(kind, ref, day) for (kind, ref), day in out.items()]


def dated_evidence(finding: Finding, pack: EvidencePack) -> list[tuple[str, dt.date | None]]:
    """The answers, documents and logs behind ``finding``, each with its date (a log's is its
    newest event; None when undated)."""
    return [(ref, day) for _kind, ref, day in dated_pieces(finding, pack)]


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
    limit = req.evidence_max_age
    if limit is None:
        return finding, _document_rule_due(req, finding, as_of)
    if not isinstance(limit, str):
        return _check_by_kind(req, finding, pack, as_of, limit)
    pieces = dated_evidence(finding, pack)
    if not pieces or finding.status not in (Status.MET, Status.PARTIAL):
        return finding, None
    ref, day = _newest(pieces)
    return _judge(req, finding, ref, day, limit, as_of)


def _judge(req: Requirement, finding: Finding, ref: str, day: dt.date | None, max_age: str,
           as_of: dt.date) -> tuple[Finding, FreshnessItem | None]:
    """The finding lowered when ``ref`` (dated ``day``) is older than ``max_age``; a ``due``
    item when it goes stale within the horizon; else unchanged."""
    limit = parse_duration(max_age)
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


def _check_by_kind(req: Requirement, finding: Finding, pack: EvidencePack, as_of: dt.date,
                   limits: Mapping[str, str]) -> tuple[Finding, FreshnessItem | None]:
    """Each kind of evidence with an age of its own is judged on its newest dated piece: one
    stale kind makes the finding stale. Undated pieces are left alone here (a default cannot
    ask for dates the pack never gave; one duration for all evidence does). A ``document``
    rule's own ``max_age`` replaces the default for the documents it judges."""
    if finding.status not in (Status.MET, Status.PARTIAL):
        return finding, None
    if _document_rule_ages(req.rule):
        limits = {kind: age for kind, age in limits.items() if kind != "document"}
    pieces = dated_pieces(finding, pack)
    judged: list[tuple[Finding, FreshnessItem]] = []
    for kind, max_age in sorted(limits.items()):
        dated: list[tuple[str, dt.date | None]] = [
            (ref, day) for proof_kind, ref, day in pieces
            if proof_kind == PROOF_KINDS.get(kind) and day is not None]
        if dated:
            ref, day = _newest(dated)
            lowered, item = _judge(req, finding, ref, day, max_age, as_of)
            if item is not None:
                judged.append((lowered, item))
    stale = [pair for pair in judged if pair[1].state == STALE]
    if stale:
        return min(stale, key=lambda pair: pair[1].stale_from or dt.date.min)
    if judged:
        return finding, min((item for _f, item in judged),
                            key=lambda item: item.stale_from or dt.date.min)
    return finding, _document_rule_due(req, finding, as_of)


def _document_rule_ages(rule: Rule) -> list[str]:
    """The ``max_age`` of every ``document`` rule in ``rule`` (nested ones included)."""
    if rule.type == "document":
        return [rule.params["max_age"]] if rule.params.get("max_age") else []
    ages = []
    for child in rule.params.get("rules") or []:
        params = {k: v for k, v in child.items() if k != "type"}
        ages += _document_rule_ages(Rule(child["type"], params))
    return ages


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

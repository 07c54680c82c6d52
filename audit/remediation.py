"""Remediation carried across runs: owner, due date, tracking status and comments typed into
the gap workbook (or kept in ``remediation.yaml``, or in a previous JSON result) are read back
by requirement id and carried into the next assessment.

Nothing typed is lost silently: an entry whose requirement is not in the new assessment is
listed in ``Assessment.remediation_dropped`` (shown in every report); a workbook of another
platform, a malformed id, a date that is not a date or an unknown tracking status stops the
run (exit 2) naming the sheet and cell. docs/over-time.md describes the formats.

This module holds the entries and how they carry into a new assessment; reading them from a
workbook, a plan or a JSON result is ``audit.remediation_read``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from audit.assessment import Assessment, DataNote
from audit.errors import EvidenceError, Problem
from audit.i18n import _

TRACKING_STATUSES = ("open", "in progress", "done", "accepted risk")
TYPED = ("owner", "due", "tracking", "comments")  # what people type
GAPS_SHEET = "Gaps"
CLOSED_SHEET = "Closed gaps"
HEADERS = {"requirement": ("id", "requirement id"), "owner": ("owner",),
           "due": ("due date", "due"), "tracking": ("tracking status", "tracking"),
           "comments": ("comments", "comment"), "closed_on": ("closed on", "first seen met")}
PROPERTY = "platform-audit."  # custom document properties written into the gap workbook
OPEN, CLOSED = "open", "closed"

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 forbids


@dataclass(frozen=True)
class RemediationEntry:
    """The tracking of one requirement's gap; ``state`` and ``closed_on`` are set on carry."""

    requirement: str
    owner: str | None = None
    due: dt.date | None = None
    tracking: str | None = None
    comments: str | None = None
    source: str = ""  # where it was read, e.g. "gaps.xlsx: Gaps!N5"
    state: str = OPEN  # OPEN while a gap; CLOSED once met (or no longer a gap)
    closed_on: dt.date | None = None  # as-of date of the first assessment that found it closed

    def typed(self) -> bool:
        return any(getattr(self, name) is not None for name in TYPED)

    def as_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "due": self.due.isoformat() if self.due else None,
                "tracking": self.tracking, "comments": self.comments, "state": self.state,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None,
                "source": self.source}


@dataclass
class Previous:
    """What a baseline says about remediation: entries, the gaps it listed, who it was for."""

    name: str
    entries: dict[str, RemediationEntry] = field(default_factory=dict)
    gaps: set[str] = field(default_factory=set)  # requirement ids that were gaps then
    platform: str | None = None
    platform_place: str = ""
    checklists: tuple[str, ...] = ()
    result: dict[str, Any] | None = None  # a workbook's Requirements sheet as a minimal result
    by_hand: bool = True  # a workbook or plan someone edits; False for a JSON result's record


@dataclass(frozen=True)
class Dropped:
    entry: RemediationEntry
    reason: str


def carry(a: Assessment, sources: Iterable[Previous]) -> Assessment:
    """``a`` with the carried entries: open while a gap, closed (with the first as-of date
    it was found closed) once not; entries for requirements not assessed now are dropped and
    listed, never lost silently.

    A workbook or plan (edited by people) replaces a JSON result's record of the same
    requirement, whose ``closed_on`` is kept; two edited sources that disagree on a field are
    an error naming both."""
    results = {r.requirement.full_id: r for r in a.results}
    merged: dict[str, RemediationEntry] = {}
    problems: list[Problem] = []
    gaps_then: set[str] = set()
    have_by_hand: dict[str, bool] = {}
    name = str(a.platform.get("name") or "")
    for prev in sources:
        # a workbook's properties hold the name without XML-forbidden control characters
        if prev.platform and name and _XML_FORBIDDEN.sub("", prev.platform) != _XML_FORBIDDEN.sub("", name):
            raise problem(prev.name, prev.platform_place,
                           f"baseline is for platform '{prev.platform}', this assessment for "
                           f"'{name}'")
        assessed = {c.id for c in a.checklists}
        if prev.checklists and not assessed & set(prev.checklists):
            raise problem(prev.name, "document properties",
                           f"baseline covers checklists {', '.join(prev.checklists)}; this "
                           f"assessment {', '.join(sorted(assessed))}: no tracking can carry")
        gaps_then |= prev.gaps
        for rid, entry in prev.entries.items():
            have = merged.get(rid)
            if have is not None and have_by_hand.get(rid) != prev.by_hand:
                first, second = (entry, have) if prev.by_hand else (have, entry)
                merged[rid] = dataclasses.replace(first, closed_on=first.closed_on
                                                  or second.closed_on)
                have_by_hand[rid] = True
                continue
            have_by_hand[rid] = prev.by_hand
            if have is not None:
                for key in (*TYPED, "closed_on"):
                    old, new = getattr(have, key), getattr(entry, key)
                    if old is not None and new is not None and old != new:
                        problems.append(Problem(entry.source, key, f"{rid}: {new!s} here but "
                                                                   f"{old!s} in {have.source}"))
                entry = dataclasses.replace(have, **{k: getattr(entry, k) for k in
                                                     (*TYPED, "closed_on")
                                                     if getattr(have, k) is None})
            merged[rid] = entry
    if problems:
        raise EvidenceError(problems=problems)
    for rid in gaps_then - set(merged):
        merged[rid] = RemediationEntry(rid, source=_("gap in the baseline"))
    out: dict[str, RemediationEntry] = {}
    dropped: list[Dropped] = []
    for rid, entry in sorted(merged.items()):
        result = results.get(rid)
        if result is None:
            if entry.typed():
                dropped.append(Dropped(entry, _(
                    "requirement not in this assessment")))
            continue
        if result.status.is_gap:
            out[rid] = dataclasses.replace(entry, state=OPEN, closed_on=None)
        else:
            out[rid] = dataclasses.replace(entry, state=CLOSED,
                                           closed_on=entry.closed_on or a.as_of)
    notes = list(a.notes)
    if dropped:
        notes.append(DataNote("remediation-dropped", severity="info", message=_(
            "Tracking not carried forward (requirement not assessed now): {ids}",
            ids=", ".join(f"{d.entry.requirement} ({d.entry.source})" for d in dropped))))
    return dataclasses.replace(a, remediation=out,
                               remediation_dropped=[*a.remediation_dropped, *dropped],
                               notes=notes)


def problem(name: str, place: str, message: str) -> EvidenceError:
    """The one-problem error of a baseline file (``name``, at ``place``)."""
    return EvidenceError(problems=[Problem(name, place, message)])


def write_plan(a: Assessment) -> str:
    """``remediation.yaml`` text of an assessment's tracking, for those who keep it in git."""
    rows = []
    for rid, entry in sorted(a.remediation.items()):
        row: dict[str, Any] = {"requirement": rid}
        for key in (*TYPED, "closed_on"):
            value = getattr(entry, key)
            if value is not None:
                row[key] = value
        rows.append(row)
    data = {"platform": a.platform.get("name"), "as_of": a.as_of, "remediation": rows}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

"""Names a hand-written file uses must exist: answers, waivers and reviews name requirements
and evidence keys, and a typo would otherwise turn into a silent ``no_evidence`` or a gap
nobody waived. Each unknown name is a located problem with the closest known name.
"""

from __future__ import annotations

import difflib

from audit.checklists import ChecklistLibrary
from audit.errors import EvidenceError, Problem
from audit.evidence.pack import EvidencePack
from audit.registry import Registry


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

"""A checklist module resolved against the module it ``extends``: inherited requirements,
``unselect`` and ``overrides`` applied, every citation checked against the sources in scope.

This is the only step that needs more than one module at a time, so it runs after every file
has been parsed on its own (:mod:`audit.checklist_parse`); a cycle or an unknown parent is a
problem of the module that names it.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from audit.checklist_parse import RawModule
from audit.durations import Duration, Unit, parse_duration
from audit.errors import Problem
from audit.model import (
    Area,
    Checklist,
    ChecklistStatus,
    Citation,
    Confidence,
    Requirement,
    Rule,
    Severity,
    Source,
    Unselected,
)
from audit.schemas.common import as_date


def resolve_all(raws: Mapping[str, RawModule]) -> tuple[dict[str, Checklist], list[Problem]]:
    resolved: dict[str, Checklist] = {}
    problems: list[Problem] = []

    def resolve(module_id: str, chain: tuple[str, ...]) -> Checklist | None:
        if module_id in resolved:
            return resolved[module_id]
        raw = raws[module_id]
        parent: Checklist | None = None
        parent_id = raw.data.get("extends")
        if parent_id:
            if parent_id in chain + (module_id,):
                cycle = " -> ".join(chain + (module_id, parent_id))
                problems.append(raw.doc.problem(("extends",), f"extends cycle: {cycle}"))
                return None
            if parent_id not in raws:
                problems.append(raw.doc.problem(("extends",), f"unknown module {parent_id!r}"))
                return None
            parent = resolve(parent_id, chain + (module_id,))
            if parent is None:
                return None
        checklist, found = build(raw, parent)
        problems.extend(found)
        if checklist is not None:
            resolved[module_id] = checklist
        return checklist

    for module_id in sorted(raws):
        resolve(module_id, ())
    return resolved, problems


def _source(data: Mapping[str, Any]) -> Source:
    return Source(
        id=data["id"], title=data["title"], url=data["url"],
        legal_ref=tuple(data.get("legal_ref") or ()),
        date=str(data["date"]) if data.get("date") else None,
        status=ChecklistStatus(data["status"]) if data.get("status") else None,
        note=data.get("note"))


def _requirement(data: Mapping[str, Any], module: Mapping[str, Any], origin: str) -> Requirement:
    severity = Severity(data["severity"])
    cit = data["citation"]
    return Requirement(
        id=data["id"], module=module["id"], jurisdiction=module["jurisdiction"],
        area=Area(data["area"]), title=data["title"],
        citation=Citation(cit["source"], cit["article"], cit.get("url"), cit.get("unnumbered")),
        severity=severity, weight=float(data.get("weight", severity.default_weight)),
        rule=Rule(data["rule"]["type"], {k: v for k, v in data["rule"].items() if k != "type"}),
        remediation=data["remediation"], refs=tuple(data.get("refs") or ()),
        applies_if=data.get("applies_if"), description=data.get("description"),
        question=data.get("question"), theme=data.get("theme"),
        confidence=Confidence(data.get("confidence", "high")),
        status=ChecklistStatus(data.get("status", module["status"])),
        note=data.get("note"), origin=origin,
        effective_from=as_date(data["effective_from"]) if data.get("effective_from") else None,
        effective_until=as_date(data["effective_until"]) if data.get("effective_until") else None,
        evidence_max_age=_max_age(data.get("evidence_max_age"), module.get("evidence_max_age")))


def _max_age(own: Any, default: Any) -> str | dict[str, str] | None:
    """A requirement's ``evidence_max_age`` over its module's: one duration replaces the
    other; ages per kind of evidence are merged, the requirement's winning per kind."""
    if isinstance(own, dict) and isinstance(default, dict):
        return {**default, **own}
    return own or default or None


def _as_data(req: Requirement) -> dict[str, Any]:
    """A requirement back as checklist data, so an override can be merged field by field."""
    out: dict[str, Any] = {
        "id": req.id, "area": req.area.value, "title": req.title,
        "citation": {"source": req.citation.source, "article": req.citation.article,
                     **({"url": req.citation.url} if req.citation.url else {}),
                     **({"unnumbered": req.citation.unnumbered}
                        if req.citation.unnumbered else {})},
        "severity": req.severity.value, "rule": {"type": req.rule.type, **req.rule.params},
        "remediation": req.remediation, "refs": list(req.refs),
        "confidence": req.confidence.value, "status": req.status.value,
    }
    if req.weight != req.severity.default_weight:
        out["weight"] = req.weight
    for name in ("applies_if", "description", "question", "theme", "note", "effective_from",
                 "effective_until", "evidence_max_age"):
        if getattr(req, name) is not None:
            out[name] = getattr(req, name)
    return out


def build(raw: RawModule, parent: Checklist | None) -> tuple[Checklist | None, list[Problem]]:
    data, doc = raw.data, raw.doc
    problems: list[Problem] = []
    sources = dict(parent.sources) if parent else {}
    sources.update({s["id"]: _source(s) for s in data["sources"]})
    module = dict(data)
    inherited: dict[str, tuple[dict[str, Any], str]] = {}
    if parent:
        for req in parent.requirements:
            inherited[req.id] = (_as_data(req), req.origin or parent.id)
        unselected = []
        for i, item in enumerate(data.get("unselect") or []):
            if item["id"] not in inherited:
                problems.append(doc.problem(("unselect", i, "id"),
                                            f"{parent.id!r} has no requirement {item['id']!r}"))
                continue
            inherited.pop(item["id"])
            unselected.append(Unselected(item["id"], item["reason"]))
        for i, item in enumerate(data.get("overrides") or []):
            if item["id"] not in inherited:
                problems.append(doc.problem(("overrides", i, "id"),
                                            f"{parent.id!r} has no requirement {item['id']!r} "
                                            "(or it was unselected)"))
                continue
            base, _origin = inherited[item["id"]]
            # An inherited requirement keeps its legal status (its source did not change)
            # unless the override says otherwise.
            merged = {**base, **item}
            if "rule" in item and "title" not in item:
                merged["title"] = title_following_rule(base["title"], base["rule"],
                                                       item["rule"])
            inherited[item["id"]] = (merged, data["id"])
    else:
        unselected = []
    entries: list[tuple[tuple[Any, ...], dict[str, Any], str]] = []
    for rid, (req_data, origin) in inherited.items():
        index = next((i for i, o in enumerate(data.get("overrides") or []) if o["id"] == rid), None)
        entries.append((("overrides", index) if index is not None else ("extends",), req_data, origin))
    for i, req in enumerate(data["requirements"]):
        if req["id"] in inherited:
            problems.append(doc.problem(("requirements", i, "id"),
                                        f"{req['id']!r} is inherited from {parent.id!r}; "  # type: ignore[union-attr]
                                        "change it under 'overrides' instead"))
            continue
        entries.append((("requirements", i), req, data["id"]))
    requirements = []
    for place, req_data, origin in entries:
        cit = req_data["citation"]["source"]
        if cit not in sources:
            at = place + ("citation", "source") if place[0] != "extends" else place
            problems.append(doc.problem(at, f"cites unknown source {cit!r} "
                                            f"(sources: {', '.join(sorted(sources)) or 'none'})"))
            continue
        requirements.append(_requirement(req_data, module, origin))
    if problems:
        return None, problems
    return Checklist(
        id=data["id"], jurisdiction=data["jurisdiction"], title=data["title"],
        version=data["version"], status=ChecklistStatus(data["status"]), sources=sources,
        requirements=tuple(requirements), path=doc.file, owner=raw.owner,
        language=data.get("language", "en"), extends=data.get("extends"),
        unselected=tuple(unselected), description=data.get("description"),
        provider=data.get("provider"),
        reviewed=as_date(data["reviewed"]) if data.get("reviewed") else None,
        legal_rows=tuple(data.get("legal_rows") or ())), []



# how a clock may be written in a title, and how the new one is written in its place
_UNIT_IN_TITLE = {Unit.MINUTES: r"(?:minutes?|mins?)", Unit.HOURS: r"(?:hours?|hrs?|h)",
                  Unit.DAYS: r"(?:calendar\s+)?days?",
                  Unit.BUSINESS_DAYS: r"(?:business|working)\s+days?",
                  Unit.WEEKS: r"weeks?", Unit.MONTHS: r"months?", Unit.YEARS: r"years?"}
_UNIT_WORDS = {Unit.MINUTES: "minute", Unit.HOURS: "hour", Unit.DAYS: "day",
               Unit.BUSINESS_DAYS: "business day", Unit.WEEKS: "week", Unit.MONTHS: "month",
               Unit.YEARS: "year"}


def _clock(rule: object) -> Duration | None:
    """A rule's clock in force last (``within``, or its last version's), if it has one."""
    if not isinstance(rule, Mapping):
        return None
    versions = rule.get("versions")
    within = (versions[-1].get("within") if isinstance(versions, list) and versions
              and isinstance(versions[-1], Mapping) else rule.get("within"))
    try:
        return None if within is None else parse_duration(within)
    except ValueError:
        return None  # the rule's own validation reports it, at its place


def title_following_rule(title: str, parent_rule: object, rule: object) -> str:
    """The inherited ``title`` of a requirement whose rule an override replaced: when the
    title names the parent's clock (``within 72 hours``) and the new rule has another one,
    the title names the new clock (``within 48 hours``), so a report never shows the
    parent's clock beside a finding measured against the new one. Otherwise unchanged."""
    old, new = _clock(parent_rule), _clock(rule)
    if old is None or new is None or old == new:
        return title
    pattern = re.compile(rf"\b{old.amount}[\s-]*{_UNIT_IN_TITLE[old.unit]}\b", re.IGNORECASE)
    word = _UNIT_WORDS[new.unit] + ("" if new.amount == 1 else "s")
    return pattern.sub(f"{new.amount} {word}", title, count=1)

"""One checklist module file read and checked on its own, before any other module is known.

Everything that can be said about a file without its parent module is said here: the schema,
duplicate source and requirement ids, ``applies_if`` conditions, rule parameters and
``evidence_max_age`` durations. The result (a :class:`RawModule`) is what the per-user cache
(:mod:`audit.checklist_cache`) stores; resolving ``extends`` against other modules is
:mod:`audit.checklist_resolve`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from audit.conditions import validate_condition
from audit.errors import Problem
from audit.evaluators.base import duration_check, validate_rule
from audit.registry import Registry
from audit.schemas.checklist import CHECKLIST
from audit.schemas.common import validate
from audit.yamlio import PathKey, YamlDocument, YamlProblem, load_yaml


@dataclass(frozen=True)
class RawModule:
    """A module file that passed every check made on it alone, with the plugin that owns it."""

    doc: YamlDocument
    owner: str
    source: Path | None = None  # the file it was read from

    @property
    def data(self) -> Mapping[str, Any]:
        data: Mapping[str, Any] = self.doc.data
        return data

    @property
    def id(self) -> str:
        return str(self.data["id"])


def display_path(path: Path) -> str:
    """``path`` as problems name it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_module(path: Path, owner: str, registry: Registry,
                 display: str | None = None) -> tuple[RawModule | None, list[Problem]]:
    """Parse and check one module on its own (everything but cross-module references)."""
    try:
        doc = load_yaml(path, display or display_path(path))
    except YamlProblem as exc:
        return None, [exc.problem]
    problems = [doc.problem(p, m) for p, m in validate(doc.data, CHECKLIST)]
    if problems:
        return None, problems
    data = doc.data
    seen: dict[str, int] = {}
    for i, src in enumerate(data["sources"]):
        if src["id"] in seen:
            problems.append(doc.problem(("sources", i, "id"),
                                        f"duplicate source id {src['id']!r} (first at sources[{seen[src['id']]}])"))
        seen.setdefault(src["id"], i)
    seen = {}
    for section in ("requirements", "overrides"):
        for i, req in enumerate(data.get(section) or []):
            base = (section, i)
            if section == "requirements":
                if req["id"] in seen:
                    problems.append(doc.problem(base + ("id",), f"duplicate requirement id "
                                                                f"{req['id']!r} (first at requirements[{seen[req['id']]}])"))
                seen.setdefault(req["id"], i)
            if "applies_if" in req:
                problems += [doc.problem(p, m) for p, m in
                             validate_condition(req["applies_if"], base + ("applies_if",))]
            if "rule" in req:
                problems += [doc.problem(p, m) for p, m in
                             validate_rule(req["rule"], base + ("rule",), registry)]
            problems += _max_age_problems(doc, base, req.get("evidence_max_age"))
    problems += _max_age_problems(doc, (), data.get("evidence_max_age"))
    if data.get("unselect") and not data.get("extends"):
        problems.append(doc.problem(("unselect",), "only a module that extends another can "
                                                   "unselect requirements"))
    if data.get("overrides") and not data.get("extends"):
        problems.append(doc.problem(("overrides",), "only a module that extends another can "
                                                    "override requirements"))
    return (None if problems else RawModule(doc, owner, path)), problems


def _max_age_problems(doc: YamlDocument, base: PathKey, value: object) -> list[Problem]:
    """``evidence_max_age`` (one duration, or one per kind of evidence) must be durations the
    freshness check can add to a date; the schema has already checked the types and kinds."""
    at = base + ("evidence_max_age",)
    if isinstance(value, str):
        pieces = [(at, value)]
    elif isinstance(value, dict):
        pieces = [(at + (kind,), age) for kind, age in value.items() if isinstance(age, str)]
    else:
        return []
    return [doc.problem(path, message) for path, age in pieces
            if (message := duration_check(age))]

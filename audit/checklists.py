"""Load, validate and resolve checklist modules.

Loading is all-or-nothing: every module of every plugin is parsed and checked, every problem is
collected (file, line, YAML path, message), and only a clean set is resolved. A half-loaded
catalogue would let an assessment silently skip requirements.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from audit.conditions import validate_condition
from audit.errors import ChecklistError, PluginError, Problem, UsageError
from audit.evaluators.base import validate_rule
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
from audit.registry import Registry
from audit.schemas.checklist import CHECKLIST
from audit.schemas.common import as_date, validate
from audit.yamlio import YamlDocument, YamlProblem, load_yaml


@dataclass
class RawModule:
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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def module_files(directory: Path) -> list[Path]:
    from audit.translations import is_translation_file

    return sorted(p for p in directory.rglob("*.yaml")
                  if p.is_file() and not is_translation_file(p))


def parse_module(path: Path, owner: str, registry: Registry,
                 display: str | None = None) -> tuple[RawModule | None, list[Problem]]:
    """Parse and check one module on its own (everything but cross-module references)."""
    try:
        doc = load_yaml(path, display or _display(path))
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
            if isinstance(req.get("evidence_max_age"), str):
                problems += _max_age_problems(doc, base, req["evidence_max_age"])
    if isinstance(data.get("evidence_max_age"), str):
        problems += _max_age_problems(doc, (), data["evidence_max_age"])
    if data.get("unselect") and not data.get("extends"):
        problems.append(doc.problem(("unselect",), "only a module that extends another can "
                                                   "unselect requirements"))
    if data.get("overrides") and not data.get("extends"):
        problems.append(doc.problem(("overrides",), "only a module that extends another can "
                                                    "override requirements"))
    return (None if problems else RawModule(doc, owner, path)), problems


def _max_age_problems(doc: Any, base: tuple[Any, ...], value: str) -> list[Problem]:
    """``evidence_max_age`` must be a duration the freshness check can add to a date."""
    from audit.evaluators.base import duration_check

    message = duration_check(value)
    return [doc.problem(base + ("evidence_max_age",), message)] if message else []


class ChecklistLibrary:
    """Every checklist module the installed plugins provide, validated and resolved.

    Modules from local files and folders (``--checklist PATH``, ``AUDIT_CHECKLIST_PATH``, a
    pack's ``audit.yaml``) are part of it too; ``files`` maps each module id to its file so a
    path given on the command line selects the modules that file or folder holds.
    """

    def __init__(self, modules: Mapping[str, Checklist],
                 files: Mapping[str, Path] | None = None) -> None:
        self._modules = dict(modules)
        self._files = dict(files or {})

    def from_path(self, path: Path) -> list[Checklist]:
        """The modules defined in ``path`` (a module file, or every module under a folder)."""
        target = path.resolve()
        return [self._modules[mid] for mid in self.ids()
                if mid in self._files and (self._files[mid] == target
                                           or self._files[mid].is_relative_to(target))]

    def ids(self) -> list[str]:
        return sorted(self._modules)

    def all(self) -> list[Checklist]:
        return [self._modules[k] for k in self.ids()]

    def get(self, module_id: str) -> Checklist:
        try:
            return self._modules[module_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(module_id, self.ids(), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else " (see 'audit checklists list')"
            raise UsageError(f"unknown checklist '{module_id}'{hint}") from None


BUNDLED_OWNER = "audit.default_plugins.checklists"
LOCAL_OWNER = "local"  # modules from the user's own files and folders, not from a plugin


def _collect(registry: Registry, clashes: list[str] | None = None,
             local: Sequence[Path] = ()) -> tuple[dict[str, RawModule], list[Problem]]:
    """Parse every registered module, then the ``local`` files and folders (after the
    installed ones, so a local module may extend an installed one); ``clashes`` collects ids
    two plugins both define."""
    clashes = [] if clashes is None else clashes
    raws: dict[str, RawModule] = {}
    problems: list[Problem] = []
    files: list[tuple[Path, str]] = []
    for directory, owner in registry.checklist_dirs:
        if not directory.is_dir():
            problems.append(Problem(f"plugin '{owner}'", "", f"checklist directory {directory} "
                                                             "does not exist"))
            continue
        files += [(p, owner) for p in module_files(directory)]
    seen_files = {p.resolve() for p, _owner in files}
    for item in local:
        for path in (module_files(item) if item.is_dir() else [item]):
            if path.resolve() not in seen_files:  # a file named twice is read once
                seen_files.add(path.resolve())
                files.append((path, LOCAL_OWNER))
    from functools import partial

    from audit.checklist_cache import cached_parse

    for path, owner in files:
        display = _display(path)
        raw, found = cached_parse(path, owner, registry, display,
                                  partial(parse_module, path, owner, registry, display))
        # A third-party module's problem names its plugin: the user may not know where the
        # file came from, and the fix belongs to the plugin's author.
        if owner not in (BUNDLED_OWNER, "command line", LOCAL_OWNER):
            found = [Problem(p.file, p.place, f"{p.message} [plugin '{owner}']", p.line)
                     for p in found]
        problems += found
        if raw is None:
            continue
        if raw.id in raws:
            first = raws[raw.id]
            if LOCAL_OWNER in (owner, first.owner):
                # the user's own file clashes: their input to fix (exit 2), not a plugin's
                problems.append(raw.doc.problem(("id",), f"module id {raw.id!r} is already "
                                                         f"defined in {first.doc.file}; give "
                                                         "this module another id"))
                continue
            problems.append(raw.doc.problem(("id",), f"module id {raw.id!r} is already defined "
                                                     f"in {first.doc.file} (plugin '{first.owner}'; "
                                                     f"this one from '{owner}')"))
            clashes.append(raw.id)
            continue
        raws[raw.id] = raw
    return raws, problems


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
        evidence_max_age=data.get("evidence_max_age") or module.get("evidence_max_age"))


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
            inherited[item["id"]] = ({**base, **item}, data["id"])
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


_LIBRARY: dict[tuple[int, tuple[tuple[str, str], ...]], ChecklistLibrary] = {}


def load_library(registry: Registry, local: Sequence[Path] = ()) -> ChecklistLibrary:
    """Every module from every plugin, from the folders of ``AUDIT_CHECKLIST_PATH`` and from
    ``local`` files and folders; or ``ChecklistError`` listing every problem."""
    from audit.checklist_paths import env_checklist_path, fingerprint

    local = [*env_checklist_path(), *local]
    key = (id(registry), fingerprint(local))
    cached = _LIBRARY.get(key)
    if cached is not None:
        return cached
    clashes: list[str] = []
    raws, problems = _collect(registry, clashes=clashes, local=local)
    if not problems:
        resolved, problems = resolve_all(raws)
    if not problems:
        # the user's own modules get the rule-name check `checklists validate` gives them
        # (bundled and plugin modules had it before they shipped); only local ones, to stay cheap
        from audit.vocabulary_check import rule_name_problems

        for raw in raws.values():
            if raw.owner == LOCAL_OWNER:
                problems += rule_name_problems(raw.doc, registry)
    if problems:
        # two plugins claiming one module id is a plugin error (exit 3), like any id clash
        raise (PluginError if clashes else ChecklistError)(problems=problems)
    files = {mid: raw.source.resolve() for mid, raw in raws.items() if raw.source}
    library = ChecklistLibrary(resolved, files)
    _LIBRARY.clear()
    _LIBRARY[key] = library
    return library


def validate_files(paths: Iterable[Path], registry: Registry) -> list[Problem]:
    """Check the given files (or every ``*.yaml`` under given directories) as a plugin author
    would before publishing: each file alone, then ``extends`` against the installed modules."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += module_files(path)
        elif path.exists():
            files.append(path)
        else:
            return [Problem(str(path), "", "no such file or directory")]
    own_ids: set[str] = set()
    problems: list[Problem] = []
    raws: dict[str, RawModule] = {}
    for path in files:
        raw, found = parse_module(path, "command line", registry)
        problems += found
        if raw is not None:
            if raw.id in own_ids:
                problems.append(raw.doc.problem(("id",), f"module id {raw.id!r} given twice"))
                continue
            own_ids.add(raw.id)
            raws[raw.id] = raw
    if problems:
        return problems
    from audit.checklist_paths import env_checklist_path

    # the files under test are checked against what `assess` would load beside them: the
    # installed modules and AUDIT_CHECKLIST_PATH (their own problems are not the files')
    installed, _ = _collect(registry, local=env_checklist_path())
    own_paths = {raw.source.resolve() for raw in raws.values() if raw.source}
    for module_id, raw in installed.items():
        if raw.source and raw.source.resolve() in own_paths:
            continue
        if module_id in raws:
            problems.append(raws[module_id].doc.problem(
                ("id",), f"module id {module_id!r} is already defined in {raw.doc.file}; give "
                         "this module another id"))
            continue
        raws[module_id] = raw
    if problems:
        return problems
    _resolved, problems = resolve_all(raws)
    own_files = {raw.doc.file for mid, raw in raws.items() if mid in own_ids}
    for module_id in sorted(own_ids):
        from audit.vocabulary_check import rule_name_problems

        problems += rule_name_problems(raws[module_id].doc, registry)
    return [p for p in problems if p.file in own_files]


"""The checklist library: every module of every plugin and of the user's own folders, loaded
together, and the check a plugin author runs before publishing (``validate_files``).

Loading is all-or-nothing: every module of every plugin is parsed and checked, every problem is
collected (file, line, YAML path, message), and only a clean set is resolved. A half-loaded
catalogue would let an assessment silently skip requirements.
"""

from __future__ import annotations

import difflib
from functools import partial
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from audit.checklist_cache import cached_parse
from audit.checklist_files import (env_checklist_path, fingerprint, module_files,
                                   module_path_problem)
from audit.checklist_parse import RawModule, display_path, parse_module
from audit.checklist_resolve import resolve_all
from audit.errors import ChecklistError, PluginError, Problem, UsageError
from audit.model import Checklist
from audit.registry import Registry
from audit.vocabulary_check import rule_name_problems


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
    for path, owner in files:
        display = display_path(path)
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


_LIBRARY: dict[tuple[int, tuple[tuple[str, str], ...]], ChecklistLibrary] = {}


def forget_library() -> None:
    """Drop the library kept from the last load, so the next ``load_library`` reads every
    module again (after the plugins loaded have changed)."""
    _LIBRARY.clear()


def load_library(registry: Registry, local: Sequence[Path] = ()) -> ChecklistLibrary:
    """Every module from every plugin, from the folders of ``AUDIT_CHECKLIST_PATH`` and from
    ``local`` files and folders; or ``ChecklistError`` listing every problem."""
    local = [*env_checklist_path(), *local]
    refused = [Problem(str(p), "", why) for p in local if (why := module_path_problem(p))]
    if refused:  # before anything reads them: a FIFO would block, /dev/zero never end
        raise ChecklistError(problems=refused)
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
        problems += rule_name_problems(raws[module_id].doc, registry)
    return [p for p in problems if p.file in own_files]


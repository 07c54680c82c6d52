"""Checklist modules from the user's own files and folders, not only from plugins.

Three ways in, all feeding ``audit.checklists.load_library``: a path given to ``--checklist``
(a module file, or a folder whose modules are all assessed), the folders of
``AUDIT_CHECKLIST_PATH`` (separated like ``PATH``; read by :mod:`audit.checklist_files`), and
``checklist_path`` in a pack's ``audit.yaml``. Local modules are validated exactly like
installed ones and may ``extends`` them; see docs/own-checklists.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from audit.checklist_files import env_checklist_path, module_files, module_path_problem
from audit.checklists import ChecklistLibrary, load_library
from audit.errors import ChecklistError, Problem, UsageError
from audit.limits import MAX_CHECKLIST_PATHS
from audit.model import Checklist
from audit.registry import Registry
from audit.schemas.common import PathKey, validate
from audit.schemas.config import CONFIG_FILE, PACK_CONFIG
from audit.yamlio import YamlProblem, load_yaml

MODULE_SUFFIXES = (".yaml", ".yml")


def pack_checklist_path(evidence: Sequence[Path], given: Sequence[Path] = ()) -> list[Path]:
    """Files and folders named by ``checklist_path`` in each pack directory's ``audit.yaml``.

    A pack may name module files and folders inside itself only: what else on this disk is
    read is for the person running the audit to say, with ``-c`` or ``AUDIT_CHECKLIST_PATH``
    (``given``, and the variable's folders, may hold what a pack names). Each entry is a
    regular file or a folder (a FIFO or ``/dev/zero`` is refused before it is opened), and
    a folder's walk is bounded (docs/limits.md)."""
    out: list[Path] = []
    problems: list[Problem] = []
    allowed = [p.resolve() for p in [*given, *env_checklist_path()]]
    for root in evidence:
        config = root / CONFIG_FILE
        if not (root.is_dir() and config.is_file()):
            continue
        if not config.resolve().is_relative_to(root.resolve()):
            raise ChecklistError(problems=[Problem(str(config), "", (
                "a link to a file outside the pack; a pack's settings must be a file inside "
                "it"))])
        try:
            doc = load_yaml(config, str(config))
        except YamlProblem as exc:
            raise ChecklistError(problems=[exc.problem]) from None
        if doc.data is None:  # an empty file sets nothing
            continue
        found = [doc.problem(p, m) for p, m in (_count_problems(doc.data)
                                                 or validate(doc.data, PACK_CONFIG))]
        for i, item in enumerate([] if found else doc.data.get("checklist_path") or []):
            target = root / item
            why = (f"no such file or folder {target}" if not target.exists()
                   else module_path_problem(target) or _outside_problem(target, root, allowed))
            if why:
                found.append(doc.problem(("checklist_path", i), why))
            else:
                out.append(target)
        problems += found
    if problems:
        raise ChecklistError(problems=problems)
    return out


def _count_problems(data: object) -> list[tuple[PathKey, str]]:
    """More entries than a pack may list, said before the schema checks each one."""
    entries = data.get("checklist_path") if isinstance(data, dict) else None
    if isinstance(entries, list) and len(entries) > MAX_CHECKLIST_PATHS:
        return [(("checklist_path",), f"{len(entries):,} entries; a pack may list at most "
                                      f"{MAX_CHECKLIST_PATHS:,} (docs/limits.md)")]
    return []


def _outside_problem(target: Path, root: Path, allowed: Sequence[Path]) -> str | None:
    """Why a module file or folder a pack names lies outside what it may name, or None: every
    file, once links are followed, inside the pack or under a path the person running the
    audit gave."""
    inside = [root.resolve(), *allowed]

    def outside(path: Path) -> bool:
        return not any(path.resolve().is_relative_to(base) for base in inside)

    if outside(target):  # before walking it: `/` is refused at once
        files = [target]
    else:
        files = [target, *(module_files(target) if target.is_dir() else [])]
    for path in files:
        if outside(path):
            shown = str(target) if path == target else f"{path} (a link in {target})"
            return (f"{shown} is outside the pack; a pack may name module files and folders "
                    "inside itself, others are added by whoever runs the audit (-c PATH or "
                    "AUDIT_CHECKLIST_PATH)")
    return None


def is_path_spec(spec: str) -> bool:
    """A ``--checklist`` value names a file or folder (not a module id) when it exists as one,
    contains a path separator or ends like a module file; module ids have none of these."""
    return (Path(spec).exists() or "/" in spec or os.sep in spec
            or spec.lower().endswith(MODULE_SUFFIXES))


def select_checklists(specs: Sequence[str], registry: Registry,
                      local: Sequence[Path] = ()) -> tuple[ChecklistLibrary, list[Checklist]]:
    """The library (installed, ``AUDIT_CHECKLIST_PATH``, ``local`` and the paths among
    ``specs``) and the modules ``specs`` select, in order: an id selects one module, a file
    the module it defines, a folder every module under it."""
    paths: list[Path] = []
    for spec in specs:
        if is_path_spec(spec):
            path = Path(spec)
            if not path.exists():
                raise UsageError(f"checklist file or folder {spec} does not exist")
            paths.append(path)
    library = load_library(registry, [*local, *paths])
    chosen: list[Checklist] = []
    for spec in specs:
        if is_path_spec(spec):
            found = library.from_path(Path(spec))
            if not found:
                raise UsageError(f"{spec} holds no checklist module (*.yaml)")
            chosen += found
        else:
            chosen.append(library.get(spec))
    ids = [c.id for c in chosen]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise UsageError(f"checklist '{repeated[0]}' given twice")
    return library, chosen

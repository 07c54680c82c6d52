"""Checklist files on disk: which YAML files are modules, which are their translations, and
which folders ``AUDIT_CHECKLIST_PATH`` adds.

The loader (:mod:`audit.checklists`) must skip translation files when it lists a folder's
modules, and the translations (:mod:`audit.translations`) must find the files beside a module;
both read the file naming from here, below them, so neither has to import the other to know it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from audit.errors import ChecklistError, Problem, UsageError
from audit.limits import MAX_MODULE_DEPTH, MAX_MODULE_FOLDER_ENTRIES, MAX_YAML_BYTES

ENV_VAR = "AUDIT_CHECKLIST_PATH"
# ``iq.law.ar.yaml``: the ``ar`` translation of module ``iq.law`` (when ``iq.law.yaml`` is beside it)
TRANSLATION_NAME = re.compile(r"^(?P<module>.+)\.(?P<lang>[a-z]{2,3}(_[A-Z]{2})?)\.yaml$")


def is_translation_file(path: Path) -> bool:
    """``iq.law.ar.yaml`` beside ``iq.law.yaml`` is a translation, not a module."""
    m = TRANSLATION_NAME.match(path.name)
    return m is not None and path.with_name(f"{m.group('module')}.yaml").is_file()


def module_files(directory: Path) -> list[Path]:
    """Every checklist module under ``directory`` (translation files left out), sorted.

    The walk is bounded (docs/limits.md): it looks at no more than
    ``MAX_MODULE_FOLDER_ENTRIES`` files and folders and goes no deeper than
    ``MAX_MODULE_DEPTH`` levels, so a folder such as ``/`` is refused in moments rather than
    walked; a ``.yaml`` that is not a regular file (a FIFO, a device) is not a module."""
    found: list[Path] = []
    seen = 0
    for top, dirs, files in os.walk(directory, followlinks=True):
        here = Path(top)
        seen += len(dirs) + len(files)
        if seen > MAX_MODULE_FOLDER_ENTRIES:
            raise ChecklistError(problems=[Problem(str(directory), "", (
                f"holds more than {MAX_MODULE_FOLDER_ENTRIES:,} files and folders; a module "
                "folder is read only up to that (docs/limits.md)"))])
        if dirs and len(here.relative_to(directory).parts) >= MAX_MODULE_DEPTH:
            raise ChecklistError(problems=[Problem(str(here / sorted(dirs)[0]), "", (
                f"more than {MAX_MODULE_DEPTH} folders below {directory}; module folders are "
                "walked that deep only (docs/limits.md)"))])
        dirs.sort()
        found += [here / f for f in files if f.endswith(".yaml") and is_regular(here / f)]
    return sorted(p for p in found if not is_translation_file(p))


def is_regular(path: Path) -> bool:
    """A regular file once links are followed: never a FIFO, socket or device, which could
    block a read for ever or never end (``/dev/zero``)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def module_path_problem(path: Path) -> str | None:
    """Why ``path`` (given as a module file or folder) cannot be read as one, or None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a missing path is reported where it was given
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return "not a regular file or folder (a FIFO or a device is never a module)"
    if path.stat().st_size > MAX_YAML_BYTES:
        return (f"file is {path.stat().st_size:,} bytes; YAML inputs are limited to "
                f"{MAX_YAML_BYTES:,}")
    return None


def env_checklist_path() -> list[Path]:
    """The folders named by ``AUDIT_CHECKLIST_PATH``; a missing one is an error, not a skip
    (a typo would otherwise drop the user's modules without a word)."""
    value = os.environ.get(ENV_VAR, "")
    folders = [Path(part) for part in value.split(os.pathsep) if part.strip()]
    problems = [Problem(ENV_VAR, "", f"no such folder {folder}") for folder in folders
                if not folder.is_dir()]
    if problems:
        raise UsageError(problems=problems)
    return folders


def fingerprint(local: Sequence[Path]) -> tuple[tuple[str, str], ...]:
    """Local files by path and content: a module edited between two ``audit.assess`` calls
    in one notebook must be read again, not served from the cache."""
    out = []
    for item in local:
        for path in (module_files(item) if item.is_dir() else [item]):
            try:
                digest = ("" if module_path_problem(path)
                          else hashlib.sha256(path.read_bytes()).hexdigest())
            except OSError:
                digest = ""  # reported when the file is parsed
            out.append((str(path.resolve()), digest))
    return tuple(out)

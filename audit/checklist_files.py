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
from collections.abc import Sequence
from pathlib import Path

from audit.errors import Problem, UsageError

ENV_VAR = "AUDIT_CHECKLIST_PATH"
# ``iq.law.ar.yaml``: the ``ar`` translation of module ``iq.law`` (when ``iq.law.yaml`` is beside it)
TRANSLATION_NAME = re.compile(r"^(?P<module>.+)\.(?P<lang>[a-z]{2,3}(_[A-Z]{2})?)\.yaml$")


def is_translation_file(path: Path) -> bool:
    """``iq.law.ar.yaml`` beside ``iq.law.yaml`` is a translation, not a module."""
    m = TRANSLATION_NAME.match(path.name)
    return m is not None and path.with_name(f"{m.group('module')}.yaml").is_file()


def module_files(directory: Path) -> list[Path]:
    """Every checklist module under ``directory`` (translation files left out), sorted."""
    return sorted(p for p in directory.rglob("*.yaml")
                  if p.is_file() and not is_translation_file(p))


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
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = ""  # reported when the file is parsed
            out.append((str(path.resolve()), digest))
    return tuple(out)

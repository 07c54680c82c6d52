"""Stage 1, load: resolve what is asked for, then read the evidence.

``prepare`` checks everything that can be checked before the (possibly long) log loading:
the evidence inputs are given, the checklists resolve (ids, module files, folders, plus
``AUDIT_CHECKLIST_PATH`` and the pack's ``audit.yaml``), the scoring model is known. ``load``
then reads the evidence (each log once, only the columns the rules read), fixes the day the
assessment speaks for and the language its reports speak.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from audit.checklist_paths import is_path_spec, pack_checklist_path, select_checklists
from audit.checklists import ChecklistLibrary
from audit.engine.settings import EngineSettings
from audit.errors import UsageError
from audit.evidence.loaders import load_evidence, needed_log_columns
from audit.evidence.pack import EvidencePack
from audit.i18n import report_language
from audit.limits import date_problem
from audit.model import Checklist
from audit.pipeline.score import check_scoring
from audit.progress import TerminalProgress
from audit.quality import with_platform_columns
from audit.registry import Registry
from audit.schemas.common import as_date
from audit.translations import translate_checklists

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Prepared:
    """Everything checked before the (possibly long) log loading."""

    evidence: tuple[Path, ...]
    registry: Registry
    library: ChecklistLibrary
    checklists: tuple[Checklist, ...]
    scoring: str
    engine: EngineSettings = field(default_factory=EngineSettings)


@dataclass(frozen=True)
class Loaded:
    """The evidence read, the day assessed and the report language, with the checklists in
    that language."""

    pack: EvidencePack
    as_of: dt.date
    language: str
    checklists: tuple[Checklist, ...]


def paths_of(value: PathLike | Sequence[PathLike]) -> tuple[Path, ...]:
    """One path or several, as ``Path`` values."""
    if isinstance(value, (str, os.PathLike)):
        return (Path(value),)
    return tuple(Path(v) for v in value)


def prepare(evidence: PathLike | Sequence[PathLike], checklists: PathLike | Sequence[PathLike],
            registry: Registry, scoring: str = "weighted",
            engine: EngineSettings | None = None) -> Prepared:
    """Resolve the checklists and check the scoring model, without reading any log."""
    paths = paths_of(evidence)
    specs = [str(c) for c in paths_of(checklists)]
    if not paths:
        raise UsageError("give at least one evidence input (a pack directory or workbook)")
    if not specs:
        raise UsageError("give at least one checklist (a module id, file or folder)")
    given = [Path(s) for s in specs if is_path_spec(s)]  # the runner's own: the pack's may be in them
    library, chosen = select_checklists(specs, registry, pack_checklist_path(paths, given))
    check_scoring(scoring, registry)
    return Prepared(paths, registry, library, tuple(chosen), scoring,
                    engine or EngineSettings())


def load(prepared: Prepared, as_of: dt.date | str | None = None,
         progress: TerminalProgress | None = None, language: str | None = None) -> Loaded:
    """Read the evidence; ``as_of`` defaults to the pack's own ``as_of``, else today;
    ``language`` to the pack's language when a catalogue exists for it, else the modules'
    common one, else English."""
    needed = needed_log_columns(prepared.checklists, prepared.registry)
    pack = load_evidence(list(prepared.evidence), prepared.registry,
                         with_platform_columns(needed), progress=progress,
                         engine=prepared.engine)
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"as_of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    day = as_of or (as_date(pack.profile["as_of"]) if pack.profile.get("as_of")
                    else dt.date.today())
    if why := date_problem(day):  # the same years as every other date (docs/limits.md)
        raise UsageError(f"as_of: {why}")
    language = language or report_language(pack.profile.get("language"),
                                           [c.language for c in prepared.checklists])
    return Loaded(pack, day, language,
                  tuple(translate_checklists(prepared.checklists, language)))
